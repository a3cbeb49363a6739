"""Corrections of the taxonomy on the dataset page: rename an axis or a category, change a
category's quota, description or decision, delete either.

Slugs stay: items and annotations name axes and categories by them. A refused write re-renders
the dataset page with the reason beside the form it came from, and changes nothing.
"""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from datasets import policy, services
from datasets.forms import AxisEditForm, CategoryEditForm
from datasets.models import Category
from datasets.views.corrections import PartPage, part_edit, part_remove
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


AXES = PartPage(render=render_detail, kind="axis", form_class=AxisEditForm)
CATEGORIES = PartPage(render=render_detail, kind="category", form_class=CategoryEditForm)


@login_required
@require_POST
def axis_edit(request, dataset_id: int, axis_id: int):
    dataset, axis = _axis(request, dataset_id, axis_id)
    return part_edit(
        request,
        AXES,
        dataset=dataset,
        part=axis,
        update=partial(services.axis_update, axis=axis, by=request.user),
        saved=_("Axis “%(name)s” was saved."),
        url=taxonomy_url(dataset),
    )


@login_required
@require_POST
def axis_remove(request, dataset_id: int, axis_id: int):
    dataset, axis = _axis(request, dataset_id, axis_id)
    return part_remove(
        request,
        AXES,
        dataset=dataset,
        part=axis,
        delete=partial(services.axis_delete, axis=axis, by=request.user),
        deleted=_("Axis “%(name)s” was deleted."),
        url=taxonomy_url(dataset),
    )


@login_required
@require_POST
def category_edit(request, dataset_id: int, category_id: int):
    dataset, category = _category(request, dataset_id, category_id)
    return part_edit(
        request,
        CATEGORIES,
        dataset=dataset,
        part=category,
        update=partial(services.category_update, category=category, by=request.user),
        saved=_("Category “%(name)s” was saved."),
        url=taxonomy_url(dataset),
    )


@login_required
@require_POST
def category_remove(request, dataset_id: int, category_id: int):
    dataset, category = _category(request, dataset_id, category_id)
    return part_remove(
        request,
        CATEGORIES,
        dataset=dataset,
        part=category,
        delete=partial(services.category_delete, category=category, by=request.user),
        deleted=_("Category “%(name)s” was deleted."),
        url=taxonomy_url(dataset),
    )
