"""make test drops its test databases: a connection left open fails the run and is closed."""

import os
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import ROOT

LEAKY = """
import threading

from accounts.models import User


def test_a_thread_queries_and_never_closes_its_connection(db):
    thread = threading.Thread(target=lambda: User.objects.count())
    thread.start()
    thread.join()
"""


def _databases() -> set[str]:
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres"
    ) as admin:
        return {name for (name,) in admin.execute("SELECT datname FROM pg_database")}


@pytest.mark.django_db
def test_a_connection_left_open_fails_the_run_and_its_database_is_dropped(tmp_path):
    (tmp_path / "test_leaky.py").write_text(LEAKY)
    (tmp_path / "conftest.py").write_text("from tests.conftest import *  # noqa: F403\n")
    db = connection.settings_dict
    # The inner run's test database is named after ours (test_test_…), so no other run has it.
    inner = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    # A Redis database no pytest process of a usual run uses: the inner run flushes its own.
    redis = settings.REDIS_URL.rstrip("/").rpartition("/")[0] + "/13"
    env = {**os.environ, "DATABASE_URL": inner, "REDIS_URL": redis, "DATABASE_CONN_MAX_AGE": "0"}

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-n",
            "0",
            "--rootdir",
            str(ROOT),
            "-c",
            str(ROOT / "pyproject.toml"),
            str(tmp_path / "test_leaky.py"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "1 connection(s) to the test database were still open" in output, output
    assert 'FROM "accounts_user"' in output
    assert "is being accessed by other users" not in output
    assert f"test_{db['NAME']}" not in _databases()
