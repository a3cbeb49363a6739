"""The exports page: a dataset's exports with their progress, and the form to request one.

A worker builds each export; ``static/exports/exports.js`` polls the export API for the rows
still running and moves their bars, so the page never waits on the build. The figures (percent,
size in bytes) are the server's; the script writes them for the reader's locale.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.forms import show_refusal
from datasets.models import Dataset, Stage
from exports import policy, selectors, services
from exports.forms import ExportForm
from exports.models import Export

#: How many exports the page lists; the API lists them all.
SHOWN = 50


def _rows(dataset: Dataset) -> list[Export]:
    split_names = {"train": _("Train"), "val": _("Val"), "test": _("Test")}
    images = {Export.Images.INCLUDE: _("Included"), Export.Images.REFERENCE: _("By reference")}
    exports = list(selectors.export_list(dataset=dataset)[:SHOWN])
    for export in exports:
        export.split_names = ", ".join(split_names.get(s, s) for s in export.splits)
        crops = export.stage is not None and export.stage.input_kind == Stage.Input.CROP
        export.images_label = _("Crops included") if crops else images.get(export.images)
    return exports


def _render_exports(request, dataset: Dataset, *, form=None, status: int = 200):
    can_request = policy.can_request_export(request.user, dataset)
    context = {
        "dataset": dataset,
        "exports": _rows(dataset),
        "shown": SHOWN,
        "total": selectors.export_list(dataset=dataset).count(),
        "can_request": can_request,
        "has_stages": dataset.stages.exists(),
    }
    if can_request:
        initial = {"stage": request.GET.get("stage")}
        context["form"] = form or ExportForm(dataset=dataset, initial=initial)
    return render(request, "exports/exports.html", context, status=status)


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
