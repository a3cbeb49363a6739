"""Serving a stored file: one response for every app's files, each behind its own policy.

An app decides who may see a file (its policy) and which stored file that is (its
selectors), then answers with ``stored_file_response(request, file)``:

- on storage with local paths (``FileSystemStorage``): the bytes, typed by the caller
  (``StoredFile.content_type``, never guessed by the browser: ``nosniff``), sandboxed
  (``Content-Security-Policy: default-src 'none'; sandbox``), private to the browser's
  cache, with an ``ETag`` (``If-None-Match`` → 304) and single byte ranges
  (``Range`` → 206, an unsatisfiable one → 416, ``If-Range`` honoured);
- on object storage (S3): a 302 to a signed URL that lives ``STORAGE_URL_EXPIRE`` seconds
  (minutes), whose response overrides carry the type, disposition and cache policy, so no
  web process carries the bytes. Headers cannot ride on a redirect, so the objects
  themselves are stored typed too (``core.storage.TypedS3Storage``); S3 answers ranges and
  ETags on its own.

``FileApiView`` is the DRF view to serve files from: it answers a session or an API token,
refuses a bad token with 401 in the one error shape, and sends a browser's page navigation
without credentials to the sign-in page like every other page.
"""

import hashlib
import os
import re
from dataclasses import dataclass
from typing import IO

from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import Storage, default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpResponseBase,
    HttpResponseNotModified,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from core.errors import error_body

CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox"
#: Extension of a server-chosen name → Content-Type (the name records the decoded format).
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heic": "image/heic",
    "zip": "application/zip",
    "json": "application/json",
    "jsonl": "application/jsonl",
    "csv": "text/csv",
    "txt": "text/plain",
}
_CHUNK = 1 << 16
_RANGE = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


@dataclass(frozen=True)
class StoredFile:
    """One stored file as a response serves it.

    ``name`` is the storage name; ``filename`` what the client saves it as; ``disposition``
    is ``inline`` or ``attachment``; ``etag`` a content hash when the caller knows one
    (otherwise the response derives one from the stored file's name, size and time).
    """

    name: str
    content_type: str
    filename: str
    disposition: str = "inline"
    etag: str | None = None


def content_type_for(name: str) -> str:
    """The Content-Type of a server-chosen name, from its extension."""
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def disposition_for(file: StoredFile) -> str:
    return content_disposition_header(file.disposition == "attachment", file.filename)


def has_local_paths(storage: Storage) -> bool:
    """Whether the storage keeps files at local paths (served here) or remotely (redirect)."""
    try:
        storage.path("probe")
    except NotImplementedError:
        return False
    return True


def stored_file_response(
    request, file: StoredFile, *, storage: Storage | None = None, max_age: int = 3600
) -> HttpResponseBase:
    """The response that serves ``file`` to a request the caller's policy has allowed.

    A missing stored file is 404. ``max_age`` is how long the browser may keep it privately.
    """
    storage = storage or default_storage
    if not file.name:
        raise Http404
    if not has_local_paths(storage):
        return _signed_redirect(file, storage, max_age)
    try:
        handle = storage.open(file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    stat = os.fstat(handle.fileno())
    etag = _quoted(file.etag or _stat_etag(file.name, stat))
    cache = f"private, max-age={max_age}"
    if _matches(request.META.get("HTTP_IF_NONE_MATCH", ""), etag):
        handle.close()
        response = HttpResponseNotModified()
        response["ETag"] = etag
        response["Cache-Control"] = cache
        return response
    try:
        wanted = _byte_range(request, stat.st_size, etag)
    except _Unsatisfiable:
        handle.close()
        message = _("The requested range is outside the file's %(size)s bytes.") % {
            "size": stat.st_size
        }
        response = JsonResponse(
            error_body(code="range_not_satisfiable", message=message), status=416
        )
        response["Content-Range"] = f"bytes */{stat.st_size}"
        response["X-Content-Type-Options"] = "nosniff"
        return response
    if wanted is None:
        response = FileResponse(handle, content_type=file.content_type)
    else:
        start, end = wanted
        response = StreamingHttpResponse(
            _Slice(handle, start, end - start + 1), status=206, content_type=file.content_type
        )
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{stat.st_size}"
    response["Content-Disposition"] = disposition_for(file)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Cache-Control"] = cache
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def _signed_redirect(file: StoredFile, storage: Storage, max_age: int) -> HttpResponseRedirect:
    """302 to a short-lived signed URL whose response carries the headers we would set."""
    url = storage.url(
        file.name,
        parameters={
            "ResponseContentType": file.content_type,
            "ResponseContentDisposition": disposition_for(file),
            "ResponseCacheControl": f"private, max-age={max_age}",
        },
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"  # the URL expires in minutes
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _stat_etag(name: str, stat: os.stat_result) -> str:
    seed = f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()
    return hashlib.sha256(seed).hexdigest()[:32]


def _quoted(tag: str) -> str:
    return tag if tag.startswith('"') else f'"{tag}"'


def _matches(header: str, etag: str) -> bool:
    """``If-None-Match``: ``*`` or any listed tag equal to ours (weak comparison)."""
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    return "*" in tags or etag in (tag.removeprefix("W/") for tag in tags)


class _Unsatisfiable(Exception):
    pass


def _byte_range(request, size: int, etag: str) -> tuple[int, int] | None:
    """The one byte range to send (first, last), or None for the whole file.

    Ranges in another unit, several ranges, malformed ones and a stale ``If-Range`` are
    ignored (the whole file is sent, as RFC 9110 allows); a well-formed range that starts
    past the end is unsatisfiable.
    """
    header = request.META.get("HTTP_RANGE", "")
    if request.method not in {"GET", "HEAD"} or not header.startswith("bytes="):
        return None
    if_range = request.META.get("HTTP_IF_RANGE")
    if if_range is not None and if_range.strip() != etag:
        return None
    spec = header.removeprefix("bytes=")
    match = _RANGE.match(spec)
    if "," in spec or match is None or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if not first:  # the last n bytes
        if int(last) == 0 or size == 0:
            raise _Unsatisfiable
        return max(0, size - int(last)), size - 1
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise _Unsatisfiable
    end = min(int(last), size - 1) if last else size - 1
    return start, end


class _Slice:
    """``length`` bytes of an open file from ``start``, in chunks; closed with the response."""

    def __init__(self, handle: IO[bytes], start: int, length: int) -> None:
        self.handle, self.start, self.length = handle, start, length

    def __iter__(self):
        self.handle.seek(self.start)
        left = self.length
        while left > 0:
            chunk = self.handle.read(min(_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk

    def close(self) -> None:
        self.handle.close()


class _ServerChosen(BaseContentNegotiation):
    """A file view answers in its file's type, and its errors in JSON, whatever ``Accept``
    says (an ``<img>`` asks for ``image/*``; refusing that with 406 would help no one)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class FileApiView(APIView):
    """A DRF view that serves files: sessions and API tokens alike, errors in one shape.

    Subclasses find the object through their app's policy and return
    ``stored_file_response``. A page navigation (``Accept: text/html``) with neither a
    session nor an ``Authorization`` header is sent to sign in, like every other page.
    """

    renderer_classes = [JSONRenderer]
    content_negotiation_class = _ServerChosen

    def handle_exception(self, exc):
        request = self.request
        if (
            isinstance(exc, exceptions.NotAuthenticated)
            and "HTTP_AUTHORIZATION" not in request.META
            and "text/html" in request.META.get("HTTP_ACCEPT", "")
        ):
            return redirect_to_login(request.get_full_path())
        return super().handle_exception(exc)
