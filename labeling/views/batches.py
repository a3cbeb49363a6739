"""Batch pages: cut one by category need (with a preview), a dataset's batches, one batch."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.errors import DomainError
from core.forms import show_refusal
from datasets import selectors as dataset_selectors
from datasets.models import Axis, Category
from labeling import policy, selectors, services
from labeling.forms import BatchCutForm
from labeling.models import Batch, Task
from labeling.views.deliveries import batch_deliveries


def _gaps(dataset) -> dict[int, int]:
    report = dataset_selectors.coverage_report(dataset=dataset)
    return {
        row["id"]: max(
            0, (row["target"] or 0) - row["accepted"] - row["labeled"] - row["in_labeling"]
        )
        for axis in report["axes"]
        for row in axis["categories"]
    }


def _axis(request, dataset):
    axes = list(Axis.objects.filter(dataset=dataset).order_by("position", "id"))
    wanted = request.POST.get("axis") or request.GET.get("axis")
    chosen = next((axis for axis in axes if str(axis.pk) == wanted), axes[0] if axes else None)
    return axes, chosen


def _render_new(request, dataset, *, form=None, status=200):
    axes, axis = _axis(request, dataset)
    form = form or BatchCutForm(
        dataset=dataset,
        axis=axis,
        gaps=_gaps(dataset),
        initial={"task_kind": request.GET.get("kind")},
    )
    context = {
        "dataset": dataset,
        "form": form,
        "axes": axes,
        "axis": axis,
        "kinds_of_contracts": {str(c.pk): c.task_kind_id for c in form.fields["contract"].queryset},
    }
    return render(request, "labeling/batch_new.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def batch_new(request, dataset_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    policy.require(policy.can_cut_batches(request.user))
    if request.method != "POST":
        return _render_new(request, dataset)
    _axes, axis = _axis(request, dataset)
    form = BatchCutForm(request.POST, dataset=dataset, axis=axis, gaps=_gaps(dataset))
    if not form.is_valid():
        return _render_new(request, dataset, form=form, status=400)
    data = form.cleaned_data
    try:
        batch = services.batch_cut(
            dataset=dataset,
            task_kind=data["task_kind"],
            contract=data["contract"],
            need=form.need(),
            filters=form.filters(),
            due_on=data["due_on"],
            name=data["name"],
            seed=data["seed"] or None,
            allow_short=data["allow_short"],
            by=request.user,
        )
    except DomainError as error:
        names = {f"need.{key}": name for name, key in _need_keys(form)}
        error.fields = {names.get(field, field): message for field, message in error.fields.items()}
        show_refusal(form, error)
        return _render_new(request, dataset, form=form, status=error.status)
    messages.success(
        request,
        _("Batch %(id)s was cut: %(size)s tasks for %(vendor)s.")
        % {"id": batch.pk, "size": batch.size, "vendor": batch.vendor.name},
    )
    return redirect("labeling:batch-detail", batch_id=batch.pk)


def _need_keys(form):
    return [(name, f"{category.axis.slug}={category.slug}") for name, category in form.need_names]


@login_required
@require_safe
def batch_list(request, dataset_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    status = request.GET.get("status") or None
    batches = list(
        selectors.batch_list(
            batches=policy.batches_visible_to(request.user).filter(dataset=dataset),
            status=status if status in Batch.Status.values else None,
        )
    )
    progress = selectors.batch_progress_many([batch.pk for batch in batches])
    rows = [(batch, _bar(progress[batch.pk])) for batch in batches]
    context = {
        "dataset": dataset,
        "rows": rows,
        "statuses": Batch.Status.choices,
        "status": status,
        "can_cut": policy.can_cut_batches(request.user),
    }
    return render(request, "labeling/batch_list.html", context)


def _bar(statuses: dict[str, int]) -> list[dict]:
    """A progress bar's parts: each task status with its count and share, none empty."""
    total = sum(statuses.values()) or 1
    return [
        {
            "status": status,
            "label": Task.Status(status).label,
            "count": count,
            "percent": round(100 * count / total, 1),
        }
        for status, count in statuses.items()
        if count
    ]


def batch_for(request, batch_id: int) -> Batch:
    batches = policy.batches_visible_to(request.user).select_related(
        "task_kind", "vendor", "contract", "dataset"
    )
    return get_object_or_404(batches, pk=batch_id)


@login_required
@require_safe
def batch_detail(request, batch_id: int):
    batch = batch_for(request, batch_id)
    progress = selectors.batch_progress(batch=batch)
    names = {
        f"{c.axis.slug}={c.slug}": c.name
        for c in Category.objects.filter(axis__dataset=batch.dataset).select_related("axis")
    }
    categories = [
        {**row, "name": names.get(row["key"], row["key"]), "bar": _bar(row["statuses"])}
        for row in progress["categories"]
    ]
    context = {
        "batch": batch,
        "progress": progress,
        "bar": _bar(progress["statuses"]),
        "categories": categories,
        "task_statuses": Task.Status.choices,
        "open_tasks": progress["statuses"][Task.Status.OPEN],
        "can_cancel": policy.can_cancel_batch(request.user, batch),
        "can_read_skipped": policy.can_read_skipped(request.user, batch),
        **batch_deliveries(request.user, batch),
    }
    return render(request, "labeling/batch_detail.html", context)


@login_required
@require_POST
def batch_cancel(request, batch_id: int):
    batch = batch_for(request, batch_id)
    policy.require(policy.can_cancel_batch(request.user, batch))
    try:
        batch, cancelled = services.batch_tasks_cancel(batch=batch, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(count)s untouched tasks were cancelled.") % {"count": cancelled}
        )
    return redirect(reverse("labeling:batch-detail", args=[batch.pk]))
