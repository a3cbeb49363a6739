"""Corrections of the taxonomy on the dataset page: rename an axis or a category, change a
category's quota, description or decision, delete either.

Slugs stay: items and annotations name axes and categories by them. A refused write re-renders
the dataset page with the reason beside the form it came from, and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.forms import show_refusal
from datasets import policy, services
from datasets.forms import AxisEditForm, CategoryEditForm
from datasets.models import Category
from datasets.views.spec import render_detail, taxonomy_url


def _axis(request, dataset_id: int, axis_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    axis = get_object_or_404(dataset.axes, pk=axis_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    return dataset, axis


def _category(request, dataset_id: int, category_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    categories = Category.objects.select_related("axis__dataset").filter(axis__dataset=dataset)
    category = get_object_or_404(categories, pk=category_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    return dataset, category


def _refused(request, dataset, kind: str, obj, form, error: DomainError):
    show_refusal(form, error)
    return render_detail(request, dataset, status=error.status, edited=(kind, obj.pk, form))


@login_required
@require_POST
def axis_edit(request, dataset_id: int, axis_id: int):
    dataset, axis = _axis(request, dataset_id, axis_id)
    form = AxisEditForm.of(axis, request.POST)
    if not form.is_valid():
        return render_detail(request, dataset, status=400, edited=("axis", axis.pk, form))
    try:
        services.axis_update(axis=axis, by=request.user, **form.cleaned_data)
    except DomainError as error:
        return _refused(request, dataset, "axis", axis, form, error)
    messages.success(request, _("Axis “%(name)s” was saved.") % {"name": axis.name})
    return redirect(taxonomy_url(dataset))


@login_required
@require_POST
def axis_remove(request, dataset_id: int, axis_id: int):
    dataset, axis = _axis(request, dataset_id, axis_id)
    name = axis.name
    try:
        services.axis_delete(axis=axis, by=request.user)
    except DomainError as error:
        form = AxisEditForm.of(axis, bound=True)
        form.is_valid()
        return _refused(request, dataset, "axis", axis, form, error)
    messages.success(request, _("Axis “%(name)s” was deleted.") % {"name": name})
    return redirect(taxonomy_url(dataset))


@login_required
@require_POST
def category_edit(request, dataset_id: int, category_id: int):
    dataset, category = _category(request, dataset_id, category_id)
    form = CategoryEditForm.of(category, request.POST)
    if not form.is_valid():
        return render_detail(request, dataset, status=400, edited=("category", category.pk, form))
    try:
        services.category_update(category=category, by=request.user, **form.cleaned_data)
    except DomainError as error:
        category.refresh_from_db()
        return _refused(request, dataset, "category", category, form, error)
    messages.success(request, _("Category “%(name)s” was saved.") % {"name": category.name})
    return redirect(taxonomy_url(dataset))


@login_required
@require_POST
def category_remove(request, dataset_id: int, category_id: int):
    dataset, category = _category(request, dataset_id, category_id)
    name = category.name
    try:
        services.category_delete(category=category, by=request.user)
    except DomainError as error:
        form = CategoryEditForm.of(category, bound=True)
        form.is_valid()
        return _refused(request, dataset, "category", category, form, error)
    messages.success(request, _("Category “%(name)s” was deleted.") % {"name": name})
    return redirect(taxonomy_url(dataset))
