"""The coverage report, its page, CSV and API: every number equals a count made by hand."""

import csv
import io
import math
import random
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from accounts.models import Role
from datasets import services
from datasets.models import CoverageCount, Item, ItemCategory
from datasets.selectors import coverage_report
from tests.factories.datasets import DatasetFactory

pytestmark = pytest.mark.django_db

STATUS_STEPS = ["new", "in_labeling", "labeled", "accepted"]


def png(index: int) -> bytes:
    """A tiny image whose bytes differ for every index."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (index % 256, index // 256 % 256, 99)).save(buffer, format="PNG")
    return buffer.getvalue()


def taxonomy(dataset, sizes: dict[str, int], *, quota=lambda rng: rng.randint(4, 20), seed=1):
    """Axes with categories and quota targets, through the services; {axis slug: [category]}."""
    rng = random.Random(seed)
    axes = {}
    for slug, size in sizes.items():
        axis = services.axis_create(dataset=dataset, name=slug.title(), slug=slug, by=None)
        axes[slug] = [
            services.category_create(
                axis=axis, name=f"{slug} {n}", slug=f"{slug}-{n}", quota_target=quota(rng), by=None
            )
            for n in range(size)
        ]
    return axes


def register_items(dataset, axes, count: int, *, seed: int = 7, start: int = 0) -> list[Item]:
    """Items with random categories (or none) on each axis, through ``item_register``."""
    rng = random.Random(seed)
    items = []
    for index in range(start, start + count):
        chosen = [rng.choice(categories) for categories in axes.values() if rng.random() < 0.85]
        item, created = services.item_register(dataset=dataset, file=png(index), categories=chosen)
        assert created
        items.append(item)
    return items


@pytest.fixture
def generated():
    """~60 items over 2 axes (4 × 3 categories) and 2 cells, statuses and splits set."""
    dataset = DatasetFactory()
    axes = taxonomy(dataset, {"capture": 4, "writing": 3})
    capture, writing = axes["capture"], axes["writing"]
    services.cell_quota_set(
        dataset=dataset, first=capture[0], second=writing[0], quota_target=6, by=None
    )
    services.cell_quota_set(
        dataset=dataset, first=writing[2], second=capture[3], quota_target=1, by=None
    )
    items = register_items(dataset, axes, 60)
    rng = random.Random(3)
    for item in items:
        services.item_status_set(item=item, status=rng.choice(STATUS_STEPS))
    services.split_assign(
        dataset=dataset, ratios={"train": 0.6, "val": 0.2, "test": 0.2}, seed=11, by=None
    )
    # Take every test item of one category out of test: the report must flag it.
    for item in Item.objects.filter(itemcategory__category=writing[1], split="test"):
        services.item_split_set(item=item, split="train", by=None)
    # Counts outside the 14-day window must not reach the rate.
    today = timezone.localdate()
    services.coverage_collected(
        dataset_id=dataset.pk,
        keys=Counter({str(capture[0].pk): 40}),
        day=today - timedelta(days=14),
    )
    return dataset, axes


def hand_count(item_ids: set[int], target: int | None, today, dataset_has_test: bool) -> dict:
    items = list(Item.objects.filter(pk__in=item_ids))
    statuses = Counter(item.status for item in items)
    splits = Counter(item.split or "unassigned" for item in items)
    recent = sum(
        1 for item in items if timezone.localdate(item.created_at) > today - timedelta(days=14)
    )
    rate = recent / 14
    remaining = (target or 0) - len(items)
    return {
        "target": target,
        "collected": len(items),
        "new": statuses["new"],
        "in_labeling": statuses["in_labeling"],
        "labeled": statuses["labeled"],
        "accepted": statuses["accepted"],
        "percent": round(100 * len(items) / target, 1) if target else None,
        "accepted_percent": round(100 * statuses["accepted"] / target, 1) if target else None,
        "under_filled": target is not None and len(items) < target,
        "rate": round(rate, 2),
        "eta": today + timedelta(days=math.ceil(remaining / rate))
        if rate > 0 and remaining > 0
        else None,
        "splits": {split: splits[split] for split in ("train", "val", "test", "unassigned")},
        "test_lacking": dataset_has_test and bool(items) and not splits["test"],
    }


def members() -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for item_id, category_id in ItemCategory.objects.values_list("item_id", "category_id"):
        found.setdefault(category_id, set()).add(item_id)
    return found


def test_every_number_of_the_report_equals_a_hand_count(generated):
    dataset, axes = generated
    today = timezone.localdate()
    by_category = members()
    has_test = Item.objects.filter(dataset=dataset, split="test").exists()

    report = coverage_report(dataset=dataset, today=today)

    assert [axis["slug"] for axis in report["axes"]] == ["capture", "writing"]
    for axis in report["axes"]:
        for row in axis["categories"]:
            category = next(c for c in axes[axis["slug"]] if c.pk == row["id"])
            expected = hand_count(
                by_category.get(category.pk, set()), category.quota_target, today, has_test
            )
            assert {name: row[name] for name in expected} == expected, row["key"]
    assert len(report["cells"]) == 2
    for row in report["cells"]:
        first, second = (
            next(c for cs in axes.values() for c in cs if f"{c.axis.slug}={c.slug}" == key)
            for key in (row["first"], row["second"])
        )
        both = by_category.get(first.pk, set()) & by_category.get(second.pk, set())
        expected = hand_count(both, row["target"], today, has_test)
        assert {name: row[name] for name in expected} == expected, row["key"]
    every = set(Item.objects.filter(dataset=dataset).values_list("pk", flat=True))
    totals = hand_count(every, None, today, has_test)
    assert {name: report["totals"][name] for name in totals} == totals


def test_the_generated_report_has_flags_to_check(generated):
    dataset, axes = generated

    report = coverage_report(dataset=dataset)

    rows = [row for axis in report["axes"] for row in axis["categories"]] + report["cells"]
    assert report["has_test"]
    assert any(row["under_filled"] for row in rows)
    assert any(not row["under_filled"] for row in rows)
    assert any(row["eta"] for row in rows)
    lacking = {row["key"] for row in rows if row["test_lacking"]}
    assert "writing=writing-1" in lacking
    assert report["totals"]["test_lacking_rows"] == len(lacking)


def test_recount_gives_the_counters_the_services_kept(generated):
    dataset, _ = generated

    def counters():
        return {
            (row.category_key, row.split, row.status): row.count
            for row in CoverageCount.objects.filter(dataset=dataset).exclude(count=0)
        }

    kept = counters()
    services.coverage_recount(dataset=dataset)

    assert counters() == kept


def test_rate_and_eta_come_from_the_last_fourteen_days():
    dataset = DatasetFactory()
    (category,) = taxonomy(dataset, {"capture": 1}, quota=lambda rng: 100)["capture"]
    today = timezone.localdate()
    services.coverage_collected(
        dataset_id=dataset.pk, keys=Counter({str(category.pk): 28}), day=today - timedelta(days=13)
    )
    services.coverage_collected(
        dataset_id=dataset.pk, keys=Counter({str(category.pk): 99}), day=today - timedelta(days=14)
    )

    row = coverage_report(dataset=dataset, today=today)["axes"][0]["categories"][0]

    assert row["rate"] == 2.0
    assert row["eta"] == today + timedelta(days=50)
    assert row["under_filled"]


def test_a_reached_target_and_a_rate_of_zero_have_no_eta():
    dataset = DatasetFactory()
    axes = taxonomy(dataset, {"capture": 2}, quota=lambda rng: 1)
    services.item_register(dataset=dataset, file=png(1), categories=[axes["capture"][0]])
    services.coverage_collected(
        dataset_id=dataset.pk,
        keys=Counter({str(axes["capture"][1].pk): 5}),
        day=timezone.localdate() - timedelta(days=30),
    )

    reached, idle = coverage_report(dataset=dataset)["axes"][0]["categories"]

    assert (reached["collected"], reached["under_filled"], reached["eta"]) == (1, False, None)
    assert reached["percent"] == 100.0
    assert (idle["rate"], idle["under_filled"], idle["eta"]) == (0, True, None)


def big_taxonomy(count: int):
    """``count`` categories on two axes, a cell per pair of first categories, a few items."""
    dataset = DatasetFactory()
    axes = taxonomy(dataset, {"left": count // 2, "right": count - count // 2})
    for first, second in zip(axes["left"][:5], axes["right"][:5], strict=True):
        services.cell_quota_set(
            dataset=dataset, first=first, second=second, quota_target=3, by=None
        )
    register_items(dataset, axes, 12)
    services.split_assign(dataset=dataset, seed=1, by=None)
    return dataset


#: Session, user, dataset, categories, cells, counters, daily counts, split runs, and the
#: page shell's count of unanswered questions (a planner's notice), the oldest pending delta.
QUERY_BOUND = 10


@pytest.mark.parametrize("count", [10, 200])
def test_coverage_api_reads_a_fixed_number_of_queries(
    client_for, django_assert_max_num_queries, count
):
    dataset = big_taxonomy(count)
    client = client_for(Role.REVIEWER)

    with django_assert_max_num_queries(QUERY_BOUND):
        response = client.get(f"/api/v1/datasets/{dataset.id}/coverage/")

    body = response.json()
    assert response.status_code == 200
    assert sum(len(axis["categories"]) for axis in body["axes"]) == count
    assert len(body["cells"]) == 5
    assert body["totals"]["collected"] == 12


@pytest.mark.parametrize("count", [10, 200])
def test_coverage_page_reads_a_fixed_number_of_queries(
    planner_client, django_assert_max_num_queries, count
):
    dataset = big_taxonomy(count)

    with django_assert_max_num_queries(QUERY_BOUND):
        response = planner_client.get(f"/datasets/{dataset.id}/coverage/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<div class="stack"') == count + 5


def test_the_api_gives_the_numbers_of_the_report(generated, planner_client):
    dataset, _ = generated
    report = coverage_report(dataset=dataset)

    body = planner_client.get(f"/api/v1/datasets/{dataset.id}/coverage/").json()

    row = report["axes"][1]["categories"][1]
    shown = body["axes"][1]["categories"][1]
    assert shown["key"] == row["key"]
    assert {name: shown[name] for name in ("collected", "accepted", "splits", "test_lacking")} == {
        name: row[name] for name in ("collected", "accepted", "splits", "test_lacking")
    }
    assert shown["eta"] == (row["eta"].isoformat() if row["eta"] else None)


def test_the_report_says_as_of_when_a_move_waits_to_be_folded_in(generated, planner_client):
    dataset, _ = generated
    item = Item.objects.filter(dataset=dataset, status=Item.Status.NEW).first()
    before = timezone.now()
    untouched = coverage_report(dataset=dataset)
    assert untouched["as_of"] >= before  # nothing pending: now
    in_labeling = untouched["totals"]["in_labeling"]

    services.items_status_move(
        dataset=dataset,
        item_ids=[item.pk],
        from_status=Item.Status.NEW,
        to_status=Item.Status.IN_LABELING,
        deferred=True,
    )
    waiting = coverage_report(dataset=dataset)

    assert before <= waiting["as_of"] <= timezone.now()
    assert waiting["totals"]["in_labeling"] == in_labeling  # the counters have not moved yet
    page = planner_client.get(f"/datasets/{dataset.id}/coverage/").content.decode()
    assert f"As of {timezone.localtime(waiting['as_of']):%H:%M:%S}" in page
    body = planner_client.get(f"/api/v1/datasets/{dataset.id}/coverage/").json()
    assert body["as_of"].startswith(waiting["as_of"].isoformat()[:19])
    assert services.coverage_deltas_apply(dataset_id=dataset.pk) == 2
    assert coverage_report(dataset=dataset)["totals"]["in_labeling"] == in_labeling + 1


def test_csv_has_a_header_and_one_row_per_category_and_cell(generated, planner_client):
    dataset, _ = generated
    report = coverage_report(dataset=dataset)

    response = planner_client.get(f"/datasets/{dataset.id}/coverage.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:5] == ["kind", "key", "name", "target", "collected"]
    assert rows[0][-5:] == [
        "split_train",
        "split_val",
        "split_test",
        "split_unassigned",
        "test_lacking",
    ]
    assert len(rows) == 1 + 7 + 2
    row = report["axes"][0]["categories"][0]
    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["kind"] == "category"
    assert line["key"] == row["key"]
    assert int(line["target"]) == row["target"]
    assert int(line["collected"]) == row["collected"]
    assert int(line["accepted"]) == row["accepted"]
    assert float(line["rate_per_day"]) == row["rate"]
    assert int(line["split_test"]) == row["splits"]["test"]
    assert line["eta"] == (row["eta"].isoformat() if row["eta"] else "")
    assert rows[-1][0] == "cell"


def test_page_highlights_under_filled_rows_and_categories_lacking_test(generated, planner_client):
    dataset, _ = generated

    html = planner_client.get(f"/datasets/{dataset.id}/coverage/").content.decode()

    assert 'class="under-filled"' in html
    assert 'class="badge warning"' in html
    assert f'href="/datasets/{dataset.id}/coverage.csv"' in html
    assert 'name="action" value="assign"' in html


def test_readers_see_the_page_without_the_split_forms(generated, client_for):
    dataset, _ = generated

    html = client_for(Role.TRAINER).get(f"/datasets/{dataset.id}/coverage/").content.decode()

    assert 'class="stack"' in html
    assert 'name="action"' not in html


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.VENDOR_MANAGER])
def test_vendors_cannot_see_coverage(client_for, role):
    dataset = DatasetFactory()
    client = client_for(role)

    for path in (
        f"/api/v1/datasets/{dataset.id}/coverage/",
        f"/datasets/{dataset.id}/coverage/",
        f"/datasets/{dataset.id}/coverage.csv",
    ):
        assert client.get(path).status_code == 404
