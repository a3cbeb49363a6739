"""The pipeline page: the stages of a dataset, the form planners change them with, the diagram.

The diagram is plain SVG laid out here and drawn by ``datasets/_pipeline.html``, which the
dataset page includes too.
"""

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
BOX_WIDTH, BOX_HEIGHT, GAP_X, GAP_Y, MARGIN = 250, 132, 56, 20, 10
SOURCE_WIDTH, SOURCE_HEIGHT = 90, 44
LINE_HEIGHT, LINE_CHARS = 17, 38


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


def _clipped(text: str) -> str:
    return text if len(text) <= LINE_CHARS else text[: LINE_CHARS - 1] + "…"


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
    reads; stages reading the image sit right of the image. One query, whatever the size."""
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

    rows: dict[int, int] = {}
    places: dict[int, dict] = {}
    for stage in stages:
        col = column(stage)
        row = rows.get(col, 0)
        rows[col] = row + 1
        x = MARGIN + SOURCE_WIDTH + GAP_X + (col - 1) * (BOX_WIDTH + GAP_X)
        y = MARGIN + row * (BOX_HEIGHT + GAP_Y)
        lines = _box_lines(stage)
        box = {
            "stage": stage,
            "x": x,
            "y": y,
            "width": BOX_WIDTH,
            "height": BOX_HEIGHT,
            "title": " — ".join(line["text"] for line in lines),
            "lines": [
                {**line, "text": _clipped(line["text"]), "x": x + 10, "y": y + 22 + i * LINE_HEIGHT}
                for i, line in enumerate(lines)
            ],
        }
        places[stage.pk] = box
        pipeline.boxes.append(box)
    pipeline.source = {
        "x": MARGIN,
        "y": MARGIN + (BOX_HEIGHT - SOURCE_HEIGHT) // 2,
        "width": SOURCE_WIDTH,
        "height": SOURCE_HEIGHT,
        "label": _("image"),
        "text_x": MARGIN + SOURCE_WIDTH // 2,
        "text_y": MARGIN + BOX_HEIGHT // 2 + 5,
    }
    for stage in stages:
        box = places[stage.pk]
        producer = producers.get(stage.input_type_id) if stage.input_type_id else None
        start = places.get(producer.pk) if producer and producer.pk != stage.pk else None
        if start is None or columns[start["stage"].pk] >= columns[stage.pk]:
            x1 = pipeline.source["x"] + SOURCE_WIDTH
            y1 = pipeline.source["y"] + SOURCE_HEIGHT // 2
        else:
            x1, y1 = start["x"] + BOX_WIDTH, start["y"] + BOX_HEIGHT // 2
        x2, y2 = box["x"], box["y"] + BOX_HEIGHT // 2
        middle = (x1 + x2) // 2
        label = _("crops(%(type)s)") % {"type": stage.input_type.slug} if stage.input_type else ""
        pipeline.arrows.append(
            {
                "stage": stage,
                "path": f"M {x1} {y1} C {middle} {y1}, {middle} {y2}, {x2} {y2}",
                "label": label,
                "label_x": middle,
                "label_y": (y1 + y2) // 2 - 6,
                "dashed": bool(stage.input_type) and start is None,
            }
        )
    columns_used = max(columns.values(), default=0)
    pipeline.width = MARGIN * 2 + SOURCE_WIDTH + columns_used * (BOX_WIDTH + GAP_X)
    pipeline.height = MARGIN * 2 + max(
        max(rows.values(), default=1) * (BOX_HEIGHT + GAP_Y), BOX_HEIGHT
    )
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
