"""The vendors app's reads: what a contract has left, read from the ledger alone."""

from django.db.models import Count, F, Q, QuerySet, Sum

from vendors.models import ZERO, Contract, Invite, LedgerDay, Member, Vendor


def contract_room(*, contract: Contract) -> dict:
    """The contract's sums: ``accepted_units`` and ``cost`` (accepted work, less reversals),
    ``reserved_units`` and ``reserved_amount`` (cut, not yet accepted), ``quantity_left``
    and ``budget_left``. One query over the daily rollup."""
    sums = LedgerDay.objects.filter(contract=contract).aggregate(
        units=Sum("units"),
        amount=Sum("amount"),
        reserved_units=Sum("reserved_units"),
        reserved_amount=Sum("reserved_amount"),
    )
    accepted = sums["units"] or ZERO
    cost = sums["amount"] or ZERO
    reserved = sums["reserved_units"] or ZERO
    reserved_amount = sums["reserved_amount"] or ZERO
    return {
        "accepted_units": accepted,
        "cost": cost,
        "reserved_units": reserved,
        "reserved_amount": reserved_amount,
        "quantity_left": contract.quantity - accepted - reserved,
        "budget_left": contract.budget - cost - reserved_amount,
    }


def vendor_list(*, visible: QuerySet[Vendor]) -> QuerySet[Vendor]:
    """Vendors, open ones first, each with ``active_members`` counted."""
    return visible.annotate(
        active_members=Count("members", filter=Q(members__deactivated_at__isnull=True))
    ).order_by(F("closed_at").asc(nulls_first=True), "name", "id")


def member_list(*, vendor: Vendor) -> QuerySet[Member]:
    """A vendor's members with their users: active ones first, then by joining."""
    return (
        Member.objects.filter(vendor=vendor)
        .select_related("user", "vendor", "deactivated_by")
        .order_by(F("deactivated_at").asc(nulls_first=True), "joined_at", "id")
    )


def invite_list(*, vendor: Vendor) -> QuerySet[Invite]:
    """A vendor's invites, newest first, with who sent and who used each."""
    return (
        Invite.objects.filter(vendor=vendor)
        .select_related("vendor", "created_by", "used_by")
        .order_by("-created_at", "-id")
    )
