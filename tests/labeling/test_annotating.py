"""Saving a task's annotation over the API: drafts (structure only), submits (everything),
versions and their 409, locked regions, the limits, reopening, history."""

import json

import pytest
from django.test import override_settings
from django.utils import timezone

from datasets import services as dataset_services
from datasets.models import CoverageCount, CoverageDelta, Item
from datasets.selectors import coverage_as_of
from labeling.models import Annotation, AnnotationChange, Task
from tests.factories.datasets import char_region, formula_region
from tests.factories.labeling import cut, make_shop
from tests.factories.vendors import member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_shop()


@pytest.fixture
def held(shop):
    """(client, task id) of a task the first annotator holds."""
    client = shop.clients[0]
    task = client.post("/api/v1/tasks/next/", {}, format="json").json()["task"]
    return client, task["id"]


def _save(client, task_id, regions, version, *, categories=None):
    body = {"annotation": {"regions": regions, "categories": categories or {}}, "version": version}
    return client.put(f"/api/v1/tasks/{task_id}/annotation/", body, format="json")


def _submit(client, task_id, regions, version, **extra):
    body = {"annotation": {"regions": regions, "categories": {}}, "version": version, **extra}
    return client.post(f"/api/v1/tasks/{task_id}/submit/", body, format="json")


def test_a_draft_with_a_half_typed_formula_saves_and_its_submit_names_the_region(held):
    client, task_id = held
    half = formula_region("r1", latex="\\frac{1}{")

    saved = _save(client, task_id, [half], 0)
    refused = _submit(client, task_id, [half], 1)

    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == 1
    assert saved["ETag"] == '"1"'
    assert refused.status_code == 400
    assert "regions.r1.attributes.latex" in refused.json()["error"]["fields"]
    annotation = Annotation.objects.get(task_id=task_id)
    assert annotation.version == 1
    assert annotation.document["regions"][0]["attributes"]["latex"] == "\\frac{1}{"
    assert Task.objects.get(pk=task_id).status == Task.Status.LEASED


def test_a_draft_missing_a_required_attribute_autosaves(held):
    client, task_id = held
    region = formula_region("r1")
    region["attributes"] = {}

    assert _save(client, task_id, [region], 0).status_code == 200


def test_a_save_based_on_an_old_version_is_a_409_with_the_current_and_the_refused(held):
    client, task_id = held
    _save(client, task_id, [formula_region("r1", latex="a")], 0)

    stale = _save(client, task_id, [formula_region("r1", latex="b")], 0)

    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "stale_version"
    assert error["current"]["version"] == 1
    assert error["current"]["annotation"]["regions"][0]["attributes"]["latex"] == "a"
    assert error["yours"]["regions"][0]["attributes"]["latex"] == "b"
    assert Annotation.objects.get(task_id=task_id).version == 1


def test_if_match_carries_the_version_when_the_body_does_not(held):
    client, task_id = held
    body = {"annotation": {"regions": [formula_region("r1")], "categories": {}}}

    first = client.put(
        f"/api/v1/tasks/{task_id}/annotation/", body, format="json", HTTP_IF_MATCH='"0"'
    )
    stale = client.put(
        f"/api/v1/tasks/{task_id}/annotation/", body, format="json", HTTP_IF_MATCH='"0"'
    )

    assert first.status_code == 200
    assert stale.status_code == 409


def test_submit_marks_the_task_done_counts_the_item_labeled_and_answers_the_next(shop, held):
    client, task_id = held

    response = _submit(client, task_id, [formula_region("r1", latex="\\frac{a}{b}")], 0)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["task"]["status"] == "submitted"
    assert body["next"]["state"] == "task"
    assert body["next"]["task"]["id"] != task_id
    task = Task.objects.get(pk=task_id)
    assert task.status == Task.Status.SUBMITTED
    assert Item.objects.get(pk=task.item_id).status == Item.Status.LABELED
    assert _submit(client, task_id, [], 1).status_code == 409  # never submitted twice
    kinds = list(AnnotationChange.objects.values_list("kind", flat=True))
    assert kinds == ["submit"]


def test_counters_follow_the_submit_once_its_deltas_are_applied(shop, held):
    client, task_id = held
    dataset = shop.floor.dataset

    def counters():
        rows = CoverageCount.objects.filter(dataset=dataset, count__gt=0)
        return set(rows.values_list("category_key", "split", "status", "count"))

    untouched = counters()
    _submit(client, task_id, [formula_region("r1")], 0)
    assert counters() == untouched  # the submit moved no counter row: it left a delta
    assert coverage_as_of(dataset_id=dataset.pk) < timezone.now()
    assert dataset_services.coverage_deltas_apply(dataset_id=dataset.pk) == 2  # -1, +1

    before = counters()
    dataset_services.coverage_recount(dataset=dataset)
    assert ("labeled" in {row[2] for row in before}) and before == counters()
    assert not CoverageDelta.objects.exists()


def test_an_empty_submit_is_nothing_to_label_here(held):
    client, task_id = held

    response = _submit(client, task_id, [], 0, next=False)

    assert response.status_code == 200
    assert response.json()["next"] is None
    assert Annotation.objects.get(task_id=task_id).document["regions"] == []
    assert Task.objects.get(pk=task_id).status == Task.Status.SUBMITTED


def test_a_submitted_task_can_be_reopened_by_its_annotator_until_the_batch_is_submitted(held):
    client, task_id = held
    _submit(client, task_id, [formula_region("r1")], 0, next=False)

    reopened = client.post(f"/api/v1/tasks/{task_id}/reopen/", {}, format="json")

    assert reopened.status_code == 200, reopened.content
    assert reopened.json()["status"] == "leased"
    task = Task.objects.get(pk=task_id)
    assert Item.objects.get(pk=task.item_id).status == Item.Status.IN_LABELING
    assert _save(client, task_id, [formula_region("r1", latex="y")], 1).status_code == 200


def test_draft_saves_within_a_minute_are_one_history_entry_saying_what_changed(held):
    client, task_id = held
    _save(client, task_id, [formula_region("r1")], 0)
    _save(client, task_id, [formula_region("r1", bbox=(5, 5, 30, 20)), formula_region("r2")], 1)
    _save(client, task_id, [formula_region("r2", latex="z")], 2)

    history = client.get(f"/api/v1/tasks/{task_id}/history/").json()["history"]

    assert len(history) == 1
    entry = history[0]
    assert entry["kind"] == "draft"
    assert entry["version"] == 3
    assert entry["changes"]["added"] == ["r2"]  # r1 added then removed within the minute
    assert entry["changes"]["attributes"] == {"r2": ["latex"]}


@pytest.mark.parametrize(
    ("regions", "field"),
    [
        ([{**formula_region("r1"), "type": "table"}], "regions.r1.type"),
        (
            [{**formula_region("r1"), "attributes": {"latex": "x", "colour": "red"}}],
            "regions.r1.attributes.colour",
        ),
        ([{**formula_region("r1"), "attributes": {}}], "regions.r1.attributes.latex"),
        ([{**formula_region("r1"), "bbox": [90.0, 70.0, 40.0, 20.0]}], "regions.r1.bbox"),
        ([{**formula_region("r1"), "bbox": [1.0, 1.0, 0.0, 5.0]}], "regions.r1.bbox"),
        ([{**formula_region("r1"), "bbox": [1.0, 1.0, -3.0, 5.0]}], "regions.r1.bbox"),
        ([formula_region("r1"), {**formula_region("r2"), "parent": "r1"}], "regions.r2.parent"),
        ([{**formula_region("r1"), "parent": "nowhere"}], "regions.r1.parent"),
        (
            [{**formula_region("r1"), "attributes": {"latex": "\\frac{1}{"}}],
            "regions.r1.attributes.latex",
        ),
    ],
)
def test_each_validation_error_is_a_400_naming_the_region_and_nothing_changes(held, regions, field):
    client, task_id = held
    _save(client, task_id, [formula_region("r0")], 0)

    response = _submit(client, task_id, regions, 1)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert Annotation.objects.get(task_id=task_id).version == 1
    assert Task.objects.get(pk=task_id).status == Task.Status.LEASED


def test_nan_or_infinite_coordinates_are_a_clean_400(held):
    client, task_id = held
    raw = (
        '{"annotation": {"regions": [{"id": "r1", "type": "formula", '
        '"bbox": [NaN, 1, 2, Infinity], "attributes": {"latex": "x"}, "parent": null}]}, '
        '"version": 0}'
    )

    response = client.put(
        f"/api/v1/tasks/{task_id}/annotation/", raw, content_type="application/json"
    )

    assert response.status_code == 400
    assert not Annotation.objects.filter(task_id=task_id).exists()


def test_a_parent_cycle_and_deep_nesting_are_400s(shop):
    from core.errors import DomainError
    from datasets.models import RegionType

    dataset = shop.floor.dataset
    char = RegionType.objects.get(dataset=dataset, slug="char")
    char.parents.add(char)  # a schema where a char may nest in a char: loops become possible
    loop = [formula_region("f"), char_region("a", "b"), char_region("b", "a")]
    deep = [formula_region("f")] + [
        char_region(f"c{n}", "f" if n == 0 else f"c{n - 1}", bbox=(4, 5, 2, 2)) for n in range(12)
    ]

    problems = []
    for regions in (loop, deep):
        with pytest.raises(DomainError) as refused:
            dataset_services.annotation_validate(
                dataset=dataset, annotation={"regions": regions}, width=100, height=80, draft=True
            )
        problems.append(refused.value.fields)

    assert "loop" in problems[0]["regions.a.parent"]
    assert "deeper" in json.dumps(problems[1])


def test_a_megabyte_of_latex_is_a_400_naming_the_limit(held):
    client, task_id = held

    response = _save(client, task_id, [formula_region("r1", latex="x" * 1_000_000)], 0)

    assert response.status_code == 400
    assert "limit" in response.json()["error"]["fields"]["regions.r1.attributes.latex"]


def test_too_many_regions_is_refused_naming_the_limit(held):
    client, task_id = held
    many = [formula_region(f"r{n}", bbox=(1, 1, 2, 2)) for n in range(100_000)]

    response = _save(client, task_id, many, 0)

    assert response.status_code == 413  # the body alone is over the request limit
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=50_000_000):
        limited = _save(client, task_id, many, 0)
    assert limited.status_code == 400
    assert limited.json()["error"]["code"] == "too_many_regions"


def test_regions_of_other_kinds_come_back_locked_and_a_change_to_one_is_refused(shop):
    from rest_framework.test import APIClient

    from datasets.models import GroundTruthVersion

    floor = shop.floor
    item = Item.objects.filter(dataset=floor.dataset, truth_types=",formula,").first()
    GroundTruthVersion.objects.create(
        item=item,
        number=1,
        annotation={"regions": [formula_region("f1", latex="a+b")], "categories": {}},
        source="generator",
        spec_version=1,
    )
    floor.contract.task_kind_id = floor.char.pk
    floor.contract.save()
    batch = cut(floor, {"capture=shadow": 5}, task_kind=floor.char)
    Task.objects.filter(batch=batch).exclude(item=item).update(status=Task.Status.CANCELLED)
    client = APIClient()
    client.force_login(member_of(floor.vendor))

    task = client.post("/api/v1/tasks/next/", {"batch": batch.pk}, format="json").json()["task"]
    locked = task["annotation"]["regions"]
    changed = _save(client, task["id"], [formula_region("f1", latex="c")], 0)
    dropped = _save(client, task["id"], [], 0)
    kept = _save(client, task["id"], [*locked, char_region("c1", "f1")], 0)

    assert task["item"]["id"] == item.pk
    assert task["locked_types"] == ["formula"]
    assert changed.status_code == 400
    assert changed.json()["error"]["code"] == "locked_region"
    assert "regions.f1" in dropped.json()["error"]["fields"]
    assert kept.status_code == 200, kept.content
