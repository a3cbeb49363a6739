"""Splits: stratified by category combination, repeatable by seed, a frozen test split kept."""

from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from accounts.models import Role
from core.errors import DomainError
from datasets import services
from datasets.models import CoverageCount, Item, ItemEvent, SplitRun
from tests.datasets.test_coverage import png, register_items, taxonomy
from tests.factories.datasets import DatasetFactory

pytestmark = pytest.mark.django_db


def strata_dataset(sizes=(1, 2, 3, 5, 9, 14, 23)):
    """Strata of the given sizes: stratum n is the category combination of capture n alone."""
    dataset = DatasetFactory()
    axes = taxonomy(dataset, {"capture": len(sizes)})
    index = 0
    for category, size in zip(axes["capture"], sizes, strict=True):
        for _ in range(size):
            services.item_register(dataset=dataset, file=png(index), categories=[category])
            index += 1
    return dataset, axes


def assignment(dataset) -> dict[int, str]:
    return dict(Item.objects.filter(dataset=dataset).values_list("pk", "split"))


def counters(dataset) -> dict:
    return {
        (row.category_key, row.split, row.status): row.count
        for row in CoverageCount.objects.filter(dataset=dataset).exclude(count=0)
    }


def assert_counters_match_items(dataset):
    kept = counters(dataset)
    services.coverage_recount(dataset=dataset)
    assert counters(dataset) == kept


def test_each_stratum_is_cut_within_one_item_of_the_ratios():
    dataset, _ = strata_dataset()
    ratios = {"train": 0.7, "val": 0.2, "test": 0.1}

    run = services.split_assign(dataset=dataset, ratios=ratios, seed=5, by=None)

    strata = defaultdict(Counter)
    for key, split in Item.objects.filter(dataset=dataset).values_list("category_key", "split"):
        strata[key][split] += 1
    for key, counts in strata.items():
        size = sum(counts.values())
        for split, ratio in ratios.items():
            assert abs(counts[split] - ratio * size) < 1, (key, split, counts)
    total = Item.objects.filter(dataset=dataset).count()
    for split, ratio in ratios.items():
        assert abs(run.counts[split] - ratio * total) < 1.5, run.counts
    assert sum(run.counts.values()) == total
    assert set(Item.objects.filter(dataset=dataset).values_list("split_run", flat=True)) == {run.pk}
    assert_counters_match_items(dataset)


def test_the_same_seed_gives_the_same_assignment():
    dataset, _ = strata_dataset()

    services.split_assign(dataset=dataset, seed=42, scope="all", by=None)
    first = assignment(dataset)
    services.split_assign(dataset=dataset, seed=7, scope="all", by=None)
    other = assignment(dataset)
    services.split_assign(dataset=dataset, seed=42, scope="all", by=None)

    assert assignment(dataset) == first
    assert other != first


def test_unassigned_scope_leaves_assigned_items_alone():
    dataset, axes = strata_dataset()
    services.split_assign(dataset=dataset, seed=1, by=None)
    before = assignment(dataset)
    new = register_items(dataset, axes, 10, start=500)

    run = services.split_assign(dataset=dataset, seed=2, by=None)

    after = assignment(dataset)
    assert {pk: after[pk] for pk in before} == before
    assert all(after[item.pk] for item in new)
    assert sum(run.counts.values()) == 10


def frozen_dataset():
    dataset, axes = strata_dataset()
    services.split_assign(
        dataset=dataset, ratios={"train": 0.6, "val": 0.2, "test": 0.2}, seed=3, by=None
    )
    services.split_test_freeze(dataset=dataset, by=None)
    dataset.refresh_from_db()
    return dataset, axes


def test_a_frozen_test_item_cannot_change_split():
    dataset, _ = frozen_dataset()
    item = Item.objects.filter(dataset=dataset, split="test").first()
    kept = counters(dataset)

    with pytest.raises(DomainError) as refused:
        services.item_split_set(item=item, split="train", by=None)

    assert (refused.value.status, refused.value.code) == (409, "test_frozen")
    assert str(item.pk) in refused.value.message
    item.refresh_from_db()
    assert item.split == "test"
    assert counters(dataset) == kept


def test_no_item_is_moved_into_a_frozen_test_split_by_hand():
    dataset, _ = frozen_dataset()
    item = Item.objects.filter(dataset=dataset, split="train").first()

    with pytest.raises(DomainError) as refused:
        services.item_split_set(item=item, split="test", by=None)

    assert (refused.value.status, refused.value.code) == (409, "test_frozen")
    item.refresh_from_db()
    assert item.split == "train"


def test_a_single_item_moves_with_an_event_and_its_counters(make_user):
    dataset, _ = strata_dataset()
    services.split_assign(dataset=dataset, seed=1, by=None)
    item = Item.objects.filter(dataset=dataset, split="train").first()
    planner = make_user(Role.PLANNER)

    services.item_split_set(item=item, split="val", by=planner)

    item.refresh_from_db()
    assert (item.split, item.split_run_id) == ("val", None)
    event = ItemEvent.objects.filter(item=item, kind="split").get()
    assert event.by == planner
    assert_counters_match_items(dataset)


def test_assignment_after_freeze_keeps_test_and_fills_train_and_val():
    dataset, axes = frozen_dataset()
    test_items = set(
        Item.objects.filter(dataset=dataset, split="test").values_list("pk", flat=True)
    )
    new = register_items(dataset, axes, 30, start=900)

    run = services.split_assign(dataset=dataset, seed=9, by=None)
    services.split_assign(dataset=dataset, seed=10, scope="all", by=None)

    assert set(Item.objects.filter(dataset=dataset, split="test").values_list("pk", flat=True)) == (
        test_items
    )
    assert run.counts["test"] == 0
    assert run.counts["train"] + run.counts["val"] == 30
    assert {item.split for item in Item.objects.filter(pk__in=[i.pk for i in new])} <= {
        "train",
        "val",
    }
    assert_counters_match_items(dataset)


def test_extend_test_adds_new_items_to_the_frozen_test_split():
    dataset, axes = frozen_dataset()
    test_before = Item.objects.filter(dataset=dataset, split="test").count()
    register_items(dataset, axes, 40, start=900)

    run = services.split_assign(
        dataset=dataset,
        ratios={"train": 0.5, "val": 0.0, "test": 0.5},
        seed=4,
        scope="extend_test",
        by=None,
    )

    assert run.counts["test"] >= 15
    assert Item.objects.filter(dataset=dataset, split="test").count() == (
        test_before + run.counts["test"]
    )
    assert Item.objects.filter(dataset=dataset, split="").count() == 0
    assert_counters_match_items(dataset)


def test_freezing_twice_or_with_an_empty_test_split_is_refused():
    dataset, _ = strata_dataset()

    with pytest.raises(DomainError) as empty:
        services.split_test_freeze(dataset=dataset, by=None)
    services.split_assign(dataset=dataset, seed=1, by=None)
    services.split_test_freeze(dataset=dataset, by=None)
    with pytest.raises(DomainError) as twice:
        services.split_test_freeze(dataset=dataset, by=None)

    assert (empty.value.status, empty.value.code) == (400, "test_empty")
    assert (twice.value.status, twice.value.code) == (409, "test_already_frozen")


# Through the API.


def test_planner_assigns_through_the_api_a_worker_runs_it_and_a_seed_is_recorded(
    planner_client,
):
    dataset, _ = strata_dataset()

    response = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/splits/",
        {"ratios": {"train": 0.8, "val": 0.2}, "scope": "unassigned"},
        format="json",
    )
    body = response.json()
    queued = Item.objects.filter(dataset=dataset, split="").count()
    services.split_run_execute(run_id=body["id"])  # the worker's step
    done = planner_client.get(f"/api/v1/datasets/{dataset.id}/splits/").json()["runs"][0]

    assert response.status_code == 202
    assert (body["status"], queued) == ("running", 57)
    assert body["ratios"] == {"train": 0.8, "val": 0.2, "test": 0.0}
    assert isinstance(body["seed"], int)
    assert done["status"] == "done"
    assert done["counts"]["train"] + done["counts"]["val"] == 57
    assert body["created_by"] == planner_client.user.username
    assert SplitRun.objects.get().seed == body["seed"]


def test_a_second_run_is_refused_while_one_is_running(planner_client):
    dataset, _ = strata_dataset()
    url = f"/api/v1/datasets/{dataset.id}/splits/"

    planner_client.post(url, {"seed": 1}, format="json")
    second = planner_client.post(url, {"seed": 2}, format="json")

    assert second.status_code == 409
    assert second.json()["error"]["code"] == "split_running"
    assert SplitRun.objects.count() == 1


def test_split_list_shows_runs_newest_first_and_current_counts(client_for):
    dataset, _ = strata_dataset()
    first = services.split_assign(dataset=dataset, seed=1, by=None)
    second = services.split_assign(dataset=dataset, seed=2, scope="all", by=None)

    body = client_for(Role.TRAINER).get(f"/api/v1/datasets/{dataset.id}/splits/").json()

    assert [run["id"] for run in body["runs"]] == [second.pk, first.pk]
    assert body["counts"] == {**second.counts, "unassigned": 0}
    assert body["test_frozen_at"] is None


def test_freeze_through_the_api(planner_client):
    dataset, _ = strata_dataset()
    services.split_assign(dataset=dataset, seed=1, by=None)

    response = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/splits/freeze/", {"confirm": True}, format="json"
    )
    again = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/splits/freeze/", {"confirm": True}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["test_frozen_at"]
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "test_already_frozen"


@pytest.mark.parametrize(
    "ratios",
    [
        {"train": 0.8, "val": 0.1, "test": 0.2},
        {"train": 1.1, "val": -0.1},
        {"train": 0.5, "holdout": 0.5},
        {"train": "0.8", "val": 0.2},
        {"train": True},
        [0.8, 0.1, 0.1],
        {},
    ],
)
def test_bad_ratios_are_refused_and_nothing_changes(planner_client, ratios):
    dataset, _ = strata_dataset()
    before, kept = assignment(dataset), counters(dataset)

    response = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/splits/", {"ratios": ratios, "seed": 1}, format="json"
    )

    error = response.json()["error"]
    assert response.status_code == 400
    assert error["code"] == "bad_ratios"
    assert error["message"] and "ratios" in error["fields"]
    assert not SplitRun.objects.exists()
    assert assignment(dataset) == before
    assert counters(dataset) == kept


def test_after_freeze_ratios_without_train_or_val_are_refused(planner_client):
    dataset, _ = frozen_dataset()

    response = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/splits/", {"ratios": {"test": 1}}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_ratios"
    assert SplitRun.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "code"),
    [({"scope": "everything"}, "bad_scope"), ({"seed": -1}, "invalid"), ({"seed": "x"}, "invalid")],
)
def test_bad_scope_or_seed_is_refused(planner_client, payload, code):
    dataset, _ = strata_dataset()

    response = planner_client.post(f"/api/v1/datasets/{dataset.id}/splits/", payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not SplitRun.objects.exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
def test_readers_cannot_assign_or_freeze(client_for, role):
    dataset, _ = strata_dataset()
    client = client_for(role)

    assign = client.post(f"/api/v1/datasets/{dataset.id}/splits/", {}, format="json")
    freeze = client.post(
        f"/api/v1/datasets/{dataset.id}/splits/freeze/", {"confirm": True}, format="json"
    )
    page = client.post(f"/datasets/{dataset.id}/coverage/", {"action": "assign"})

    assert (assign.status_code, freeze.status_code, page.status_code) == (403, 403, 403)
    assert not SplitRun.objects.exists()
    dataset.refresh_from_db()
    assert dataset.test_frozen_at is None


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.VENDOR_MANAGER])
def test_vendors_do_not_see_splits(client_for, role):
    dataset, _ = strata_dataset()
    client = client_for(role)

    listing = client.get(f"/api/v1/datasets/{dataset.id}/splits/")
    assign = client.post(f"/api/v1/datasets/{dataset.id}/splits/", {}, format="json")
    freeze = client.post(
        f"/api/v1/datasets/{dataset.id}/splits/freeze/", {"confirm": True}, format="json"
    )

    assert (listing.status_code, assign.status_code, freeze.status_code) == (404, 404, 404)
    assert not SplitRun.objects.exists()


# Through the page.


def test_page_form_assigns_and_shows_the_run(planner_client):
    dataset, _ = strata_dataset()

    response = planner_client.post(
        f"/datasets/{dataset.id}/coverage/",
        {
            "action": "assign",
            "ratio_train": "0.8",
            "ratio_val": "0.1",
            "ratio_test": "0.1",
            "seed": "77",
            "scope": "unassigned",
        },
        follow=True,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert SplitRun.objects.get().seed == 77
    assert "<td>77</td>" in html
    assert 'data-status="running"' in html and 'http-equiv="refresh"' in html
    services.split_run_execute(run_id=SplitRun.objects.get().pk)
    assert Item.objects.filter(dataset=dataset, split="").count() == 0


def test_page_form_shows_bad_ratios_and_changes_nothing(planner_client):
    dataset, _ = strata_dataset()

    response = planner_client.post(
        f"/datasets/{dataset.id}/coverage/",
        {"action": "assign", "ratio_train": "0.8", "ratio_val": "0.8", "ratio_test": "0"},
    )

    assert response.status_code == 400
    assert 'data-testid="split-error"' in response.content.decode()
    assert not SplitRun.objects.exists()


def test_page_freeze_needs_the_confirmation(planner_client):
    dataset, _ = strata_dataset()
    services.split_assign(dataset=dataset, seed=1, by=None)

    unconfirmed = planner_client.post(f"/datasets/{dataset.id}/coverage/", {"action": "freeze"})
    dataset.refresh_from_db()
    assert unconfirmed.status_code == 400
    assert dataset.test_frozen_at is None

    confirmed = planner_client.post(
        f"/datasets/{dataset.id}/coverage/", {"action": "freeze", "confirm": "1"}, follow=True
    )
    dataset.refresh_from_db()
    assert dataset.test_frozen_at is not None
    assert dataset.test_frozen_at <= timezone.now()
    assert 'data-testid="test-frozen"' in confirmed.content.decode()


def test_freezing_through_the_api_needs_an_explicit_confirmation(planner_client):
    dataset = DatasetFactory()

    response = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/splits/freeze/", {}, format="json"
    )

    assert response.status_code == 400
    assert "confirm" in response.json()["error"]["fields"]
    dataset.refresh_from_db()
    assert dataset.test_frozen_at is None
