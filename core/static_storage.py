"""The static files storage of production (``collectstatic``): whitenoise's hashed and
compressed files, with this project's own JavaScript and CSS minified on the way (rjsmin,
rcssmin). The sources stay as written, comments and all, and run as they are in
development: there is no build step, only smaller bytes where they are served. Third-party
files (KaTeX under ``vendor/``, the admin's, DRF's) are copied untouched."""

from pathlib import Path

import rcssmin
import rjsmin
from django.conf import settings
from django.core.files.base import ContentFile
from whitenoise.storage import CompressedManifestStaticFilesStorage

MINIFIERS = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}


def own_folders() -> set[str]:
    """The top folders of the project's own static files (``static/``), vendor aside."""
    root = Path(settings.BASE_DIR) / "static"
    return {path.name for path in root.iterdir() if path.is_dir() and path.name != "vendor"}


class MinifiedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def _save(self, name, content):
        minify = MINIFIERS.get(Path(name).suffix)
        if minify and name.split("/", 1)[0] in own_folders():
            content.seek(0)  # the hashing step has read it already
            text = content.read()
            text = text.decode("utf-8") if isinstance(text, bytes) else text
            content = ContentFile(minify(text).encode("utf-8"))
        return super()._save(name, content)
