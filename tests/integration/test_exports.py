"""Exports through real workers: chunks built by workers, and a killed worker's export
finished by the next on Redis and on the embedded broker."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from datasets.models import Dataset
from exports import services as export_services
from exports.models import Export, ExportChunk
from tests.conftest import ROOT, WorkerProcess, until, worker_database_url

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("celery")]


@pytest.fixture
def demo(transactional_db, media_root):
    call_command("seed_demo", photos=12)
    return Dataset.objects.get(name="Math formula photos")


@pytest.fixture
def workers(tmp_path, media_root, celery_redis):
    """Start workers that cut exports into one-item chunks."""
    from config.celery import app

    app.control.purge()
    started = []

    def start(name: str) -> WorkerProcess:
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": celery_redis,
            "MEDIA_ROOT": str(media_root),
            "EXPORT_CHUNK_ITEMS": "1",
        }
        worker = WorkerProcess(env, tmp_path / f"{name}.log")
        started.append(worker)
        worker.wait_ready(app)
        return worker

    yield start
    for worker in started:
        worker.stop()


def _request(dataset, slug: str) -> Export:
    stage = dataset.stages.get(slug=slug)
    return export_services.export_request(dataset=dataset, stage=stage, by=None)


def _same_state_built_here(dataset, slug: str) -> str:
    """The hash of the same export built in this process (no worker sees it); a crop stage's
    export includes its crops, as a requested one records."""
    stage = dataset.stages.get(slug=slug)
    export = Export.objects.create(
        dataset=dataset,
        stage=stage,
        splits=["train", "val", "test"],
        format="jsonl_crops",
        images=Export.Images.INCLUDE,
    )
    return export_services.export_build(export_id=export.pk).sha256


def test_workers_build_the_chunks_and_join_them_into_the_same_zip(demo, workers):
    workers("first")
    workers("second")

    export = _request(demo, "formula-recognition")

    assert until(lambda: Export.objects.get(pk=export.pk).status != "running", timeout=90)
    export.refresh_from_db()
    assert export.status == "done", export.error
    assert (export.chunks_total, export.chunks_done) == (12, 12)
    assert export.done == export.total == 12
    assert default_storage.exists(export.file.name)
    assert _same_state_built_here(demo, "formula-recognition") == export.sha256


REQUEST = """
import django, sys
django.setup()
from datasets.models import Dataset
from exports import services
dataset = Dataset.objects.get(pk=int(sys.argv[1]))
stage = dataset.stages.get(slug=sys.argv[2])
print(services.export_request(dataset=dataset, stage=stage, by=None).pk)
"""


def _requested_through(worker: WorkerProcess, dataset, slug: str) -> Export:
    """Request an export from a process on the worker's own broker (the embedded one)."""
    sent = subprocess.run(
        [sys.executable, "-c", REQUEST, str(dataset.pk), slug],
        cwd=ROOT,
        env=worker.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return Export.objects.get(pk=int(sent.stdout.split()[-1]))


def _nothing_left_behind(tmp_path, media_root) -> None:
    assert not list((tmp_path / "tmp").glob("groundwork-part-*"))
    assert not list(Path(media_root).rglob("*.part"))
    exports = Path(media_root) / "exports"
    assert not [path for path in exports.rglob("*") if path.is_dir() and not any(path.iterdir())]


@pytest.mark.parametrize("broker", ["redis", "embedded"])
def test_an_export_whose_worker_was_killed_is_done_by_the_next_within_a_minute(
    demo, sweeping_workers, tmp_path, media_root, monkeypatch, broker
):
    monkeypatch.setenv("EXPORT_CHUNK_ITEMS", "1")
    embedded = broker == "embedded"
    first = sweeping_workers("killed", embedded=embedded)
    if embedded:
        export = _requested_through(first, demo, "formula-recognition")
    else:
        export = _request(demo, "formula-recognition")
    started = until(
        lambda: ExportChunk.objects.filter(export=export, status="done").count() >= 2,
        timeout=90,
        step=0.01,
    )
    first.kill()
    export.refresh_from_db()
    assert started and export.status == "running" and not export.file  # nothing half-written
    assert not default_storage.exists(f"exports/{demo.pk}/{export.pk}.zip")

    sweeping_workers("next", embedded=embedded)

    assert until(lambda: Export.objects.get(pk=export.pk).status != "running", timeout=60)
    export.refresh_from_db()
    assert export.status == "done", export.error
    assert (export.chunks_done, export.done) == (12, 12)
    assert _same_state_built_here(demo, "formula-recognition") == export.sha256
    assert until(lambda: not list((tmp_path / "tmp").glob("groundwork-part-*")), timeout=10)
    _nothing_left_behind(tmp_path, media_root)
