"""The Content-Security-Policy of the pages that run the most script (the labeling tool):
scripts only from this site (no inline script, no eval), styles from this site with style
*attributes* allowed — KaTeX's rendered HTML sizes its glyphs with inline ``style``
attributes — and photos fetched from this site or, with S3 storage, from the bucket a
signed URL redirects to (that origin must allow this site in its CORS rules).
"""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings


def storage_origins() -> list[str]:
    """Where a signed redirect for a stored file may lead: the S3 endpoint's origin, or
    AWS's S3 hosts when none is set; nothing for local storage."""
    backend = settings.STORAGES["default"]["BACKEND"]
    if "S3" not in backend:
        return []
    endpoint = settings.STORAGES["default"].get("OPTIONS", {}).get("endpoint_url")
    if endpoint:
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}"]
    return ["https://*.amazonaws.com"]


def strict_policy() -> str:
    media = " ".join(["'self'", *storage_origins()])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "style-src-attr 'unsafe-inline'",
            f"img-src {media} blob: data:",
            f"connect-src {media}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def strict_csp(view):
    """A page view answered under ``strict_policy()``."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", strict_policy())
        return response

    return wrapped
