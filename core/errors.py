"""The one error type of Groundwork and the one shape every 4xx takes.

Every 4xx body is ``{"error": {"code": "...", "message": "...", "fields": {...}}}``;
anything unexpected stays a 500.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response


class DomainError(Exception):
    """A refused request: a message for people, a code for programs, fields for forms."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        status: int = 400,
        fields: dict[str, str] | None = None,
        extra: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.fields = fields or {}
        #: More for programs beside code, message and fields: a stale save's 409 carries
        #: the current text, so the client loses nothing.
        self.extra = extra or {}


def error_body(
    *, code: str, message: str, fields: dict[str, str] | None = None, extra: dict | None = None
) -> dict:
    return {"error": {**(extra or {}), "code": code, "message": message, "fields": fields or {}}}


def body_too_large_message() -> str:
    return _("The request body is larger than the limit of %(limit)s bytes.") % {
        "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    }


def body_too_large_body() -> dict:
    """The 413 of a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (see core.middleware)."""
    return error_body(code="body_too_large", message=body_too_large_message())


def flatten_detail(detail, prefix: str = "") -> dict[str, str]:
    """Turn DRF's nested error detail into ``{"regions.r2.bbox": "message"}``."""
    if isinstance(detail, dict):
        flat: dict[str, str] = {}
        for key, value in detail.items():
            flat.update(flatten_detail(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": " ".join(str(item) for item in detail)}
        flat = {}
        for index, item in enumerate(detail):
            if item:
                flat.update(flatten_detail(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": str(detail)}


def _first_code(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    return getattr(detail, "code", None) or "invalid"


def api_exception_handler(exc, context):
    # Imported here: DRF's views import the authentication classes, which use DomainError.
    from rest_framework.views import exception_handler

    if isinstance(exc, DomainError):
        body = error_body(code=exc.code, message=exc.message, fields=exc.fields, extra=exc.extra)
        return Response(body, status=exc.status)
    if isinstance(exc, RequestDataTooBig):  # a multipart body's fields over the limit
        return Response(body_too_large_body(), status=413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_detail(exc.detail)
        general = fields.pop("non_field_errors", None)
        code = "invalid" if fields else _first_code(exc.detail)
        message = general or _("Some fields are invalid: %(names)s.") % {
            "names": ", ".join(sorted(fields))
        }
        response.data = error_body(code=code, message=message, fields=fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = error_body(code=_first_code(detail), message=str(detail))
    return response


# The handlers Django calls for an error no view answered (config/urls.py names them). With
# DEBUG off they are what a user sees: JSON in the one shape under /api/, the app's own page
# elsewhere, never Django's debug page.


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code=code, message=message), status=status)


def bad_request(request, exception=None):
    if _is_api(request):
        return _api_error(400, "bad_request", _("The request could not be read."))
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    if _is_api(request):
        message = str(exception or "") or _("You do not have permission to do this.")
        return _api_error(403, "permission_denied", message)
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    if _is_api(request):
        message = _("No such API endpoint: %(path)s") % {"path": request.path}
        return _api_error(404, "not_found", message)
    return render(request, "404.html", status=404)


def server_error(request):
    """The 500 page reads nothing that could have failed: no database, no context processor."""
    if _is_api(request):
        return _api_error(500, "server_error", _("Something went wrong on the server."))
    body = loader.get_template("500.html").render({"LANGUAGE_CODE": get_language()})
    return HttpResponseServerError(body)
