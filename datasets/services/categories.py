"""Category assignment: one item's categories, or every item of a selection at once.

Changes are ``{"axis slug": "category slug" or None}``: set or clear the category of each
named axis, leave the others alone. Both services share one set-based step that works on a
batch of items: it rewrites their ``ItemCategory`` rows for the named axes, recomputes each
``category_key``, moves the coverage counters and writes one history line per changed item,
all in the batch's transaction. An unknown axis or category is refused before anything is
written.
"""

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from core.tasks import JobStopped, Lease
from datasets.models import (
    UNCOUNTED_STATUSES,
    Axis,
    Category,
    CategoryChange,
    Dataset,
    Item,
    ItemCategory,
    ItemEvent,
)
from datasets.selectors import item_list
from datasets.services.coverage import (
    category_key_for,
    coverage_collected,
    coverage_move,
    stratum_of,
)

logger = logging.getLogger(__name__)

#: Items changed per transaction by the bulk service.
BULK_BATCH = 2000
#: Selections up to this size are changed inside the request; larger ones by a worker.
INLINE_LIMIT = 2000


@dataclass(frozen=True)
class _Changes:
    """Resolved changes: axis id → category id (None clears), and every category by id."""

    to: dict[int, int | None]
    axes: dict[int, Axis]
    categories: dict[int, Category]


def _changes_resolve(*, dataset_id: int, changes: Mapping, field: str) -> _Changes:
    if not isinstance(changes, Mapping):
        raise DomainError(
            _('Categories are given as an object: {"axis": "category" or null}.'),
            code="invalid",
            fields={field: _("Expected an object of axis to category.")},
        )
    axes = {axis.slug: axis for axis in Axis.objects.filter(dataset_id=dataset_id)}
    categories = {
        category.pk: category
        for category in Category.objects.filter(axis__dataset_id=dataset_id).select_related("axis")
    }
    by_key = {(category.axis_id, category.slug): category for category in categories.values()}
    to: dict[int, int | None] = {}
    for axis_slug, slug in changes.items():
        axis = axes.get(axis_slug)
        if axis is None:
            message = _("“%(axis)s” is not an axis of this dataset.") % {
                "axis": str(axis_slug)[:50]
            }
            raise DomainError(
                message, code="unknown_category", fields={f"{field}.{axis_slug}": message}
            )
        if slug in (None, ""):
            to[axis.pk] = None
            continue
        category = by_key.get((axis.pk, slug)) if isinstance(slug, str) else None
        if category is None:
            message = _("“%(category)s” is not a category of this dataset.") % {
                "category": f"{axis_slug}={str(slug)[:50]}"
            }
            raise DomainError(
                message, code="unknown_category", fields={f"{field}.{axis_slug}": message}
            )
        to[axis.pk] = category.pk
    return _Changes(to=to, axes={axis.pk: axis for axis in axes.values()}, categories=categories)


def _event_params(changes: _Changes, before: dict[int, int], after: dict[int, int]) -> dict:
    """What an item's history records of the change: each axis's slugs before and after."""

    def slug(category_id: int | None) -> str | None:
        return changes.categories[category_id].slug if category_id else None

    return {
        "changes": [
            {
                "axis": changes.axes[axis_id].slug,
                "before": slug(before.get(axis_id)),
                "after": slug(after.get(axis_id)),
            }
            for axis_id in changes.to
            if before.get(axis_id) != after.get(axis_id)
        ]
    }


def _batch_apply(*, dataset_id: int, item_ids: list[int], changes: _Changes, by) -> int:
    """Apply the changes to these items in the caller's transaction; the number changed."""
    items = list(
        Item.objects.select_for_update()
        .filter(dataset_id=dataset_id, pk__in=item_ids)
        .only("id", "dataset_id", "category_key", "split", "status", "created_at")
        .order_by("id")
    )
    links: dict[int, dict[int, int]] = defaultdict(dict)
    rows = ItemCategory.objects.filter(item_id__in=[item.pk for item in items]).values_list(
        "item_id", "axis_id", "category_id"
    )
    for item_id, axis_id, category_id in rows:
        links[item_id][axis_id] = category_id
    moves: Counter = Counter()
    collected: dict = defaultdict(Counter)
    keys: dict[str, list[int]] = defaultdict(list)
    events: list[ItemEvent] = []
    created: list[ItemCategory] = []
    changed: list[int] = []
    for item in items:
        before = links[item.pk]
        after = {**before, **changes.to}
        after = {axis_id: category_id for axis_id, category_id in after.items() if category_id}
        if after == before:
            continue
        changed.append(item.pk)
        stratum = stratum_of(item)
        key = category_key_for(after.values())
        keys[key].append(item.pk)
        moves[(stratum, (key, *stratum[1:]))] += 1
        if item.status not in UNCOUNTED_STATUSES:  # a pending photo is in no daily count
            day = timezone.localdate(item.created_at)
            collected[day][item.category_key] -= 1
            collected[day][key] += 1
        created.extend(
            ItemCategory(item_id=item.pk, axis_id=axis_id, category_id=after[axis_id])
            for axis_id in changes.to
            if axis_id in after
        )
        events.append(
            ItemEvent(
                item_id=item.pk,
                by=by,
                kind=ItemEvent.Kind.CATEGORIES,
                params=_event_params(changes, before, after),
            )
        )
    if not changed:
        return 0
    ItemCategory.objects.filter(item_id__in=changed, axis_id__in=list(changes.to)).delete()
    ItemCategory.objects.bulk_create(created)
    for key, ids in keys.items():
        Item.objects.filter(pk__in=ids).update(category_key=key)
    coverage_move(dataset_id=dataset_id, moves=moves)
    for day, counts in collected.items():
        coverage_collected(dataset_id=dataset_id, keys=counts, day=day)
    ItemEvent.objects.bulk_create(events)
    return len(changed)


@transaction.atomic
def item_categories_set(*, item: Item, changes: Mapping, by: User | None) -> Item:
    """Set or clear the item's category on each named axis; history and counters follow."""
    resolved = _changes_resolve(dataset_id=item.dataset_id, changes=changes, field="categories")
    _batch_apply(dataset_id=item.dataset_id, item_ids=[item.pk], changes=resolved, by=by)
    item.refresh_from_db()
    return item


def _set_resolve(*, dataset_id: int, changes: Mapping) -> _Changes:
    resolved = _changes_resolve(dataset_id=dataset_id, changes=changes, field="set")
    if not resolved.to:
        raise DomainError(
            _('Say which axis to set: {"axis": "category" or null}.'),
            code="nothing_to_set",
            fields={"set": _("At least one axis is required.")},
        )
    return resolved


def items_categories_bulk_set(
    *,
    dataset: Dataset,
    items: QuerySet[Item],
    changes: Mapping,
    by: User | None,
    batch_size: int = BULK_BATCH,
    on_batch: Callable[[int, int], None] | None = None,
) -> int:
    """Apply the changes to every item of the selection; the number of items that changed.

    The selection is walked by id in batches, each batch one transaction, so a selection of
    a million items never holds a million row locks. Setting is idempotent: a rerun after an
    interruption finishes the job. Nothing is written if an axis or category is unknown.
    ``on_batch(items, changed)`` hears of each batch done.
    """
    resolved = _set_resolve(dataset_id=dataset.pk, changes=changes)
    ids = (
        items.filter(dataset=dataset)
        .prefetch_related(None)
        .order_by("id")
        .values_list("id", flat=True)
    )
    changed = 0
    last = 0
    while batch := list(ids.filter(pk__gt=last)[:batch_size]):
        with transaction.atomic():
            done = _batch_apply(dataset_id=dataset.pk, item_ids=batch, changes=resolved, by=by)
        changed += done
        last = batch[-1]
        if on_batch is not None:
            on_batch(len(batch), done)
    return changed


def _selection_items(dataset: Dataset, selection: Mapping) -> QuerySet[Item]:
    """The items a stored selection names: ids, or list filters up to the newest id then."""
    if "items" in selection:
        items = dataset.items.filter(pk__in=selection["items"])
    else:
        items = item_list(dataset=dataset, filters=selection.get("filters", {}))
    if selection.get("until_id") is not None:
        items = items.filter(pk__lte=selection["until_id"])
    return items


def category_change_request(
    *, dataset: Dataset, selection: Mapping, changes: Mapping, by: User | None
) -> CategoryChange:
    """Set categories on a selection: at once when it is small, by a worker when large.

    ``selection`` is ``{"items": [ids]}`` or ``{"filters": {...}}`` (the item list's filters);
    items added after the request are not part of it. Unknown axes or categories and bad
    filters are refused before anything is written.
    """
    _set_resolve(dataset_id=dataset.pk, changes=changes)
    until_id = dataset.items.aggregate(newest=Max("id"))["newest"] or 0
    selection = {**selection, "until_id": until_id}
    total = _selection_items(dataset, selection).count()
    change = CategoryChange.objects.create(
        dataset=dataset, selection=selection, changes=dict(changes), total=total, created_by=by
    )
    if total <= INLINE_LIMIT:
        return category_change_run(change_id=change.pk)
    from datasets.tasks import category_change_task

    transaction.on_commit(partial(category_change_task.delay, change.pk))
    return change


def category_change_run(*, change_id: int) -> CategoryChange:
    """Apply a requested change batch by batch, recording progress; rerunning finishes it.

    Each batch beats the change's heartbeat lease; a change cancelled meanwhile stops after
    its batch; any error ends it failed with its reason (the batches done stay done).
    """
    running = CategoryChange.objects.filter(pk=change_id, status=CategoryChange.Status.RUNNING)
    lease = Lease.claim(running)
    change = CategoryChange.objects.select_related("dataset", "created_by").get(pk=change_id)
    if lease is None:  # finished, or a live worker is on it
        return change
    CategoryChange.objects.filter(pk=change.pk).update(done=0)

    def progress(items: int, changed: int) -> None:
        CategoryChange.objects.filter(pk=change.pk).update(
            done=F("done") + items, changed=F("changed") + changed
        )
        lease.beat()

    try:
        items_categories_bulk_set(
            dataset=change.dataset,
            items=_selection_items(change.dataset, change.selection),
            changes=change.changes,
            by=change.created_by,
            on_batch=progress,
        )
    except JobStopped:  # cancelled meanwhile: the batches done stay done
        pass
    except DomainError as error:  # the taxonomy changed since the request
        running.update(
            status=CategoryChange.Status.FAILED, error=error.message, finished_at=timezone.now()
        )
    except Exception as error:  # recorded for the planner; the worker's log has the trace
        logger.exception("category change %s failed", change.pk)
        running.update(
            status=CategoryChange.Status.FAILED,
            error=_("The change stopped after %(done)s items: %(error)s")
            % {
                "done": CategoryChange.objects.get(pk=change.pk).done,
                "error": str(error) or repr(error),
            },
            finished_at=timezone.now(),
        )
    else:
        running.update(status=CategoryChange.Status.DONE, finished_at=timezone.now())
    change.refresh_from_db()
    return change
