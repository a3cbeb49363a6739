"""The spec pages: datasets, their taxonomy, requirement decisions and spec history.

Forms check shapes; policy and services decide. A refused write re-renders its page with the
reason and a 4xx status, and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.errors import DomainError
from core.files import stored_file_response
from core.forms import show_refusal
from datasets import policy, selectors, services
from datasets.forms import (
    AxisEditForm,
    AxisForm,
    CategoryEditForm,
    CategoryForm,
    CellQuotaForm,
    DatasetForm,
    DecisionAnswerForm,
    DecisionForm,
    SpecCompareForm,
)
from datasets.models import Category, Dataset
from datasets.services.taxonomy import EXAMPLE_MAX_BYTES
from datasets.spec_words import comparison_rows
from datasets.views.stages import stage_pipeline


@login_required
@require_safe
def dataset_list(request):
    policy.require(policy.can_view_datasets(request.user))
    datasets = selectors.dataset_list(visible=policy.datasets_visible_to(request.user))
    context = {
        "rows": selectors.dataset_list_overview(datasets=datasets),
        "can_create": policy.can_create_dataset(request.user),
    }
    return render(request, "datasets/dataset_list.html", context)


def _taxonomy_rows(dataset: Dataset, edited: tuple | None) -> list[dict]:
    """Each axis with its categories, each with the form that corrects it: ``edited`` is
    ``(kind, id, form)`` of the one a request just refused, shown open with its errors."""

    decisions = list(dataset.decisions.order_by("id"))  # once for every category's form

    def form_of(kind: str, obj, form_class, **extra):
        if edited and edited[0] == kind and edited[1] == obj.pk:
            return edited[2]
        return form_class.of(obj, **extra)

    return [
        {
            "axis": axis,
            "form": form_of("axis", axis, AxisEditForm),
            "categories": [
                {
                    "category": category,
                    "form": form_of("category", category, CategoryEditForm, decisions=decisions),
                }
                for category in axis.categories.all()
            ],
        }
        for axis in selectors.axis_list(dataset=dataset)
    ]


def taxonomy_url(dataset: Dataset) -> str:
    """The dataset page, opened at its taxonomy: where a taxonomy form's result shows."""
    return reverse("datasets:detail", args=[dataset.pk]) + "#taxonomy"


def render_detail(request, dataset: Dataset, *, status: int = 200, edited=None, **bound):
    can_edit = policy.can_edit_dataset(request.user, dataset)
    summary = selectors.coverage_summary(dataset=dataset)  # from counters: flat at 1M items
    context = {
        "dataset": dataset,
        "coverage": summary["rows"],
        "item_count": summary["collected"],
        "history": selectors.spec_history(dataset=dataset)[:10],
        "open_decisions": selectors.open_decision_list(dataset=dataset),
        "stages": stage_pipeline(dataset),
        "can_edit": can_edit,
    }
    if can_edit:
        context["axis_form"] = bound.get("axis_form") or AxisForm()
        context["category_form"] = bound.get("category_form") or CategoryForm(dataset=dataset)
        context["cell_form"] = bound.get("cell_form") or CellQuotaForm(dataset=dataset)
        context["taxonomy"] = _taxonomy_rows(dataset, edited)
    context["cell_quotas"] = selectors.cell_quota_list(dataset=dataset)
    return render(request, "datasets/dataset_detail.html", context, status=status)


@login_required
@require_safe
def dataset_detail(request, dataset_id: int):
    return render_detail(request, policy.dataset_for(request.user, dataset_id))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def dataset_new(request):
    policy.require(policy.can_create_dataset(request.user))
    form = DatasetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = services.dataset_create(**form.cleaned_data, by=request.user)
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Dataset “%(name)s” was created.") % {"name": dataset})
            return redirect("datasets:detail", dataset.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "dataset": None}
    return render(request, "datasets/dataset_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def dataset_edit(request, dataset_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    initial = {field: getattr(dataset, field) for field in DatasetForm.base_fields}
    form = DatasetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.dataset_update(dataset=dataset, by=request.user, **form.cleaned_data)
        except DomainError as error:
            dataset.refresh_from_db()
            show_refusal(form, error)
        else:
            messages.success(request, _("Dataset “%(name)s” was saved.") % {"name": dataset})
            return redirect("datasets:detail", dataset.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "dataset": dataset}
    return render(request, "datasets/dataset_form.html", context, status=status)


@login_required
@require_POST
def axis_new(request, dataset_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    form = AxisForm(request.POST)
    if form.is_valid():
        try:
            axis = services.axis_create(dataset=dataset, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_refusal(form, error)
            return render_detail(request, dataset, status=error.status, axis_form=form)
        messages.success(request, _("Axis “%(name)s” was added.") % {"name": axis.name})
        return redirect(taxonomy_url(dataset))
    return render_detail(request, dataset, status=400, axis_form=form)


@login_required
@require_POST
def category_new(request, dataset_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    form = CategoryForm(request.POST, request.FILES, dataset=dataset)
    if form.is_valid():
        fields = dict(form.cleaned_data)
        upload = fields.pop("example")
        try:
            category = services.category_create(
                by=request.user,
                example=upload.read(EXAMPLE_MAX_BYTES + 1) if upload else None,
                **fields,
            )
        except DomainError as error:
            show_refusal(form, error)
            return render_detail(request, dataset, status=error.status, category_form=form)
        messages.success(request, _("Category “%(name)s” was added.") % {"name": category.name})
        return redirect(taxonomy_url(dataset))
    return render_detail(request, dataset, status=400, category_form=form)


@login_required
@require_POST
def cell_quota_new(request, dataset_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    form = CellQuotaForm(request.POST, dataset=dataset)
    if form.is_valid():
        try:
            services.cell_quota_set(dataset=dataset, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_refusal(form, error)
            return render_detail(request, dataset, status=error.status, cell_form=form)
        messages.success(request, _("The cell quota was saved."))
        return redirect(taxonomy_url(dataset))
    return render_detail(request, dataset, status=400, cell_form=form)


@login_required
@require_POST
def cell_quota_remove(request, dataset_id: int, cell_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    cell = get_object_or_404(dataset.cell_quotas, pk=cell_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    services.cell_quota_delete(cell=cell, by=request.user)
    messages.success(request, _("The cell quota was removed."))
    return redirect("datasets:detail", dataset.pk)


@login_required
@require_safe
def category_example(request, dataset_id: int, category_id: int):
    """Serve a category's example image, typed by what it decodes as, never by its name."""
    dataset = policy.dataset_for(request.user, dataset_id)
    category = get_object_or_404(Category.objects.filter(axis__dataset=dataset), pk=category_id)
    file = selectors.category_example_file(category=category)
    if file is None:
        raise Http404
    return stored_file_response(request, file)


@login_required
@require_safe
def spec_history_page(request, dataset_id: int):
    """Every spec version with who, when and what; two picked versions compared."""
    dataset = policy.dataset_for(request.user, dataset_id)
    comparison, status = None, 200
    if "from_version" in request.GET or "to_version" in request.GET:
        form = SpecCompareForm(request.GET, dataset=dataset)
        if form.is_valid():
            try:
                comparison = selectors.spec_compare(dataset=dataset, **form.cleaned_data)
                comparison["rows"] = comparison_rows(comparison, *comparison["snapshots"])
                picked = {"from_version": comparison["from_version"]}
                picked["to_version"] = comparison["to_version"]
                form = SpecCompareForm(picked, dataset=dataset)  # older → newer, as compared
            except DomainError as error:
                show_refusal(form, error)
        status = 400 if form.errors else 200
    else:
        latest = dataset.spec_version
        form = SpecCompareForm(
            initial={"from_version": max(1, latest - 1), "to_version": latest}, dataset=dataset
        )
    context = {
        "dataset": dataset,
        "history": selectors.spec_history(dataset=dataset),
        "form": form,
        "comparison": comparison,
    }
    return render(request, "datasets/spec_history.html", context, status=status)


def _render_decisions(request, dataset: Dataset, *, status: int = 200, **bound):
    def answer_form(decision):
        if bound.get("answer_decision_id") == decision.pk:
            return bound["answer_form"]
        return DecisionAnswerForm.of(decision)

    context = {
        "dataset": dataset,
        "decisions": [
            {"decision": decision, "form": answer_form(decision)}
            for decision in selectors.decision_list(dataset=dataset)
        ],
        "can_edit": policy.can_edit_dataset(request.user, dataset),
        "form": bound.get("form") or DecisionForm(),
    }
    return render(request, "datasets/decisions.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def decisions_page(request, dataset_id: int):
    """The questions put to the service's owner: open first; planners ask here too."""
    dataset = policy.dataset_for(request.user, dataset_id)
    if request.method != "POST":
        return _render_decisions(request, dataset)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decision_create(
                dataset=dataset, question=form.cleaned_data["question"], by=request.user
            )
        except DomainError as error:
            show_refusal(form, error)
            return _render_decisions(request, dataset, status=error.status, form=form)
        messages.success(request, _("The question was added."))
        return redirect("datasets:decisions", dataset.pk)
    return _render_decisions(request, dataset, status=400, form=form)


@login_required
@require_POST
def decision_answer(request, dataset_id: int, decision_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    decision = get_object_or_404(dataset.decisions, pk=decision_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    form = DecisionAnswerForm.of(decision, request.POST)
    if form.is_valid():
        try:
            services.decision_answer(decision=decision, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The answer was recorded."))
            return redirect(
                reverse("datasets:decisions", args=[dataset.pk]) + f"#decision-{decision.pk}"
            )
    return _render_decisions(
        request, dataset, status=400, answer_form=form, answer_decision_id=decision.pk
    )
