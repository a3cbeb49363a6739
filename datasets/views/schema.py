"""The label schema page: region types as a tree, their attributes, and the planner's forms.

Forms check shapes; the schema services decide. A refused write re-renders the page with the
reason and a 4xx status, and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.errors import DomainError
from core.forms import show_refusal
from datasets import policy, selectors, services
from datasets.forms import AttributeForm, RegionTypeForm
from datasets.models import Dataset


def _tree(types) -> list[dict]:
    """Types as nesting rows, depth first: top-level types at depth 0, their children below.

    A type that may nest in several types appears under each of them.
    """
    children: dict[int, list] = {}
    for region_type in types:
        for parent in region_type.parents.all():
            children.setdefault(parent.pk, []).append(region_type)
    rows: list[dict] = []

    def walk(region_type, depth: int, seen: frozenset) -> None:
        rows.append({"type": region_type, "depth": depth, "indent": range(depth)})
        for child in children.get(region_type.pk, []):
            if child.pk not in seen:
                walk(child, depth + 1, seen | {child.pk})

    for region_type in types:
        if region_type.top_level:
            walk(region_type, 0, frozenset({region_type.pk}))
    return rows


def _render_schema(request, dataset: Dataset, *, status: int = 200, **bound):
    types = list(selectors.region_type_list(dataset=dataset))
    can_edit = policy.can_edit_dataset(request.user, dataset)
    context = {"dataset": dataset, "types": types, "tree": _tree(types), "can_edit": can_edit}
    if can_edit:
        context["type_form"] = bound.get("type_form") or RegionTypeForm(dataset=dataset)
        context["attribute_form"] = bound.get("attribute_form") or AttributeForm(dataset=dataset)
    return render(request, "datasets/schema.html", context, status=status)


@login_required
@require_safe
def schema_page(request, dataset_id: int):
    return _render_schema(request, policy.dataset_for(request.user, dataset_id))


@login_required
@require_POST
def region_type_new(request, dataset_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    form = RegionTypeForm(request.POST, dataset=dataset)
    if form.is_valid():
        try:
            region_type = services.region_type_create(
                dataset=dataset, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            show_refusal(form, error)
            return _render_schema(request, dataset, status=error.status, type_form=form)
        messages.success(
            request, _("Region type “%(name)s” was added.") % {"name": region_type.name}
        )
        return redirect("datasets:schema", dataset.pk)
    return _render_schema(request, dataset, status=400, type_form=form)


@login_required
@require_POST
def attribute_new(request, dataset_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    form = AttributeForm(request.POST, dataset=dataset)
    if form.is_valid():
        try:
            attribute = services.attribute_create(by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_refusal(form, error)
            return _render_schema(request, dataset, status=error.status, attribute_form=form)
        messages.success(request, _("Attribute “%(name)s” was added.") % {"name": attribute.name})
        return redirect("datasets:schema", dataset.pk)
    return _render_schema(request, dataset, status=400, attribute_form=form)
