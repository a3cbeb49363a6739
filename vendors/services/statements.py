"""Statements: a contract's accepted work per period, in the contract's time zone.

A statement covers the days ``[period_start, period_end)`` of its contract's time zone; by
default one calendar month. Its lines are the accepted and reversal lines of the ledger whose
moment falls in those days. While open it follows the ledger; once closed (only after its
period has ended) it records the highest ledger line it saw (``last_line_id``), its count and
totals, and never changes: a later reversal is dated when it is made, so it lands in the
period that is open then.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from vendors.models import ZERO, Contract, LedgerDay, LedgerLine, Statement
from vendors.services.ledger import contract_today

#: The ledger lines a statement lists: accepted work and its reversals.
STATEMENT_KINDS = (LedgerLine.Kind.ACCEPTED, LedgerLine.Kind.REVERSAL)


def month_of(day: date) -> tuple[date, date]:
    """The calendar month holding ``day``: its first day and the next month's first day."""
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def period_bounds(statement: Statement) -> tuple[datetime, datetime]:
    """The statement's period as two aware moments: midnight of its first day and of the day
    after its last, in the contract's time zone."""
    zone = ZoneInfo(statement.contract.time_zone)
    return (
        datetime.combine(statement.period_start, time.min, tzinfo=zone),
        datetime.combine(statement.period_end, time.min, tzinfo=zone),
    )


def statement_lines(*, statement: Statement) -> QuerySet[LedgerLine]:
    """The accepted and reversal lines of the statement's period, oldest first; for a closed
    statement only those the ledger held when it was closed. Each accepted task appears once
    (the ledger's unique constraint on paid tasks guarantees it)."""
    start, end = period_bounds(statement)
    lines = LedgerLine.objects.filter(
        contract_id=statement.contract_id, kind__in=STATEMENT_KINDS, at__gte=start, at__lt=end
    )
    if statement.closed_at is not None:
        lines = lines.filter(id__lte=statement.last_line_id or 0)
    return lines.order_by("at", "id")


def _period_check(contract: Contract, period_start: date, period_end: date) -> None:
    if period_end <= period_start:
        message = _("A statement's period ends after it starts (%(start)s – %(end)s).") % {
            "start": period_start,
            "end": period_end,
        }
        raise DomainError(message, code="bad_period", fields={"period_end": message})


@transaction.atomic
def statement_for(
    *,
    contract: Contract,
    period_start: date | None = None,
    period_end: date | None = None,
) -> Statement:
    """The contract's statement for a period, made when it does not exist yet.

    With no dates: the calendar month of today in the contract's time zone; with only
    ``period_start``: the calendar month holding it. A statement that starts that day with
    another end is a 409 (two statements never share a first day)."""
    if period_start is None:
        period_start = contract_today(contract)
    if period_end is None:
        period_start, period_end = month_of(period_start)
    _period_check(contract, period_start, period_end)
    try:
        with transaction.atomic():
            statement, _made = Statement.objects.get_or_create(
                contract=contract,
                period_start=period_start,
                defaults={"period_end": period_end},
            )
    except IntegrityError:  # made meanwhile by another request
        statement = Statement.objects.get(contract=contract, period_start=period_start)
    if statement.period_end != period_end:
        raise DomainError(
            _("Contract “%(name)s” already has a statement from %(start)s until %(end)s.")
            % {"name": contract.name, "start": period_start, "end": statement.period_end},
            code="statement_exists",
            status=409,
        )
    statement.contract = contract
    return statement


@transaction.atomic
def statements_ensure(*, contracts) -> int:
    """Give each contract a monthly statement for every month its ledger has lines in, and
    for the current month (in its time zone); returns how many it found missing. A month inside a
    longer statement made by hand is not given a second one. Three queries however many
    contracts and lines: the months with lines (from the daily rollup), the statements that
    exist, one insert."""
    contracts = list(contracts)
    if not contracts:
        return 0
    wanted = {(contract.pk, month_of(contract_today(contract))[0]) for contract in contracts}
    months = (
        LedgerDay.objects.filter(contract__in=contracts)
        .annotate(month=TruncMonth("day"))
        .values_list("contract_id", "month")
        .distinct()
    )
    wanted |= set(months)
    spans = list(
        Statement.objects.filter(contract__in=contracts).values_list(
            "contract_id", "period_start", "period_end"
        )
    )
    missing = sorted(
        (contract_id, start)
        for contract_id, start in wanted
        if not any(
            other == contract_id and first < month_of(start)[1] and start < end
            for other, first, end in spans
        )
    )
    made = Statement.objects.bulk_create(
        [
            Statement(contract_id=contract_id, period_start=start, period_end=month_of(start)[1])
            for contract_id, start in missing
        ],
        ignore_conflicts=True,
    )
    return len(made)


def statement_totals(lines: QuerySet[LedgerLine]) -> dict:
    """``line_count``, ``total_units``, ``total_amount`` of some lines, in one query."""
    sums = lines.order_by().aggregate(count=Count("id"), units=Sum("units"), amount=Sum("amount"))
    return {
        "line_count": sums["count"],
        "total_units": sums["units"] or ZERO,
        "total_amount": sums["amount"] or ZERO,
    }


@transaction.atomic
def statement_close(*, statement: Statement, by: User | None = None) -> Statement:
    """Close a statement once its period has ended in the contract's time zone: it records
    the ledger's last line, its line count and totals, and never changes after. The
    contract's row is locked, as every ledger write locks it, so no line slips in between
    the totals and the last line recorded."""
    contract = Contract.objects.select_for_update().get(pk=statement.contract_id)
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    statement.contract = contract
    if statement.closed_at is not None:
        raise DomainError(
            _("This statement was already closed on %(day)s.")
            % {"day": timezone.localdate(statement.closed_at, ZoneInfo(contract.time_zone))},
            code="statement_closed",
            status=409,
        )
    today = contract_today(contract)
    if today < statement.period_end:
        last_day = statement.period_end - timedelta(days=1)
        raise DomainError(
            _(
                "This statement covers work until %(last)s; it can be closed from %(end)s "
                "(today is %(today)s in %(zone)s)."
            )
            % {
                "last": last_day,
                "end": statement.period_end,
                "today": today,
                "zone": contract.time_zone,
            },
            code="statement_period_open",
            status=409,
        )
    last = LedgerLine.objects.filter(contract=contract).aggregate(last=Max("id"))["last"] or 0
    statement.last_line_id = last
    statement.closed_at = timezone.now()
    statement.closed_by = by
    lines = statement_lines(statement=statement)
    for field, value in statement_totals(lines).items():
        setattr(statement, field, value)
    statement.save(
        update_fields=[
            "last_line_id",
            "closed_at",
            "closed_by",
            "line_count",
            "total_units",
            "total_amount",
        ]
    )
    return statement
