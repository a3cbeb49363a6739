"""Shared fixtures: users and clients per role, and real Celery worker processes."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories.accounts import UserFactory

ROOT = Path(__file__).resolve().parent.parent
#: The project's Django apps, bottom to top of the layers import-linter holds.
APPS = [
    "core",
    "accounts",
    "datasets",
    "exports",
    "evaluation",
    "vendors",
    "guides",
    "labeling",
    "review",
    "config",
]
ARTIFACTS = ROOT / "test-artifacts"
ROLES = [Role.PLANNER, Role.REVIEWER, Role.TRAINER, Role.ANNOTATOR, Role.VENDOR_MANAGER]


def _services_problem() -> str | None:
    """The suite needs PostgreSQL and Redis; say which is missing and how to start it."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return "The tests run on PostgreSQL: set DATABASE_URL (make test does it for you)."
    import psycopg

    try:
        psycopg.connect(
            host=database["HOST"],
            port=database["PORT"] or 5432,
            user=database["USER"],
            password=database["PASSWORD"] or None,
            dbname=database["NAME"],
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError as error:
        return (
            f"PostgreSQL is not reachable at {database['HOST']}:{database['PORT']} ({error}). "
            "Start it with: "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        )
    if not settings.REDIS_URL:
        return "The tests need Redis: set REDIS_URL (make test does it for you)."
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        return (
            f"Redis is not reachable at {settings.REDIS_URL} ({error}). Start it with: "
            "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' "
            "--appendonly no"
        )
    return None


def pytest_configure(config):
    """Pages name static files by their source names, as with DEBUG=1: the suite does not run
    collectstatic (tests/browser/test_every_page.py serves the collected files as `make run`
    does), and a manifest left in STATIC_ROOT by an earlier `make run` must not matter."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_sessionstart(session):
    problem = _services_problem()
    if problem:
        pytest.exit(problem, returncode=3)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, which must be dropped at the end of the run.

    PostgreSQL refuses to drop a database that any session still uses, and pytest-django
    then only warns, leaving ``test_*`` databases behind. Every connection this process
    made is closed first; any other session still on the database (a thread's or a
    context's connection nobody closed, a worker process that outlived its test) fails the
    run, named by its last query, and is terminated so the database is dropped all the same.
    """
    yield
    with django_db_blocker.unblock():
        left = _sessions_left_open()
    if left:
        pytest.fail(
            f"{len(left)} connection(s) to the test database were still open at the end "
            "(terminated so it can be dropped); close them where they are made: " + "; ".join(left),
            pytrace=False,
        )


def _sessions_left_open(settle: float = 3.0) -> list[str]:
    import psycopg
    from django.db import connections

    connections.close_all()
    database = connections["default"].settings_dict
    query = (
        "SELECT pid, application_name, query FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()"
    )
    with psycopg.connect(
        host=database["HOST"],
        port=database["PORT"] or 5432,
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        # A process stopped a moment ago may still be leaving: give it a few seconds.
        rows = admin.execute(query, (database["NAME"],)).fetchall()
        deadline = time.monotonic() + settle
        while rows and time.monotonic() < deadline:
            time.sleep(0.1)
            rows = admin.execute(query, (database["NAME"],)).fetchall()
        for pid, _application, _query in rows:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + settle
        while rows and time.monotonic() < deadline:
            if not admin.execute(query, (database["NAME"],)).fetchall():
                break
            time.sleep(0.1)
    return [f"pid {pid} {application or ''}: {last[:120]!r}" for pid, application, last in rows]


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request by a Korean user activates Korean
    in the thread, and a later test's service messages would read Korean."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Files stored during a test go to its own folder, never to var/media."""
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


@pytest.fixture
def make_user(db):
    def make(role: str = Role.PLANNER, **fields):
        return UserFactory(role=role, **fields)

    return make


@pytest.fixture
def client_for(make_user):
    """An API client signed in (by session) as a fresh user of the given role."""

    def make(role: str = Role.PLANNER, **fields) -> APIClient:
        client = APIClient()
        client.user = make_user(role, **fields)
        client.force_login(client.user)
        return client

    return make


@pytest.fixture
def planner_client(client_for):
    return client_for(Role.PLANNER)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def worker_database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session", autouse=True)
def celery_redis(worker_id):
    """Each pytest process talks Celery on its own Redis database.

    Queues and worker broadcasts (pings) are per database, so a task a test queues on commit
    (an upload in a browser test) never reaches a worker another process started for its
    own test database, and "no worker answers" means none of this process's.
    """
    from config.celery import app

    index = 0 if worker_id == "master" else int(worker_id.removeprefix("gw"))
    base, _slash, number = settings.REDIS_URL.rstrip("/").rpartition("/")
    if not number.isdigit():
        base, number = settings.REDIS_URL.rstrip("/"), "0"
    # REDIS_URL's own database number offsets ours, so two checkouts can test side by side.
    url = f"{base}/{int(number) + 1 + index}"
    app.conf.broker_url = url
    app.conf.result_backend = url
    yield url
    import redis

    redis.Redis.from_url(url).flushdb()


def until(predicate, timeout: float = 60, step: float = 0.2) -> bool:
    """Whether ``predicate()`` comes true within ``timeout`` seconds, asked every ``step``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


class WorkerProcess:
    """A real `celery worker` process, stopped when the test ends; with ``beat``, its
    embedded beat runs the sweeps (its schedule file beside the log)."""

    def __init__(self, env: dict[str, str], log: Path, *, beat: bool = False) -> None:
        self.log, self.env = log, env
        beat_options = ["--beat", f"--schedule={log.with_suffix('.schedule')}"] if beat else []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=info",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
                *beat_options,
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, app, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log.read_text()[-2000:]}")
            if app.control.ping(timeout=0.5, limit=1):
                return
        raise RuntimeError(f"worker never answered a ping: {self.log.read_text()[-2000:]}")

    def wait_logged_ready(self, timeout: float = 30) -> None:
        """Wait for its "ready" line: a worker on another broker than the test's answers
        no ping."""
        if not until(
            lambda: self.process.poll() is not None or b" ready." in self.log.read_bytes(), timeout
        ):
            raise RuntimeError(f"worker never got ready: {self.log.read_text()[-2000:]}")
        if self.process.poll() is not None:
            raise RuntimeError(f"worker exited: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL its main process, as the kernel's OOM killer or a power cut would."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def celery_worker(transactional_db, tmp_path, media_root, celery_redis):
    """Start a worker on the test's Redis broker, PostgreSQL test database and media folder.

    Tests that use it belong to the xdist group "celery" so only one worker consumes the
    shared Redis queue at a time.
    """
    from config.celery import app

    app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": celery_redis,
        "MEDIA_ROOT": str(media_root),  # the worker stores where the test looks
    }
    worker = WorkerProcess(env, tmp_path / "worker.log")
    try:
        worker.wait_ready(app)
        yield worker
    finally:
        worker.stop()


#: A sweep that acts within seconds, for the tests that kill workers. The visibility timeout
#: stays at its production value (an hour), so only the sweep can bring their work back.
#: A sweep fast enough for a test to see, with a staleness threshold a loaded machine's slow
#: step still beats within (at 3 s, a step of a busy worker was taken over as dead and the
#: two workers took a chunk from each other until the test timed out).
FAST_SWEEP = {"JOB_HEARTBEAT_SECONDS": "0.5", "JOB_STALE_SECONDS": "8", "JOB_SWEEP_SECONDS": "1"}


@pytest.fixture
def sweeping_workers(transactional_db, tmp_path, media_root, celery_redis):
    """Start workers with their beat and a fast sweep, on Redis or (``embedded=True``) on
    the embedded filesystem broker under the test's folder, on the test's PostgreSQL
    database and media folder; their temporary files go to ``tmp_path / "tmp"``."""
    from config.celery import app

    app.control.purge()
    (tmp_path / "tmp").mkdir()
    started = []

    def start(name: str, *, embedded: bool = False) -> WorkerProcess:
        env = {
            **os.environ,
            **FAST_SWEEP,
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": celery_redis,
            "MEDIA_ROOT": str(media_root),
            "TMPDIR": str(tmp_path / "tmp"),
            "VAR_DIR": str(tmp_path / "var"),
        }
        env.pop("CELERY_VISIBILITY_TIMEOUT", None)
        if embedded:
            del env["REDIS_URL"]
        worker = WorkerProcess(env, tmp_path / f"{name}.log", beat=True)
        started.append(worker)
        if embedded:
            worker.wait_logged_ready()
        else:
            worker.wait_ready(app)
        return worker

    yield start
    for worker in started:
        worker.stop()
