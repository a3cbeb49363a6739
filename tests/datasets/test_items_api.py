"""The item browser's API: filters, cursor pages, one item, and category assignment."""

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from datasets import services
from datasets.models import (
    CoverageCount,
    CoverageDaily,
    GroundTruthVersion,
    Item,
    ItemCategory,
    ItemEvent,
)
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.images import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    dataset = DatasetFactory()
    capture = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    writing = services.axis_create(dataset=dataset, name="Writing", slug="writing", by=None)
    for slug in ("clean", "shadow", "crumpled"):
        services.category_create(axis=capture, name=slug.title(), slug=slug, by=None)
    for slug in ("printed", "handwritten"):
        services.category_create(axis=writing, name=slug.title(), slug=slug, by=None)
    return dataset


def _category(dataset, key: str):
    axis, slug = key.split("=")
    return dataset.axes.get(slug=axis).categories.get(slug=slug)


def _item(dataset, seed: int, *keys: str) -> Item:
    item, _created = services.item_register(
        dataset=dataset,
        file=image_bytes(seed, size=(60 + seed, 40)),  # the size keeps every seed distinct
        name=f"photo-{seed}.jpg",
        categories=[_category(dataset, key) for key in keys],
    )
    return item


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def _url(dataset, suffix: str = "") -> str:
    return f"/api/v1/datasets/{dataset.id}/items/{suffix}"


def _counters(dataset) -> dict:
    return {
        (row.category_key, row.split, row.status): row.count
        for row in CoverageCount.objects.filter(dataset=dataset)
        if row.count
    }


def _assert_counters_match_a_recount(dataset) -> None:
    kept = _counters(dataset)
    services.coverage_recount(dataset=dataset)

    assert kept == _counters(dataset)


def _assert_daily_counters_match_the_items(dataset) -> None:
    daily = Counter()
    for row in CoverageDaily.objects.filter(dataset=dataset):
        daily[row.category_key] += row.count
    items = Counter(Item.objects.filter(dataset=dataset).values_list("category_key", flat=True))

    assert +daily == items


def _state(dataset) -> tuple:
    """Everything category assignment may write, to check that a refusal wrote nothing."""
    return (
        sorted(ItemCategory.objects.filter(item__dataset=dataset).values_list("item", "category")),
        sorted(Item.objects.filter(dataset=dataset).values_list("id", "category_key")),
        ItemEvent.objects.filter(item__dataset=dataset).count(),
        _counters(dataset),
    )


# Filters


def test_category_filter_keeps_only_items_of_that_category(planner_client, dataset):
    shadow = _item(dataset, 1, "capture=shadow")
    _item(dataset, 2, "capture=clean")
    _item(dataset, 3)

    response = planner_client.get(_url(dataset), {"category": "capture=shadow"})

    assert _ids(response) == [shadow.id]


def test_category_filter_takes_a_category_id(planner_client, dataset):
    shadow = _item(dataset, 1, "capture=shadow")
    _item(dataset, 2, "capture=clean")

    response = planner_client.get(
        _url(dataset), {"category": _category(dataset, "capture=shadow").id}
    )

    assert _ids(response) == [shadow.id]


def test_categories_of_two_axes_must_both_match(planner_client, dataset):
    both = _item(dataset, 1, "capture=shadow", "writing=handwritten")
    _item(dataset, 2, "capture=shadow", "writing=printed")
    _item(dataset, 3, "capture=clean", "writing=handwritten")

    response = planner_client.get(
        _url(dataset), {"category": ["capture=shadow", "writing=handwritten"]}
    )

    assert _ids(response) == [both.id]


def test_categories_of_one_axis_are_alternatives(planner_client, dataset):
    shadow = _item(dataset, 1, "capture=shadow")
    clean = _item(dataset, 2, "capture=clean")
    _item(dataset, 3, "capture=crumpled")

    response = planner_client.get(_url(dataset), {"category": ["capture=shadow", "capture=clean"]})

    assert _ids(response) == [clean.id, shadow.id]


def test_an_axis_with_an_empty_category_finds_items_without_one(planner_client, dataset):
    _item(dataset, 1, "capture=shadow", "writing=printed")
    bare = _item(dataset, 2, "writing=printed")
    nothing = _item(dataset, 3)

    response = planner_client.get(_url(dataset), {"category": "capture="})

    assert _ids(response) == [nothing.id, bare.id]


def test_status_filter_keeps_items_of_that_status(planner_client, dataset):
    accepted = _item(dataset, 1)
    _item(dataset, 2)
    services.item_status_set(item=accepted, status=Item.Status.ACCEPTED)

    response = planner_client.get(_url(dataset), {"status": "accepted"})

    assert _ids(response) == [accepted.id]


def test_split_filter_names_a_split_or_unassigned(planner_client, dataset):
    train = _item(dataset, 1)
    test = _item(dataset, 2)
    unassigned = _item(dataset, 3)
    services.item_split_set(item=train, split="train", by=None)
    services.item_split_set(item=test, split="test", by=None)

    assert _ids(planner_client.get(_url(dataset), {"split": "train"})) == [train.id]
    assert _ids(planner_client.get(_url(dataset), {"split": "unassigned"})) == [unassigned.id]
    assert _ids(planner_client.get(_url(dataset), {"split": ["train", "test"]})) == [
        test.id,
        train.id,
    ]


def test_processing_filter_tells_queued_from_ready(planner_client, dataset):
    ready = _item(dataset, 1)
    queued = _item(dataset, 2)
    services.item_process(item_id=ready.id)

    assert _ids(planner_client.get(_url(dataset), {"processing": "ready"})) == [ready.id]
    assert _ids(planner_client.get(_url(dataset), {"processing": "queued"})) == [queued.id]


def test_upload_time_filters_bound_the_creation_time(planner_client, dataset):
    now = timezone.now()
    old, middle, new = (_item(dataset, seed) for seed in (1, 2, 3))
    for item, days in ((old, 30), (middle, 10), (new, 0)):
        Item.objects.filter(pk=item.pk).update(created_at=now - timedelta(days=days))

    response = planner_client.get(
        _url(dataset),
        {
            "uploaded_after": (now - timedelta(days=20)).isoformat(),
            "uploaded_before": (now - timedelta(days=1)).date().isoformat(),
        },
    )

    assert _ids(response) == [middle.id]


def test_upload_filter_keeps_the_items_of_one_upload(planner_client, dataset):
    upload, _entries = services.upload_files(
        dataset=dataset, files=[("a.jpg", _bytes(1)), ("b.jpg", _bytes(2))], categories=[], by=None
    )
    _item(dataset, 3)

    response = planner_client.get(_url(dataset), {"upload": upload.id})

    assert sorted(_ids(response)) == sorted(upload.items.values_list("id", flat=True))
    assert len(_ids(response)) == 2


def _bytes(seed: int) -> io.BytesIO:
    return io.BytesIO(image_bytes(seed, size=(60 + seed, 40)))


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"status": "lost"}, "status", "bad_filter"),
        ({"split": "holdout"}, "split", "bad_filter"),
        ({"processing": "done"}, "processing", "bad_filter"),
        ({"uploaded_after": "yesterday"}, "uploaded_after", "bad_filter"),
        ({"uploaded_before": "2025-13-45"}, "uploaded_before", "bad_filter"),
        ({"upload": "999999"}, "upload", "unknown_upload"),
        ({"upload": "first"}, "upload", "unknown_upload"),
        ({"category": "capture=foggy"}, "category", "unknown_category"),
        ({"category": "lighting=dark"}, "category", "unknown_category"),
        ({"category": "424242"}, "category", "unknown_category"),
        ({"colour": "red"}, "colour", "bad_filter"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(planner_client, dataset, params, field, code):
    _item(dataset, 1)

    response = planner_client.get(_url(dataset), params)

    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == code
    assert field in body["fields"]
    assert body["message"]


def test_another_datasets_category_is_unknown_here(planner_client, dataset):
    other = DatasetFactory()
    axis = services.axis_create(dataset=other, name="Capture", slug="capture", by=None)
    foreign = services.category_create(axis=axis, name="Foggy", slug="foggy", by=None)

    response = planner_client.get(_url(dataset), {"category": foreign.id})

    assert response.json()["error"]["code"] == "unknown_category"


# Paging and shape


def test_cursor_pages_walk_every_item_exactly_once_newest_first(planner_client, dataset):
    created = [_item(dataset, seed).id for seed in range(7)]
    _item(DatasetFactory(), 99)  # another dataset's item never shows
    seen, url = [], _url(dataset) + "?page_size=3"

    while url:
        body = planner_client.get(url).json()
        seen.extend(row["id"] for row in body["results"])
        url = body["next"]

    assert seen == sorted(created, reverse=True)


def test_cursor_pages_walk_a_filtered_list_exactly_once(planner_client, dataset):
    shadows = [_item(dataset, seed, "capture=shadow").id for seed in range(5)]
    for seed in range(10, 14):
        _item(dataset, seed, "capture=clean")
    seen, url = [], _url(dataset) + "?category=capture%3Dshadow&page_size=2"

    while url:
        body = planner_client.get(url).json()
        seen.extend(row["id"] for row in body["results"])
        url = body["next"]

    assert seen == sorted(shadows, reverse=True)


def test_a_listed_item_carries_its_categories_and_file_urls(planner_client, dataset):
    item = _item(dataset, 1, "capture=shadow", "writing=printed")

    row = planner_client.get(_url(dataset)).json()["results"][0]

    assert row["categories"] == {"capture": "shadow", "writing": "printed"}
    assert row["thumbnail"] == f"/datasets/{dataset.id}/items/{item.id}/file/thumbnail/"
    assert row["rendition"].endswith("/file/rendition/")
    assert row["image"].endswith("/file/image/")
    assert (row["width"], row["height"], row["status"], row["split"]) == (61, 40, "new", "")
    assert (row["processing"], row["original_name"], row["sha256"]) == (
        "queued",
        "photo-1.jpg",
        item.sha256,
    )


@pytest.mark.parametrize("count", [10, 100])
def test_the_list_costs_the_same_queries_for_10_or_100_items(
    planner_client, dataset, django_assert_max_num_queries, count
):
    for seed in range(count):
        _item(dataset, seed, "capture=shadow", "writing=printed")

    with django_assert_max_num_queries(6):
        response = planner_client.get(
            _url(dataset), {"category": "capture=shadow", "page_size": 100}
        )

    assert len(response.json()["results"]) == count


# One item


def test_an_item_shows_its_history_and_ground_truth(planner_client, dataset):
    formula_schema(dataset)
    item = _item(dataset, 1, "capture=clean")
    annotation = {
        "regions": [
            {
                "id": "r1",
                "type": "formula",
                "bbox": [2, 3, 40, 20],
                "attributes": {"latex": "x^2"},
                "parent": None,
            }
        ],
        "categories": {"capture": "clean"},
    }
    services.ground_truth_record(
        item=item, annotation=annotation, source=GroundTruthVersion.Source.GENERATOR
    )
    services.ground_truth_record(
        item=item,
        annotation=annotation,
        source=GroundTruthVersion.Source.REVIEW,
        task_id=7,
        annotation_id=70,
        annotation_version=3,
        guide_version_ids=[2, 1],
        by=planner_client.user,
    )

    body = planner_client.get(_url(dataset, f"{item.id}/")).json()

    assert body["ground_truth"]["annotation"] == annotation
    current = [body["ground_truth"][key] for key in ("version", "source", "accepted_by")]
    assert current == [2, "review", planner_client.user.username]
    assert (body["ground_truth"]["task_id"], body["ground_truth"]["annotation_id"]) == (7, 70)
    assert body["ground_truth"]["annotation_version"] == 3
    assert body["ground_truth"]["guide_version_ids"] == [1, 2]
    assert body["ground_truth"]["spec_version"] == dataset.spec_version
    versions = [(v["version"], v["source"]) for v in body["ground_truth_versions"]]
    assert versions == [(2, "review"), (1, "generator")]
    assert "annotation" not in body["ground_truth_versions"][0]
    kinds = [event["kind"] for event in body["events"]]
    assert kinds == ["uploaded", "ground_truth", "ground_truth"]
    assert body["status"] == "accepted"
    assert body["original"].endswith("/file/original/")


def test_item_history_gives_its_code_parameters_and_the_line_in_the_requests_language(
    planner_client, dataset
):
    item = _item(dataset, 1)

    english = planner_client.get(_url(dataset, f"{item.id}/")).json()["events"][0]
    korean = planner_client.get(_url(dataset, f"{item.id}/"), HTTP_ACCEPT_LANGUAGE="ko").json()

    assert (english["kind"], english["params"]) == ("uploaded", {"name": item.original_name})
    assert english["summary"] == f"Uploaded as “{item.original_name}”."
    assert korean["events"][0]["summary"] == f"“{item.original_name}”(으)로 올렸습니다."


def test_an_item_without_ground_truth_says_null(planner_client, dataset):
    item = _item(dataset, 1)

    body = planner_client.get(_url(dataset, f"{item.id}/")).json()

    assert body["ground_truth"] is None
    assert body["ground_truth_versions"] == []


def test_an_item_of_another_dataset_is_not_found(planner_client, dataset):
    item = _item(DatasetFactory(), 1)

    response = planner_client.get(_url(dataset, f"{item.id}/"))

    assert response.status_code == 404


# Setting one item's categories


def test_planner_sets_and_clears_categories_per_axis(planner_client, dataset):
    item = _item(dataset, 1, "capture=clean", "writing=printed")

    response = planner_client.patch(
        _url(dataset, f"{item.id}/"),
        {"categories": {"capture": "shadow", "writing": None}},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["categories"] == {"capture": "shadow"}
    item.refresh_from_db()
    assert item.category_key == str(_category(dataset, "capture=shadow").id)
    event = item.events.get(kind="categories")
    assert event.summary == "capture: clean → shadow; writing: printed → none"
    assert event.by == planner_client.user
    _assert_counters_match_a_recount(dataset)
    _assert_daily_counters_match_the_items(dataset)


def test_setting_the_category_an_item_already_has_changes_nothing(planner_client, dataset):
    item = _item(dataset, 1, "capture=clean")
    before = _state(dataset)

    response = planner_client.patch(
        _url(dataset, f"{item.id}/"), {"categories": {"capture": "clean"}}, format="json"
    )

    assert response.status_code == 200
    assert _state(dataset) == before


@pytest.mark.parametrize(
    "categories", [{"capture": "foggy"}, {"lighting": "dark"}, {"capture": "shadow", "x": None}]
)
def test_an_unknown_category_is_refused_and_nothing_changes(planner_client, dataset, categories):
    item = _item(dataset, 1, "capture=clean")
    before = _state(dataset)

    response = planner_client.patch(
        _url(dataset, f"{item.id}/"), {"categories": categories}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_category"
    assert _state(dataset) == before


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
def test_reviewers_and_trainers_read_items_but_cannot_change_them(client_for, dataset, role):
    item = _item(dataset, 1, "capture=clean")
    client = client_for(role)
    before = _state(dataset)

    read = client.get(_url(dataset, f"{item.id}/"))
    listed = client.get(_url(dataset))
    changed = client.patch(
        _url(dataset, f"{item.id}/"), {"categories": {"capture": "shadow"}}, format="json"
    )
    bulk = client.post(
        _url(dataset, "categories/"),
        {"filters": {}, "set": {"capture": "shadow"}},
        format="json",
    )

    assert (read.status_code, listed.status_code) == (200, 200)
    assert (changed.status_code, bulk.status_code) == (403, 403)
    assert _state(dataset) == before


@pytest.mark.parametrize("role", [Role.VENDOR_MANAGER, Role.ANNOTATOR])
def test_vendor_roles_do_not_see_items_at_all(client_for, dataset, role):
    item = _item(dataset, 1, "capture=clean")
    client = client_for(role)
    before = _state(dataset)

    responses = [
        client.get(_url(dataset)),
        client.get(_url(dataset, f"{item.id}/")),
        client.patch(
            _url(dataset, f"{item.id}/"), {"categories": {"capture": "shadow"}}, format="json"
        ),
        client.post(
            _url(dataset, "categories/"),
            {"items": [item.id], "set": {"capture": None}},
            format="json",
        ),
    ]

    assert [response.status_code for response in responses] == [404] * 4
    assert _state(dataset) == before


# Setting the categories of many items


def test_bulk_set_on_a_filter_changes_exactly_the_matching_items(planner_client, dataset):
    shadows = [_item(dataset, seed, "capture=shadow", "writing=printed") for seed in range(4)]
    handwritten = _item(dataset, 10, "capture=shadow", "writing=handwritten")
    clean = _item(dataset, 11, "capture=clean", "writing=printed")
    services.item_status_set(item=shadows[0], status=Item.Status.ACCEPTED)
    services.item_split_set(item=shadows[1], split="train", by=None)

    response = planner_client.post(
        _url(dataset, "categories/"),
        {
            "filters": {"category": ["capture=shadow", "writing=printed"]},
            "set": {"capture": "crumpled"},
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["changed"]) == ("done", 4)
    crumpled = _category(dataset, "capture=crumpled")
    printed = _category(dataset, "writing=printed")
    for item in shadows:
        item.refresh_from_db()
        assert set(item.categories.all()) == {crumpled, printed}
        assert item.category_key == ".".join(str(pk) for pk in sorted([crumpled.id, printed.id]))
        event = item.events.get(kind="categories")
        assert event.params == {
            "changes": [{"axis": "capture", "before": "shadow", "after": "crumpled"}]
        }
    for untouched in (handwritten, clean):
        assert not untouched.events.filter(kind="categories").exists()
    assert handwritten.categories.get(axis__slug="capture").slug == "shadow"
    _assert_counters_match_a_recount(dataset)
    _assert_daily_counters_match_the_items(dataset)


def test_bulk_set_by_ids_clears_an_axis(planner_client, dataset):
    first = _item(dataset, 1, "capture=shadow", "writing=printed")
    second = _item(dataset, 2, "writing=printed")
    other = _item(dataset, 3, "capture=shadow")

    response = planner_client.post(
        _url(dataset, "categories/"),
        {"items": [first.id, second.id], "set": {"writing": None}},
        format="json",
    )

    assert (response.json()["status"], response.json()["changed"]) == ("done", 2)
    assert list(first.categories.values_list("slug", flat=True)) == ["shadow"]
    assert not second.categories.exists()
    second.refresh_from_db()
    assert second.category_key == ""
    assert list(other.categories.values_list("slug", flat=True)) == ["shadow"]
    _assert_counters_match_a_recount(dataset)


def test_bulk_set_counts_only_items_that_changed(planner_client, dataset):
    _item(dataset, 1, "capture=shadow")
    _item(dataset, 2, "capture=clean")

    response = planner_client.post(
        _url(dataset, "categories/"), {"filters": {}, "set": {"capture": "shadow"}}, format="json"
    )

    assert (response.json()["status"], response.json()["changed"]) == ("done", 1)


def test_bulk_set_in_small_batches_changes_every_item_once(planner_client, dataset):
    items = [_item(dataset, seed, "capture=clean") for seed in range(7)]

    changed = services.items_categories_bulk_set(
        dataset=dataset,
        items=Item.objects.filter(dataset=dataset),
        changes={"capture": "shadow", "writing": "handwritten"},
        by=None,
        batch_size=3,
    )

    assert changed == 7
    assert ItemEvent.objects.filter(item__in=items, kind="categories").count() == 7
    assert set(Item.objects.filter(dataset=dataset).values_list("category_key", flat=True)) == {
        ".".join(
            str(_category(dataset, key).id) for key in ("capture=shadow", "writing=handwritten")
        )
    }
    _assert_counters_match_a_recount(dataset)
    _assert_daily_counters_match_the_items(dataset)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"filters": {}, "set": {"capture": "foggy"}}, "unknown_category"),
        ({"filters": {}, "set": {"capture": "shadow", "lighting": "dark"}}, "unknown_category"),
        (
            {"filters": {"category": "capture=foggy"}, "set": {"capture": "shadow"}},
            "unknown_category",
        ),
        ({"filters": {"status": "lost"}, "set": {"capture": "shadow"}}, "bad_filter"),
        ({"filters": {"colour": "red"}, "set": {"capture": "shadow"}}, "bad_filter"),
        ({"filters": {}, "items": [1], "set": {"capture": "shadow"}}, "no_selection"),
        ({"set": {"capture": "shadow"}}, "no_selection"),
        ({"filters": {}, "set": {}}, "nothing_to_set"),
        ({"items": [999999], "set": {"capture": "shadow"}}, "unknown_item"),
        ({"filters": {}, "set": "shadow"}, "invalid"),
    ],
)
def test_a_bad_bulk_request_is_refused_and_nothing_changes(planner_client, dataset, body, code):
    _item(dataset, 1, "capture=clean")
    _item(dataset, 2, "capture=clean", "writing=printed")
    before = _state(dataset)

    response = planner_client.post(_url(dataset, "categories/"), body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert _state(dataset) == before


def test_unknown_category_names_the_category(planner_client, dataset):
    _item(dataset, 1, "capture=clean")

    response = planner_client.post(
        _url(dataset, "categories/"), {"filters": {}, "set": {"capture": "foggy"}}, format="json"
    )

    error = response.json()["error"]
    assert "capture=foggy" in error["message"]
    assert "set.capture" in error["fields"]


def test_bulk_ids_of_another_dataset_are_refused(planner_client, dataset):
    foreign = _item(DatasetFactory(), 1)

    response = planner_client.post(
        _url(dataset, "categories/"),
        {"items": [foreign.id], "set": {"capture": "shadow"}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_item"
    assert not foreign.categories.exists()


def test_a_large_selection_is_changed_by_a_worker_with_progress(
    planner_client, dataset, monkeypatch
):
    from datasets.services import categories

    items = [_item(dataset, seed, "capture=clean") for seed in range(5)]
    monkeypatch.setattr(categories, "INLINE_LIMIT", 2)

    response = planner_client.post(
        _url(dataset, "categories/"), {"filters": {}, "set": {"capture": "shadow"}}, format="json"
    )
    queued = response.json()
    shadows_before = Item.objects.filter(dataset=dataset, categories__slug="shadow").count()
    services.category_change_run(change_id=queued["id"])  # the worker's step
    done = planner_client.get(_url(dataset, f"categories/{queued['id']}/")).json()

    assert response.status_code == 202
    assert (queued["status"], queued["total"], queued["done"]) == ("running", 5, 0)
    assert shadows_before == 0
    assert (done["status"], done["done"], done["changed"]) == ("done", 5, 5)
    assert Item.objects.filter(dataset=dataset, categories__slug="shadow").count() == len(items)
    _assert_counters_match_a_recount(dataset)
