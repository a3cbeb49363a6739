"""The pipeline page: the stages of a dataset, the form planners change them with, the diagram.

The diagram is plain SVG laid out here and drawn by ``datasets/_pipeline.html``, which the
dataset page includes too.
"""

import unicodedata
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.forms import show_refusal
from datasets import policy, selectors, services
from datasets.forms import StageForm
from datasets.models import Dataset, Stage
from datasets.selectors import REQUIREMENT_FIELDS
from datasets.services.stages import stage_input_label, stage_output_label

#: Layout of the diagram, in SVG user units.
BOX_WIDTH, GAP_Y, MARGIN, BOX_PAD = 250, 20, 10, 10
SOURCE_WIDTH, SOURCE_HEIGHT = 90, 44
LINE_HEIGHT, FONT_SIZE, NAME_SIZE, LABEL_SIZE = 20, 12, 13, 11
MIN_GAP_X = 56


def _stage_initial(stage: Stage) -> dict:
    fields = ("name", "slug", "input_kind", "input_type", "padding", "padding_unit")
    fields += ("output_kind", "output_type", "output_attribute", "export_formats")
    return {name: getattr(stage, name) for name in (*fields, *REQUIREMENT_FIELDS, "decision")}


@dataclass
class Pipeline:
    """The stages of a dataset and their diagram: boxes, arrows and the drawing's size."""

    stages: list[Stage]
    boxes: list[dict] = field(default_factory=list)
    arrows: list[dict] = field(default_factory=list)
    source: dict = field(default_factory=dict)
    width: int = 0
    height: int = 0

    def __iter__(self):
        return iter(self.stages)

    def __len__(self) -> int:
        return len(self.stages)


def _char_width(char: str) -> float:
    """A character's advance in em, rounded up for the sans-serif fonts a browser picks
    (DejaVu Sans, Noto Sans CJK): the diagram is laid out here, where no text is measured."""
    if unicodedata.east_asian_width(char) in "WF":
        return 1.0
    if char == " ":
        return 0.35
    if char in "il.,:;|!'`()[]{}/-":
        return 0.45
    if char in "mwMW":
        return 1.0
    if char.isascii() and char.isupper():
        return 0.8
    if char.isascii():
        return 0.66
    return 1.0  # arrows, ≤, ·, letters of other scripts


def text_width(text: str, size: float) -> float:
    """How wide ``text`` may be drawn at ``size`` pixels: never less than a browser draws it."""
    return sum(_char_width(char) for char in text) * size


def _wrapped(text: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width``: broken between words, and inside a word
    only when the word alone is wider."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if line and text_width(line + char, size) > width:
                lines.append(line)
                line = ""
            line += char
    if line or not lines:
        lines.append(line)
    return lines


def _box_lines(stage: Stage) -> list[dict]:
    """The text of a stage's box: name, input → output, then each requirement that is set."""
    lines = [
        {"text": stage.name, "class": "name"},
        {"text": f"{stage_input_label(stage)} → {stage_output_label(stage)}", "class": "io"},
    ]
    if stage.latency_ms is not None:
        lines.append({"text": _("≤ %(ms)s ms") % {"ms": stage.latency_ms}, "class": "req"})
    if stage.latency_offline:
        span = _("offline: %(span)s") % {"span": stage.latency_offline}
        lines.append({"text": span, "class": "req"})
    if stage.latency_online:
        span = _("online: %(span)s") % {"span": stage.latency_online}
        lines.append({"text": span, "class": "req"})
    if stage.metric:
        target = (
            _("%(metric)s ≥ %(target)s")
            % {"metric": stage.metric, "target": f"{stage.metric_target:g}"}
            if stage.metric_target is not None
            else stage.metric
        )
        lines.append({"text": target, "class": "req"})
    serving = [_("%(qps)s QPS") % {"qps": f"{stage.qps_target:g}"}] if stage.qps_target else []
    if stage.serving:
        serving.append(str(stage.get_serving_display()))
    if serving:
        lines.append({"text": " · ".join(serving), "class": "req"})
    return lines


def stage_pipeline(dataset: Dataset) -> Pipeline:
    """Lay the stages out left to right: a crop stage sits right of the stage whose boxes it
    reads; stages reading the image sit right of the image. One query, whatever the size.

    Nothing is clipped and nothing overlaps: each box's text is wrapped to its width and the
    box grows to hold it, boxes of a column are stacked by their heights, and the gap between
    columns is as wide as the widest arrow label, which sits in that gap beside its box."""
    stages = list(selectors.stage_list(dataset=dataset))
    pipeline = Pipeline(stages=stages)
    producers: dict[int, Stage] = {}
    for stage in stages:
        if stage.output_kind == Stage.Output.BOXES:
            producers.setdefault(stage.output_type_id, stage)
    columns: dict[int, int] = {}

    def column(stage: Stage, seen: frozenset = frozenset()) -> int:
        if stage.pk not in columns:
            producer = producers.get(stage.input_type_id) if stage.input_type_id else None
            if producer is None or producer.pk in seen or producer.pk == stage.pk:
                columns[stage.pk] = 1
            else:
                columns[stage.pk] = column(producer, seen | {stage.pk}) + 1
        return columns[stage.pk]

    labels = {
        stage.pk: _("crops(%(type)s)") % {"type": stage.input_type.slug} if stage.input_type else ""
        for stage in stages
    }
    gap = max([MIN_GAP_X, *(text_width(label, LABEL_SIZE) + 24 for label in labels.values())])
    gap = int(gap + 0.5)
    inner = BOX_WIDTH - 2 * BOX_PAD
    bottoms: dict[int, int] = {}
    places: dict[int, dict] = {}
    for stage in stages:
        col = column(stage)
        lines = []
        for line in _box_lines(stage):
            size = NAME_SIZE * 1.1 if line["class"] == "name" else FONT_SIZE  # bold is wider
            lines.extend({**line, "text": part} for part in _wrapped(line["text"], size, inner))
        height = 2 * BOX_PAD + len(lines) * LINE_HEIGHT
        x = MARGIN + SOURCE_WIDTH + gap + (col - 1) * (BOX_WIDTH + gap)
        y = bottoms.get(col, MARGIN - GAP_Y) + GAP_Y
        bottoms[col] = y + height
        box = {
            "stage": stage,
            "x": x,
            "y": y,
            "width": BOX_WIDTH,
            "height": height,
            "title": " — ".join(line["text"] for line in _box_lines(stage)),
            "io": f"{stage_input_label(stage)} → {stage_output_label(stage)}",
            "lines": [
                {**line, "x": x + BOX_PAD, "y": y + BOX_PAD + 13 + i * LINE_HEIGHT}
                for i, line in enumerate(lines)
            ],
        }
        places[stage.pk] = box
        pipeline.boxes.append(box)
    first = pipeline.boxes[0] if pipeline.boxes else {"y": MARGIN, "height": SOURCE_HEIGHT}
    source_y = first["y"] + (first["height"] - SOURCE_HEIGHT) // 2
    pipeline.source = {
        "x": MARGIN,
        "y": source_y,
        "width": SOURCE_WIDTH,
        "height": SOURCE_HEIGHT,
        "label": _("image"),
        "text_x": MARGIN + SOURCE_WIDTH // 2,
        "text_y": source_y + SOURCE_HEIGHT // 2 + 5,
    }
    for stage in stages:
        box = places[stage.pk]
        producer = producers.get(stage.input_type_id) if stage.input_type_id else None
        start = places.get(producer.pk) if producer and producer.pk != stage.pk else None
        if start is None or columns[start["stage"].pk] >= columns[stage.pk]:
            x1 = pipeline.source["x"] + SOURCE_WIDTH
            y1 = pipeline.source["y"] + SOURCE_HEIGHT // 2
        else:
            x1, y1 = start["x"] + BOX_WIDTH, start["y"] + start["height"] // 2
        x2, y2 = box["x"], box["y"] + box["height"] // 2
        middle = (x1 + x2) // 2
        pipeline.arrows.append(
            {
                "stage": stage,
                "path": f"M {x1} {y1} C {middle} {y1}, {middle} {y2}, {x2} {y2}",
                "label": labels[stage.pk],
                "label_x": x2 - gap // 2,
                "label_y": y2 - 8,
                "dashed": bool(stage.input_type) and start is None,
            }
        )
    columns_used = max(columns.values(), default=0)
    pipeline.width = MARGIN * 2 + SOURCE_WIDTH + columns_used * (BOX_WIDTH + gap)
    pipeline.height = MARGIN + max([*bottoms.values(), source_y + SOURCE_HEIGHT])
    return pipeline


def _stages_url(dataset: Dataset) -> str:
    """The pipeline page, opened at the list of stages, where a change shows."""
    return reverse("datasets:stages", args=[dataset.pk]) + "#stage-list"


def _render_stages(request, dataset: Dataset, *, status: int = 200, form=None, editing=None):
    can_edit = policy.can_edit_dataset(request.user, dataset)
    context = {
        "dataset": dataset,
        "stages": stage_pipeline(dataset),
        "can_edit": can_edit,
        "can_export": policy.can_request_export(request.user, dataset),
        "editing": editing,
    }
    if can_edit:
        context["form"] = form or StageForm(dataset=dataset)
    return render(request, "datasets/stages.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def stages_page(request, dataset_id: int):
    """The model pipeline of a dataset; planners add stages here."""
    dataset = policy.dataset_for(request.user, dataset_id)
    if request.method != "POST":
        return _render_stages(request, dataset)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    form = StageForm(request.POST, dataset=dataset)
    if form.is_valid():
        try:
            stage = services.stage_create(dataset=dataset, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_refusal(form, error)
            return _render_stages(request, dataset, status=error.status, form=form)
        messages.success(request, _("Stage “%(name)s” was added.") % {"name": stage.name})
        return redirect(_stages_url(dataset))
    return _render_stages(request, dataset, status=400, form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def stage_edit(request, dataset_id: int, stage_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    stage = get_object_or_404(dataset.stages, pk=stage_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    if request.method != "POST":
        form = StageForm(initial=_stage_initial(stage), dataset=dataset)
        return _render_stages(request, dataset, form=form, editing=stage)
    form = StageForm(request.POST, dataset=dataset)
    if form.is_valid():
        try:
            services.stage_update(stage=stage, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_refusal(form, error)
            return _render_stages(request, dataset, status=error.status, form=form, editing=stage)
        messages.success(request, _("Stage “%(name)s” was saved.") % {"name": stage.name})
        return redirect(_stages_url(dataset))
    return _render_stages(request, dataset, status=400, form=form, editing=stage)


@login_required
@require_POST
def stage_remove(request, dataset_id: int, stage_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    stage = get_object_or_404(dataset.stages, pk=stage_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    services.stage_delete(stage=stage, by=request.user)
    messages.success(request, _("Stage “%(name)s” was removed.") % {"name": stage.name})
    return redirect(_stages_url(dataset))


@login_required
@require_POST
def stage_move(request, dataset_id: int, stage_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    stage = get_object_or_404(dataset.stages, pk=stage_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    try:
        position = int(request.POST.get("position", ""))
        services.stage_move(stage=stage, position=position, by=request.user)
    except (ValueError, DomainError):
        messages.error(request, _("The stage could not be moved there."))
    return redirect(_stages_url(dataset))
