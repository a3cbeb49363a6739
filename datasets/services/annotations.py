"""The annotation check: a canonical annotation held against the schema, taxonomy and image.

``annotation_validate`` names every problem it finds, by region and field, and changes
nothing; the API's validate endpoint, ground truth and labeling's saves all call it.
"""

import math

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


def _is_number(value) -> bool:
    """A finite int or float; an int too large for a float (400 digits) is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


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
    categories = _categories_check(dataset, annotation.get("categories"), problems)
    if problems:
        raise DomainError(
            _("The annotation has %(count)s problems; each is named in fields.")
            % {"count": len(problems)},
            code="invalid_annotation",
            fields=dict(problems),
        )
    return {"regions": [out for _where, out in checked], "categories": categories}
