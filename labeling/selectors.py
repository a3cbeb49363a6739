"""The labeling app's reads: task kinds in words, batches with their progress."""

import functools
import time
from collections import Counter, defaultdict

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from datasets import selectors as dataset_selectors
from datasets.models import AttributeDef, GroundTruthVersion, Item, RegionType
from guides import selectors as guide_selectors
from labeling.models import (
    Annotation,
    AnnotationChange,
    Batch,
    Delivery,
    DeliveryLine,
    SkipReason,
    Task,
    TaskKind,
    TaskSkip,
)

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
    need's "axis=category" key), each with counts per status; two queries at most.

    ``skipped_by_all``: open tasks every active annotator of the vendor skipped (no one is
    left to take them); ``remaining``: what is still to label (open and leased, less
    those); ``ready``: nothing remains but tasks skipped by all and finished ones, so those
    do not hold the batch up (review treats them as set aside)."""
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
    skipped = len(skipped_by_all_ids(batch=batch)) if by_status[Task.Status.OPEN] else 0
    remaining = by_status[Task.Status.OPEN] + by_status[Task.Status.LEASED] - skipped
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
        "skipped_by_all": skipped,
        "remaining": remaining,
        "ready": live > 0 and remaining == 0 and not by_status[Task.Status.RETURNED],
    }


# --- tasks every annotator skipped ----------------------------------------------------------


def active_annotators(*, vendor_id: int) -> QuerySet[User]:
    """The vendor's annotators who may still take a task: active users, active members."""
    return User.objects.filter(
        is_active=True,
        role=Role.ANNOTATOR,
        vendor_member__vendor_id=vendor_id,
        vendor_member__deactivated_at__isnull=True,
    )


def skipped_by_all_ids(*, batch: Batch) -> list[int]:
    """Ids of the batch's open tasks that every active annotator of its vendor skipped, in
    id order: no one is left who may take them. A vendor without active annotators has
    none (nothing was skipped by them; the tasks wait for people). One query."""
    active = active_annotators(vendor_id=batch.vendor_id)
    how_many = (
        active.order_by().values("vendor_member__vendor_id").annotate(n=Count("id")).values("n")[:1]
    )
    return list(
        TaskSkip.objects.filter(
            task__batch=batch, task__status=Task.Status.OPEN, annotator__in=active
        )
        .values("task_id")
        .annotate(n=Count("annotator_id", distinct=True))
        .filter(n=Subquery(how_many))
        .order_by("task_id")
        .values_list("task_id", flat=True)
    )


def tasks_skipped_by_all(*, batch: Batch) -> list[dict]:
    """The batch's tasks every active annotator skipped, in id order, each with its item
    and its skips: the reason (code and label in the reader's language), the note, who
    and when. Three queries however many tasks."""
    ids = skipped_by_all_ids(batch=batch)
    if not ids:
        return []
    labels = dict(skip_reasons(dataset_id=batch.dataset_id))
    tasks = (
        Task.objects.filter(pk__in=ids)
        .select_related("item")
        .prefetch_related(
            Prefetch(
                "skips",
                queryset=TaskSkip.objects.select_related("annotator").order_by("at", "id"),
            )
        )
        .order_by("id")
    )
    return [
        {
            "id": task.pk,
            "item": {
                "id": task.item_id,
                "width": task.item.width,
                "height": task.item.height,
                "category_key": task.item.category_key,
            },
            "skips": [
                {
                    "reason": skip.reason,
                    "reason_label": labels.get(skip.reason, skip.reason),
                    "note": skip.note,
                    "annotator": skip.annotator.get_full_name() or skip.annotator.username,
                    "at": skip.at,
                }
                for skip in task.skips.all()
            ],
        }
        for task in tasks
    ]


# --- the hand-out -------------------------------------------------------------------------


#: What an annotator may skip a task for, where a dataset has no list of its own.
DEFAULT_SKIP_REASONS = (
    ("unreadable", gettext_lazy("The image is unreadable (blurred, dark, cut off)")),
    ("no_content", gettext_lazy("There is nothing of this kind to label in it")),
    ("wrong_dataset", gettext_lazy("The image does not belong in this dataset")),
    ("unsure", gettext_lazy("The guide does not say how to label this")),
    ("other", gettext_lazy("Another reason (say which in the note)")),
)


@functools.lru_cache(maxsize=512)
def _kind_parts(kind_id: int) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    kind = TaskKind(pk=kind_id)
    types = kind.types.order_by("position", "id").values_list("slug", flat=True)
    attributes = kind.attributes.order_by("region_type__position", "position", "id")
    return tuple(types), tuple(attributes.values_list("region_type__slug", "name"))


def kind_parts(kind_id: int) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """A task kind's region types and (type, attribute) pairs in schema order, kept in
    memory: what a kind edits is fixed once it has a batch, and only tasks ask."""
    return _kind_parts(kind_id)


def kind_parts_forget() -> None:
    _kind_parts.cache_clear()


def kind_type_slugs(task: Task) -> set[str]:
    return set(kind_parts(task.task_kind_id)[0])


def item_facts(task: Task) -> tuple[int, int, bool, int]:
    """What a save or a task read needs of its item: width, height, whether it has ground
    truth, and its dataset's spec version; read with the task's lock when it was
    (``handout.task_locked_for``), else in one query."""
    if hasattr(task, "item_width"):
        width, height = task.item_width, task.item_height
        truth, types, spec_version = task.item_truth, task.item_truth_types, task.item_spec_version
    else:
        width, height, truth, types, spec_version = (
            Item.objects.filter(pk=task.item_id)
            .values_list(
                "width", "height", "ground_truth_id", "truth_types", "dataset__spec_version"
            )
            .get()
        )
    return width, height, truth is not None or bool(types), spec_version


def locked_regions(*, task: Task, has_truth: bool = True) -> tuple[list[dict], int | None]:
    """The item's ground-truth regions the task's kind does not edit, and the ground-truth
    version they come from (None: the item has no ground truth; ``has_truth`` False says
    so already, and nothing is read)."""
    if not has_truth:
        return [], None
    row = (
        GroundTruthVersion.objects.filter(item_id=task.item_id)
        .order_by("-number")
        .values_list("number", "annotation")
        .first()
    )
    if row is None:
        return [], None
    number, annotation = row
    editable = kind_type_slugs(task)
    regions = annotation.get("regions", []) if isinstance(annotation, dict) else []
    return [r for r in regions if isinstance(r, dict) and r.get("type") not in editable], number


def task_document(*, task: Task, has_truth: bool = True) -> tuple[dict, int]:
    """The task's annotation and its version: the last save, else the locked regions
    alone (version 0). A claim or a save reads the annotation with the task
    (``annotation_read``: None when there is none)."""
    if hasattr(task, "annotation_read"):
        annotation = task.annotation_read
    else:
        annotation = Annotation.objects.filter(task=task).only("document", "version").first()
    if annotation is not None:
        return annotation.document, annotation.version
    regions, _number = locked_regions(task=task, has_truth=has_truth)
    return {"regions": regions, "categories": {}}, 0


#: Skip reasons change rarely (the planner's list), and every task read shows them: each
#: process keeps a dataset's for this long.
SKIP_REASONS_KEPT_SECONDS = 60
_skip_reasons_kept: dict[int, tuple[float, list[tuple[str, str]]]] = {}


def skip_reasons(*, dataset_id: int) -> list[tuple[str, str]]:
    """(code, label) an annotator may skip a task of the dataset for: the dataset's own
    list, else the defaults (their labels in the reader's language)."""
    kept = _skip_reasons_kept.get(dataset_id)
    if kept is None or time.monotonic() - kept[0] > SKIP_REASONS_KEPT_SECONDS:
        own = list(
            SkipReason.objects.filter(dataset_id=dataset_id)
            .order_by("position", "id")
            .values_list("code", "label")
        )
        kept = (time.monotonic(), own)
        _skip_reasons_kept[dataset_id] = kept
    return kept[1] or [(code, str(label)) for code, label in DEFAULT_SKIP_REASONS]


def annotation_limits() -> dict:
    return {
        "regions": settings.ANNOTATION_MAX_REGIONS,
        "text": settings.ANNOTATION_MAX_TEXT,
        "depth": settings.ANNOTATION_MAX_DEPTH,
        "body_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    }


def task_payload(*, task: Task) -> dict:
    """A task as the labeling tool reads it (the API adds its image URLs): its annotation
    and version, the item's size, what the kind edits (everything else is locked), the
    lease, the skip reasons and the limits. Expects ``batch`` and ``task_kind`` loaded."""
    width, height, has_truth, _spec = item_facts(task)
    document, version = task_document(task=task, has_truth=has_truth)
    kind = task.task_kind
    editable, attributes = kind_parts(kind.pk)
    present = {region.get("type") for region in document.get("regions", [])}
    return {
        "id": task.pk,
        "batch": task.batch_id,
        "dataset": task.batch.dataset_id,
        "task_kind": {
            "id": kind.pk,
            "name": kind.name,
            "types": list(editable),
            "attributes": [{"type": t, "name": name} for t, name in attributes],
        },
        "status": task.status,
        "status_label": task.get_status_display(),
        "lease_expires_at": task.lease_expires_at,
        "version": version,
        "annotation": document,
        "locked_types": sorted(t for t in present if t and t not in editable),
        "item": {"id": task.item_id, "width": width, "height": height},
        "skip_reasons": [
            {"code": code, "label": label}
            for code, label in skip_reasons(dataset_id=task.batch.dataset_id)
        ],
        "limits": annotation_limits(),
    }


def task_history(*, task: Task) -> list[dict]:
    """The annotation's history, oldest first: who, when, what changed, under which guide
    versions, with how much active time. Authors are shown by name."""
    rows = (
        AnnotationChange.objects.filter(annotation__task=task)
        .select_related("author")
        .order_by("id")
    )
    return [
        {
            "kind": row.kind,
            "kind_label": row.get_kind_display(),
            "author": (row.author.get_full_name() or row.author.username) if row.author else None,
            "started_at": row.started_at,
            "at": row.at,
            "version": row.version,
            "changes": row.changes,
            "guide_versions": row.guide_versions,
            "active_seconds": row.active_seconds,
        }
        for row in rows
    ]


# --- deliveries -----------------------------------------------------------------------------


def delivery_list(*, deliveries: QuerySet[Delivery]) -> QuerySet[Delivery]:
    """Deliveries newest first, with who delivered them and their batch."""
    return deliveries.select_related("created_by", "batch").order_by("-id")


def delivery_line_list(*, delivery: Delivery, outcome: str | None = None) -> QuerySet:
    """A delivery's lines in file order; ``outcome`` keeps the accepted or refused ones."""
    lines = DeliveryLine.objects.filter(delivery=delivery)
    if outcome:
        lines = lines.filter(outcome=outcome)
    return lines.order_by("number")


# --- the labeling tool ----------------------------------------------------------------------


def task_tool(*, task: Task) -> dict:
    """What the labeling tool needs beside the task: the dataset's label schema, its taxonomy
    with the names planners typed, the item's categories now (to confirm or correct), the
    guide versions the task is labeled under, and where the annotator's figures are.
    Expects ``batch`` loaded; seven queries."""
    dataset = task.batch.dataset
    item = Item.objects.prefetch_related(dataset_selectors.category_links()).get(pk=task.item_id)
    axes = [
        {
            "slug": axis.slug,
            "name": axis.name,
            "categories": [{"slug": c.slug, "name": c.name} for c in axis.categories.all()],
        }
        for axis in dataset_selectors.axis_list(dataset=dataset)
    ]
    return {
        "dataset": dataset.pk,
        "schema": dataset_selectors.schema_snapshot(dataset),
        "axes": axes,
        "item_categories": dataset_selectors.item_categories(item),
        "guides": guide_selectors.versions_applying(
            dataset_id=dataset.pk, task_kind_id=task.task_kind_id
        ),
        "figures_url": reverse("labeling-api:my-figures"),
    }
