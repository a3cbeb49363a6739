"""S3 storage whose objects carry their own Content-Type and Content-Disposition.

A file served from S3 reaches the browser through a redirect to a signed URL, and the
headers the app would set cannot ride on a redirect. The signed URL's response overrides
carry them (``core.files``); the objects are stored with them too, so the bytes are typed
by the server even when fetched some other way. Every stored name is chosen by the server
from the format it decoded, so its extension gives the type; images are shown inline and
anything else is an attachment.
"""

import posixpath

from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage

from core.files import content_type_for


class TypedS3Storage(S3Storage):
    def get_object_parameters(self, name: str) -> dict:
        """django-storages' hook for per-object upload parameters."""
        parameters = super().get_object_parameters(name)
        content_type = content_type_for(name)
        if content_type.startswith("image/"):
            disposition = "inline"
        else:
            disposition = content_disposition_header(True, posixpath.basename(name))
        parameters.setdefault("ContentType", content_type)
        parameters.setdefault("ContentDisposition", disposition)
        return parameters
