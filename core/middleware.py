"""A request body over the size limit answers 413: in the one error shape under /api/, as a
short page elsewhere — never Django's 400 page or its debug page.

Django raises ``RequestDataTooBig`` when a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is read
(uploaded files do not count). Pages read their body here, before the CSRF check would; the
API's parsers read theirs later, so a declared length over the limit is answered here (a
multipart body excepted: its files may be large) and a multipart body whose fields are too
large is answered by ``core.errors.api_exception_handler``.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render

from core.errors import body_too_large_body, body_too_large_message


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            if self._declared_too_large(request):
                return JsonResponse(body_too_large_body(), status=413)
        elif request.method not in {"GET", "HEAD", "OPTIONS"}:
            try:
                request.POST  # noqa: B018 - parsed now, so an oversized body is answered here
            except RequestDataTooBig:
                return render(
                    request, "413.html", {"message": body_too_large_message()}, status=413
                )
        return self.get_response(request)

    @staticmethod
    def _declared_too_large(request) -> bool:
        if request.content_type == "multipart/form-data":
            return False
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        return length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
