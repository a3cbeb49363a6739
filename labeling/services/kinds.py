"""Task kinds: what one pass of labeling edits on a dataset, and what it needs first."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets.models import AttributeDef, Dataset, RegionType
from labeling.models import Batch, TaskKind
from labeling.selectors import kind_parts_forget


def _refuse(message: str, *, field: str, code: str, status: int = 400) -> None:
    raise DomainError(message, code=code, status=status, fields={field: message})


def _check(
    *,
    dataset: Dataset,
    types: list[RegionType],
    attributes: list[AttributeDef],
    requires: list[RegionType],
) -> None:
    """Refuse parts of another dataset's schema, attributes of types the kind does not
    edit, a precondition that overlaps what it edits, and a nested type whose parents the
    kind neither edits nor needs."""
    if not types:
        _refuse(_("A task kind edits at least one region type."), field="types", code="no_types")
    for field, parts in (("types", types), ("requires", requires)):
        for region_type in parts:
            if region_type.dataset_id != dataset.pk:
                _refuse(
                    _("Region type “%(type)s” is not of this dataset's label schema.")
                    % {"type": region_type.slug},
                    field=field,
                    code="type_not_in_schema",
                )
    edited = {region_type.pk for region_type in types}
    for attribute in attributes:
        if attribute.region_type_id not in edited:
            _refuse(
                _("Attribute “%(attribute)s” belongs to a region type this kind does not edit.")
                % {"attribute": str(attribute)},
                field="attributes",
                code="attribute_not_edited",
            )
    overlap = sorted(t.slug for t in requires if t.pk in edited)
    if overlap:
        _refuse(
            _("A kind cannot both edit and need %(types)s.") % {"types": ", ".join(overlap)},
            field="requires",
            code="requires_overlaps_types",
        )
    reachable = edited | {region_type.pk for region_type in requires}
    for region_type in types:
        if region_type.top_level:
            continue
        parents = list(region_type.parents.all())
        if parents and not any(parent.pk in reachable for parent in parents):
            _refuse(
                _(
                    "%(type)s regions sit inside %(parents)s regions: edit those too, or need "
                    "them accepted first."
                )
                % {"type": region_type.name, "parents": ", ".join(p.name for p in parents)},
                field="requires",
                code="parent_not_reachable",
            )


@transaction.atomic
def task_kind_create(
    *,
    dataset: Dataset,
    name: str,
    slug: str,
    types: list[RegionType],
    attributes: list[AttributeDef] = (),
    requires: list[RegionType] = (),
    description: str = "",
    by: User | None = None,
) -> TaskKind:
    """A pass of labeling on ``dataset``: the types and attributes it edits, the accepted
    types it needs. Refused (400, naming the field) when the parts are not of the dataset's
    schema or do not fit together; a slug in use is a 409."""
    types, attributes, requires = list(types), list(attributes), list(requires)
    _check(dataset=dataset, types=types, attributes=attributes, requires=requires)
    try:
        with transaction.atomic():
            kind = TaskKind.objects.create(
                dataset=dataset, name=name, slug=slug, description=description, created_by=by
            )
    except IntegrityError:
        _refuse(
            _("This dataset already has a task kind “%(slug)s”.") % {"slug": slug},
            field="slug",
            code="slug_taken",
            status=409,
        )
    kind.types.set(types)
    kind.attributes.set(attributes)
    kind.requires.set(requires)
    return kind


@transaction.atomic
def task_kind_update(
    *,
    kind: TaskKind,
    name: str | None = None,
    description: str | None = None,
    types: list[RegionType] | None = None,
    attributes: list[AttributeDef] | None = None,
    requires: list[RegionType] | None = None,
    by: User | None = None,
) -> TaskKind:
    """Rename or describe a kind; its types, attributes and precondition only until a batch
    of it exists (409 after: its batches were cut for what it edits)."""
    kind = TaskKind.objects.select_for_update().get(pk=kind.pk)
    if any(value is not None for value in (types, attributes, requires)):
        if Batch.objects.filter(task_kind=kind).exists():
            raise DomainError(
                _("“%(name)s” has batches: what it edits and needs is fixed.")
                % {"name": kind.name},
                code="task_kind_in_use",
                status=409,
            )
        types = list(kind.types.all()) if types is None else list(types)
        attributes = list(kind.attributes.all()) if attributes is None else list(attributes)
        requires = list(kind.requires.all()) if requires is None else list(requires)
        _check(dataset=kind.dataset, types=types, attributes=attributes, requires=requires)
        kind.types.set(types)
        kind.attributes.set(attributes)
        kind.requires.set(requires)
        kind_parts_forget()
    fields = []
    if name is not None:
        kind.name = name
        fields.append("name")
    if description is not None:
        kind.description = description
        fields.append("description")
    if fields:
        kind.save(update_fields=fields)
    return kind
