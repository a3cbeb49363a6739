"""Spec history rows written as English sentences come through ``0016_spec_history_events`` as
events, told in the reader's language, with the names their lines need.

The test database is migrated back to ``datasets.0013_job_heartbeats``, filled through the
historical models of that state, and migrated forward with Django's ``MigrationExecutor``, on
PostgreSQL; it is left at the latest migrations, even when the test fails.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from datasets.models import SpecChange

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("migrations")]

BEFORE = [("datasets", "0013_job_heartbeats")]


def _migrate(targets=None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


@pytest.fixture
def old_apps(transactional_db):
    executor = _migrate(BEFORE)
    try:
        yield executor.loader.project_state(BEFORE).apps
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


def test_old_history_sentences_become_events_shown_in_the_readers_language(old_apps):
    dataset_id = _old_history(old_apps)

    _migrate()

    rows = {row.version: row for row in SpecChange.objects.filter(dataset_id=dataset_id)}
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


def test_going_back_writes_the_sentences_again(old_apps):
    dataset_id = _old_history(old_apps)
    _migrate()

    executor = _migrate(BEFORE)

    OldChange = executor.loader.project_state(BEFORE).apps.get_model("datasets", "SpecChange")
    summaries = dict(
        OldChange.objects.filter(dataset_id=dataset_id).values_list("version", "summary")
    )
    assert summaries[4] == "Imported from the old tool."
    assert summaries[2] == "axis_created"
