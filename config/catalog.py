"""The JavaScript catalogue: the ``djangojs`` strings of one language, read by static/core/i18n.js.

base.html loads it on every page, so it costs next to nothing: its URL names the language and
a digest of the compiled catalogues, the browser keeps it for a year (a new translation is a
new URL), and the process renders each language once.
"""

import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog

# Only the project's own catalogue (LOCALE_PATHS, which every catalogue includes): naming an
# app with no djangojs strings keeps the admin's JavaScript strings out of every page.
_catalog_view = JavaScriptCatalog.as_view(packages=["core"])
_rendered: dict[tuple[str, str], bytes] = {}
YEAR = 365 * 24 * 3600


def _digest() -> str:
    digest = hashlib.sha256()
    for folder in map(Path, settings.LOCALE_PATHS):
        for compiled in sorted(folder.glob("*/LC_MESSAGES/djangojs.mo")):
            digest.update(str(compiled.relative_to(folder)).encode())
            digest.update(compiled.read_bytes())
    return digest.hexdigest()[:12]


_digest_once = lru_cache(maxsize=1)(_digest)


def catalog_version() -> str:
    """A digest of the compiled catalogues: once per process, or per call while developing
    (runserver reloads translations without restarting)."""
    return _digest() if settings.DEBUG else _digest_once()


def catalog_url(language: str) -> str:
    return f"{reverse('javascript-catalog')}?language={language}&v={catalog_version()}"


@require_safe
def javascript_catalog(request):
    """The catalogue of ``?language=`` (else the request's language); a URL whose ``v`` is the
    current version never changes, so it is cached as immutable."""
    language = request.GET.get("language")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    version = catalog_version()
    body = _rendered.get((language, version))
    if body is None:
        with translation.override(language):
            body = _catalog_view(request).content
        _rendered[(language, version)] = body  # a few languages × one version per process
    response = HttpResponse(body, content_type='text/javascript; charset="utf-8"')
    if request.GET.get("v") == version:
        response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response["Cache-Control"] = "no-cache"
    response["Content-Language"] = language
    return response


def javascript_catalog_context(request):
    """The catalogue URL of the page's language, for base.html."""
    return {"javascript_catalog_url": catalog_url(translation.get_language())}
