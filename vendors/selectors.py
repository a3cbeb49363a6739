"""The vendors app's reads: what a contract has left, read from the ledger alone."""

from django.db.models import Sum

from vendors.models import ZERO, Contract, LedgerDay


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
