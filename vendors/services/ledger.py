"""The append-only ledger: reservations when work is cut, releases when it is cancelled,
accepted work when review accepts it, reversals of accepted lines.

Every write locks its contract's row first, so two cuts racing for the last room take turns
and the day's rollup (``LedgerDay``) is kept in the same transaction. Labeling and review
call these with their batches' and tasks' opaque ids.
"""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from core.money import money_format
from vendors.models import ZERO, Contract, ContractPrice, LedgerDay, LedgerLine

#: Reserved amounts keep four decimals (a per-region price times a fractional expectation).
FOUR = Decimal("0.0001")


def contract_today(contract: Contract):
    """Today in the contract's time zone."""
    return timezone.localdate(timezone.now(), ZoneInfo(contract.time_zone))


def price_at(contract: Contract, at) -> Decimal:
    """The unit price in effect at ``at``: the latest price that took effect by then."""
    price = (
        ContractPrice.objects.filter(contract=contract, effective_at__lte=at)
        .order_by("-effective_at", "-id")
        .values_list("unit_price", flat=True)
        .first()
    )
    return contract.unit_price if price is None else price


def units_per_task(contract: Contract) -> Decimal:
    """What one task counts toward the quantity: its expected regions for a per-region
    price, else one."""
    if contract.unit == Contract.Unit.REGION:
        return contract.expected_regions or Decimal(1)
    return Decimal(1)


def _locked(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk)


def _append(contract: Contract, **fields) -> LedgerLine:
    line = LedgerLine.objects.create(contract=contract, **fields)
    day = timezone.localdate(line.at, ZoneInfo(contract.time_zone))
    LedgerDay.objects.get_or_create(contract=contract, day=day)
    accepted = {"accepted": 1, "reversal": -1}.get(line.kind, 0)
    LedgerDay.objects.filter(contract=contract, day=day).update(
        units=F("units") + line.units,
        amount=F("amount") + line.amount,
        reserved_units=F("reserved_units") + line.reserved_units,
        reserved_amount=F("reserved_amount") + line.reserved_amount,
        accepted=F("accepted") + accepted,
    )
    return line


def _room_check(contract: Contract, units: Decimal, amount: Decimal) -> None:
    from vendors.selectors import contract_room  # selectors read what services write

    room = contract_room(contract=contract)
    if contract.closed_at is not None:
        raise DomainError(
            _("Contract “%(name)s” is closed.") % {"name": contract.name},
            code="contract_closed",
        )
    today = contract_today(contract)
    if today > contract.ends_on:
        raise DomainError(
            _("Contract “%(name)s” ended on %(end)s; today is %(today)s.")
            % {"name": contract.name, "end": contract.ends_on, "today": today},
            code="contract_ended",
        )
    if units > room["quantity_left"]:
        raise DomainError(
            _(
                "This needs %(units)s units, but contract “%(name)s” has %(left)s of "
                "%(quantity)s left (%(accepted)s accepted, %(reserved)s reserved)."
            )
            % {
                "units": f"{units.normalize():f}",
                "name": contract.name,
                "left": f"{room['quantity_left'].normalize():f}",
                "quantity": contract.quantity,
                "accepted": f"{room['accepted_units'].normalize():f}",
                "reserved": f"{room['reserved_units'].normalize():f}",
            },
            code="contract_quantity",
        )
    if amount > room["budget_left"]:
        currency = contract.currency
        raise DomainError(
            _(
                "This would cost up to %(amount)s, but contract “%(name)s” has %(left)s of its "
                "%(budget)s budget left."
            )
            % {
                "amount": money_format(amount, currency),
                "name": contract.name,
                "left": money_format(room["budget_left"], currency),
                "budget": money_format(contract.budget, currency),
            },
            code="contract_budget",
        )


@transaction.atomic
def ledger_reserve(
    *, contract: Contract, batch_ref: int, tasks: int, by: User | None = None
) -> LedgerLine:
    """Reserve room for ``tasks`` tasks of a batch being cut, at today's price, or refuse
    with the numbers when the contract has ended, is closed, or lacks quantity or budget."""
    contract = _locked(contract)
    now = timezone.now()
    price = price_at(contract, now)
    per = units_per_task(contract)
    units = per * tasks
    amount = (per * price).quantize(FOUR) * tasks
    _room_check(contract, units, amount)
    return _append(
        contract,
        kind=LedgerLine.Kind.RESERVATION,
        batch_ref=batch_ref,
        reserved_units=units,
        reserved_amount=amount,
        unit_price=price,
        at=now,
        by=by,
    )


def _reservation(contract: Contract, batch_ref: int) -> LedgerLine | None:
    return (
        LedgerLine.objects.filter(
            contract=contract, batch_ref=batch_ref, kind=LedgerLine.Kind.RESERVATION
        )
        .order_by("id")
        .first()
    )


def _share(contract: Contract, reservation: LedgerLine | None) -> tuple[Decimal, Decimal]:
    """One task's part of its batch's reservation: (units, amount)."""
    if reservation is None:
        return ZERO, ZERO
    per = units_per_task(contract)
    return per, (per * reservation.unit_price).quantize(FOUR)


@transaction.atomic
def ledger_release(
    *, contract: Contract, batch_ref: int, tasks: int, by: User | None = None, note: str = ""
) -> LedgerLine | None:
    """Give back the reservation of ``tasks`` cancelled tasks of a batch (none if 0)."""
    if tasks <= 0:
        return None
    contract = _locked(contract)
    reservation = _reservation(contract, batch_ref)
    units, amount = _share(contract, reservation)
    return _append(
        contract,
        kind=LedgerLine.Kind.RELEASE,
        batch_ref=batch_ref,
        reserved_units=-units * tasks,
        reserved_amount=-amount * tasks,
        unit_price=reservation.unit_price if reservation else contract.unit_price,
        by=by,
        note=note,
    )


@transaction.atomic
def ledger_accept(
    *,
    contract: Contract,
    units: Decimal | int = 1,
    task_ref: int | None = None,
    batch_ref: int | None = None,
    item=None,
    by: User | None = None,
    at=None,
) -> LedgerLine:
    """Record accepted work: a task (``task_ref``, its batch's reservation share released)
    or, with no task, a collected photo (``item``). ``units`` are what it counts: 1, or its
    regions for a per-region price. Paid at the price in effect at ``at``; a task or photo
    already paid is a 409."""
    contract = _locked(contract)
    at = at or timezone.now()
    price = price_at(contract, at)
    units = Decimal(units)
    reserved_units, reserved_amount = (
        _share(contract, _reservation(contract, batch_ref)) if batch_ref else (ZERO, ZERO)
    )
    try:
        with transaction.atomic():
            return _append(
                contract,
                kind=LedgerLine.Kind.ACCEPTED,
                task_ref=task_ref,
                batch_ref=batch_ref,
                item=item,
                units=units,
                amount=units * price,
                reserved_units=-reserved_units,
                reserved_amount=-reserved_amount,
                unit_price=price,
                at=at,
                by=by,
            )
    except IntegrityError:
        what = {"task": task_ref} if task_ref else {"item": getattr(item, "pk", item)}
        raise DomainError(
            _("This work was already accepted and paid (%(what)s).")
            % {"what": ", ".join(f"{k} {v}" for k, v in what.items())},
            code="already_paid",
            status=409,
        ) from None


@transaction.atomic
def ledger_reverse(*, line: LedgerLine, by: User | None = None, note: str = "") -> LedgerLine:
    """A negative line for an accepted one (paid in error): its units and amount come off;
    its reservation share stays used. A line is reversed at most once."""
    contract = _locked(line.contract)
    if line.kind != LedgerLine.Kind.ACCEPTED:
        raise DomainError(
            _("Only accepted work can be reversed; release a reservation instead."),
            code="not_reversible",
        )
    if LedgerLine.objects.filter(reverses=line).exists():
        raise DomainError(
            _("Ledger line %(id)s was already reversed.") % {"id": line.pk},
            code="already_reversed",
            status=409,
        )
    return _append(
        contract,
        kind=LedgerLine.Kind.REVERSAL,
        task_ref=None,
        batch_ref=line.batch_ref,
        item=line.item,
        units=-line.units,
        amount=-line.amount,
        unit_price=line.unit_price,
        reverses=line,
        by=by,
        note=note,
    )
