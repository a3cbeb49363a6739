"""What every database benchmark sets up the same way: a PostgreSQL database of its own on
the server of DATABASE_URL (created once, kept between runs so loaded data is reused),
migrated, with Django pointed at it and the test Client allowed in."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit


def bench_database(name: str, *, bench: str, plain_static: bool = False) -> str:
    """Create (once), point Django at and migrate the database ``name``; its URL.
    ``plain_static``: pages name their static files without a collectstatic manifest."""
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(f"{bench} runs on PostgreSQL: set DATABASE_URL to a postgres:// URL")
    url = urlunsplit(parts._replace(path=f"/{name}"))
    _create(url, name)
    _django_setup(url, name, plain_static=plain_static)
    return url


def _create(url: str, name: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not found.fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def _django_setup(url: str, name: str, *, plain_static: bool) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    django.setup()
    from django.db import connections

    if settings.DATABASES["default"]["NAME"] != name:  # Django was set up before us
        connections.close_all()
        settings.DATABASES["default"]["NAME"] = name
        connections["default"].settings_dict["NAME"] = name
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if plain_static:
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    call_command("migrate", verbosity=0)
