"""The exports page: a dataset's exports with their progress, and the form to request one.

A worker builds each export; ``static/exports/exports.js`` polls the export API for the rows
still running and moves their bars, so the page never waits on the build. The figures (percent,
size in bytes) are the server's; the script writes them for the reader's locale.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.forms import show_refusal
from datasets.models import Dataset, Stage
from exports import policy, selectors, services
from exports.forms import ExportForm
from exports.models import Export

#: How many exports the page lists; the API lists them all.
SHOWN = 50


def _rows(request, dataset: Dataset, refused: dict[int, str]) -> list[Export]:
    split_names = {"train": _("Train"), "val": _("Val"), "test": _("Test")}
    images = {Export.Images.INCLUDE: _("Included"), Export.Images.REFERENCE: _("By reference")}
    exports = list(selectors.export_list(dataset=dataset)[:SHOWN])
    for export in exports:
        export.dataset = dataset  # read by the policy below, once
        export.split_names = ", ".join(split_names.get(s, s) for s in export.splits)
        crops = export.stage is not None and export.stage.input_kind == Stage.Input.CROP
        # what the API says too: a crop stage's export has images "include"
        export.images_label = images.get(export.images)
        if crops and export.images == Export.Images.INCLUDE:
            export.images_label = _("Crops included")
        export.can_cancel = policy.can_cancel_export(request.user, export)
        export.can_retry = policy.can_retry_export(request.user, export)
        export.retry = getattr(export, "retried_as", None)
        export.refused = refused.get(export.pk, "")
    return exports


def _render_exports(
    request, dataset: Dataset, *, form=None, status: int = 200, refused: dict | None = None
):
    can_request = policy.can_request_export(request.user, dataset)
    context = {
        "dataset": dataset,
        "exports": _rows(request, dataset, refused or {}),
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
    return _queued(request, export)


def _queued(request, export: Export):
    """Back to the page with the export's stage still chosen and a notice that goes (the
    page's script removes it) once the export is no longer running."""
    messages.success(
        request,
        _("Export %(id)s of “%(stage)s” is queued; a worker builds it and its bar shows how far.")
        % {"id": export.pk, "stage": export.stage.name},
        extra_tags=f"export-queued queued-{export.pk}",
    )
    return _back(export)


def _back(export: Export):
    url = reverse("datasets:exports", args=[export.dataset_id])
    if export.stage is not None:
        url += "?" + urlencode({"stage": export.stage.slug})
    return redirect(url)


def _export_action(request, dataset_id: int, export_id: int, *, may, act):
    """A row's button: the policy, then the service; a refusal is shown in the export's row."""
    dataset = policy.dataset_for(request.user, dataset_id)
    export = get_object_or_404(selectors.export_list(dataset=dataset), pk=export_id)
    policy.require(may(request.user, export))
    try:
        return act(export)
    except DomainError as error:
        refused = {export.pk: error.message}
        return _render_exports(request, dataset, status=error.status, refused=refused)


@login_required
@require_POST
def export_cancel(request, dataset_id: int, export_id: int):
    """Cancel a running export (its requester, or a planner)."""

    def cancel(export: Export):
        services.export_cancel(export=export, by=request.user)
        messages.success(request, _("Export %(id)s is cancelled.") % {"id": export.pk})
        return _back(export)

    return _export_action(request, dataset_id, export_id, may=policy.can_cancel_export, act=cancel)


@login_required
@require_POST
def export_retry(request, dataset_id: int, export_id: int):
    """Retry a failed or cancelled export as a new export of the same request."""

    def retry(export: Export):
        return _queued(request, services.export_retry(export=export, by=request.user))

    return _export_action(request, dataset_id, export_id, may=policy.can_retry_export, act=retry)
