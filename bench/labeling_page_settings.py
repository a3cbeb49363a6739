"""The labeling-page benchmark's server: every setting of the app, with ``labeling_page_urls``
adding the bench's canvas page, and static files as production serves them: collected by
the app's own storage (minified, hashed, compressed) into the bench's folder, served by
whitenoise. Served by gunicorn with ``--pythonpath bench``."""

from pathlib import Path

from config.settings import *  # noqa: F403 - every setting of the app, three overridden
from config.settings import STORAGES

ROOT_URLCONF = "labeling_page_urls"
STATIC_ROOT = Path(__file__).resolve().parent.parent / "var" / "bench" / "labeling_page" / "static"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "core.static_storage.MinifiedStaticFilesStorage"},
}
