"""The task kinds page of a dataset: the list in words, and the form planners add one with."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.forms import show_refusal
from labeling import policy, selectors, services
from labeling.forms import TaskKindForm


def _render(request, dataset, *, form=None, status=200):
    can_edit = policy.can_cut_batches(request.user)
    kinds = selectors.task_kind_list(
        kinds=policy.task_kinds_visible_to(request.user).filter(dataset=dataset)
    )
    context = {
        "dataset": dataset,
        "kinds": [(kind, selectors.task_kind_words(kind)) for kind in kinds],
        "can_edit": can_edit,
        "form": (form or TaskKindForm(dataset=dataset)) if can_edit else None,
    }
    return render(request, "labeling/kind_list.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def kind_list(request, dataset_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    if request.method != "POST":
        return _render(request, dataset)
    policy.require(policy.can_cut_batches(request.user))
    form = TaskKindForm(request.POST, dataset=dataset)
    if not form.is_valid():
        return _render(request, dataset, form=form, status=400)
    try:
        kind = services.task_kind_create(dataset=dataset, by=request.user, **form.cleaned_data)
    except DomainError as error:
        show_refusal(form, error)
        return _render(request, dataset, form=form, status=error.status)
    messages.success(request, _("Task kind “%(name)s” was added.") % {"name": kind.name})
    return redirect(reverse("labeling:kind-list", args=[dataset.pk]) + "#kinds")
