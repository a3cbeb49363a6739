"""The collection contract's photos page: a vendor's members drop photos into the contract's
categories and follow what became of them; planners and reviewers accept or reject the
photos awaiting acceptance. It reads datasets (uploads, items) and vendors (the contract),
so it lives here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from core.errors import DomainError
from core.money import money_format
from datasets import selectors as dataset_selectors
from labeling import photo_selectors, policy, services
from vendors import selectors as vendor_selectors
from vendors.models import Contract
from vendors.policy import can_see_cost, contracts_visible_to

#: Photos the page shows in its table and in the review grid.
SHOWN = 200


def _contract(user, contract_id: int) -> Contract:
    """A contract the user sees (another vendor's is a 404); a labeling one shows that it
    collects no photos."""
    return get_object_or_404(
        contracts_visible_to(user).select_related("dataset", "vendor"), pk=contract_id
    )


def _render(request, contract: Contract, *, status: int = 200, error: str = ""):
    user = request.user
    categories = photo_selectors.photo_categories(contract=contract)
    wanted = request.GET.get("status", "")
    if wanted not in photo_selectors.PHOTO_STATUSES:
        wanted = ""
    photos = list(photo_selectors.photo_list(contract=contract, status=wanted or None)[:SHOWN])
    for photo in photos:
        photo.shown_status = photo_selectors.photo_status(photo)
        photo.category_names = [
            categories[int(pk)].name
            for pk in photo.category_key.split(".")
            if pk and int(pk) in categories
        ]
    can_review = policy.can_review_photos(user) and contract.kind == Contract.Kind.COLLECTION
    pending = []
    if can_review:
        pending = list(photo_selectors.photo_list(contract=contract, status="pending")[:SHOWN])
    quotas = photo_selectors.photo_quotas(contract=contract)
    room = None
    if can_see_cost(user, contract.vendor):
        figures = vendor_selectors.contract_room(contract=contract)
        room = {
            "price": money_format(contract.unit_price, contract.currency),
            "cost": money_format(figures["cost"], contract.currency),
            "budget_left": money_format(figures["budget_left"], contract.currency),
        }
    uploads = []
    collection = contract.kind == Contract.Kind.COLLECTION
    can_upload = collection and policy.can_upload_photos(user, contract)
    if can_upload:
        uploads = list(
            dataset_selectors.upload_list(dataset=contract.dataset).filter(contract_id=contract.pk)[
                :10
            ]
        )
    context = {
        "contract": contract,
        "collection": collection,
        "quotas": quotas,
        "photos": photos,
        "status_filter": wanted,
        "status_choices": [
            ("", _("All")),
            ("pending", _("Awaiting acceptance")),
            ("accepted", _("Accepted")),
            ("rejected", _("Rejected")),
        ],
        "pending": pending,
        "can_upload": can_upload,
        "can_review": can_review,
        "room": room,
        "uploads": uploads,
        "error": error,
        "shown_limit": SHOWN,
    }
    return render(request, "labeling/photos.html", context, status=status)


@login_required
@require_safe
def photos_page(request, contract_id: int):
    contract = _contract(request.user, contract_id)
    return _render(request, contract)


@login_required
@require_POST
def photos_review_page(request, contract_id: int):
    contract = _contract(request.user, contract_id)
    policy.require(policy.can_review_photos(request.user))
    decision = request.POST.get("decision", "")
    ids = request.POST.getlist("items")
    try:
        if decision not in ("accept", "reject"):
            raise DomainError(_("Choose Accept or Reject."), code="no_decision")
        if not ids or not all(value.isdigit() and len(value) < 19 for value in ids):
            raise DomainError(_("Choose the photos to accept or reject."), code="no_items")
        reviewed = services.photos_review(
            contract=contract,
            items=[int(value) for value in ids],
            accept=decision == "accept",
            by=request.user,
        )
    except DomainError as refusal:
        return _render(request, contract, status=refusal.status, error=refusal.message)
    count = len(reviewed)
    messages.success(
        request,
        (
            ngettext("%(count)s photo accepted.", "%(count)s photos accepted.", count)
            if decision == "accept"
            else ngettext("%(count)s photo rejected.", "%(count)s photos rejected.", count)
        )
        % {"count": count},
    )
    return redirect(reverse("labeling:photos", args=[contract.pk]))
