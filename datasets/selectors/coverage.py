"""The coverage report: how far each category and cell is from its quota, read from counters.

Reads only, in a fixed number of queries whatever the number of categories or items: the
categories with their axes, the cell quotas, the dataset's ``CoverageCount`` rows and the last
14 days of ``CoverageDaily`` rows. Everything else is summed here in Python: a category sums
the counter rows whose key holds its id, a cell the rows whose key holds both of its ids.
``as_of`` says up to when the counters are complete (labeling's moves land a few seconds late).
"""

import math
from collections import defaultdict
from datetime import date, timedelta

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from datasets.models import (
    UNCOUNTED_STATUSES,
    Category,
    CellQuota,
    CoverageCount,
    CoverageDaily,
    CoverageDelta,
    Dataset,
    Item,
    SplitRun,
)

#: The fill rate is the mean of items collected per day over this many days, today included.
RATE_WINDOW_DAYS = 14
#: Statuses in the order a stacked bar draws them, furthest along first.
STATUSES = (
    Item.Status.ACCEPTED.value,
    Item.Status.LABELED.value,
    Item.Status.IN_LABELING.value,
    Item.Status.NEW.value,
)
#: Splits as the report names them; the empty split is "unassigned".
SPLITS = ("train", "val", "test", "unassigned")


class _Tally:
    """Counts of one category, one cell or the whole dataset, before they become a row."""

    __slots__ = ("collected", "statuses", "splits", "recent")

    def __init__(self) -> None:
        self.collected = 0
        self.statuses = dict.fromkeys(STATUSES, 0)
        self.splits = dict.fromkeys(SPLITS, 0)
        self.recent = 0

    def add(self, split: str, status: str, count: int) -> None:
        if status not in self.statuses:  # a vendor's photo awaiting acceptance, or rejected
            return
        self.collected += count
        self.statuses[status] += count
        self.splits[split or "unassigned"] += count


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _row(tally: _Tally, target: int | None, *, today: date, dataset_has_test: bool) -> dict:
    rate = tally.recent / RATE_WINDOW_DAYS
    remaining = (target or 0) - tally.collected
    eta = None
    if rate > 0 and remaining > 0:
        eta = today + timedelta(days=math.ceil(remaining / rate))
    return {
        "target": target,
        "collected": tally.collected,
        "new": tally.statuses[Item.Status.NEW],
        "in_labeling": tally.statuses[Item.Status.IN_LABELING],
        "labeled": tally.statuses[Item.Status.LABELED],
        "accepted": tally.statuses[Item.Status.ACCEPTED],
        "percent": _percent(tally.collected, target or 0),
        "accepted_percent": _percent(tally.statuses[Item.Status.ACCEPTED], target or 0),
        "under_filled": target is not None and tally.collected < target,
        "rate": round(rate, 2),
        "eta": eta,
        "splits": dict(tally.splits),
        "test_lacking": dataset_has_test and tally.collected > 0 and not tally.splits["test"],
    }


def _key_ids(key: str) -> list[int]:
    return [int(part) for part in key.split(".")] if key else []


def coverage_report(*, dataset: Dataset, today: date | None = None) -> dict:
    """Targets, counts by status and split, fill rate and ETA per category and per cell.

    ``{"axes": [{"id", "name", "slug", "categories": [row, ...]}], "cells": [row, ...],
    "totals": row, "has_test", "today", "window_days"}``; a row holds ``target``,
    ``collected`` (every status), ``new``, ``in_labeling``, ``labeled``, ``accepted``,
    ``percent`` and ``accepted_percent`` of the target (None without a target),
    ``under_filled``, ``rate`` (items a day over the window), ``eta`` (None when the rate is 0
    or the target is reached), ``splits`` and ``test_lacking`` (items, none in test, while
    the dataset has test items: the offline test cannot judge it), ``as_of``. Five queries.
    """
    today = today or timezone.localdate()
    categories = list(
        Category.objects.filter(axis__dataset=dataset)
        .select_related("axis")
        .order_by("axis__position", "axis_id", "position", "id")
    )
    cells = list(
        CellQuota.objects.filter(dataset=dataset)
        .values_list("id", "first_id", "second_id", "quota_target")
        .order_by("id")
    )
    counts = (
        CoverageCount.objects.filter(dataset=dataset)
        .exclude(count=0)
        .exclude(status__in=UNCOUNTED_STATUSES)
    )
    daily = CoverageDaily.objects.filter(
        dataset=dataset, day__gt=today - timedelta(days=RATE_WINDOW_DAYS), day__lte=today
    )

    by_category: dict[int, _Tally] = defaultdict(_Tally)
    by_cell: dict[tuple[int, int], _Tally] = defaultdict(_Tally)
    total = _Tally()
    cell_pairs = {(first, second) for _, first, second, _ in cells}

    def pairs_in(ids: list[int]):
        ordered = sorted(ids)
        for index, first in enumerate(ordered):
            for second in ordered[index + 1 :]:
                if (first, second) in cell_pairs:
                    yield first, second

    for key, split, status, count in counts.values_list("category_key", "split", "status", "count"):
        ids = _key_ids(key)
        total.add(split, status, count)
        for pk in ids:
            by_category[pk].add(split, status, count)
        for pair in pairs_in(ids):
            by_cell[pair].add(split, status, count)
    for key, count in daily.values_list("category_key", "count"):
        ids = _key_ids(key)
        total.recent += count
        for pk in ids:
            by_category[pk].recent += count
        for pair in pairs_in(ids):
            by_cell[pair].recent += count

    has_test = total.splits["test"] > 0

    def row(tally: _Tally, target: int | None) -> dict:
        return _row(tally, target, today=today, dataset_has_test=has_test)

    names = {category.pk: category for category in categories}
    axes: list[dict] = []
    for category in categories:
        if not axes or axes[-1]["id"] != category.axis_id:
            axis = category.axis
            axes.append({"id": axis.pk, "name": axis.name, "slug": axis.slug, "categories": []})
        axes[-1]["categories"].append(
            {
                "id": category.pk,
                "key": f"{category.axis.slug}={category.slug}",
                "name": category.name,
                "axis": category.axis.slug,
                **row(by_category.get(category.pk, _Tally()), category.quota_target),
            }
        )
    cell_rows = []
    for cell_id, first_id, second_id, target in cells:
        first, second = names.get(first_id), names.get(second_id)
        if first is None or second is None:
            continue
        cell_rows.append(
            {
                "id": cell_id,
                "key": f"{first.axis.slug}={first.slug} × {second.axis.slug}={second.slug}",
                "name": f"{first.name} × {second.name}",
                "first": f"{first.axis.slug}={first.slug}",
                "second": f"{second.axis.slug}={second.slug}",
                **row(by_cell.get((first_id, second_id), _Tally()), target),
            }
        )
    under_filled = sum(r["under_filled"] for a in axes for r in a["categories"]) + sum(
        r["under_filled"] for r in cell_rows
    )
    test_lacking = sum(r["test_lacking"] for a in axes for r in a["categories"]) + sum(
        r["test_lacking"] for r in cell_rows
    )
    totals = {
        **row(total, None),
        "target": None,
        "under_filled_rows": under_filled,
        "test_lacking_rows": test_lacking,
    }
    return {
        "dataset": dataset.pk,
        "today": today,
        "window_days": RATE_WINDOW_DAYS,
        "has_test": has_test,
        "test_frozen_at": dataset.test_frozen_at,
        "axes": axes,
        "cells": cell_rows,
        "totals": totals,
        "as_of": coverage_as_of(dataset_id=dataset.pk),
    }


def coverage_as_of(*, dataset_id: int):
    """Up to when the dataset's counters hold every change: the oldest pending delta's time
    (labeling's moves wait up to ``COVERAGE_APPLY_SECONDS`` to be folded in), else now."""
    oldest = (
        CoverageDelta.objects.filter(dataset_id=dataset_id)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return oldest or timezone.now()


def coverage_summary(*, dataset: Dataset) -> dict:
    """The dataset page's coverage: each category (with its decision) and its collected
    count, percent of target capped at 100, and the total; read from the coverage counters,
    so it costs the same at a million items."""
    report = coverage_report(dataset=dataset)
    counted = {row["id"]: row["collected"] for axis in report["axes"] for row in axis["categories"]}
    rows = []
    categories = (
        Category.objects.filter(axis__dataset=dataset)
        .select_related("axis", "decision")
        .order_by("axis__position", "axis_id", "position", "id")
    )
    for category in categories:
        category.collected = counted.get(category.pk, 0)
        target = category.quota_target
        percent = min(100, round(100 * category.collected / target)) if target else 0
        rows.append({"category": category, "percent": percent})
    return {"rows": rows, "collected": report["totals"]["collected"]}


def dataset_list_overview(*, datasets: QuerySet[Dataset]) -> list[dict]:
    """The datasets list: each dataset with its item count, how far its quotas are met and a
    thumbnail, in three queries however many datasets, categories or items there are.

    ``{"dataset", "items", "percent", "categories", "filled", "cover"}``: ``percent`` is the
    share of the quota targets met, each category counting up to its own target (None when
    no category has a target); ``filled`` of ``categories`` with a target reached theirs;
    ``cover`` is the newest processed item's id (its thumbnail), or None. Counts come from
    the coverage counters, never from counting items.
    """
    newest = (
        Item.objects.filter(dataset=OuterRef("pk"), processing=Item.Processing.READY, stripped=True)
        .exclude(status__in=UNCOUNTED_STATUSES)
        .order_by("-id")
        .values("pk")[:1]
    )
    rows = list(datasets.annotate(cover=Subquery(newest)))
    ids = [dataset.pk for dataset in rows]
    targets: dict[int, dict[int, int]] = defaultdict(dict)
    for category_id, dataset_id, target in Category.objects.filter(
        axis__dataset_id__in=ids, quota_target__gt=0
    ).values_list("id", "axis__dataset_id", "quota_target"):
        targets[dataset_id][category_id] = target
    items: dict[int, int] = defaultdict(int)
    collected: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for dataset_id, key, count in (
        CoverageCount.objects.filter(dataset_id__in=ids)
        .exclude(count=0)
        .exclude(status__in=UNCOUNTED_STATUSES)
        .values_list("dataset_id", "category_key")
        .annotate(n=Sum("count"))
        .values_list("dataset_id", "category_key", "n")
        .order_by()
    ):
        items[dataset_id] += count
        for category_id in _key_ids(key):
            collected[dataset_id][category_id] += count
    overview = []
    for dataset in rows:
        quotas = targets[dataset.pk]
        met = [min(collected[dataset.pk][pk], target) for pk, target in quotas.items()]
        whole = sum(quotas.values())
        overview.append(
            {
                "dataset": dataset,
                "items": items[dataset.pk],
                "percent": math.floor(100 * sum(met) / whole) if whole else None,
                "categories": len(quotas),
                "filled": sum(m == quotas[pk] for m, pk in zip(met, quotas, strict=True)),
                "cover": dataset.cover,
            }
        )
    return overview


def coverage_csv_rows(*, report: dict) -> list[list]:
    """The report as CSV rows, a header first: one row per category, then per cell."""
    header = [
        "kind",
        "key",
        "name",
        "target",
        "collected",
        "new",
        "in_labeling",
        "labeled",
        "accepted",
        "percent",
        "accepted_percent",
        "under_filled",
        "rate_per_day",
        "eta",
        *(f"split_{split}" for split in SPLITS),
        "test_lacking",
    ]

    def line(kind: str, row: dict) -> list:
        return [
            kind,
            row["key"],
            row["name"],
            row["target"],
            row["collected"],
            row["new"],
            row["in_labeling"],
            row["labeled"],
            row["accepted"],
            "" if row["percent"] is None else row["percent"],
            "" if row["accepted_percent"] is None else row["accepted_percent"],
            int(row["under_filled"]),
            row["rate"],
            row["eta"].isoformat() if row["eta"] else "",
            *(row["splits"][split] for split in SPLITS),
            int(row["test_lacking"]),
        ]

    rows = [header]
    rows += [line("category", row) for axis in report["axes"] for row in axis["categories"]]
    rows += [line("cell", row) for row in report["cells"]]
    return rows


def split_summary(*, dataset: Dataset, runs: int = 50, counts: dict | None = None) -> dict:
    """Current items per split (from the counters, unless given) and the newest split runs."""
    if counts is None:
        counts = dict.fromkeys(SPLITS, 0)
        for split, count in (
            CoverageCount.objects.filter(dataset=dataset)
            .exclude(status__in=UNCOUNTED_STATUSES)
            .values_list("split")
            .annotate(n=Sum("count"))
            .values_list("split", "n")
            .order_by()
        ):
            counts[split or "unassigned"] += count or 0
    return {
        "test_frozen_at": dataset.test_frozen_at,
        "counts": counts,
        "runs": list(
            SplitRun.objects.filter(dataset=dataset)
            .select_related("created_by")
            .order_by("-id")[:runs]
        ),
    }
