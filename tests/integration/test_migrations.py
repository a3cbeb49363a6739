"""A database at the state before exports had their own app and ground truth had versions
migrates forward without losing an export, a file or a ground truth; one from before the spec
history stored events keeps every line of its history, told in the reader's language.

The test database is migrated back to ``datasets.0008_export_chunks`` (the exports app
unmigrated), filled through the historical models of that state, and migrated forward to the
latest migrations with Django's ``MigrationExecutor``, on PostgreSQL. It leaves the database
at the latest migrations, even when it fails, so the tests after it find what they expect.
"""

import hashlib
import io
import zipfile
from datetime import UTC, datetime

import orjson
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation
from rest_framework.test import APIClient

from accounts import services as account_services
from datasets.models import GroundTruthVersion, Item
from datasets.models import SpecChange as SpecChangeNow
from exports import services as export_services
from exports.models import Export, ExportChunk
from tests.factories.accounts import UserFactory

# Its own group: the two tests run one after the other on one worker's database.
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("migrations")]

BEFORE = [("datasets", "0008_export_chunks"), ("exports", None)]
T1, T2, T3 = (datetime(2026, 11, day, 12, tzinfo=UTC) for day in (1, 10, 20))


def _migrate(targets=None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


@pytest.fixture
def old_apps(transactional_db):
    """The historical models of the state before; the latest state again afterwards."""
    executor = _migrate(BEFORE)
    try:
        yield executor.loader.project_state([BEFORE[0]]).apps
    finally:
        _migrate()
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()


def _zip_bytes(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", text)
    return buffer.getvalue()


def _old_state(apps) -> dict:
    """A dataset whose spec reached version 3, four items (three with ground truth), a
    detection stage, two done exports with stored zips, a failed one and a running one."""
    User = apps.get_model("accounts", "User")
    Dataset = apps.get_model("datasets", "Dataset")
    SpecChange = apps.get_model("datasets", "SpecChange")
    Item = apps.get_model("datasets", "Item")
    GroundTruth = apps.get_model("datasets", "GroundTruth")
    RegionType = apps.get_model("datasets", "RegionType")
    Stage = apps.get_model("datasets", "Stage")
    Export = apps.get_model("datasets", "Export")
    ExportChunk = apps.get_model("datasets", "ExportChunk")

    planner = User.objects.create(username="old-planner", role="planner")
    dataset = Dataset.objects.create(name="Before the upgrade", spec_version=3)
    for version, at in ((2, T1), (3, T3)):
        change = SpecChange.objects.create(dataset=dataset, version=version, summary="changed")
        SpecChange.objects.filter(pk=change.pk).update(changed_at=at)
    formula = RegionType.objects.create(dataset=dataset, name="Formula", slug="formula")
    stage = Stage.objects.create(
        dataset=dataset,
        name="Formula detection",
        slug="formula-detection",
        input_kind="image",
        output_kind="boxes",
        output_type=formula,
        export_formats=["coco"],
    )
    items, truths = [], {}
    for n in range(4):
        item = Item.objects.create(
            dataset=dataset,
            sha256=f"{n:064x}",
            original=f"items/{n}.jpg",
            image=f"items/{n}.jpg",
            width=200,
            height=100,
            processing="ready",
            split="train",
            status="accepted" if n < 3 else "new",
        )
        items.append(item)
    for n, (source, ref, at) in enumerate(
        [
            ("generator", "synth seed=1 index=0", T2),
            ("import", "ls-task-9", T2),
            ("review", "t1", T3),
        ]
    ):
        region = {"id": "r1", "type": "formula", "bbox": [10.0 + n, 10.0, 50.0, 20.0]}
        annotation = {"regions": [{**region, "attributes": {}, "parent": None}], "categories": {}}
        truth = GroundTruth.objects.create(
            item=items[n], annotation=annotation, source=source, source_ref=ref
        )
        GroundTruth.objects.filter(pk=truth.pk).update(accepted_at=at)
        truths[items[n].pk] = {"annotation": annotation, "source": source, "ref": ref, "at": at}
    done = []
    for n in range(2):
        export = Export.objects.create(
            dataset=dataset, stage=stage, splits=["train"], format="coco", created_by=planner
        )
        content = _zip_bytes(f'{{"export": {n}}}')
        name = default_storage.save(f"exports/{dataset.pk}/{export.pk}.zip", ContentFile(content))
        Export.objects.filter(pk=export.pk).update(
            status="done",
            file=name,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            total=3,
            done=3,
            chunks_total=1,
            chunks_done=1,
            finished_at=T3,
        )
        ExportChunk.objects.create(
            export=export, index=0, first_item=items[0].pk, last_item=items[2].pk, status="done"
        )
        done.append(export.pk)
    failed = Export.objects.create(
        dataset=dataset, stage=stage, splits=["train"], format="coco", status="failed", error="x"
    )
    running = Export.objects.create(
        dataset=dataset, stage=stage, splits=["train"], format="coco", total=3, chunks_total=2
    )
    for index, (first, last) in enumerate([(items[0], items[1]), (items[2], items[3])]):
        ExportChunk.objects.create(
            export=running, index=index, first_item=first.pk, last_item=last.pk
        )
    return {
        "dataset": dataset.pk,
        "items": [item.pk for item in items],
        "truths": truths,
        "done": done,
        "failed": failed.pk,
        "running": running.pk,
        "hashes": dict(Export.objects.values_list("pk", "sha256")),
    }


def _trainer() -> APIClient:
    issued = account_services.token_create(user=UserFactory(role="trainer"), name="after")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    return client


def test_exports_and_ground_truth_of_the_old_state_survive_the_migrations(old_apps):
    before = _old_state(old_apps)

    _migrate()

    dataset = before["dataset"]
    assert set(Export.objects.values_list("pk", "sha256")) == set(before["hashes"].items())
    trainer = _trainer()
    for export_id in before["done"]:
        body = trainer.get(f"/api/v1/datasets/{dataset}/exports/{export_id}/").json()
        response = trainer.get(body["download"])
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        assert hashlib.sha256(content).hexdigest() == body["sha256"] == before["hashes"][export_id]
    assert Export.objects.get(pk=before["failed"]).status == Export.Status.FAILED

    for item_id, old in before["truths"].items():
        item = Item.objects.select_related("ground_truth").get(pk=item_id)
        version = item.ground_truth
        assert list(item.truth_versions.all()) == [version]
        assert (version.number, version.annotation) == (1, old["annotation"])
        assert (version.source, version.source_ref, version.accepted_at) == (
            old["source"],
            old["ref"],
            old["at"],
        )
        assert version.spec_version == (2 if old["at"] == T2 else 3)
        assert (version.task_id, version.guide_version_ids, version.types) == (None, [], [])
    assert Item.objects.get(pk=before["items"][3]).ground_truth is None
    assert GroundTruthVersion.objects.count() == 3


def test_an_export_running_across_the_upgrade_is_finished_from_its_pinned_chunks(old_apps):
    before = _old_state(old_apps)

    _migrate()

    chunks = ExportChunk.objects.filter(export_id=before["running"]).order_by("index")
    current = dict(Item.objects.values_list("pk", "ground_truth_id"))
    first, second, third, _none = before["items"]
    assert [chunk.versions for chunk in chunks] == [
        [current[first], current[second]],
        [current[third]],
    ]
    export = export_services.export_build(export_id=before["running"])
    assert export.status == Export.Status.DONE, export.error
    with default_storage.open(export.file.name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    manifest = orjson.loads(archive.read("manifest.json"))
    assert [(p["item"], p["version"]) for p in manifest["provenance"]] == [
        (first, 1),
        (second, 1),
        (third, 1),
    ]


# Spec history rows written as sentences come through ``0015_spec_history_events`` as events,
# told in the reader's language, with the names their lines need.

BEFORE_EVENTS = [("datasets", "0013_job_heartbeats")]


@pytest.fixture
def apps_before_events(transactional_db):
    """The historical models before spec history stored events; the latest state after."""
    executor = _migrate(BEFORE_EVENTS)
    try:
        yield executor.loader.project_state(BEFORE_EVENTS).apps
    finally:
        _migrate()


def _spec(*categories: str) -> dict:
    axis = {"slug": "capture", "name": "Capture", "categories": []}
    for slug in categories:
        axis["categories"].append({"slug": slug, "name": slug.title(), "quota_target": 250})
    return {"axes": [axis], "cells": [], "schema": [], "stages": []}


def _old_history(apps) -> int:
    """v2 adds an axis, v3 changes a quota, v4 is a sentence with no event, v5 deletes."""
    Dataset = apps.get_model("datasets", "Dataset")
    SpecChange = apps.get_model("datasets", "SpecChange")
    dataset = Dataset.objects.create(name="Old history", spec_version=5)
    rows = [
        ("Added axis “Capture”.", {"kind": "axis_created", "axis": "capture"}, _spec()),
        (
            "Changed category “shadow”: quota_target 100 → 250.",
            {
                "kind": "category_changed",
                "axis": "capture",
                "category": "shadow",
                "before": {"quota_target": 100},
                "after": {"quota_target": 250},
            },
            _spec("shadow"),
        ),
        ("Imported from the old tool.", {}, _spec("shadow")),
        (
            "Deleted category “shadow”.",
            {"kind": "category_deleted", "axis": "capture", "category": "shadow"},
            _spec(),
        ),
    ]
    for version, (summary, change, snapshot) in enumerate(rows, start=2):
        SpecChange.objects.create(
            dataset=dataset, version=version, summary=summary, change=change, snapshot=snapshot
        )
    return dataset.pk


def test_old_history_sentences_become_events_shown_in_the_readers_language(apps_before_events):
    dataset_id = _old_history(apps_before_events)

    _migrate()

    rows = {row.version: row for row in SpecChangeNow.objects.filter(dataset_id=dataset_id)}
    assert rows[2].change == {"kind": "axis_created", "axis": "capture", "name": "Capture"}
    assert rows[5].change["name"] == "Shadow"  # from the version before it was deleted
    assert rows[4].change == {"kind": "legacy", "text": "Imported from the old tool."}
    with translation.override("en"):
        english = [rows[version].summary for version in (2, 3, 4, 5)]
    with translation.override("ko"):
        korean = [rows[version].summary for version in (2, 3, 4, 5)]
    assert english == [
        "Added axis “Capture”.",
        "Changed category “Shadow”: quota target 100 → 250.",
        "Imported from the old tool.",
        "Deleted category “Shadow”.",
    ]
    assert korean[0] == "축 “Capture”을(를) 추가했습니다."
    assert korean[1] == "범주 “Shadow”을(를) 바꿨습니다: 목표 수량 100 → 250."
    assert korean[3] == "범주 “Shadow”을(를) 삭제했습니다."


def test_going_back_writes_the_sentences_again(apps_before_events):
    dataset_id = _old_history(apps_before_events)
    _migrate()

    executor = _migrate(BEFORE_EVENTS)

    OldChange = executor.loader.project_state(BEFORE_EVENTS).apps.get_model(
        "datasets", "SpecChange"
    )
    summaries = dict(
        OldChange.objects.filter(dataset_id=dataset_id).values_list("version", "summary")
    )
    assert summaries[4] == "Imported from the old tool."
    assert summaries[2] == "axis_created"
