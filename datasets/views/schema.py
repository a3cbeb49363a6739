"""The label schema page: region types as a tree, their attributes, and the planner's forms.

Forms check shapes; the schema services decide. A refused write re-renders the page with the
reason and a 4xx status, and changes nothing.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.errors import DomainError
from core.forms import show_refusal
from datasets import policy, selectors, services
from datasets.forms import AttributeEditForm, AttributeForm, RegionTypeEditForm, RegionTypeForm
from datasets.models import AttributeDef, Dataset
from datasets.views.corrections import PartPage, part_edit, part_remove


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


def _edit_rows(types: list, edited: tuple | None) -> list[dict]:
    """Each region type with the form that corrects it and its attributes' forms; ``edited``
    is ``(kind, id, form)`` of the one a request just refused, shown open with its errors."""

    def form_of(kind: str, obj, form_class):
        if edited and edited[0] == kind and edited[1] == obj.pk:
            return edited[2]
        return form_class.of(obj)

    return [
        {
            "type": region_type,
            "form": form_of("type", region_type, RegionTypeEditForm),
            "attributes": [
                {"attribute": attribute, "form": form_of("attribute", attribute, AttributeEditForm)}
                for attribute in region_type.attributes.all()
            ],
        }
        for region_type in types
    ]


def _render_schema(request, dataset: Dataset, *, status: int = 200, edited=None, **bound):
    types = list(selectors.region_type_list(dataset=dataset))
    can_edit = policy.can_edit_dataset(request.user, dataset)
    context = {"dataset": dataset, "types": _edit_rows(types, edited if can_edit else None)}
    context.update(tree=_tree(types), can_edit=can_edit)
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
        return redirect(_schema_url(dataset))
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
        return redirect(_schema_url(dataset))
    return _render_schema(request, dataset, status=400, attribute_form=form)


def _schema_url(dataset: Dataset, anchor: str = "region-types") -> str:
    """The schema page, opened where a form's result shows."""
    return reverse("datasets:schema", args=[dataset.pk]) + f"#{anchor}"


def _region_type(request, dataset_id: int, type_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    region_type = get_object_or_404(dataset.region_types, pk=type_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    return dataset, region_type


def _attribute(request, dataset_id: int, attr_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    attributes = AttributeDef.objects.select_related("region_type__dataset")
    attribute = get_object_or_404(attributes.filter(region_type__dataset=dataset), pk=attr_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    return dataset, attribute


TYPES = PartPage(render=_render_schema, kind="type", form_class=RegionTypeEditForm)
ATTRIBUTES = PartPage(render=_render_schema, kind="attribute", form_class=AttributeEditForm)


@login_required
@require_POST
def region_type_edit(request, dataset_id: int, type_id: int):
    """Rename a type or change where it may sit; its slug, the annotations' key, stays."""
    dataset, region_type = _region_type(request, dataset_id, type_id)
    return part_edit(
        request,
        TYPES,
        dataset=dataset,
        part=region_type,
        update=partial(services.region_type_update, region_type=region_type, by=request.user),
        saved=_("Region type “%(name)s” was saved."),
        url=_schema_url(dataset, f"type-{region_type.slug}"),
    )


@login_required
@require_POST
def region_type_remove(request, dataset_id: int, type_id: int):
    dataset, region_type = _region_type(request, dataset_id, type_id)
    return part_remove(
        request,
        TYPES,
        dataset=dataset,
        part=region_type,
        delete=partial(services.region_type_delete, region_type=region_type, by=request.user),
        deleted=_("Region type “%(name)s” was deleted."),
        url=_schema_url(dataset),
    )


@login_required
@require_POST
def attribute_edit(request, dataset_id: int, attr_id: int):
    dataset, attribute = _attribute(request, dataset_id, attr_id)
    return part_edit(
        request,
        ATTRIBUTES,
        dataset=dataset,
        part=attribute,
        update=partial(services.attribute_update, attribute=attribute, by=request.user),
        saved=_("Attribute “%(name)s” was saved."),
        url=_schema_url(dataset, f"type-{attribute.region_type.slug}"),
    )


@login_required
@require_POST
def attribute_remove(request, dataset_id: int, attr_id: int):
    dataset, attribute = _attribute(request, dataset_id, attr_id)
    return part_remove(
        request,
        ATTRIBUTES,
        dataset=dataset,
        part=attribute,
        delete=partial(services.attribute_delete, attribute=attribute, by=request.user),
        deleted=_("Attribute “%(name)s” was deleted."),
        url=_schema_url(dataset, f"type-{attribute.region_type.slug}"),
    )
