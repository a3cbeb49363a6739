"""The exports page: a dataset's exports with their progress, and the form to request one.

A worker builds each export; ``static/datasets/exports.js`` polls the export API for the rows
still running and moves their bars, so the page never waits on the build.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from datasets import policy, selectors, services
from datasets.forms import ExportForm, show_refusal
from datasets.models import Dataset, Export, Stage

#: How many exports the page lists; the API lists them all.
SHOWN = 50
_UNITS = (("KB", 1024), ("MB", 1024**2), ("GB", 1024**3))


def _size_texts() -> dict[str, str]:
    """Size templates, shared with the script so both write a size the same way."""
    return {
        "bytes": _("%(size)s bytes"),
        "KB": _("%(size)s KB"),
        "MB": _("%(size)s MB"),
        "GB": _("%(size)s GB"),
    }


def size_label(size: int, texts: dict[str, str]) -> str:
    """``size`` bytes in the largest unit it fills, one decimal (exports.js mirrors this)."""
    unit, scale = next(
        ((unit, scale) for unit, scale in reversed(_UNITS) if size >= scale), ("bytes", 1)
    )
    value = str(size) if unit == "bytes" else f"{size / scale:.1f}"
    return texts[unit] % {"size": value}


def percent_done(export: Export) -> int:
    """Whole percent of the items written; only a finished export shows 100."""
    if export.status == Export.Status.DONE:
        return 100
    return min(99, 100 * export.done // export.total) if export.total else 0


def _rows(dataset: Dataset, texts: dict[str, str]) -> list[Export]:
    split_names = {"train": _("Train"), "val": _("Val"), "test": _("Test")}
    images = {Export.Images.INCLUDE: _("Included"), Export.Images.REFERENCE: _("By reference")}
    exports = list(selectors.export_list(dataset=dataset)[:SHOWN])
    for export in exports:
        export.percent = percent_done(export)
        export.split_names = ", ".join(split_names.get(s, s) for s in export.splits)
        crops = export.stage is not None and export.stage.input_kind == Stage.Input.CROP
        export.images_label = _("Crops included") if crops else images.get(export.images)
        export.size_label = size_label(export.size, texts) if export.size else ""
    return exports


def _render_exports(request, dataset: Dataset, *, form=None, status: int = 200):
    can_request = policy.can_request_export(request.user, dataset)
    sizes = _size_texts()
    context = {
        "dataset": dataset,
        "exports": _rows(dataset, sizes),
        "shown": SHOWN,
        "total": dataset.exports.count(),
        "can_request": can_request,
        "has_stages": dataset.stages.exists(),
        "text": {
            "status": {value: str(label) for value, label in Export.Status.choices},
            "count": _("%(done)s of %(total)s items"),
            "waiting": _("Waiting for a worker"),
            "joining": _("Joining %(chunks)s parts into the zip"),
            "download": _("Download"),
            "sizes": sizes,
        },
    }
    if can_request:
        initial = {"stage": request.GET.get("stage")}
        context["form"] = form or ExportForm(dataset=dataset, initial=initial)
    return render(request, "datasets/exports.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def exports_page(request, dataset_id: int):
    """The dataset's exports; planners and trainers request new ones here."""
    dataset = policy.dataset_for(request.user, dataset_id)
    if request.method != "POST":
        return _render_exports(request, dataset)
    policy.require(policy.can_request_export(request.user, dataset))
    form = ExportForm(request.POST, dataset=dataset)
    if not form.is_valid():
        return _render_exports(request, dataset, form=form, status=400)
    try:
        export = services.export_request(dataset=dataset, by=request.user, **form.cleaned_data)
    except DomainError as error:
        show_refusal(form, error)
        return _render_exports(request, dataset, form=form, status=error.status)
    messages.success(
        request,
        _("Export %(id)s of “%(stage)s” is queued; a worker builds it and its bar shows how far.")
        % {"id": export.pk, "stage": export.stage.name},
    )
    return redirect("datasets:exports", dataset.pk)
