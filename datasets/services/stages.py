"""Writes of the model pipeline: stages, each a projection of the annotation, each versioned.

A stage reads the whole image or the crop of each region of one type and yields the boxes
of a type nested in that input or one attribute of the input region. Every write checks the
stage against the dataset's label schema and raises the spec version with a history row.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets.models import AttributeDef, Dataset, RegionType, RequirementDecision, Stage
from datasets.selectors import (
    REQUIREMENT_FIELDS,
    STAGE_FIELDS,
    stage_record,
    stage_value,
)
from datasets.services.decisions import require_own_decision
from datasets.services.spec import spec_change_record

#: Output kind → the export formats a trainer may ask for, in the order they are offered.
EXPORT_FORMATS = {
    Stage.Output.BOXES: ("coco", "yolo", "hf_imagefolder"),
    Stage.Output.ATTRIBUTE: ("jsonl_crops", "hf_imagefolder"),
}
#: Model requirements that are numbers, which are never negative.
NUMBER_FIELDS = ("latency_ms", "metric_target", "qps_target")


def _refuse(message: str, *, code: str, field: str, hint: str) -> None:
    raise DomainError(message, code=code, fields={field: hint})


def _require_choice(value, choices, field: str) -> None:
    if value not in choices:
        _refuse(
            _("“%(value)s” is not a valid %(field)s.") % {"value": value, "field": field},
            code="invalid_choice",
            field=field,
            hint=_("Pick one of: %(choices)s.") % {"choices": ", ".join(choices)},
        )


def _require_own_type(dataset: Dataset, region_type: RegionType | None, field: str) -> None:
    if region_type is not None and region_type.dataset_id != dataset.pk:
        _refuse(
            _("Region type “%(slug)s” is not part of this dataset's label schema.")
            % {"slug": region_type.slug},
            code="unknown_type",
            field=field,
            hint=_("No such region type in this dataset."),
        )


def _check_input(dataset: Dataset, state: dict) -> None:
    _require_choice(state["input_kind"], Stage.Input.values, "input_kind")
    _require_own_type(dataset, state["input_type"], "input_type")
    if state["input_kind"] == Stage.Input.CROP and state["input_type"] is None:
        _refuse(
            _("A crop stage needs the region type whose crops it reads."),
            code="type_required",
            field="input_type",
            hint=_("Pick the region type to crop."),
        )
    if state["input_kind"] == Stage.Input.IMAGE and state["input_type"] is not None:
        _refuse(
            _("A stage that reads the whole image has no input region type."),
            code="unexpected_type",
            field="input_type",
            hint=_("Leave the input type empty, or read crops instead."),
        )
    _require_choice(state["padding_unit"], Stage.PaddingUnit.values, "padding_unit")
    padding = state["padding"]
    if padding is None or padding < 0 or (state["padding_unit"] == "percent" and padding > 100):
        _refuse(
            _("Padding must be 0 or more, and at most 100 when it is a percentage."),
            code="invalid_padding",
            field="padding",
            hint=_("Enter a padding from 0 (up to 100 percent)."),
        )


def _check_output(dataset: Dataset, state: dict) -> None:
    _require_choice(state["output_kind"], Stage.Output.values, "output_kind")
    input_type, output_type = state["input_type"], state["output_type"]
    attribute = state["output_attribute"]
    _require_own_type(dataset, output_type, "output_type")
    if state["output_kind"] == Stage.Output.BOXES:
        if output_type is None:
            _refuse(
                _("A stage that outputs boxes needs the region type of those boxes."),
                code="type_required",
                field="output_type",
                hint=_("Pick the region type the stage finds."),
            )
        if attribute is not None and attribute.region_type_id != output_type.pk:
            # Boxes that carry their attribute: detection and recognition merged in one model.
            _refuse(
                _("“%(type)s” has no attribute “%(name)s”.")
                % {"type": output_type.slug, "name": attribute.name},
                code="unknown_attribute",
                field="output_attribute",
                hint=_("Pick an attribute of the output type, or leave it empty."),
            )
        if input_type is None and not output_type.top_level:
            _refuse(
                _("“%(type)s” may not stand alone on the image, so it cannot be found in it.")
                % {"type": output_type.slug},
                code="not_nested",
                field="output_type",
                hint=_("Pick a type that may stand alone, or read crops of its parent."),
            )
        if input_type is not None and not output_type.parents.filter(pk=input_type.pk).exists():
            _refuse(
                _("“%(type)s” may not nest in “%(input)s”, so it cannot be found in its crops.")
                % {"type": output_type.slug, "input": input_type.slug},
                code="not_nested",
                field="output_type",
                hint=_("Pick a type that may nest in the input type."),
            )
        return
    if output_type is not None:
        _refuse(
            _("A stage that outputs an attribute has no output region type."),
            code="unexpected_type",
            field="output_type",
            hint=_("Leave the output type empty, or output boxes instead."),
        )
    if input_type is None:
        _refuse(
            _("An attribute belongs to a region: a stage outputting one must read crops."),
            code="attribute_needs_crop",
            field="input_kind",
            hint=_("Read the crop of each region of a type."),
        )
    if attribute is None or attribute.region_type_id != input_type.pk:
        _refuse(
            _("“%(type)s” has no attribute “%(name)s”.")
            % {"type": input_type.slug, "name": attribute.name if attribute else "—"},
            code="unknown_attribute",
            field="output_attribute",
            hint=_("Pick an attribute of the input region type."),
        )


def _check_formats(state: dict) -> None:
    allowed = EXPORT_FORMATS[state["output_kind"]]
    formats = state["export_formats"]
    if not isinstance(formats, list | tuple) or not all(isinstance(f, str) for f in formats):
        formats = [str(formats)]
    unknown = [name for name in formats if name not in allowed]
    if unknown:
        _refuse(
            _("%(formats)s cannot export a stage that outputs %(kind)s.")
            % {"formats": ", ".join(unknown), "kind": state["output_kind"]},
            code="unknown_format",
            field="export_formats",
            hint=_("Pick from: %(allowed)s.") % {"allowed": ", ".join(allowed)},
        )
    state["export_formats"] = list(dict.fromkeys(formats))


def _check_requirements(dataset: Dataset, state: dict) -> None:
    for field in NUMBER_FIELDS:
        value = state[field]
        if value is not None and value < 0:
            _refuse(
                _("The %(field)s cannot be negative.") % {"field": field},
                code="invalid_requirement",
                field=field,
                hint=_("Enter 0 or more, or leave it empty."),
            )
    if state["serving"]:
        _require_choice(state["serving"], Stage.Serving.values, "serving")
    require_own_decision(dataset, state["decision"])


def _check(dataset: Dataset, state: dict, *, exclude: int | None = None) -> None:
    """Refuse a stage the label schema cannot project, or one with impossible requirements."""
    if dataset.stages.filter(slug=state["slug"]).exclude(pk=exclude).exists():
        _refuse(
            _("The stage “%(slug)s” already exists.") % {"slug": state["slug"]},
            code="duplicate_slug",
            field="slug",
            hint=_("This slug is taken."),
        )
    _check_input(dataset, state)
    _check_output(dataset, state)
    _check_formats(state)
    _check_requirements(dataset, state)


@transaction.atomic
def stage_create(
    *,
    dataset: Dataset,
    name: str,
    slug: str,
    input_kind: str,
    input_type: RegionType | None = None,
    padding: float = 0,
    padding_unit: str = Stage.PaddingUnit.PIXELS,
    output_kind: str,
    output_type: RegionType | None = None,
    output_attribute: AttributeDef | None = None,
    export_formats=(),
    decision: RequirementDecision | None = None,
    by: User | None,
    **requirements,
) -> Stage:
    """Add a stage at the end of the pipeline; ``requirements`` are the model requirements."""
    unknown = set(requirements) - set(REQUIREMENT_FIELDS)
    if unknown:
        raise TypeError(f"stage_create() got unexpected fields {sorted(unknown)}")
    state = {
        "name": name,
        "slug": slug,
        "input_kind": input_kind,
        "input_type": input_type,
        "padding": padding,
        "padding_unit": padding_unit,
        "output_kind": output_kind,
        "output_type": output_type,
        "output_attribute": output_attribute,
        "export_formats": list(export_formats),
        **{field: Stage._meta.get_field(field).get_default() for field in REQUIREMENT_FIELDS},
        **requirements,
        "decision": decision,
    }
    _check(dataset, state)
    stage = Stage.objects.create(dataset=dataset, position=dataset.stages.count(), **state)
    spec_change_record(
        dataset=dataset,
        by=by,
        change={"kind": "stage_created", "stage": slug, "after": stage_record(stage)},
    )
    return stage


@transaction.atomic
def stage_update(*, stage: Stage, by: User | None, **changes) -> Stage:
    """Change any field of a stage; the history keeps each old value."""
    unknown = set(changes) - set(STAGE_FIELDS)
    if unknown:
        raise TypeError(f"stage_update() got unexpected fields {sorted(unknown)}")
    stage = Stage.objects.select_for_update().get(pk=stage.pk)
    state = {field: getattr(stage, field) for field in STAGE_FIELDS}
    before = dict(state)
    state.update(changes)
    if "export_formats" in changes:
        state["export_formats"] = list(changes["export_formats"] or [])
    _check(stage.dataset, state, exclude=stage.pk)
    after = {
        field: value
        for field, value in state.items()
        if stage_value(value) != stage_value(before[field])
    }
    if not after:
        return stage
    for field, value in after.items():
        setattr(stage, field, value)
    stage.save(update_fields=list(after))
    spec_change_record(
        dataset=stage.dataset,
        by=by,
        change={
            "kind": "stage_changed",
            "stage": stage.slug,
            "name": stage.name,
            "before": {field: stage_value(before[field]) for field in after},
            "after": {field: stage_value(value) for field, value in after.items()},
        },
    )
    return stage


def _renumber(dataset: Dataset, ordered: list[Stage]) -> None:
    for position, stage in enumerate(ordered):
        if stage.position != position:
            stage.position = position
            stage.save(update_fields=["position"])


@transaction.atomic
def stage_delete(*, stage: Stage, by: User | None) -> None:
    """Remove a stage; the annotations stay, since a stage is only a projection of them."""
    dataset, record = stage.dataset, stage_record(stage)
    stage.delete()
    _renumber(dataset, list(dataset.stages.select_for_update().order_by("position", "id")))
    spec_change_record(
        dataset=dataset,
        by=by,
        change={"kind": "stage_deleted", "stage": record["slug"], "before": record},
    )


@transaction.atomic
def stage_move(*, stage: Stage, position: int, by: User | None) -> Stage:
    """Put a stage at ``position`` (0 is first) of the pipeline; the others keep their order."""
    dataset = stage.dataset
    ordered = list(dataset.stages.select_for_update().order_by("position", "id"))
    if position < 0 or position >= len(ordered):
        _refuse(
            _("Position %(position)s is outside the pipeline of %(count)s stages.")
            % {"position": position, "count": len(ordered)},
            code="invalid_position",
            field="position",
            hint=_("Enter a position from 0 to %(last)s.") % {"last": len(ordered) - 1},
        )
    current = next(other for other in ordered if other.pk == stage.pk)
    old = ordered.index(current)
    if old == position:
        return current
    ordered.remove(current)
    ordered.insert(position, current)
    _renumber(dataset, ordered)
    spec_change_record(
        dataset=dataset,
        by=by,
        change={
            "kind": "stage_moved",
            "stage": current.slug,
            "name": current.name,
            "before": {"position": old},
            "after": {"position": position},
        },
    )
    return current


def stage_input_label(stage: Stage) -> str:
    """What a stage reads, as people say it: ``image`` or ``crop(formula, 8 px)``."""
    if stage.input_kind == Stage.Input.IMAGE:
        return _("image")
    if stage.padding:
        unit = "px" if stage.padding_unit == Stage.PaddingUnit.PIXELS else "%"
        return _("crop(%(type)s, %(padding)s %(unit)s)") % {
            "type": stage.input_type.slug,
            "padding": f"{stage.padding:g}",
            "unit": unit,
        }
    return _("crop(%(type)s)") % {"type": stage.input_type.slug}


def stage_output_label(stage: Stage) -> str:
    """What a stage yields: ``boxes(char)`` or the attribute's name."""
    if stage.output_kind == Stage.Output.BOXES:
        return _("boxes(%(type)s)") % {"type": stage.output_type.slug}
    return stage.output_attribute.name
