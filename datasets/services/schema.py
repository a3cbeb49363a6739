"""Writes of the label schema's region types: what annotators draw, and where it may sit.

Their attributes are written in ``services/attributes``. Each schema change raises the spec
version and writes one SpecChange row (``spec_change_record``), like the taxonomy.
Annotations are checked against the schema in ``services/annotations``.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets.models import Dataset, RegionType, Stage
from datasets.selectors import ground_truth_versions_using
from datasets.services.spec import spec_change_record

REGION_TYPE_FIELDS = ("name", "top_level", "parents")


def _require_unique_type(
    dataset: Dataset, *, slug: str | None = None, name: str | None = None, exclude=None
) -> None:
    types = dataset.region_types.exclude(pk=exclude)
    if slug is not None and types.filter(slug=slug).exists():
        raise DomainError(
            _("The region type “%(slug)s” already exists.") % {"slug": slug},
            code="duplicate_slug",
            fields={"slug": _("This slug is taken.")},
        )
    if name is not None and types.filter(name__iexact=name).exists():
        raise DomainError(
            _("A region type named “%(name)s” already exists.") % {"name": name},
            code="duplicate_name",
            fields={"name": _("This name is taken.")},
        )


def _parents_resolve(dataset: Dataset, parents: Iterable) -> list[RegionType]:
    """Region types of this dataset, given as types or slugs; an unknown one is refused."""
    wanted = [parent.slug if isinstance(parent, RegionType) else str(parent) for parent in parents]
    found = {
        region_type.slug: region_type
        for region_type in dataset.region_types.filter(slug__in=wanted)
    }
    unknown = [
        slug
        for slug, parent in zip(wanted, parents, strict=True)
        if slug not in found or (isinstance(parent, RegionType) and parent.dataset_id != dataset.pk)
    ]
    if unknown:
        raise DomainError(
            _("This dataset has no region type “%(slugs)s”.") % {"slugs": ", ".join(unknown)},
            code="unknown_parent",
            fields={"parents": _("No such region type in this dataset.")},
        )
    return sorted({found[slug] for slug in wanted}, key=lambda t: (t.position, t.pk))


def _require_no_cycle(dataset: Dataset, slug: str, parents: list[RegionType]) -> None:
    """A type may not nest in itself, directly or through its parents' parents."""
    graph: dict[str, set[str]] = {}
    for child, parent in RegionType.parents.through.objects.filter(
        from_regiontype__dataset=dataset
    ).values_list("from_regiontype__slug", "to_regiontype__slug"):
        graph.setdefault(child, set()).add(parent)
    graph[slug] = {parent.slug for parent in parents}
    seen: set[str] = set()
    todo = list(graph[slug])
    while todo:
        current = todo.pop()
        if current == slug:
            raise DomainError(
                _("Region type “%(slug)s” would nest in itself.") % {"slug": slug},
                code="nesting_cycle",
                fields={"parents": _("A type may not nest in itself, directly or not.")},
            )
        if current not in seen:
            seen.add(current)
            todo.extend(graph.get(current, ()))


def _require_a_place(top_level: bool, parents: list) -> None:
    if not top_level and not parents:
        raise DomainError(
            _("A region type that may not stand alone needs a type it may nest in."),
            code="nowhere_to_sit",
            fields={"parents": _("Pick a type it may nest in, or let it stand alone.")},
        )


@transaction.atomic
def region_type_create(
    *,
    dataset: Dataset,
    name: str,
    slug: str,
    top_level: bool = True,
    parents: Iterable = (),
    by: User | None,
) -> RegionType:
    """Add a region type; ``parents`` (types or slugs) are the types it may nest in."""
    _require_unique_type(dataset, slug=slug, name=name)
    parents = list(parents)
    if slug in {p.slug if isinstance(p, RegionType) else str(p) for p in parents}:
        _require_no_cycle(dataset, slug, [RegionType(slug=slug)])
    resolved = _parents_resolve(dataset, parents)
    _require_a_place(top_level, resolved)
    region_type = RegionType.objects.create(
        dataset=dataset,
        name=name,
        slug=slug,
        top_level=top_level,
        position=dataset.region_types.count(),
    )
    region_type.parents.set(resolved)
    spec_change_record(
        dataset=dataset,
        by=by,
        change={
            "kind": "region_type_created",
            "region_type": slug,
            "name": name,
            "top_level": top_level,
            "parents": [parent.slug for parent in resolved],
        },
    )
    return region_type


def _type_value(region_type: RegionType, field: str):
    if field == "parents":
        return sorted(parent.slug for parent in region_type.parents.all())
    return getattr(region_type, field)


@transaction.atomic
def region_type_update(*, region_type: RegionType, by: User | None, **changes) -> RegionType:
    """Rename a type, let it stand alone or not, change the types it may nest in."""
    dataset = region_type.dataset
    changes = {field: value for field, value in changes.items() if field in REGION_TYPE_FIELDS}
    if "name" in changes:
        _require_unique_type(dataset, name=changes["name"], exclude=region_type.pk)
    parents = None
    if "parents" in changes:
        wanted = list(changes["parents"])
        if region_type.slug in {p.slug if isinstance(p, RegionType) else str(p) for p in wanted}:
            _require_no_cycle(dataset, region_type.slug, [region_type])
        parents = _parents_resolve(dataset, wanted)
        _require_no_cycle(dataset, region_type.slug, parents)
        changes["parents"] = sorted(parent.slug for parent in parents)
    before = {field: _type_value(region_type, field) for field in changes}
    after = {field: value for field, value in changes.items() if value != before[field]}
    if not after:
        return region_type
    _require_a_place(
        after.get("top_level", region_type.top_level),
        parents
        if parents is not None
        else before.get("parents", _type_value(region_type, "parents")),
    )
    for field in ("name", "top_level"):
        if field in after:
            setattr(region_type, field, after[field])
    fields = [field for field in ("name", "top_level") if field in after]
    if fields:
        region_type.save(update_fields=fields)
    if "parents" in after:
        region_type.parents.set(parents)
    spec_change_record(
        dataset=dataset,
        by=by,
        change={
            "kind": "region_type_changed",
            "region_type": region_type.slug,
            "name": before.get("name", region_type.name),
            "before": {field: before[field] for field in after},
            "after": after,
        },
    )
    return region_type


@transaction.atomic
def region_type_delete(*, region_type: RegionType, by: User | None) -> None:
    """Delete a type no stage uses and no ground truth holds; otherwise refuse (409)."""
    stages = Stage.objects.filter(
        Q(input_type=region_type)
        | Q(output_type=region_type)
        | Q(output_attribute__region_type=region_type)
    )
    used_by = sorted(set(stages.values_list("name", flat=True)))
    if used_by:
        raise DomainError(
            _("Region type “%(slug)s” is used by the stages %(stages)s; change them first.")
            % {"slug": region_type.slug, "stages": ", ".join(used_by)},
            code="region_type_in_use",
            status=409,
        )
    dataset, slug, name = region_type.dataset, region_type.slug, region_type.name
    used = ground_truth_versions_using(dataset=dataset, type_slug=slug)
    if used:
        raise DomainError(
            _(
                "%(count)s ground-truth versions hold regions of type “%(slug)s”; it cannot be "
                "deleted."
            )
            % {"count": used, "slug": slug},
            code="region_type_in_use",
            status=409,
        )
    stranded = [
        child.slug
        for child in region_type.children.filter(top_level=False)
        if child.parents.count() == 1
    ]
    if stranded:
        raise DomainError(
            _("Types %(slugs)s may only nest in “%(slug)s”; change them first.")
            % {"slugs": ", ".join(stranded), "slug": slug},
            code="region_type_in_use",
            status=409,
        )
    region_type.delete()
    spec_change_record(
        dataset=dataset,
        by=by,
        change={"kind": "region_type_deleted", "region_type": slug, "name": name},
    )
