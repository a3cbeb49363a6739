"""The vendors app's reads: what a contract has left, read from the ledger alone."""

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, F, IntegerField, Min, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from core.money import money_round
from vendors.models import (
    ZERO,
    Contract,
    ContractPrice,
    Invite,
    LedgerDay,
    LedgerLine,
    Member,
    Statement,
    Vendor,
)


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


# --- contracts: price history, cost and forecast, planning aids (helper B) ---------------

#: The forecast's rate is the mean of units accepted per day over this many days, today
#: (in the contract's time zone) included.
RATE_WINDOW_DAYS = 14
HUNDRED = Decimal(100)


def price_history(*, contract: Contract) -> QuerySet[ContractPrice]:
    """Every price the contract had, oldest first, with who set it."""
    return (
        ContractPrice.objects.filter(contract=contract)
        .select_related("created_by")
        .order_by("effective_at", "id")
    )


def _today(contract: Contract, now: datetime) -> date:
    return timezone.localdate(now, ZoneInfo(contract.time_zone))


def _forecast(
    contract: Contract, *, accepted: Decimal, cost: Decimal, recent: Decimal, today, price: Decimal
):
    """Days to finish the remaining quantity at the window's rate, the day, and the cost then
    (what is paid plus the rest at today's price); None without a rate or when done."""
    remaining = contract.quantity - accepted
    if remaining <= 0 or recent <= 0:
        return None
    days = math.ceil(remaining * RATE_WINDOW_DAYS / recent)
    finish_on = today + timedelta(days=days)
    cost_then = money_round(cost + remaining * price, contract.currency)
    return {
        "remaining": remaining,
        "days": days,
        "finish_on": finish_on,
        "cost": cost_then,
        "late": finish_on > contract.ends_on,
        "over_budget": cost_then > contract.budget,
    }


def cost_summary(*, contracts: Iterable[Contract], now: datetime | None = None) -> dict:
    """Cost, room and forecast of many contracts at once, read from the daily rollups and the
    price history in two queries (plus the contracts' own, when given a queryset), however
    many ledger lines they have.

    ``{"rows": [row per contract, in the order given], "totals": {currency: sums}}``; a row
    holds ``contract``, ``currency``, ``unit_price`` (in effect now), ``accepted_units``,
    ``cost``, ``reserved_units``, ``reserved_amount``, ``quantity_left``, ``budget_left``,
    ``burned_percent`` (cost of the budget, one decimal), ``rate`` (units accepted a day
    over the last 14 days of the contract's time zone), ``today`` and ``forecast``
    (``remaining``, ``days``,
    ``finish_on``, ``cost`` by then at today's price, ``late`` after the end date,
    ``over_budget``; None without a rate or when the quantity is reached). Totals are per
    currency — amounts of two currencies are never added: ``contracts``, ``budget``,
    ``cost``, ``reserved_amount``, ``budget_left``.
    """
    contracts = list(contracts)
    now = now or timezone.now()
    todays = {contract.pk: _today(contract, now) for contract in contracts}
    by_day: dict[date, list[int]] = defaultdict(list)
    for pk, today in todays.items():
        by_day[today].append(pk)
    window = Q(pk__in=[])
    for today, ids in by_day.items():
        start = today - timedelta(days=RATE_WINDOW_DAYS)
        window |= Q(contract_id__in=ids, day__gt=start, day__lte=today)
    sums = {
        row["contract_id"]: row
        for row in LedgerDay.objects.filter(contract_id__in=list(todays))
        .values("contract_id")
        .annotate(
            sum_units=Sum("units"),
            sum_amount=Sum("amount"),
            sum_reserved_units=Sum("reserved_units"),
            sum_reserved_amount=Sum("reserved_amount"),
            sum_recent=Sum("units", filter=window),
        )
        .order_by()
    }
    prices: dict[int, Decimal] = {}
    for pk, price in (
        ContractPrice.objects.filter(contract_id__in=list(todays), effective_at__lte=now)
        .order_by("contract_id", "effective_at", "id")
        .values_list("contract_id", "unit_price")
    ):
        prices[pk] = price  # the last that took effect by now wins
    rows, totals = [], {}
    for contract in contracts:
        found = sums.get(contract.pk, {})
        accepted = found.get("sum_units") or ZERO
        cost = found.get("sum_amount") or ZERO
        reserved = found.get("sum_reserved_units") or ZERO
        reserved_amount = found.get("sum_reserved_amount") or ZERO
        recent = found.get("sum_recent") or ZERO
        today = todays[contract.pk]
        price = prices.get(contract.pk, contract.unit_price)
        row = {
            "contract": contract,
            "currency": contract.currency,
            "unit_price": price,
            "accepted_units": accepted,
            "cost": cost,
            "reserved_units": reserved,
            "reserved_amount": reserved_amount,
            "quantity_left": contract.quantity - accepted - reserved,
            "budget_left": contract.budget - cost - reserved_amount,
            "burned_percent": (cost * HUNDRED / contract.budget).quantize(Decimal("0.1")),
            "rate": (recent / RATE_WINDOW_DAYS).quantize(Decimal("0.01")),
            "today": today,
            "forecast": _forecast(
                contract, accepted=accepted, cost=cost, recent=recent, today=today, price=price
            ),
        }
        rows.append(row)
        total = totals.setdefault(
            contract.currency,
            {"contracts": 0, "budget": ZERO, "cost": ZERO, "reserved_amount": ZERO},
        )
        total["contracts"] += 1
        total["budget"] += contract.budget
        total["cost"] += cost
        total["reserved_amount"] += reserved_amount
    for total in totals.values():
        total["budget_left"] = total["budget"] - total["cost"] - total["reserved_amount"]
    return {"rows": rows, "totals": totals}


def unit_price_suggestion(
    *,
    hourly_rate: Decimal,
    currency: str,
    median_seconds: Decimal,
    regions_per_item: Decimal | None = None,
) -> Decimal:
    """A unit price from a pilot: the hourly rate times the median hours a task took, per
    region divided by the regions an item has; rounded to the currency's minor unit."""
    price = hourly_rate * Decimal(median_seconds) / Decimal(3600)
    if regions_per_item:
        price = price / Decimal(regions_per_item)
    return money_round(price, currency)


def budget_split(
    *,
    budget: Decimal,
    unit_price: Decimal,
    currency: str,
    gaps: list[dict],
    units_per_item: Decimal = Decimal(1),
) -> dict:
    """The items per category a budget buys at a price, for the quota ``gaps``
    (``[{"key", "name", "gap"}]``): all of every gap when it is enough, else shares
    proportional to the gaps (largest remainders first, in the order given), never above a
    gap. ``{"rows": [{..., "quantity", "cost"}], "quantity", "cost", "leftover",
    "per_item", "affordable"}``: ``leftover`` is the budget the quantities leave unspent."""
    per_item = unit_price * Decimal(units_per_item)
    affordable = int(budget // per_item) if per_item > 0 else 0
    wanted = sum(max(0, int(row["gap"])) for row in gaps)
    if affordable >= wanted:
        quantities = [max(0, int(row["gap"])) for row in gaps]
    else:
        exact = [Fraction(affordable * max(0, int(row["gap"])), wanted) for row in gaps]
        quantities = [math.floor(share) for share in exact]
        left = affordable - sum(quantities)
        order = sorted(range(len(gaps)), key=lambda i: (-(exact[i] - quantities[i]), i))
        for index in order[:left]:
            quantities[index] += 1
    rows = [
        {**row, "quantity": quantity, "cost": money_round(quantity * per_item, currency)}
        for row, quantity in zip(gaps, quantities, strict=True)
    ]
    bought = sum(quantities)
    cost = money_round(bought * per_item, currency)
    return {
        "rows": rows,
        "quantity": bought,
        "cost": cost,
        "leftover": budget - cost,
        "per_item": per_item,
        "affordable": affordable,
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
