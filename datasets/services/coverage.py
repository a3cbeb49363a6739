"""Coverage counters: how many items share each combination of categories, split and status.

Every service that adds or removes an item, or changes its categories, split or status,
moves the counters in the same transaction through ``coverage_move``; the dashboard then
reads a few hundred counter rows instead of counting items. ``coverage_recount`` rebuilds
them from the items with one grouped query, for repair and for the tests that check them.

Labeling's hot moves (submit, reopen, return, accept) must not wait on a counter row that
every annotator of the dataset shares, so they pass ``deferred=True``: the change is inserted
as ``CoverageDelta`` rows (insert-only, nothing shared) and ``coverage_deltas_apply`` — the
beat job every ``COVERAGE_APPLY_SECONDS`` — folds them into the counters. the coverage
report's ``as_of`` says up to when the counters are complete.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from datasets.models import (
    UNCOUNTED_STATUSES,
    CoverageCount,
    CoverageDaily,
    CoverageDelta,
    Dataset,
    Item,
)

#: (category_key, split, status) of one item: the unit the counters count.
Stratum = tuple[str, str, str]


def category_key_for(category_ids: Iterable[int]) -> str:
    """The item's category ids, sorted and joined by dots: ``"3.9"``; no categories is ``""``."""
    return ".".join(str(pk) for pk in sorted(category_ids))


def stratum_of(item: Item) -> Stratum:
    return (item.category_key, item.split, item.status)


def _counted(stratum: Stratum | None) -> Stratum | None:
    """A vendor's photo awaiting acceptance, or rejected, is in no counter: None."""
    if stratum is None or stratum[2] in UNCOUNTED_STATUSES:
        return None
    return stratum


def _insert(table: str, columns: tuple[str, ...], rows: list, *, conflict: str = "") -> None:
    """One plain ``INSERT`` of every row (``conflict``: its ``ON CONFLICT`` clause)."""
    names = ", ".join(columns)
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    sql = f"INSERT INTO {table} ({names}) VALUES {placeholders} {conflict}"  # noqa: S608 - ours
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def _upsert(table: str, columns: tuple[str, ...], conflict: tuple[str, ...], rows: list) -> None:
    """Add each row's count to its counter, creating counters that do not exist yet.

    One ``INSERT … ON CONFLICT DO UPDATE`` (PostgreSQL and SQLite both speak it); rows are
    sorted so two transactions lock shared counters in the same order and cannot deadlock.
    """
    if not rows:
        return
    _insert(
        table,
        columns,
        sorted(rows),
        conflict=f"ON CONFLICT ({', '.join(conflict)}) "
        f"DO UPDATE SET count = {table}.count + excluded.count",
    )


def coverage_move(
    *,
    dataset_id: int,
    moves: Counter[tuple[Stratum | None, Stratum | None]],
    deferred: bool = False,
):
    """Apply item moves: ``{(before, after): n}``; ``None`` before means added, after removed.

    A stratum whose status is uncounted (``UNCOUNTED_STATUSES``: a collected photo awaiting
    acceptance, or rejected) is no stratum: moving into one removes the item from the
    counters, moving out of one adds it. ``deferred``: record the change as deltas for
    ``coverage_deltas_apply`` instead of moving the counters now.
    """
    deltas: Counter[Stratum] = Counter()
    for (before, after), n in moves.items():
        before, after = _counted(before), _counted(after)
        if before == after or not n:
            continue
        if before is not None:
            deltas[before] -= n
        if after is not None:
            deltas[after] += n
    if deferred:  # every submit records some: one plain INSERT
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        rows = [(dataset_id, *stratum, n, now) for stratum, n in sorted(deltas.items()) if n]
        if rows:
            _insert(
                CoverageDelta._meta.db_table,
                ("dataset_id", "category_key", "split", "status", "count", "created_at"),
                rows,
            )
        return
    _upsert(
        CoverageCount._meta.db_table,
        ("dataset_id", "category_key", "split", "status", "count"),
        ("dataset_id", "category_key", "split", "status"),
        [(dataset_id, *stratum, n) for stratum, n in deltas.items() if n],
    )


def coverage_collected(*, dataset_id: int, keys: Counter[str], day: date | None = None) -> None:
    """Count items collected today (or on ``day``) per category key: the fill rate."""
    day = day or timezone.localdate()
    _upsert(
        CoverageDaily._meta.db_table,
        ("dataset_id", "category_key", "day", "count"),
        ("dataset_id", "category_key", "day"),
        [(dataset_id, key, day, n) for key, n in keys.items() if n],
    )


def _deltas_take(dataset_id: int | None) -> list[tuple]:
    """Remove the pending deltas (of one dataset, or all) and return them as rows.

    PostgreSQL: one ``DELETE … RETURNING``, so two appliers running at once never fold one
    delta twice (the second finds the rows gone). SQLite writes one at a time anyway.
    """
    table = CoverageDelta._meta.db_table
    where, params = ("WHERE dataset_id = %s", [dataset_id]) if dataset_id else ("", [])
    columns = "dataset_id, category_key, split, status, count"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {table} {where} RETURNING {columns}", params)  # noqa: S608
            return cursor.fetchall()
        cursor.execute(f"SELECT id, {columns} FROM {table} {where}", params)  # noqa: S608
        rows = cursor.fetchall()
        ids = [row[0] for row in rows]
        for start in range(0, len(ids), 500):  # SQLite's limit on parameters
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk)  # noqa: S608
        return [row[1:] for row in rows]


@transaction.atomic
def coverage_deltas_apply(*, dataset_id: int | None = None) -> int:
    """Fold the pending deltas (of one dataset, or of all) into the counters: how many.

    One delete and one counter upsert, in one transaction: the counters and the deltas
    never both hold a change, nor neither.
    """
    rows = _deltas_take(dataset_id)
    sums: Counter[tuple] = Counter()
    for dataset, key, split, status, n in rows:
        sums[(dataset, key, split, status)] += n
    _upsert(
        CoverageCount._meta.db_table,
        ("dataset_id", "category_key", "split", "status", "count"),
        ("dataset_id", "category_key", "split", "status"),
        [(*key, n) for key, n in sums.items() if n],
    )
    return len(rows)


@transaction.atomic
def coverage_recount(*, dataset: Dataset) -> None:
    """Rebuild the dataset's counters from its items with one grouped query (the pending
    deltas, already in the items, are dropped)."""
    _deltas_take(dataset.pk)
    CoverageCount.objects.filter(dataset=dataset).delete()
    rows = (
        Item.objects.filter(dataset=dataset)
        .exclude(status__in=UNCOUNTED_STATUSES)
        .values("category_key", "split", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    CoverageCount.objects.bulk_create(
        CoverageCount(
            dataset=dataset,
            category_key=row["category_key"],
            split=row["split"],
            status=row["status"],
            count=row["n"],
        )
        for row in rows
    )
