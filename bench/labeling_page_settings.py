"""The labeling-page benchmark's server: every setting of the app, with ``labeling_page_urls``
adding the bench's canvas page, and static files served by whitenoise from the source
folders (no collectstatic run; the bench gzips what it receives itself). Served by gunicorn
with ``--pythonpath bench``."""

from config.settings import *  # noqa: F403 - every setting of the app, three overridden
from config.settings import STORAGES

ROOT_URLCONF = "labeling_page_urls"
WHITENOISE_USE_FINDERS = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
