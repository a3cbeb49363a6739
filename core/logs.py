"""What the console log says: one line for a refused request, a traceback only for a fault."""

import logging


class ClientErrorWithoutTraceback(logging.Filter):
    """Keep Django's one-line note of a 4xx answer and drop the traceback it attaches.

    ``django.request`` logs a 403 with the ``PermissionDenied`` that caused it, and
    ``django.security`` a 400 with its ``SuspiciousOperation``: ordinary answers to a client,
    not faults of the server, so their tracebacks only bury the 500s that matter.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
