"""The hand-out benchmark's ceiling: the app's own settings (middleware, authentication,
database) serving only ``handout_minimal_urls`` — the same claim, save and submit with no
app logic. Served by gunicorn with ``--pythonpath bench``."""

from config.settings import *  # noqa: F403 - every setting of the app, one overridden

ROOT_URLCONF = "handout_minimal_urls"
