"""The spec in a planner's words: what the history and the comparison of versions show.

The spec history stores what happened (``SpecChange.change``: an event code under ``kind``
and its parameters) and the spec as plain JSON (``SpecChange.snapshot``); this module turns
both into the sentences and values a reader sees, in the reader's language, when they are
shown. Field names become the labels the forms use, values the words the pages use (a yes or
no, a serving target's name, "decision 3"), never a Python value or an internal name.
"""

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from datasets.models import AttributeDef, Axis, Category, CellQuota, RegionType, Stage

#: The model whose fields a part of the spec shows, by the kind of entry.
_MODELS = {
    "axis": Axis,
    "category": Category,
    "cell": CellQuota,
    "region_type": RegionType,
    "attribute": AttributeDef,
    "stage": Stage,
}

#: Export formats as trainers' tools call them.
EXPORT_FORMAT_NAMES = {
    "coco": "COCO",
    "yolo": "YOLO",
    "hf_imagefolder": "Hugging Face ImageFolder",
    "jsonl_crops": "JSON Lines + crops",
}


def kind_label(kind: str) -> str:
    labels = {
        "axis": _("Axis"),
        "category": _("Category"),
        "cell": _("Cell quota"),
        "region_type": _("Region type"),
        "attribute": _("Attribute"),
        "stage": _("Stage"),
    }
    return labels.get(kind, _("Spec part"))


def field_label(kind: str, field: str) -> str:
    """A field as its form labels it: ``quota_target`` → "quota target"."""
    labels = {"attributes": _("attributes"), "position": _("position"), "value": _("value")}
    if field in labels:
        return labels[field]
    model = _MODELS.get(kind)
    if model is not None:
        try:
            return str(model._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:  # a field this version of the model no longer has
            pass
    return field.replace("_", " ")


def _choice_label(kind: str, field: str, value) -> str | None:
    model = _MODELS.get(kind)
    try:
        choices = dict(model._meta.get_field(field).flatchoices) if model else {}
    except FieldDoesNotExist:
        choices = {}
    return str(choices[value]) if value in choices else None


def _attribute_shown(attribute: dict) -> str:
    kind = _choice_label("attribute", "kind", attribute.get("kind")) or attribute.get("kind", "")
    text = (
        _("%(name)s (%(kind)s, required)")
        if attribute.get("required")
        else _("%(name)s (%(kind)s)")
    ) % {"name": attribute.get("name", "?"), "kind": kind}
    if attribute.get("choices"):
        text += ": " + " / ".join(str(choice) for choice in attribute["choices"])
    return text


def value_shown(kind: str, field: str, value, names: dict | None = None) -> str:
    """A value as the pages show it: yes or no, a choice's label, a decision by number."""
    names = names or {}
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field == "decision":
        return _("decision %(id)s") % {"id": value}
    if field == "position" and isinstance(value, int):
        return str(value + 1)
    if field == "export_formats" and isinstance(value, list):
        return ", ".join(EXPORT_FORMAT_NAMES.get(str(name), str(name)) for name in value)
    if field == "attributes" and isinstance(value, list):
        return "; ".join(
            _attribute_shown(attribute) if isinstance(attribute, dict) else str(attribute)
            for attribute in value
        )
    if field in {"parents", "input_type", "output_type"}:
        slugs = value if isinstance(value, list) else [value]
        return ", ".join(names.get(("region_type", str(slug)), str(slug)) for slug in slugs)
    label = _choice_label(kind, field, value) if isinstance(value, str) else None
    if label is not None:
        return label
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(value_shown(kind, field, part, names) for part in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{field_label(kind, name)}: {value_shown(kind, name, part, names)}"
            for name, part in value.items()
        )
    return str(value)


def spec_names(*snapshots: dict) -> dict[tuple[str, str], str]:
    """What the pages call each part of the spec, by ``(kind, key)``, from these snapshots;
    a later snapshot's name wins."""
    names: dict[tuple[str, str], str] = {}
    for snapshot in snapshots:
        for axis in snapshot.get("axes", []):
            names[("axis", axis["slug"])] = axis.get("name") or axis["slug"]
            for category in axis.get("categories", []):
                key = f"{axis['slug']}={category['slug']}"
                names[("category", key)] = category.get("name") or category["slug"]
        for region_type in snapshot.get("schema", []):
            names[("region_type", region_type["slug"])] = (
                region_type.get("name") or (region_type["slug"])
            )
        for stage in snapshot.get("stages", []):
            names[("stage", stage["slug"])] = stage.get("name") or stage["slug"]
    return names


def entry_title(kind: str, key: str, names: dict) -> str:
    """An entry of a comparison as people name it: "Capture: Shadow", "Shadow × Hand"."""
    if kind == "category":
        axis = key.partition("=")[0]
        return f"{names.get(('axis', axis), axis)}: {names.get(('category', key), key)}"
    if kind == "cell":
        first, _times, second = key.partition(" × ")
        return " × ".join(names.get(("category", part), part) for part in (first, second))
    return names.get((kind, key), key if kind in _MODELS else kind_label(kind))


def fields_in_order(kind: str, fields) -> list[str]:
    """Fields in the order their model declares them (JSON storage keeps no order)."""
    model = _MODELS.get(kind)
    order = [field.name for field in model._meta.get_fields()] if model else []
    return sorted(fields, key=lambda name: order.index(name) if name in order else len(order))


def _fields_shown(kind: str, before: dict, after: dict, names: dict | None = None) -> str:
    return "; ".join(
        _("%(field)s %(before)s → %(after)s")
        % {
            "field": field_label(kind, field),
            "before": value_shown(kind, field, before.get(field), names),
            "after": value_shown(kind, field, after[field], names),
        }
        for field in fields_in_order(kind, after)
    )


def _stage_io(record: dict) -> dict:
    """A stage record's input and output as the pipeline says them: crop(formula) → latex."""
    if record.get("input_kind") == Stage.Input.CROP:
        stage_input = _("crop(%(type)s)") % {"type": record.get("input_type") or "?"}
    else:
        stage_input = _("image")
    if record.get("output_kind") == Stage.Output.BOXES:
        stage_output = _("boxes(%(type)s)") % {"type": record.get("output_type") or "?"}
    else:
        stage_output = str(record.get("output_attribute") or "?")
    return {"input": stage_input, "output": stage_output}


def spec_change_text(change: dict) -> str:
    """One line of the spec history in the reader's language, from its event and parameters."""
    event = change.get("kind", "")
    before, after = change.get("before") or {}, change.get("after") or {}

    def named(slug_key: str) -> str:
        return str(change.get("name") or change.get(slug_key) or "?")

    if event == "legacy":
        return str(change.get("text", ""))
    if event == "axis_created":
        return _("Added axis “%(name)s”.") % {"name": named("axis")}
    if event == "axis_changed":
        return _("Changed axis “%(name)s”: %(fields)s.") % {
            "name": named("axis"),
            "fields": _fields_shown("axis", before, after),
        }
    if event == "axis_deleted":
        return _("Deleted axis “%(name)s”.") % {"name": named("axis")}
    if event == "category_created":
        return _("Added category “%(name)s” to %(axis)s with a quota of %(quota)s.") % {
            "name": named("category"),
            "axis": change.get("axis_name") or change.get("axis", "?"),
            "quota": change.get("quota_target", 0),
        }
    if event == "category_changed":
        return _("Changed category “%(name)s”: %(fields)s.") % {
            "name": named("category"),
            "fields": _fields_shown("category", before, after),
        }
    if event == "category_deleted":
        return _("Deleted category “%(name)s”.") % {"name": named("category")}
    if event in {"cell_quota_set", "cell_quota_deleted"}:
        cell = {
            "first": change.get("first_name") or change.get("first", "?"),
            "second": change.get("second_name") or change.get("second", "?"),
        }
        if event == "cell_quota_deleted":
            return _("Removed the quota of cell %(first)s × %(second)s.") % cell
        if change.get("before") and before.get("quota_target") == after.get("quota_target"):
            return _("Linked cell %(first)s × %(second)s to %(decision)s.") % {
                **cell,
                "decision": value_shown("cell", "decision", after.get("decision")),
            }
        return _("Set the quota of cell %(first)s × %(second)s to %(quota)s.") % {
            **cell,
            "quota": after.get("quota_target", "?"),
        }
    if event == "region_type_created":
        return _("Added region type “%(name)s”.") % {"name": named("region_type")}
    if event == "region_type_changed":
        return _("Changed region type “%(name)s”: %(fields)s.") % {
            "name": named("region_type"),
            "fields": _fields_shown("region_type", before, after),
        }
    if event == "region_type_deleted":
        return _("Deleted region type “%(name)s”.") % {"name": named("region_type")}
    attribute = {"type": change.get("region_type", "?"), "name": change.get("attribute", "?")}
    if event == "attribute_created":
        kind = _choice_label("attribute", "kind", change.get("attribute_kind"))
        return _("Added attribute “%(name)s” (%(kind)s) to region type “%(type)s”.") % {
            **attribute,
            "type": change.get("type_name") or attribute["type"],
            "kind": kind or change.get("attribute_kind", "?"),
        }
    if event == "attribute_changed":
        return _("Changed attribute “%(type)s.%(name)s”: %(fields)s.") % {
            **attribute,
            "fields": _fields_shown("attribute", before, after),
        }
    if event == "attribute_deleted":
        return _("Deleted attribute “%(type)s.%(name)s”.") % attribute
    if event == "stage_created":
        return _("Added stage “%(name)s”: %(input)s → %(output)s.") % {
            "name": after.get("name") or change.get("stage", "?"),
            **_stage_io(after),
        }
    if event == "stage_changed":
        return _("Changed stage “%(name)s”: %(fields)s.") % {
            "name": named("stage"),
            "fields": _fields_shown("stage", before, after),
        }
    if event == "stage_deleted":
        return _("Deleted stage “%(name)s”.") % {
            "name": (change.get("before") or {}).get("name") or change.get("stage", "?")
        }
    if event == "stage_moved":
        return _("Moved stage “%(name)s” from position %(old)s to %(new)s.") % {
            "name": named("stage"),
            "old": before.get("position", 0) + 1,
            "new": after.get("position", 0) + 1,
        }
    return _("Changed the spec.")


def comparison_rows(comparison: dict, before: dict, after: dict) -> dict[str, list[dict]]:
    """A comparison as the page shows it: one row per entry, titled by name, each field by its
    label, values in words; ``before`` and ``after`` are the two snapshots compared."""
    names = spec_names(before, after)

    def row(entry: dict) -> dict:
        kind = entry["kind"]
        old, new = entry.get("before") or {}, entry.get("after") or {}
        return {
            "kind": kind_label(kind),
            "title": entry_title(kind, entry["key"], names),
            "fields": [
                {
                    "name": field_label(kind, field),
                    "before": value_shown(kind, field, old.get(field), names),
                    "after": value_shown(kind, field, new.get(field), names),
                }
                for field in fields_in_order(kind, {**old, **new})
            ],
        }

    parts = ("added", "removed", "changed")
    return {part: [row(entry) for entry in comparison[part]] for part in parts}
