from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import DomainError
from datasets.coverage import coverage_report
from datasets.files import FILE_KINDS as FILE_KINDS
from datasets.files import category_example_file as category_example_file
from datasets.files import item_file as item_file
from datasets.files import item_file_name as item_file_name
from datasets.models import (
    Axis,
    Category,
    CellQuota,
    Dataset,
    Item,
    RequirementDecision,
    SpecChange,
    Upload,
    UploadEntry,
)


def dataset_list(*, visible: QuerySet[Dataset]) -> QuerySet[Dataset]:
    return visible.select_related("created_by").order_by("-id")


def axis_list(*, dataset: Dataset) -> QuerySet[Axis]:
    categories = Category.objects.select_related("decision").order_by("position", "id")
    return dataset.axes.prefetch_related(Prefetch("categories", queryset=categories)).order_by(
        "position", "id"
    )


def spec_history(*, dataset: Dataset) -> QuerySet[SpecChange]:
    return dataset.spec_changes.select_related("changed_by").order_by("-version")


def coverage_summary(*, dataset: Dataset) -> dict:
    """The dataset page's coverage: each category (with its decision) and its collected
    count, percent of target capped at 100, and the total; read from the coverage counters,
    so it costs the same at a million items."""
    report = coverage_report(dataset)
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


def upload_list(*, dataset: Dataset) -> QuerySet[Upload]:
    return _upload_counts(dataset.uploads.select_related("created_by")).order_by("-id")


def _upload_counts(uploads: QuerySet[Upload]) -> QuerySet[Upload]:
    """Each upload with how its entries ended and how far the worker is, in the same query."""
    outcome = UploadEntry.Outcome
    return uploads.annotate(
        entries_done=Count("entries"),
        added=Count("entries", filter=Q(entries__outcome=outcome.ADDED)),
        duplicates=Count("entries", filter=Q(entries__outcome=outcome.DUPLICATE)),
        refused=Count("entries", filter=Q(entries__outcome=outcome.REFUSED)),
        processed=Count(
            "entries",
            filter=Q(
                entries__outcome=outcome.ADDED, entries__item__processing=Item.Processing.READY
            ),
        ),
    )


def upload_detail(*, dataset: Dataset, upload_id: int) -> Upload | None:
    return _upload_counts(dataset.uploads.filter(pk=upload_id)).first()


def upload_entry_list(*, upload: Upload) -> QuerySet[UploadEntry]:
    return upload.entries.select_related("item")


# Requirement decisions, cell quotas and spec versions.


def decision_list(*, dataset: Dataset) -> QuerySet[RequirementDecision]:
    """Open questions first, then answered ones, each with what it decided."""
    answered = ExpressionWrapper(Q(answered_at__isnull=False), output_field=BooleanField())
    return (
        dataset.decisions.select_related("asked_by")
        .prefetch_related(
            Prefetch("categories", queryset=Category.objects.select_related("axis")),
            Prefetch(
                "cell_quotas",
                queryset=CellQuota.objects.select_related("first__axis", "second__axis"),
            ),
        )
        .alias(answered=answered)
        .order_by("answered", "id")
    )


def open_decision_list(*, dataset: Dataset) -> QuerySet[RequirementDecision]:
    return dataset.decisions.filter(answered_at__isnull=True).order_by("id")


def cell_quota_list(*, dataset: Dataset) -> QuerySet[CellQuota]:
    return dataset.cell_quotas.select_related("first__axis", "second__axis", "decision").order_by(
        "first__axis__position", "first__position", "second__axis__position", "second__position"
    )


def category_by_key(*, dataset: Dataset, key: str) -> Category | None:
    """The category named ``"axis=slug"`` in this dataset, or None."""
    axis, sep, slug = key.partition("=")
    if not sep:
        return None
    return (
        Category.objects.select_related("axis")
        .filter(axis__dataset=dataset, axis__slug=axis, slug=slug)
        .first()
    )


#: The spec as it stood when the dataset was created: nothing chosen yet.
EMPTY_SPEC = {"axes": [], "cells": []}


def spec_snapshot_at(*, dataset: Dataset, version: int) -> dict:
    """The whole spec at one version, from its history row; version 1 may be the empty start."""
    change = dataset.spec_changes.filter(version=version).first()
    if change is not None:
        return change.snapshot
    if version == 1:
        return EMPTY_SPEC
    raise DomainError(
        _("Spec version %(version)s does not exist; this dataset has versions 1 to %(last)s.")
        % {"version": version, "last": dataset.spec_version},
        code="unknown_version",
    )


def _spec_entries(snapshot: dict) -> dict[tuple[str, str], dict]:
    """Flatten a snapshot into ``{(kind, key): fields}``: one entry per axis, category, cell.

    Region types of the label schema and stages are entries too; parts of the spec this does
    not know yet compare whole.
    """
    entries: dict[tuple[str, str], dict] = {}
    for axis in snapshot.get("axes", []):
        fields = {name: value for name, value in axis.items() if name not in {"slug", "categories"}}
        entries[("axis", axis["slug"])] = fields
        for category in axis.get("categories", []):
            key = f"{axis['slug']}={category['slug']}"
            entries[("category", key)] = {
                name: value for name, value in category.items() if name != "slug"
            }
    for cell in snapshot.get("cells", []):
        key = f"{cell['first']} × {cell['second']}"
        entries[("cell", key)] = {
            name: value for name, value in cell.items() if name not in {"first", "second"}
        }
    for region_type in snapshot.get("schema", []):
        entries[("region_type", region_type["slug"])] = {
            name: value for name, value in region_type.items() if name != "slug"
        }
    for stage in snapshot.get("stages", []):
        entries[("stage", stage["slug"])] = {
            name: value for name, value in stage.items() if name != "slug"
        }
    for part, value in snapshot.items():
        if part not in {"axes", "cells", "schema", "stages"}:
            entries[(part, part)] = {"value": value}
    return entries


def spec_compare(*, dataset: Dataset, from_version: int, to_version: int) -> dict:
    """What was added, removed and changed between two spec versions, and the steps between.

    Each entry is ``{"kind": "category", "key": "capture=shadow", ...}`` with ``after`` (added),
    ``before`` (removed) or both holding only the fields that changed (changed).
    """
    before = _spec_entries(spec_snapshot_at(dataset=dataset, version=from_version))
    after = _spec_entries(spec_snapshot_at(dataset=dataset, version=to_version))
    added = [
        {"kind": kind, "key": key, "after": fields}
        for (kind, key), fields in after.items()
        if (kind, key) not in before
    ]
    removed = [
        {"kind": kind, "key": key, "before": fields}
        for (kind, key), fields in before.items()
        if (kind, key) not in after
    ]
    changed = []
    for (kind, key), fields in after.items():
        old = before.get((kind, key))
        if old is None or old == fields:
            continue
        names = [name for name in {**old, **fields} if old.get(name) != fields.get(name)]
        changed.append(
            {
                "kind": kind,
                "key": key,
                "before": {name: old.get(name) for name in names},
                "after": {name: fields.get(name) for name in names},
            }
        )
    low, high = sorted((from_version, to_version))
    changes = spec_history(dataset=dataset).filter(version__gt=low, version__lte=high)
    return {
        "from_version": from_version,
        "to_version": to_version,
        "added": added,
        "removed": removed,
        "changed": changed,
        "changes": changes.order_by("version"),
    }


def region_type_list(*, dataset: Dataset) -> QuerySet:
    """The label schema: region types in order, with their attributes and parents."""
    return dataset.region_types.prefetch_related("attributes", "parents").order_by("position", "id")
