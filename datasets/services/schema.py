"""Writes of the label schema (region types and their attributes), and annotation checks.

Each schema change raises the spec version and writes one SpecChange row (``_spec_changed``),
like the taxonomy. ``annotation_validate`` holds a canonical annotation against the schema,
the taxonomy and the image size, and names every problem it finds.
"""

import math
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets.latex import latex_check
from datasets.models import AttributeDef, Dataset, Item, RegionType, Stage
from datasets.services.spec import _spec_changed

REGION_TYPE_FIELDS = ("name", "top_level", "parents")
ATTRIBUTE_FIELDS = ("name", "kind", "required", "choices")
REGION_KEYS = {"id", "type", "bbox", "attributes", "parent"}
ANNOTATION_KEYS = {"regions", "categories"}


def schema_snapshot(dataset: Dataset) -> list[dict]:
    """The label schema as plain JSON in a stable order: the ``"schema"`` part of the spec."""
    types = dataset.region_types.prefetch_related("attributes", "parents").order_by(
        "position", "id"
    )
    return [
        {
            "slug": region_type.slug,
            "name": region_type.name,
            "top_level": region_type.top_level,
            "parents": sorted(parent.slug for parent in region_type.parents.all()),
            "attributes": [
                {
                    "name": attribute.name,
                    "kind": attribute.kind,
                    "required": attribute.required,
                    "choices": list(attribute.choices),
                }
                for attribute in sorted(
                    region_type.attributes.all(), key=lambda a: (a.position, a.pk)
                )
            ],
        }
        for region_type in types
    ]


# --- region types ---------------------------------------------------------------------------


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
    _spec_changed(
        dataset=dataset,
        by=by,
        summary=_("Added region type “%(name)s”.") % {"name": name},
        change={
            "kind": "region_type_created",
            "region_type": slug,
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
    _spec_changed(
        dataset=dataset,
        by=by,
        summary=_("Changed region type “%(slug)s”: %(fields)s.")
        % {
            "slug": region_type.slug,
            "fields": ", ".join(
                f"{field} {_shown(before[field])} → {_shown(value)}"
                for field, value in after.items()
            ),
        },
        change={
            "kind": "region_type_changed",
            "region_type": region_type.slug,
            "before": {field: before[field] for field in after},
            "after": after,
        },
    )
    return region_type


def _shown(value) -> str:
    if isinstance(value, list):
        return ", ".join(value) or "—"
    return str(value)


def _truth_regions(dataset: Dataset, slug: str) -> Iterable[dict]:
    """Regions of type ``slug`` in the dataset's current ground truth (a JSON query on
    PostgreSQL); older versions keep what they hold."""
    truths = Item.objects.filter(dataset=dataset, ground_truth__isnull=False)
    if connection.features.supports_json_field_contains:
        truths = truths.filter(ground_truth__annotation__regions__contains=[{"type": slug}])
    for annotation in truths.values_list("ground_truth__annotation", flat=True).iterator():
        regions = annotation.get("regions") if isinstance(annotation, dict) else None
        for region in regions if isinstance(regions, list) else ():
            if isinstance(region, dict) and region.get("type") == slug:
                yield region


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
    dataset, slug = region_type.dataset, region_type.slug
    if next(iter(_truth_regions(dataset, slug)), None) is not None:
        raise DomainError(
            _("Ground truth holds regions of type “%(slug)s”; it cannot be deleted.")
            % {"slug": slug},
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
    _spec_changed(
        dataset=dataset,
        by=by,
        summary=_("Deleted region type “%(slug)s”.") % {"slug": slug},
        change={"kind": "region_type_deleted", "region_type": slug},
    )


# --- attributes -----------------------------------------------------------------------------


def _require_valid_attribute(
    region_type: RegionType, *, name: str, kind: str, choices, exclude=None
) -> None:
    if region_type.attributes.exclude(pk=exclude).filter(name=name).exists():
        raise DomainError(
            _("Region type “%(type)s” already has an attribute “%(name)s”.")
            % {"type": region_type.slug, "name": name},
            code="duplicate_name",
            fields={"name": _("This name is taken.")},
        )
    if kind not in AttributeDef.Kind.values:
        raise DomainError(
            _("“%(kind)s” is not a kind of attribute.") % {"kind": kind},
            code="invalid_kind",
            fields={"kind": _("Pick text, latex, boolean or choice.")},
        )
    if kind == AttributeDef.Kind.CHOICE:
        if not choices:
            raise DomainError(
                _("A choice attribute needs its choices."),
                code="choices_missing",
                fields={"choices": _("List the choices.")},
            )
        if any(not isinstance(c, str) or not c.strip() for c in choices) or len(
            set(choices)
        ) != len(choices):
            raise DomainError(
                _("Choices must be distinct, non-empty words."),
                code="invalid_choices",
                fields={"choices": _("Each choice once, none empty.")},
            )
    elif choices:
        raise DomainError(
            _("Only a choice attribute has choices; this one is %(kind)s.") % {"kind": kind},
            code="choices_not_allowed",
            fields={"choices": _("Leave the choices empty, or make it a choice.")},
        )


@transaction.atomic
def attribute_create(
    *,
    region_type: RegionType,
    name: str,
    kind: str,
    required: bool = False,
    choices: Iterable[str] = (),
    by: User | None,
) -> AttributeDef:
    choices = list(choices)
    _require_valid_attribute(region_type, name=name, kind=kind, choices=choices)
    attribute = AttributeDef.objects.create(
        region_type=region_type,
        name=name,
        kind=kind,
        required=required,
        choices=choices,
        position=region_type.attributes.count(),
    )
    _spec_changed(
        dataset=region_type.dataset,
        by=by,
        summary=_("Added attribute “%(name)s” (%(kind)s) to region type “%(type)s”.")
        % {"name": name, "kind": kind, "type": region_type.slug},
        change={
            "kind": "attribute_created",
            "region_type": region_type.slug,
            "attribute": name,
            "attribute_kind": kind,
            "required": required,
            "choices": choices,
        },
    )
    return attribute


@transaction.atomic
def attribute_update(*, attribute: AttributeDef, by: User | None, **changes) -> AttributeDef:
    """Rename an attribute or change its kind, whether it is required, its choices."""
    region_type = attribute.region_type
    changes = {field: value for field, value in changes.items() if field in ATTRIBUTE_FIELDS}
    if "choices" in changes:
        changes["choices"] = list(changes["choices"])
    before = {field: getattr(attribute, field) for field in changes}
    after = {field: value for field, value in changes.items() if value != before[field]}
    if not after:
        return attribute
    merged = {field: after.get(field, getattr(attribute, field)) for field in ATTRIBUTE_FIELDS}
    if merged["kind"] != AttributeDef.Kind.CHOICE and "kind" in after and "choices" not in after:
        merged["choices"] = after["choices"] = []  # leaving choice drops its choices
        before["choices"] = attribute.choices
    _require_valid_attribute(
        region_type,
        name=merged["name"],
        kind=merged["kind"],
        choices=merged["choices"],
        exclude=attribute.pk,
    )
    if "kind" in after and Stage.objects.filter(output_attribute=attribute).exists():
        raise DomainError(
            _("A stage outputs attribute “%(name)s”; its kind cannot change.")
            % {"name": attribute.name},
            code="attribute_in_use",
            status=409,
        )
    for field, value in after.items():
        setattr(attribute, field, value)
    attribute.save(update_fields=list(after))
    _spec_changed(
        dataset=region_type.dataset,
        by=by,
        summary=_("Changed attribute “%(type)s.%(name)s”: %(fields)s.")
        % {
            "type": region_type.slug,
            "name": before.get("name", attribute.name),
            "fields": ", ".join(
                f"{field} {_shown(before[field])} → {_shown(value)}"
                for field, value in after.items()
            ),
        },
        change={
            "kind": "attribute_changed",
            "region_type": region_type.slug,
            "attribute": before.get("name", attribute.name),
            "before": {field: before[field] for field in after},
            "after": after,
        },
    )
    return attribute


@transaction.atomic
def attribute_delete(*, attribute: AttributeDef, by: User | None) -> None:
    """Delete an attribute no stage outputs and no ground truth carries; otherwise 409."""
    region_type = attribute.region_type
    used_by = sorted(
        set(Stage.objects.filter(output_attribute=attribute).values_list("name", flat=True))
    )
    if used_by:
        raise DomainError(
            _("Attribute “%(name)s” is the output of the stages %(stages)s; change them first.")
            % {"name": attribute.name, "stages": ", ".join(used_by)},
            code="attribute_in_use",
            status=409,
        )
    carried = any(
        attribute.name in (region.get("attributes") or {})
        for region in _truth_regions(region_type.dataset, region_type.slug)
        if isinstance(region.get("attributes"), dict)
    )
    if carried:
        raise DomainError(
            _("Ground truth carries attribute “%(type)s.%(name)s”; it cannot be deleted.")
            % {"type": region_type.slug, "name": attribute.name},
            code="attribute_in_use",
            status=409,
        )
    name = attribute.name
    attribute.delete()
    _spec_changed(
        dataset=region_type.dataset,
        by=by,
        summary=_("Deleted attribute “%(type)s.%(name)s”.")
        % {"type": region_type.slug, "name": name},
        change={"kind": "attribute_deleted", "region_type": region_type.slug, "attribute": name},
    )


# --- annotations ----------------------------------------------------------------------------


def schema_of(dataset: Dataset) -> dict[str, dict]:
    """The label schema as plain data: slug → top_level, parents (slugs), attributes by name."""
    types = dataset.region_types.prefetch_related("attributes", "parents")
    return {
        region_type.slug: {
            "top_level": region_type.top_level,
            "parents": {parent.slug for parent in region_type.parents.all()},
            "attributes": {attribute.name: attribute for attribute in region_type.attributes.all()},
        }
        for region_type in types
    }


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class _Problems(dict):
    def add(self, field: str, message: str) -> None:
        self[field] = f"{self[field]} {message}" if field in self else message


def _bbox_check(bbox, width: float, height: float, problems: _Problems, where: str):
    if not isinstance(bbox, list | tuple) or len(bbox) != 4 or not all(map(_is_number, bbox)):
        problems.add(where, _("A box is four numbers: x, y, width, height."))
        return None
    x, y, w, h = (float(value) for value in bbox)
    if w <= 0 or h <= 0:
        problems.add(where, _("The box has zero size."))
    elif x < 0 or y < 0 or x + w > width + 1e-6 or y + h > height + 1e-6:
        problems.add(
            where,
            _("The box lies outside the image (%(width)s × %(height)s).")
            % {"width": width, "height": height},
        )
    return [x, y, w, h]


def _attribute_check(definition: AttributeDef, value, problems: _Problems, where: str) -> None:
    kind = definition.kind
    if kind == AttributeDef.Kind.BOOLEAN:
        if not isinstance(value, bool):
            problems.add(where, _("Expected true or false."))
    elif not isinstance(value, str):
        problems.add(where, _("Expected text."))
    elif kind == AttributeDef.Kind.CHOICE and value not in definition.choices:
        problems.add(
            where,
            _("“%(value)s” is not one of %(choices)s.")
            % {"value": value, "choices": ", ".join(definition.choices)},
        )
    elif kind == AttributeDef.Kind.LATEX:
        error = latex_check(value)
        if error is not None:
            problems.add(where, _("The LaTeX does not parse: %(error)s") % {"error": error})


def _region_check(region: dict, schema: dict, width, height, problems, where: str) -> dict:
    for key in sorted(set(region) - REGION_KEYS):
        problems.add(f"{where}.{key}", _("Unknown key."))
    out = {"id": region.get("id"), "type": region.get("type")}
    definition = schema.get(region.get("type"))
    if definition is None:
        problems.add(
            f"{where}.type",
            _("Unknown region type “%(type)s”.") % {"type": region.get("type")},
        )
    out["bbox"] = _bbox_check(region.get("bbox"), width, height, problems, f"{where}.bbox")
    attributes = region.get("attributes", {})
    if attributes is None:
        attributes = {}
    if not isinstance(attributes, dict):
        problems.add(f"{where}.attributes", _("Attributes are an object of name → value."))
        attributes = {}
    out["attributes"] = dict(attributes)
    out["parent"] = region.get("parent")
    if definition is None:
        return out
    for name, value in attributes.items():
        attribute = definition["attributes"].get(name)
        if attribute is None:
            problems.add(
                f"{where}.attributes.{name}",
                _("Region type “%(type)s” has no attribute “%(name)s”.")
                % {"type": region["type"], "name": name},
            )
        else:
            _attribute_check(attribute, value, problems, f"{where}.attributes.{name}")
    for name, attribute in definition["attributes"].items():
        if attribute.required and (
            name not in attributes or attributes[name] is None or attributes[name] == ""
        ):
            problems.add(f"{where}.attributes.{name}", _("This attribute is required."))
    return out


def _categories_check(dataset: Dataset, categories, problems: _Problems) -> dict:
    if categories is None:
        return {}
    if not isinstance(categories, dict):
        problems.add("categories", _("Categories are an object of axis → category."))
        return {}
    known: dict[str, set[str]] = {}
    for axis_slug, category_slug in dataset.axes.values_list("slug", "categories__slug"):
        known.setdefault(axis_slug, set()).add(category_slug)
    for axis, category in categories.items():
        if axis not in known:
            problems.add(f"categories.{axis}", _("Unknown axis “%(axis)s”.") % {"axis": axis})
        elif category not in known[axis]:
            problems.add(
                f"categories.{axis}",
                _("Axis “%(axis)s” has no category “%(category)s”.")
                % {"axis": axis, "category": category},
            )
    return dict(categories)


def annotation_validate(*, dataset: Dataset, annotation, width: int, height: int) -> dict:
    """Hold a canonical annotation against the schema, taxonomy and image size.

    Returns it normalised (boxes as floats, ``attributes``, ``parent`` and ``categories``
    present); otherwise raises one ``invalid_annotation`` error whose ``fields`` name every
    problem by region, e.g. ``{"regions.r2.bbox": "The box lies outside the image…"}``.
    """
    problems = _Problems()
    if not isinstance(annotation, dict):
        problems.add("annotation", _("An annotation is an object with regions and categories."))
        annotation = {}
    for key in sorted(set(annotation) - ANNOTATION_KEYS):
        problems.add(key, _("Unknown key."))
    regions = annotation.get("regions", [])
    if not isinstance(regions, list):
        problems.add("regions", _("Regions are a list."))
        regions = []
    schema = schema_of(dataset)
    checked: list[tuple[str, dict]] = []
    by_id: dict[str, dict] = {}
    for index, region in enumerate(regions):
        if not isinstance(region, dict):
            problems.add(f"regions.{index}", _("A region is an object."))
            continue
        region_id = region.get("id")
        if not isinstance(region_id, str) or not region_id:
            where = f"regions.{index}"
            problems.add(f"{where}.id", _("A region needs an id (text)."))
        elif region_id in by_id:
            where = f"regions.{index}"
            problems.add(
                f"regions.{region_id}.id",
                _("Region id “%(id)s” is used twice.") % {"id": region_id},
            )
        else:
            where = f"regions.{region_id}"
        out = _region_check(region, schema, width, height, problems, where)
        if where == f"regions.{region_id}":
            by_id[region_id] = out
        checked.append((where, out))
    for where, out in checked:
        definition = schema.get(out["type"])
        parent_id = out["parent"]
        if parent_id is None:
            if definition is not None and not definition["top_level"]:
                problems.add(
                    f"{where}.parent",
                    _("A “%(type)s” region may not stand alone; give it a parent.")
                    % {"type": out["type"]},
                )
            continue
        parent = by_id.get(parent_id) if isinstance(parent_id, str) else None
        if parent is None or parent is out:
            problems.add(
                f"{where}.parent",
                _("There is no region “%(parent)s” to nest in.") % {"parent": parent_id},
            )
        elif definition is not None and parent["type"] not in definition["parents"]:
            problems.add(
                f"{where}.parent",
                _("A “%(type)s” region may not nest in a “%(parent)s” region.")
                % {"type": out["type"], "parent": parent["type"]},
            )
    categories = _categories_check(dataset, annotation.get("categories"), problems)
    if problems:
        raise DomainError(
            _("The annotation has %(count)s problems; each is named in fields.")
            % {"count": len(problems)},
            code="invalid_annotation",
            fields=dict(problems),
        )
    return {"regions": [out for _where, out in checked], "categories": categories}
