"""The contract pages: a new contract, its page (terms, prices, cost, forecast, planning
aids), its edit form, a new price and closing it.

They live in labeling because a contract shows its task kind. Terms and money are for
planners and the vendor's own managers (``vendors.policy.contract_terms_visible_to``: 404
for anybody else); only planners change anything (403 for a vendor manager). Forms check
shapes; the services decide, and a refused write re-renders its page with the reason beside
its field and a 4xx status.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.errors import DomainError
from core.forms import show_refusal
from datasets import policy as dataset_policy
from labeling import contract_terms
from labeling.contract_forms import (
    BudgetForm,
    ContractEditForm,
    ContractForm,
    ContractPickForm,
    PriceForm,
    SuggestionForm,
)
from vendors import policy, selectors, services
from vendors.models import Contract


def _contract(request, contract_id: int) -> Contract:
    contracts = policy.contract_terms_visible_to(request.user).select_related("vendor", "dataset")
    return get_object_or_404(contracts, pk=contract_id)


def statements_url(vendor_id: int) -> str:
    """The vendor's statements page (the statements part names it ``vendors:statement-list``)."""
    try:
        return reverse("vendors:statement-list", args=[vendor_id])
    except NoReverseMatch:
        return f"/vendors/{vendor_id}/statements/"


@login_required
@require_safe
def contract_list(request):
    """Every contract the reader may see, with its cost, room and forecast: planners every
    vendor's (``?vendor=``, ``?dataset=`` narrow it), a vendor manager their own."""
    policy.require(policy.can_view_contracts(request.user))
    contracts = policy.contract_terms_visible_to(request.user).select_related("vendor", "dataset")
    for name in ("vendor", "dataset"):
        value = request.GET.get(name, "")
        if value.isdigit():
            contracts = contracts.filter(**{f"{name}_id": int(value)})
    contracts = list(contracts.order_by("closed_at", "vendor__name", "-starts_on", "id"))
    summary = selectors.cost_summary(contracts=contracts)
    kinds = contract_terms.task_kind_names(contracts)
    context = {
        "rows": [
            {**row, "task_kind": kinds.get(row["contract"].task_kind_id)} for row in summary["rows"]
        ],
        "totals": sorted(summary["totals"].items()),
        "can_manage": policy.can_manage_vendors(request.user),
    }
    return render(request, "labeling/contract_list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def contract_new(request):
    policy.require(policy.can_manage_vendors(request.user))
    datasets = dataset_policy.datasets_visible_to(request.user)
    pick = ContractPickForm(request.GET or None, datasets=datasets)
    if not pick.is_valid():
        # The vendor and dataset come first: the task kinds and photo quotas depend on them.
        status = 400 if request.GET and pick.errors else 200
        if request.method == "POST":
            status = 400
        return render(request, "labeling/contract_new.html", {"pick": pick}, status=status)
    dataset, vendor = pick.cleaned_data["dataset"], pick.cleaned_data["vendor"]
    form = ContractForm(request.POST or None, dataset=dataset, vendor=vendor)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            contract = services.contract_create(by=request.user, **fields)
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Contract “%(name)s” was made.") % {"name": contract.name})
            return redirect("labeling:contract-detail", contract.pk)
    status = 400 if form.errors else 200
    context = {"pick": pick, "form": form, "dataset": dataset, "vendor": vendor}
    return render(request, "labeling/contract_form.html", context, status=status)


def _aids(request, contract: Contract) -> dict:
    """The planning aids of the contract page, answered when their form was sent (GET)."""
    aids = {}
    suggest = SuggestionForm(
        request.GET if "hourly_rate" in request.GET else None, contract=contract
    )
    if suggest.is_bound and suggest.is_valid():
        try:
            aids["suggestion"] = contract_terms.price_suggestion(
                contract=contract,
                batch=suggest.cleaned_data["pilot_batch"],
                hourly_rate=suggest.cleaned_data["hourly_rate"],
            )
        except DomainError as error:
            show_refusal(suggest, error)
    gaps = contract_terms.quota_gaps(contract=contract)
    budget = BudgetForm(request.GET if "budget" in request.GET else None, axes=gaps["axes"])
    if contract.kind == Contract.Kind.COLLECTION or not gaps["axes"]:
        del budget.fields["axis"]
    if budget.is_bound and budget.is_valid():
        try:
            aids["split"] = contract_terms.budget_quantities(
                contract=contract,
                budget=budget.cleaned_data["budget"],
                axis=budget.cleaned_data.get("axis") or None,
            )
        except DomainError as error:
            show_refusal(budget, error)
    aids["suggest_form"], aids["budget_form"] = suggest, budget
    aids["failed"] = bool(suggest.errors or budget.errors)
    return aids


def render_detail(request, contract: Contract, *, status: int = 200, price_form=None):
    can_manage = policy.can_manage_vendors(request.user)
    cost = selectors.cost_summary(contracts=[contract])["rows"][0]
    context = {
        "contract": contract,
        "task_kind": contract_terms.task_kind_names([contract]).get(contract.task_kind_id),
        "quotas": contract.quotas.select_related("category__axis").order_by("id"),
        "prices": selectors.price_history(contract=contract),
        "cost": cost,
        "can_manage": can_manage,
        "statements_url": statements_url(contract.vendor_id),
    }
    if can_manage:
        aids = _aids(request, contract)
        if aids.pop("failed") and status == 200:
            status = 400
        context.update(aids)
        context["price_form"] = price_form or PriceForm()
    return render(request, "labeling/contract_detail.html", context, status=status)


@login_required
@require_safe
def contract_detail(request, contract_id: int):
    return render_detail(request, _contract(request, contract_id))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def contract_edit(request, contract_id: int):
    contract = _contract(request, contract_id)
    policy.require(policy.can_manage_vendors(request.user))
    form = ContractEditForm(request.POST or None, initial=ContractEditForm.initial_of(contract))
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        changes["expected_regions"] = changes["expected_regions"] or None
        try:
            services.contract_update(contract=contract, by=request.user, **changes)
        except DomainError as error:
            contract.refresh_from_db()
            show_refusal(form, error)
            status = error.status
        else:
            messages.success(request, _("Contract “%(name)s” was saved.") % {"name": contract.name})
            return redirect("labeling:contract-detail", contract.pk)
    else:
        status = 400 if form.errors else 200
    context = {"form": form, "contract": contract}
    return render(request, "labeling/contract_edit.html", context, status=status)


@login_required
@require_POST
def contract_price(request, contract_id: int):
    contract = _contract(request, contract_id)
    policy.require(policy.can_manage_vendors(request.user))
    form = PriceForm(request.POST)
    if form.is_valid():
        try:
            services.contract_price_change(
                contract=contract,
                unit_price=form.cleaned_data["unit_price"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except DomainError as error:
            show_refusal(form, error)
            return render_detail(request, contract, status=error.status, price_form=form)
        messages.success(request, _("The new price applies to work accepted from now on."))
        return redirect(reverse("labeling:contract-detail", args=[contract.pk]) + "#prices")
    return render_detail(request, contract, status=400, price_form=form)


@login_required
@require_POST
def contract_close(request, contract_id: int):
    contract = _contract(request, contract_id)
    policy.require(policy.can_manage_vendors(request.user))
    try:
        services.contract_close(contract=contract, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return render_detail(request, contract, status=error.status)
    messages.success(request, _("Contract “%(name)s” was closed.") % {"name": contract.name})
    return redirect("labeling:contract-detail", contract.pk)
