"""Spec snapshots and comparing two spec versions: what was added, removed and changed."""

import re
from html import unescape

import pytest
from django.utils import translation

from accounts.models import Role
from datasets import selectors, services
from datasets.models import SpecChange
from tests.factories.datasets import DatasetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_versions(dataset):
    """v3 has capture=shadow (100); v5 adds capture=glare and raises shadow to 250."""
    capture = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    shadow = services.category_create(
        axis=capture, name="Shadow", slug="shadow", quota_target=100, by=None
    )
    services.category_create(axis=capture, name="Glare", slug="glare", quota_target=30, by=None)
    services.category_update(category=shadow, quota_target=250, by=None)
    return 3, 5


def _compare(client, dataset, from_version, to_version):
    return client.get(
        f"/api/v1/datasets/{dataset.id}/spec-history/compare/",
        {"from": from_version, "to": to_version},
    )


def test_every_spec_change_stores_a_snapshot_of_the_whole_spec(dataset):
    writing = services.axis_create(dataset=dataset, name="Writing", slug="writing", by=None)
    capture = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    hand = services.category_create(axis=writing, name="Hand", slug="hand", by=None)
    shadow = services.category_create(
        axis=capture, name="Shadow", slug="shadow", quota_target=9, by=None
    )
    services.cell_quota_set(dataset=dataset, first=shadow, second=hand, quota_target=4, by=None)

    snapshot = SpecChange.objects.get(dataset=dataset, version=6).snapshot

    assert snapshot == {
        "axes": [
            {
                "slug": "writing",
                "name": "Writing",
                "categories": [
                    {
                        "slug": "hand",
                        "name": "Hand",
                        "description": "",
                        "quota_target": 0,
                        "decision": None,
                    }
                ],
            },
            {
                "slug": "capture",
                "name": "Capture",
                "categories": [
                    {
                        "slug": "shadow",
                        "name": "Shadow",
                        "description": "",
                        "quota_target": 9,
                        "decision": None,
                    }
                ],
            },
        ],
        "cells": [
            {
                "first": "writing=hand",
                "second": "capture=shadow",
                "quota_target": 4,
                "decision": None,
            }
        ],
        "schema": [],
        "stages": [],
    }


def test_the_snapshot_is_the_same_however_often_it_is_taken(dataset, two_versions):
    assert selectors.spec_snapshot(dataset) == selectors.spec_snapshot(dataset)
    assert selectors.spec_snapshot(dataset) == SpecChange.objects.get(version=5).snapshot


def test_compare_shows_exactly_the_added_category_and_the_changed_quota(
    planner_client, dataset, two_versions
):
    response = _compare(planner_client, dataset, *two_versions)

    assert response.status_code == 200
    body = response.json()
    assert body["added"] == [
        {
            "kind": "category",
            "key": "capture=glare",
            "after": {"name": "Glare", "description": "", "quota_target": 30, "decision": None},
        }
    ]
    assert body["changed"] == [
        {
            "kind": "category",
            "key": "capture=shadow",
            "before": {"quota_target": 100},
            "after": {"quota_target": 250},
        }
    ]
    assert body["removed"] == []


def test_compare_lists_the_changes_in_between_with_who_made_them(client_for, dataset, two_versions):
    planner = client_for(Role.PLANNER)
    SpecChange.objects.filter(dataset=dataset).update(changed_by=planner.user)

    body = _compare(client_for(Role.REVIEWER), dataset, *two_versions).json()

    assert [change["version"] for change in body["changes"]] == [4, 5]
    assert {change["changed_by"] for change in body["changes"]} == {planner.user.username}


def test_picking_from_newer_than_to_still_compares_older_to_newer(
    planner_client, dataset, two_versions
):
    body = _compare(planner_client, dataset, 5, 3).json()

    assert (body["from_version"], body["to_version"]) == (3, 5)
    assert [entry["key"] for entry in body["added"]] == ["capture=glare"]
    assert body["removed"] == []
    assert [change["version"] for change in body["changes"]] == [4, 5]


def test_version_one_is_the_empty_spec_the_dataset_started_with(
    planner_client, dataset, two_versions
):
    body = _compare(planner_client, dataset, 1, 3).json()

    assert [(entry["kind"], entry["key"]) for entry in body["added"]] == [
        ("axis", "capture"),
        ("category", "capture=shadow"),
    ]


def test_a_removed_cell_quota_shows_as_removed(planner_client, dataset):
    capture = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    writing = services.axis_create(dataset=dataset, name="Writing", slug="writing", by=None)
    shadow = services.category_create(axis=capture, name="Shadow", slug="shadow", by=None)
    hand = services.category_create(axis=writing, name="Hand", slug="hand", by=None)
    cell = services.cell_quota_set(
        dataset=dataset, first=shadow, second=hand, quota_target=4, by=None
    )
    services.cell_quota_delete(cell=cell, by=None)

    body = _compare(planner_client, dataset, 6, 7).json()

    assert body["removed"] == [
        {
            "kind": "cell",
            "key": "capture=shadow × writing=hand",
            "before": {"quota_target": 4, "decision": None},
        }
    ]


@pytest.mark.parametrize("version", [0, 6, 99])
def test_an_unknown_version_is_refused_by_number(planner_client, dataset, two_versions, version):
    response = _compare(planner_client, dataset, version, 5)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_version"
    assert str(version) in response.json()["error"]["message"]


def test_compare_needs_both_versions_as_numbers(planner_client, dataset):
    response = planner_client.get(
        f"/api/v1/datasets/{dataset.id}/spec-history/compare/", {"from": "one"}
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"from", "to"}


def test_an_unknown_dataset_cannot_be_compared(planner_client):
    assert _compare(planner_client, DatasetFactory.build(id=999999), 1, 1).status_code == 404


def test_the_history_page_shows_every_version_and_the_comparison(
    planner_client, dataset, two_versions
):
    response = planner_client.get(
        f"/datasets/{dataset.id}/history/", {"from_version": 3, "to_version": 5}
    )

    html = response.content.decode()
    assert response.status_code == 200
    for version in (1, 2, 3, 4, 5):
        assert f"<td>v{version}</td>" in html
    assert 'class="added" data-kind="added"><strong>+ Category: Capture: Glare' in html
    assert "<del>100</del> → <ins>250</ins>" in html
    assert 'class="removed"' not in html


def test_the_history_page_refuses_an_unknown_version(planner_client, dataset, two_versions):
    response = planner_client.get(
        f"/datasets/{dataset.id}/history/", {"from_version": 0, "to_version": 5}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert '<div class="field invalid" data-field="from_version">' in html  # beside the field
    assert 'aria-invalid="true"' in html


# The comparison and the history in a planner's words, in English and in Korean.

#: What a reader must never see: a Python repr, a Python constant, an internal snake_case name.
RAW = re.compile(r"\{'|\bTrue\b|\bFalse\b|\bNone\b|\b[a-z0-9]+_[a-z0-9_]+\b")


def _text(html: str, start: str, end: str) -> str:
    part = html[html.index(start) : html.index(end, html.index(start))]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", part)).split())


@pytest.fixture
def whole_spec(dataset, formula):
    """v1 → a schema and a stage (v2–v5); then the stage and the schema change (v6–v7)."""
    stage = services.stage_create(
        dataset=dataset,
        name="Formula detection",
        slug="formula-detection",
        input_kind="image",
        output_kind="boxes",
        output_type=formula,
        export_formats=["coco", "hf_imagefolder"],
        serving="gpu_server",
        metric="mAP",
        metric_target=0.9,
        by=None,
    )
    before = dataset.spec_changes.order_by("-version").first().version
    services.stage_update(stage=stage, serving="cloud", padding_unit="percent", by=None)
    latex = formula.attributes.get(name="latex")
    services.attribute_update(attribute=latex, required=False, by=None)
    services.region_type_update(region_type=formula, name="Formula region", by=None)
    return before, dataset.spec_changes.order_by("-version").first().version


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_comparison_reads_as_a_planners_words(client_for, dataset, whole_spec, language):
    client = client_for(Role.PLANNER, language=language)

    for versions in ((1, whole_spec[0]), whole_spec):
        html = client.get(
            f"/datasets/{dataset.id}/history/",
            {"from_version": versions[0], "to_version": versions[1]},
        ).content.decode()
        text = _text(html, '<section class="comparison"', "</section>")

        assert RAW.findall(text) == [], text
        assert "Formula detection" in text


def test_the_comparison_names_values_as_the_pages_do(planner_client, dataset, whole_spec):
    first = planner_client.get(
        f"/datasets/{dataset.id}/history/", {"from_version": 1, "to_version": whole_spec[0]}
    ).content.decode()
    assert "may stand alone: yes" in _text(first, '<section class="comparison"', "</section>")
    html = planner_client.get(
        f"/datasets/{dataset.id}/history/",
        {"from_version": whole_spec[0], "to_version": whole_spec[1]},
    ).content.decode()
    text = _text(html, '<section class="comparison"', "</section>")

    assert "serving target: GPU server → Cloud API" in text
    assert "padding unit: pixels → percent of the region's size" in text
    assert "name: Formula → Formula region" in text
    assert "latex (LaTeX, required)" in text and "latex (LaTeX)" in text


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_history_reads_in_the_readers_language(client_for, dataset, whole_spec, language):
    client = client_for(Role.PLANNER, language=language)

    html = client.get(f"/datasets/{dataset.id}/history/").content.decode()
    text = _text(html, '<table class="history"', "</table>")

    assert RAW.findall(text) == [], text
    korean = "단계 “Formula detection”" in text
    assert korean == (language == "ko")
    assert ("Changed stage “Formula detection”" in text) == (language == "en")


def test_the_history_is_stored_as_an_event_not_a_sentence(dataset, whole_spec):
    row = dataset.spec_changes.get(version=whole_spec[0] + 1)

    assert row.change["kind"] == "stage_changed"
    assert row.change["after"] == {"padding_unit": "percent", "serving": "cloud"}
    assert not hasattr(SpecChange, "summary") or isinstance(SpecChange.summary, property)
    with translation.override("ko"):
        korean = row.summary
    with translation.override("en"):
        english = row.summary
    assert korean != english
    assert english == (
        "Changed stage “Formula detection”: padding unit pixels → percent of the region's size; "
        "serving target GPU server → Cloud API."
    )


def test_the_api_tells_the_history_in_the_readers_language(client_for, dataset, two_versions):
    korean = client_for(Role.PLANNER, language="ko")

    body = korean.get(f"/api/v1/datasets/{dataset.id}/spec-history/").json()

    assert body[0]["summary"] == "범주 “Shadow”을(를) 바꿨습니다: 목표 수량 100 → 250."
    assert body[0]["change"]["kind"] == "category_changed"
