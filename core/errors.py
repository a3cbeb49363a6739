"""The one error type of Groundwork and the one shape every 4xx takes.

Every 4xx body is ``{"error": {"code": "...", "message": "...", "fields": {...}}}``;
anything unexpected stays a 500.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
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
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.fields = fields or {}


def error_body(*, code: str, message: str, fields: dict[str, str] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


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
        body = error_body(code=exc.code, message=exc.message, fields=exc.fields)
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


def not_found(request, exception=None):
    """404 for unmatched URLs: the API's error shape under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        body = error_body(
            code="not_found", message=_("No such API endpoint: %(path)s") % {"path": request.path}
        )
        return JsonResponse(body, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
