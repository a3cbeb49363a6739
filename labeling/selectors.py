"""The labeling app's reads: task kinds in words, batches with their progress."""

from collections import Counter, defaultdict

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from datasets.models import AttributeDef, RegionType
from labeling.models import Batch, Task, TaskKind

#: Task statuses in the order a progress bar draws them, furthest along first.
TASK_STATUSES = [status.value for status in Task.Status]


def task_kind_list(*, kinds: QuerySet[TaskKind]) -> QuerySet[TaskKind]:
    """Kinds with their types, attributes and precondition, for lists and words."""
    return kinds.select_related("dataset").prefetch_related(
        Prefetch("types", queryset=RegionType.objects.order_by("position", "id")),
        Prefetch("requires", queryset=RegionType.objects.order_by("position", "id")),
        Prefetch(
            "attributes",
            queryset=AttributeDef.objects.select_related("region_type").order_by(
                "region_type__position", "position", "id"
            ),
        ),
    )


def task_kind_words(kind: TaskKind) -> str:
    """The kind as a planner says it: "Box characters — edits Character (symbol); needs
    accepted Formula boxes". Reads prefetched types, attributes and requires."""
    attributes = defaultdict(list)
    for attribute in kind.attributes.all():
        attributes[attribute.region_type_id].append(attribute.name)
    edits = ", ".join(
        f"{t.name} ({', '.join(attributes[t.pk])})" if attributes[t.pk] else t.name
        for t in kind.types.all()
    )
    words = _("%(name)s — edits %(types)s") % {"name": kind.name, "types": edits}
    requires = [t.name for t in kind.requires.all()]
    if requires:
        words += _("; needs accepted %(types)s boxes") % {"types": ", ".join(requires)}
    return words


def batch_list(
    *, batches: QuerySet[Batch], status: str | None = None, vendor: int | None = None
) -> QuerySet[Batch]:
    """Batches newest first with their kind, vendor and contract; ``?status=``, ``?vendor=``."""
    if status:
        batches = batches.filter(status=status)
    if vendor:
        batches = batches.filter(vendor_id=vendor)
    return batches.select_related("task_kind", "vendor", "contract", "dataset").order_by(
        "-created_at", "-id"
    )


def batch_progress_many(batch_ids: list[int]) -> dict[int, dict[str, int]]:
    """Tasks per status of each batch, one grouped query."""
    counts: dict[int, dict[str, int]] = {pk: dict.fromkeys(TASK_STATUSES, 0) for pk in batch_ids}
    for batch_id, status, n in (
        Task.objects.filter(batch_id__in=batch_ids)
        .values_list("batch_id", "status")
        .annotate(n=Count("id"))
        .values_list("batch_id", "status", "n")
        .order_by()
    ):
        counts[batch_id][status] = n
    return counts


def batch_progress(*, batch: Batch) -> dict:
    """A batch's tasks per status and per need category (its tasks' ``category_key``, the
    need's "axis=category" key), each with counts per status; two queries at most."""
    by_status = dict.fromkeys(TASK_STATUSES, 0)
    by_category: dict[str, Counter] = defaultdict(Counter)
    for key, status, n in (
        Task.objects.filter(batch=batch)
        .values_list("category_key", "status")
        .annotate(n=Count("id"))
        .values_list("category_key", "status", "n")
        .order_by()
    ):
        by_status[status] += n
        by_category[key][status] += n
    total = sum(by_status.values())
    live = total - by_status[Task.Status.CANCELLED]
    done = by_status[Task.Status.ACCEPTED]
    categories = [
        {
            "key": key,
            "total": sum(counts.values()),
            "statuses": {status: counts.get(status, 0) for status in TASK_STATUSES},
        }
        for key, counts in sorted(by_category.items())
    ]
    return {
        "total": total,
        "statuses": by_status,
        "accepted_percent": round(100 * done / live, 1) if live else None,
        "categories": categories,
    }
