"""Settings come from the environment; each case runs in a fresh interpreter."""

import os
import subprocess
import sys

from tests.conftest import ROOT

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "groundwork.example.com",
    "DATABASE_URL": "postgres://groundwork:pw@db.example.com:5432/groundwork",
    "REDIS_URL": "redis://redis.example.com:6379/0",
    "STORAGE_BACKEND": "s3",
    "STORAGE_BUCKET": "groundwork",
    "STORAGE_ENDPOINT_URL": "https://s3.example.com",
}


def _run(args: list[str], env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "STORAGE_BACKEND",
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "HTTPS",
        }
    }
    clean.update(
        {"VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    )
    return subprocess.run(args, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def _setting(expression: str, env: dict[str, str], tmp_path) -> str:
    code = f"from django.conf import settings; print({expression})"
    result = _run([sys.executable, "-c", code], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_nothing_set_gives_sqlite_under_var(tmp_path):
    engine = _setting(
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME']",
        {},
        tmp_path,
    )

    assert "sqlite3" in engine
    assert str(tmp_path / "var") in engine


def test_nothing_set_gives_embedded_broker_and_kept_secret_key(tmp_path):
    broker = _setting("settings.CELERY_BROKER_URL", {}, tmp_path)
    transport = _setting("settings.CELERY_BROKER_TRANSPORT", {}, tmp_path)
    first = _setting("settings.SECRET_KEY", {}, tmp_path)
    second = _setting("settings.SECRET_KEY", {}, tmp_path)

    assert broker == "filesystem://localhost//"
    assert transport == "core.broker:Transport"  # messages written whole (core/broker.py)
    assert first == second
    assert len(first) >= 50


def test_nothing_set_is_debug_off_over_plain_http_on_this_machine_only(tmp_path):
    values = _setting(
        "settings.DEBUG, settings.ALLOWED_HOSTS, settings.SECURE_SSL_REDIRECT, "
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS",
        {},
        tmp_path,
    )

    assert values == "False ['localhost', '127.0.0.1', '[::1]'] False False False 0"


def test_named_hosts_turn_the_https_hardening_on(tmp_path):
    values = _setting(
        "settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, "
        "settings.SECURE_HSTS_SECONDS",
        {"ALLOWED_HOSTS": "groundwork.example.com", "SECRET_KEY": PRODUCTION["SECRET_KEY"]},
        tmp_path,
    )

    assert values == "True True 31536000"


def test_named_hosts_over_plain_http_keep_cookies_unsecured(tmp_path):
    env = {"ALLOWED_HOSTS": "box.lan", "HTTPS": "0", "SECRET_KEY": PRODUCTION["SECRET_KEY"]}

    values = _setting("settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE", env, tmp_path)

    assert values == "False False"


def test_database_url_selects_postgresql(tmp_path):
    engine = _setting(
        "settings.DATABASES['default']['ENGINE']",
        {"DATABASE_URL": "postgres://root@127.0.0.1:5432/test"},
        tmp_path,
    )

    assert engine == "django.db.backends.postgresql"


def test_redis_url_selects_redis_broker_results_and_cache(tmp_path):
    values = _setting(
        "settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND, "
        "settings.CACHES['default']['BACKEND']",
        {"REDIS_URL": "redis://127.0.0.1:6379/3"},
        tmp_path,
    )

    assert values.count("redis://127.0.0.1:6379/3") == 2
    assert "RedisCache" in values


def test_storage_backend_s3_selects_django_storages(tmp_path):
    backend = _setting(
        "settings.STORAGES['default']['BACKEND']",
        {"STORAGE_BACKEND": "s3", "STORAGE_BUCKET": "b"},
        tmp_path,
    )

    assert backend == "core.storage.TypedS3Storage"


def test_signed_urls_that_live_longer_than_minutes_are_refused(tmp_path):
    env = {"STORAGE_BACKEND": "s3", "STORAGE_BUCKET": "b", "STORAGE_URL_EXPIRE": "86400"}

    result = _run([sys.executable, "-c", "import django; django.setup()"], env, tmp_path)

    assert result.returncode != 0
    assert "STORAGE_URL_EXPIRE" in result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = {**PRODUCTION, "SECRET_KEY": ""}

    result = _run([sys.executable, "manage.py", "check"], env, tmp_path)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when ALLOWED_HOSTS serves the site" in result.stderr


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    result = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        PRODUCTION,
        tmp_path,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_suite_stops_and_says_how_when_postgresql_is_unreachable(tmp_path):
    env = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/test",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }

    result = _run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_compose.py"],
        env,
        tmp_path,
    )

    assert result.returncode == 3
    assert "PostgreSQL is not reachable at 127.0.0.1:1" in result.stdout + result.stderr
    assert "pg_ctlcluster" in result.stdout + result.stderr
