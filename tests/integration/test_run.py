"""make run's processes: they stop at once, cleanly, and none outlives a killed worker."""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import ROOT, WorkerProcess, until, worker_database_url

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("celery")]

#: What an error looks like in make run's output.
ERRORS = re.compile(r"\b(error|traceback|critical|killed)\b|exited with signal", re.IGNORECASE)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answering(port: int) -> bool:
    """Whether the web server answers (its health may still wait for the worker: a loaded
    machine's first ping through the embedded broker can be late)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


#: gunicorn and its two workers, the Celery worker, its two pool processes and its beat.
PROCESSES = 7


@pytest.mark.parametrize("how", ["SIGTERM to the script", "Ctrl-C to every process"])
def test_serving_stops_within_five_seconds_with_status_0_and_no_error(
    transactional_db, tmp_path, how
):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update({"DATABASE_URL": worker_database_url(), "VAR_DIR": str(tmp_path), "PORT": str(port)})
    log = tmp_path / "serve.log"
    serving = subprocess.Popen(
        [ROOT / "scripts" / "serve"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal gives make run
    )
    try:
        up = until(
            lambda: _answering(port) and len(_descendants(serving.pid)) >= PROCESSES,
            timeout=90,
            step=0.5,
        )
        assert up, log.read_text()[-3000:]
        time.sleep(1)  # the worker's first poll of the broker
        processes = _descendants(serving.pid)
        started = time.monotonic()
        if how == "SIGTERM to the script":
            serving.send_signal(signal.SIGTERM)
        else:
            os.killpg(serving.pid, signal.SIGINT)
        status = serving.wait(timeout=30)
        took = time.monotonic() - started
        gone = until(lambda: not [pid for pid in processes if _alive(pid)], timeout=2, step=0.1)
    finally:
        for pid in [serving.pid, *processes]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    output = log.read_text()

    assert took < 5, output
    assert status == 0, output
    assert gone  # gunicorn, the worker, its pool and its beat all stopped
    assert not [line for line in output.splitlines() if ERRORS.search(line)]


def _children(pid: int) -> list[int]:
    listed = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    )
    return [int(word) for word in listed.stdout.split()]


def _descendants(pid: int) -> list[int]:
    found = _children(pid)
    return found + [grandchild for child in found for grandchild in _descendants(child)]


def test_a_killed_workers_embedded_beat_does_not_live_on(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env["VAR_DIR"] = str(tmp_path)
    worker = WorkerProcess(env, tmp_path / "worker.log", beat=True)
    try:
        worker.wait_logged_ready()
        assert until(lambda: _children(worker.process.pid), timeout=10)
        beat = _children(worker.process.pid)

        worker.kill()

        assert until(lambda: not [pid for pid in beat if _alive(pid)], timeout=5)
    finally:
        worker.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead but not yet reaped by init
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"
