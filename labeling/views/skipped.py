"""The page of a batch's tasks every active annotator skipped: who skipped each and why,
and for planners the two ways to settle them (remove, or mark unusable)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.forms import show_refusal
from labeling import policy, selectors, services
from labeling.forms import SkippedSettleForm
from labeling.views.batches import batch_for


def _render(request, batch, *, form=None, status=200):
    form = form or SkippedSettleForm()
    # a refusal is shown beside the rows it was posted from
    posted = (
        {int(v) for v in request.POST.getlist("task_ids") if v.isdigit()} if form.errors else set()
    )
    context = {
        "batch": batch,
        "rows": selectors.tasks_skipped_by_all(batch=batch),
        "form": form,
        "posted": posted,
        "can_settle": policy.can_settle_skipped(request.user, batch),
    }
    return render(request, "labeling/batch_skipped.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def batch_skipped(request, batch_id: int):
    batch = batch_for(request, batch_id)
    policy.require(policy.can_read_skipped(request.user, batch))
    if request.method != "POST":
        return _render(request, batch)
    policy.require(policy.can_settle_skipped(request.user, batch))
    form = SkippedSettleForm(request.POST)
    if not form.is_valid():
        return _render(request, batch, form=form, status=400)
    action, task_ids = form.cleaned_data["action"], form.cleaned_data["task_ids"]
    try:
        settled = services.skipped_tasks_settle(
            batch=batch, task_ids=task_ids, action=action, by=request.user
        )
    except DomainError as error:
        show_refusal(form, error)
        return _render(request, batch, form=form, status=error.status)
    if action == "remove":
        message = _("%(count)s tasks were removed; their items are back in the pool.")
    else:
        message = _("%(count)s tasks were marked unusable; their items are set aside.")
    messages.success(request, message % {"count": len(settled)})
    return redirect("labeling:batch-skipped", batch_id=batch.pk)
