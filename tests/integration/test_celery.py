"""A task round trip through a real worker process, on Redis and on the embedded broker."""

import os
import subprocess
import sys

import pytest

from core.tasks import ping_task
from tests.conftest import ROOT, WorkerProcess

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("celery")]


def test_round_trip_through_a_worker_on_redis(celery_worker):
    result = ping_task.delay("over redis")

    assert result.get(timeout=20) == "over redis"


SENDER = """
import django, sys
django.setup()
from config.celery import app
from core.tasks import ping_task
assert app.conf.broker_url.startswith("filesystem://"), app.conf.broker_url
print(ping_task.delay("over the embedded broker").get(timeout=30))
"""


def test_round_trip_through_a_worker_on_the_embedded_broker(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "config.settings"})
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    worker = WorkerProcess(env, tmp_path / "worker.log")
    try:
        sent = subprocess.run(
            [sys.executable, "-c", SENDER],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        worker.stop()

    assert sent.returncode == 0, sent.stderr + (tmp_path / "worker.log").read_text()[-2000:]
    assert sent.stdout.strip() == "over the embedded broker"
