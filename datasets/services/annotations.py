"""The annotation check: a canonical annotation held against the schema, taxonomy and image.

``annotation_validate`` names every problem it finds, by region and field, and changes
nothing; the API's validate endpoint, ground truth and labeling's saves all call it.
"""

import functools
import math

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import DomainError
from datasets.latex import latex_check
from datasets.models import AttributeDef, Dataset

REGION_KEYS = {"id", "type", "bbox", "attributes", "parent"}
ANNOTATION_KEYS = {"regions", "categories"}


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


@functools.lru_cache(maxsize=256)
def _schema_at(dataset_id: int, spec_version: int) -> dict[str, dict]:
    return schema_of(Dataset(pk=dataset_id))


def schema_at(*, dataset_id: int, spec_version: int) -> dict[str, dict]:
    """``schema_of`` at one spec version, kept in memory: every schema change raises the
    dataset's spec version (``spec_change_record``), so a version's schema never changes.
    Labeling's saves validate with it instead of reading the schema anew each time."""
    return _schema_at(dataset_id, spec_version)


def schema_forget() -> None:
    """Drop the kept schemas (a spec change in this process; other processes read the new
    version's key)."""
    _schema_at.cache_clear()


def _is_number(value) -> bool:
    """A finite int or float; an int too large for a float (400 digits) is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _is_angle(value) -> bool:
    """Degrees clockwise on the upright photo: -90 < value <= 90, at most one decimal."""
    low, high = AttributeDef.ANGLE_RANGE
    return _is_number(value) and low < value <= high and round(value, 1) == value


class _Problems(dict):
    def add(self, field: str, message: str) -> None:
        self[field] = f"{self[field]} {message}" if field in self else message


def _bbox_check(bbox, width: float, height: float, problems: _Problems, where: str):
    if not isinstance(bbox, list | tuple) or len(bbox) != 4 or not all(map(_is_number, bbox)):
        problems.add(where, _("A box is four numbers: x, y, width, height."))
        return None
    x, y, w, h = (float(value) for value in bbox)
    if w < 0 or h < 0:
        problems.add(where, _("A box's width and height cannot be negative."))
    elif w == 0 or h == 0:
        problems.add(where, _("The box has zero size."))
    elif x < 0 or y < 0 or x + w > width + 1e-6 or y + h > height + 1e-6:
        problems.add(
            where,
            _("The box lies outside the image (%(width)s × %(height)s).")
            % {"width": width, "height": height},
        )
    return [x, y, w, h]


def _attribute_check(
    definition: AttributeDef, value, problems: _Problems, where: str, draft: bool = False
) -> None:
    kind = definition.kind
    if kind == AttributeDef.Kind.BOOLEAN:
        if not isinstance(value, bool):
            problems.add(where, _("Expected true or false."))
    elif kind == AttributeDef.Kind.ANGLE:
        if not _is_angle(value):
            low, high = AttributeDef.ANGLE_RANGE
            problems.add(
                where,
                _(
                    "An angle is a number of degrees clockwise, more than %(low)s and at most "
                    "%(high)s, with at most one decimal place."
                )
                % {"low": low, "high": high},
            )
    elif not isinstance(value, str):
        problems.add(where, _("Expected text."))
    elif kind == AttributeDef.Kind.CHOICE and value not in definition.choices:
        problems.add(
            where,
            _("“%(value)s” is not one of %(choices)s.")
            % {"value": value, "choices": ", ".join(definition.choices)},
        )
    elif len(value) > settings.ANNOTATION_MAX_TEXT:
        problems.add(
            where,
            _("The text is %(length)s characters long; the limit is %(limit)s.")
            % {"length": len(value), "limit": settings.ANNOTATION_MAX_TEXT},
        )
    elif kind == AttributeDef.Kind.LATEX and not draft:
        error = latex_check(value)
        if error is not None:
            problems.add(where, _("The LaTeX does not parse: %(error)s") % {"error": error})


def _region_check(
    region: dict, schema: dict, width, height, problems, where: str, draft: bool
) -> dict:
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
            _attribute_check(attribute, value, problems, f"{where}.attributes.{name}", draft)
    for name, attribute in definition["attributes"].items():
        if (
            not draft
            and attribute.required
            and (name not in attributes or attributes[name] is None or attributes[name] == "")
        ):
            problems.add(f"{where}.attributes.{name}", _("This attribute is required."))
    return out


def _categories_check(dataset: Dataset, categories, problems: _Problems) -> dict:
    if categories is None or categories == {}:
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


def _limit_error(count: int) -> DomainError:
    message = _("The annotation has %(count)s regions; the limit is %(limit)s.") % {
        "count": count,
        "limit": settings.ANNOTATION_MAX_REGIONS,
    }
    return DomainError(message, code="too_many_regions", fields={"regions": message})


def _depth_check(checked, by_id: dict, problems: _Problems) -> None:
    """Parents that loop back (r1 → r2 → r1) or nest deeper than the limit."""
    limit = settings.ANNOTATION_MAX_DEPTH
    for where, out in checked:
        seen, parent, depth = {id(out)}, out["parent"], 0
        while isinstance(parent, str) and parent in by_id:
            region = by_id[parent]
            depth += 1
            if id(region) in seen:
                problems.add(f"{where}.parent", _("The region's parents loop back to it."))
                break
            if depth > limit:
                problems.add(
                    f"{where}.parent",
                    _("Regions nest deeper than %(limit)s levels.") % {"limit": limit},
                )
                break
            seen.add(id(region))
            parent = region["parent"]


def annotation_validate(
    *,
    dataset: Dataset,
    annotation,
    width: int,
    height: int,
    draft: bool = False,
    spec_version: int | None = None,
) -> dict:
    """Hold a canonical annotation against the schema, taxonomy and image size.

    A ``draft`` is checked for structure only: a missing required attribute and LaTeX that
    does not parse yet (half-typed) pass; everything else, the limits included, is checked.
    More than ``ANNOTATION_MAX_REGIONS`` regions is refused before any is looked at.

    Returns it normalised (boxes as floats, ``attributes``, ``parent`` and ``categories``
    present); otherwise raises one ``invalid_annotation`` error whose ``fields`` name every
    problem by region, e.g. ``{"regions.r2.bbox": "The box lies outside the image…"}``.
    Given the dataset's current ``spec_version``, the schema is the one kept for it.
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
    if len(regions) > settings.ANNOTATION_MAX_REGIONS:
        raise _limit_error(len(regions))
    if spec_version is None:
        schema = schema_of(dataset)
    else:
        schema = schema_at(dataset_id=dataset.pk, spec_version=spec_version)
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
        out = _region_check(region, schema, width, height, problems, where, draft)
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
        if parent is out:
            problems.add(f"{where}.parent", _("A region cannot be its own parent."))
        elif parent is None:
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
    _depth_check(checked, by_id, problems)
    categories = _categories_check(dataset, annotation.get("categories"), problems)
    if problems:
        raise DomainError(
            _("The annotation has %(count)s problems; each is named in fields.")
            % {"count": len(problems)},
            code="invalid_annotation",
            fields=dict(problems),
        )
    return {"regions": [out for _where, out in checked], "categories": categories}
