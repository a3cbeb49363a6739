"""Exports whose worker died or failed: the sweep finds their steps, a stopped export stops
its chunks, and an error ends the export failed with its parts removed."""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from datasets.models import Dataset
from exports import services as export_services
from exports.models import Export, ExportChunk

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(settings):
    settings.EXPORT_CHUNK_ITEMS = 2
    call_command("seed_demo", photos=6)
    dataset = Dataset.objects.get(name="Math formula photos")
    stage = dataset.stages.get(slug="formula-detection")
    return Export.objects.create(
        dataset=dataset, stage=stage, splits=["train", "val", "test"], format="coco"
    )


def _long_ago(settings):
    return timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS + 1)


def test_an_export_whose_plan_message_was_lost_is_planned_again(
    export, settings, django_capture_on_commit_callbacks
):
    Export.objects.filter(pk=export.pk).update(created_at=_long_ago(settings))

    with django_capture_on_commit_callbacks() as sent:
        queued = export_services.exports_sweep()

    assert queued == 1 and len(sent) == 1


def test_a_chunk_whose_worker_died_is_queued_again_and_waiting_ones_are_not(
    export, settings, django_capture_on_commit_callbacks
):
    export_services.export_plan(export_id=export.pk, dispatch=False)
    dead, waiting, *_rest = export.chunks.order_by("index")
    ExportChunk.objects.filter(pk=dead.pk).update(heartbeat_at=_long_ago(settings), attempts=1)
    ExportChunk.objects.filter(pk=_rest[0].pk).update(heartbeat_at=timezone.now())  # alive

    with django_capture_on_commit_callbacks() as sent:
        queued = export_services.exports_sweep()

    assert queued == 1 and len(sent) == 1  # the dead chunk only, not the waiting one
    assert ExportChunk.objects.get(pk=waiting.pk).heartbeat_at is None


def test_a_chunk_of_a_cancelled_export_builds_nothing(export, media_root):
    export_services.export_plan(export_id=export.pk, dispatch=False)
    Export.objects.filter(pk=export.pk).update(status=Export.Status.CANCELLED)
    chunk = export.chunks.first()

    chunk = export_services.export_chunk_build(chunk_id=chunk.pk, dispatch=False)

    assert chunk.status == "running" and not chunk.file
    assert not list(Path(media_root).rglob("*.zip"))


def test_an_export_whose_plan_raises_ends_failed_with_its_reason(export):
    Export.objects.filter(pk=export.pk).update(splits=7)

    assert export_services.export_plan(export_id=export.pk, dispatch=False) == []

    export.refresh_from_db()
    assert export.status == "failed" and export.error.startswith("The export could not be planned")


def test_a_failed_chunk_removes_the_parts_already_built(export, media_root):
    export_services.export_plan(export_id=export.pk, dispatch=False)
    first, second, *_rest = export.chunks.order_by("index")
    export_services.export_chunk_build(chunk_id=first.pk, dispatch=False)
    ExportChunk.objects.filter(pk=second.pk).update(versions=5)

    export_services.export_chunk_build(chunk_id=second.pk, dispatch=False)

    export.refresh_from_db()
    assert export.status == "failed" and export.error.startswith("Chunk 1")
    assert not list(Path(media_root).rglob("part-*.zip"))
    assert not ExportChunk.objects.filter(export=export).exclude(file="").exists()


def test_killed_workers_temporaries_go_and_live_ones_stay(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = tmp_path / "groundwork-part-999999999-abc"  # no such process
    live = tmp_path / f"groundwork-part-{os.getpid()}-abc"
    dead.mkdir()
    live.mkdir()

    export_services.temporaries_sweep()

    assert not dead.exists() and live.exists()


def test_the_sweep_removes_the_parts_of_an_export_that_stopped(export, media_root):
    export_services.export_plan(export_id=export.pk, dispatch=False)
    chunk = export_services.export_chunk_build(chunk_id=export.chunks.first().pk, dispatch=False)
    assert chunk.file
    Export.objects.filter(pk=export.pk).update(status=Export.Status.CANCELLED)

    export_services.exports_sweep()

    assert not ExportChunk.objects.filter(export=export).exclude(file="").exists()
    assert not list(Path(media_root).rglob("part-*.zip"))
