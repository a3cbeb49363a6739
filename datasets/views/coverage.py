"""The coverage dashboard, its CSV, and the splits section planners assign and freeze from."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.errors import DomainError
from datasets import policy, services
from datasets.models import Dataset, SplitRun
from datasets.selectors import coverage_csv_rows, coverage_report, split_summary
from datasets.services.splits import DEFAULT_RATIOS, SPLITS

#: Stacked bar segments, furthest along first: (row key, CSS class).
_SEGMENTS = (
    ("accepted", "accepted"),
    ("labeled", "labeled"),
    ("in_labeling", "in-labeling"),
    ("new", "collected"),
)


def _with_bar(row: dict) -> dict:
    """Segment widths in percent of the target (or of what was collected, when more)."""
    scale = max(row["target"] or 0, row["collected"], 1)
    row["bar"] = [
        {"css": css, "count": row[key], "width": round(100 * row[key] / scale, 2)}
        for key, css in _SEGMENTS
        if row[key]
    ]
    return row


def _number(value: str, *, name: str) -> float:
    try:
        return float(value or 0)
    except ValueError:
        message = _("The ratio of %(split)s must be a number.") % {"split": name}
        raise DomainError(message, code="bad_ratios", fields={"ratios": message}) from None


def _seed(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        message = _("The seed must be a whole number.")
        raise DomainError(message, code="bad_seed", fields={"seed": message}) from None


def _split_post(request, dataset: Dataset) -> str:
    """Run the posted split action through the services; the success message."""
    action = request.POST.get("action")
    if action == "assign":
        ratios = {
            split: _number(request.POST.get(f"ratio_{split}", ""), name=split) for split in SPLITS
        }
        run = services.split_assign_request(
            dataset=dataset,
            ratios=ratios,
            seed=_seed(request.POST.get("seed", "")),
            scope=request.POST.get("scope", "unassigned"),
            by=request.user,
        )
        return _(
            "Split run %(id)s with seed %(seed)s is queued; a worker assigns the items and "
            "the table below shows when it is done."
        ) % {"id": run.pk, "seed": run.seed}
    if action == "freeze":
        if not request.POST.get("confirm"):
            message = _("Tick the box to confirm that the test split is to be frozen.")
            raise DomainError(message, code="confirmation_required", fields={"confirm": message})
        services.split_test_freeze(dataset=dataset, by=request.user)
        return _("The test split is frozen: its items will never change split.")
    raise DomainError(_("Unknown action."), code="bad_action")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def coverage_page(request, dataset_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    can_edit = policy.can_edit_dataset(request.user, dataset)
    error, status, form = None, 200, {}
    if request.method == "POST":
        policy.require(can_edit)
        try:
            messages.success(request, _split_post(request, dataset))
            return redirect("datasets:coverage", dataset_id=dataset.pk)
        except DomainError as refused:
            error, status, form = refused, refused.status, request.POST
    report = coverage_report(dataset=dataset)
    tables = [
        {"title": axis["name"], "kind": "axis", "rows": [_with_bar(r) for r in axis["categories"]]}
        for axis in report["axes"]
    ]
    if report["cells"]:
        tables.append(
            {"title": _("Cells"), "kind": "cells", "rows": [_with_bar(r) for r in report["cells"]]}
        )
    scopes = {
        "unassigned": _("Items without a split"),
        "all": _("Every item (the frozen test split stays)"),
        "extend_test": _("Items without a split, test included even when frozen"),
    }
    context = {
        "dataset": dataset,
        "report": report,
        "apply_seconds": round(settings.COVERAGE_APPLY_SECONDS),
        "tables": tables,
        "splits": split_summary(dataset=dataset, runs=20, counts=report["totals"]["splits"]),
        "can_edit": can_edit,
        "error": error,
        "form": {
            "ratios": [
                (split, form.get(f"ratio_{split}", DEFAULT_RATIOS[split])) for split in SPLITS
            ],
            "seed": form.get("seed", ""),
            "scope": form.get("scope", "unassigned"),
        },
        "scopes": list(scopes.items()),
    }
    for run in context["splits"]["runs"]:
        run.scope_label = scopes.get(run.scope, run.scope)
    context["splits_running"] = any(
        run.status == SplitRun.Status.RUNNING for run in context["splits"]["runs"]
    )
    return render(request, "datasets/coverage.html", context, status=status)


@login_required
@require_safe
def coverage_csv(request, dataset_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coverage-{dataset.pk}.csv"'
    writer = csv.writer(response)
    writer.writerows(coverage_csv_rows(report=coverage_report(dataset=dataset)))
    return response
