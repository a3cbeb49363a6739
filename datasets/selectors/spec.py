"""Reads of the dataset spec: datasets, the taxonomy, decisions, the label schema, versions."""

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import DomainError
from datasets.models import Axis, Category, CellQuota, Dataset, RequirementDecision, SpecChange
from datasets.selectors.pipeline import schema_snapshot, stages_snapshot


def dataset_list(*, visible: QuerySet[Dataset]) -> QuerySet[Dataset]:
    return visible.select_related("created_by").order_by("-id")


def axis_list(*, dataset: Dataset) -> QuerySet[Axis]:
    categories = Category.objects.select_related("decision").order_by("position", "id")
    return dataset.axes.prefetch_related(Prefetch("categories", queryset=categories)).order_by(
        "position", "id"
    )


def spec_history(*, dataset: Dataset) -> QuerySet[SpecChange]:
    return dataset.spec_changes.select_related("changed_by").order_by("-version")


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


# Resolvers: a slug, key or id a request names → this dataset's object, or a 400 naming the
# field. Another dataset's object is unknown here, like one that does not exist.


def axis_get(*, dataset: Dataset, slug: str) -> Axis:
    """The dataset's axis of this slug; otherwise ``unknown_axis`` on the field ``axis``."""
    axis = dataset.axes.filter(slug=slug).first()
    if axis is None:
        raise DomainError(
            _("This dataset has no axis “%(slug)s”.") % {"slug": slug},
            code="unknown_axis",
            fields={"axis": _("No such axis.")},
        )
    return axis


def category_get(*, dataset: Dataset, key: str, field: str = "category") -> Category:
    """The category named ``"axis=slug"``, with its axis; otherwise ``unknown_category``."""
    axis, sep, slug = key.partition("=")
    category = (
        Category.objects.select_related("axis")
        .filter(axis__dataset=dataset, axis__slug=axis, slug=slug)
        .first()
        if sep
        else None
    )
    if category is None:
        raise DomainError(
            _("This dataset has no category “%(key)s”; name it as axis=slug.") % {"key": key},
            code="unknown_category",
            fields={field: _("No such category.")},
        )
    return category


def decision_get(*, dataset: Dataset, decision_id: int) -> RequirementDecision:
    """The dataset's decision of this id; otherwise ``unknown_decision`` on ``decision``."""
    decision = dataset.decisions.filter(pk=decision_id).first()
    if decision is None:
        raise DomainError(
            _("This dataset has no decision %(id)s.") % {"id": decision_id},
            code="unknown_decision",
            fields={"decision": _("No such decision in this dataset.")},
        )
    return decision


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
    ``before`` (removed) or both holding only the fields that changed (changed). The older
    version is always the "from": picking them the other way round compares the same.
    ``snapshots`` holds the two whole specs compared, older first.
    """
    from_version, to_version = sorted((from_version, to_version))
    snapshots = (
        spec_snapshot_at(dataset=dataset, version=from_version),
        spec_snapshot_at(dataset=dataset, version=to_version),
    )
    before, after = (_spec_entries(snapshot) for snapshot in snapshots)
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
    changes = spec_history(dataset=dataset).filter(
        version__gt=from_version, version__lte=to_version
    )
    return {
        "from_version": from_version,
        "to_version": to_version,
        "added": added,
        "removed": removed,
        "changed": changed,
        "changes": changes.order_by("version"),
        "snapshots": snapshots,
    }


def category_key(category: Category) -> str:
    """How the spec names a category: ``"capture=shadow"``."""
    return f"{category.axis.slug}={category.slug}"


def spec_snapshot(dataset: Dataset) -> dict:
    """The whole spec as plain JSON, in a stable order: what a version of the spec *is*.

    Keys name the parts of the spec (``axes``, ``cells``); the label schema and the stages
    join as keys of their own, and comparing versions walks whatever keys are there.
    """
    categories = (
        Category.objects.filter(axis__dataset=dataset)
        .select_related("axis")
        .order_by("position", "id")
    )
    by_axis: dict[int, list[dict]] = {}
    for category in categories:
        by_axis.setdefault(category.axis_id, []).append(
            {
                "slug": category.slug,
                "name": category.name,
                "description": category.description,
                "quota_target": category.quota_target,
                "decision": category.decision_id,
            }
        )
    axes = [
        {"slug": axis.slug, "name": axis.name, "categories": by_axis.get(axis.pk, [])}
        for axis in dataset.axes.order_by("position", "id")
    ]
    cells = sorted(
        (
            {
                "first": category_key(cell.first),
                "second": category_key(cell.second),
                "quota_target": cell.quota_target,
                "decision": cell.decision_id,
            }
            for cell in CellQuota.objects.filter(dataset=dataset).select_related(
                "first__axis", "second__axis"
            )
        ),
        key=lambda cell: (cell["first"], cell["second"]),
    )
    return {
        "axes": axes,
        "cells": cells,
        "schema": schema_snapshot(dataset),
        "stages": stages_snapshot(dataset),
    }
