"""The vendors app's reads: what a contract has left, read from the ledger alone."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Min, Q, QuerySet, Sum, Value, When

from vendors.models import ZERO, Contract, LedgerDay, LedgerLine, Statement, Vendor


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


# --- statements and the vendors side by side (helper E) ------------------------------------


def statement_list(*, vendor: Vendor) -> QuerySet[Statement]:
    """The vendor's statements with their contracts, per contract, newest period first."""
    return (
        Statement.objects.filter(contract__vendor=vendor)
        .select_related("contract")
        .order_by("contract__name", "contract_id", "-period_start")
    )


def statement_figures(*, statements) -> dict[int, dict]:
    """Per statement id: ``line_count``, ``total_units``, ``total_amount``. A closed
    statement's are the ones it recorded; the open ones' are summed from the ledger in one
    query, each statement's lines picked by its contract and period (the ledger's
    (contract, at) index)."""
    from vendors.services.statements import STATEMENT_KINDS, period_bounds

    figures: dict[int, dict] = {}
    whens, picks = [], Q(pk__in=[])
    for statement in statements:
        if statement.closed_at is not None:
            figures[statement.pk] = {
                "line_count": statement.line_count,
                "total_units": statement.total_units,
                "total_amount": statement.total_amount,
            }
            continue
        figures[statement.pk] = {"line_count": 0, "total_units": ZERO, "total_amount": ZERO}
        start, end = period_bounds(statement)
        pick = Q(contract_id=statement.contract_id, at__gte=start, at__lt=end)
        whens.append(When(pick, then=Value(statement.pk)))
        picks |= pick
    if whens:
        sums = (
            LedgerLine.objects.filter(picks, kind__in=STATEMENT_KINDS)
            .annotate(statement=Case(*whens, output_field=IntegerField()))
            .values("statement")
            .annotate(count=Count("id"), units=Sum("units"), amount=Sum("amount"))
            .order_by()
        )
        for row in sums:
            figures[row["statement"]] = {
                "line_count": row["count"],
                "total_units": row["units"] or ZERO,
                "total_amount": row["amount"] or ZERO,
            }
    return figures


def statement_subtotals(*, statement: Statement) -> list[dict]:
    """The statement's lines per unit price (a price change shows both prices): each with
    ``unit_price``, ``line_count``, ``units`` and ``amount``, the earliest price first."""
    from vendors.services.statements import statement_lines

    rows = (
        statement_lines(statement=statement)
        .order_by()
        .values("unit_price")
        .annotate(line_count=Count("id"), units=Sum("units"), amount=Sum("amount"), first=Min("at"))
        .order_by("first", "unit_price")
    )
    return [
        {key: row[key] for key in ("unit_price", "line_count", "units", "amount")} for row in rows
    ]


#: The overview's windows: throughput over the last 14 days, the chart over the last 30.
THROUGHPUT_DAYS = 14
CHART_DAYS = 30


def vendor_overview(*, vendors) -> list[dict]:
    """The vendors side by side, one row per vendor and currency (two currencies are never
    added): ``vendor``, ``currency``, ``contracts``, ``reserved_units`` (open work),
    ``accepted_units``, ``accepted`` (work items, less reversals), ``cost``,
    ``cost_per_item`` (None before any), ``throughput`` (accepted a day over the last 14
    days), ``budget_left`` (of contracts not closed) and ``daily`` (accepted per day over the
    last 30 days, oldest first; days in each contract's time zone). A vendor without
    contracts has one row with no currency. Four queries, read from the daily rollup."""
    from vendors.services.ledger import contract_today

    vendors = list(vendors)
    contracts = list(Contract.objects.filter(vendor__in=vendors).order_by("currency", "name", "id"))
    sums = {
        row["contract"]: row
        for row in LedgerDay.objects.filter(contract__in=contracts)
        .values("contract")
        .annotate(
            units=Sum("units"),
            amount=Sum("amount"),
            reserved_units=Sum("reserved_units"),
            reserved_amount=Sum("reserved_amount"),
            accepted=Sum("accepted"),
        )
        .order_by()
    }
    today = {contract.pk: contract_today(contract) for contract in contracts}
    earliest = min(today.values(), default=None)
    recent = []
    if earliest is not None:
        recent = LedgerDay.objects.filter(
            contract__in=contracts, day__gt=earliest - timedelta(days=CHART_DAYS)
        ).values_list("contract_id", "day", "accepted")
    days_ago: dict[int, dict[int, int]] = {}
    for contract_id, day, accepted in recent:
        ago = (today[contract_id] - day).days
        if 0 <= ago < CHART_DAYS:
            days_ago.setdefault(contract_id, {})[ago] = accepted

    rows: dict[tuple[int, str], dict] = {}
    for contract in contracts:
        row = rows.setdefault(
            (contract.vendor_id, contract.currency),
            {
                "currency": contract.currency,
                "contracts": [],
                "reserved_units": ZERO,
                "accepted_units": ZERO,
                "accepted": 0,
                "cost": ZERO,
                "budget_left": ZERO,
                "daily": [0] * CHART_DAYS,
            },
        )
        found = sums.get(contract.pk, {})
        cost = found.get("amount") or ZERO
        reserved_amount = found.get("reserved_amount") or ZERO
        row["contracts"].append(contract)
        row["reserved_units"] += found.get("reserved_units") or ZERO
        row["accepted_units"] += found.get("units") or ZERO
        row["accepted"] += found.get("accepted") or 0
        row["cost"] += cost
        if contract.closed_at is None:
            row["budget_left"] += contract.budget - cost - reserved_amount
        for ago, accepted in days_ago.get(contract.pk, {}).items():
            row["daily"][CHART_DAYS - 1 - ago] += accepted
    result = []
    for vendor in vendors:
        mine = [row for (vendor_id, _), row in rows.items() if vendor_id == vendor.pk]
        if not mine:
            result.append({"vendor": vendor, "currency": "", "contracts": [], "daily": []})
        for row in mine:
            row["vendor"] = vendor
            row["throughput"] = Decimal(sum(row["daily"][-THROUGHPUT_DAYS:])) / THROUGHPUT_DAYS
            row["cost_per_item"] = row["cost"] / row["accepted"] if row["accepted"] else None
            result.append(row)
    return result
