"""Contracts: what a vendor was contracted for, at which price, how much of it, until when.

Every write checks its whole input first and refuses with one 400 naming each field that is
wrong, so a form shows every problem at once and a refused write changes nothing. Money
arrives as decimal strings (``core.money.money_parse``): a JSON number, a price with more
decimals than its currency has (₩12.5) or zero and less are refused. The task kind is an
opaque id here: the labeling app resolves it in the contract's dataset before calling.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from core.money import currency_known, money_format, money_parse
from core.zones import unknown_zone_message, zone_known
from datasets.models import Category, Dataset
from vendors.models import Contract, ContractPrice, ContractQuota, LedgerLine, Vendor

#: Fields that cannot change once the ledger has a line: the lines were counted and priced
#: under them (units per task, the currency of every amount, the days of the rollups).
FIXED_ONCE_USED = ("unit", "currency", "expected_regions", "time_zone")
#: What ``contract_update`` may change.
UPDATABLE = (
    "name",
    "notes",
    "quantity",
    "budget",
    "starts_on",
    "ends_on",
    "expected_regions",
    "currency",
    "time_zone",
    "unit",
)


class _Refusals:
    """Field errors collected while checking, raised together as one 400."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.code = "invalid_contract"

    def add(self, field: str, message: str, code: str | None = None) -> None:
        if field not in self.fields:
            self.fields[field] = message
            if code and self.code == "invalid_contract":
                self.code = code

    def money(self, value, *, currency: str | None, field: str) -> Decimal | None:
        if currency is None:
            return None  # the currency's own error says why
        try:
            return money_parse(value, currency=currency, field=field)
        except DomainError as error:
            self.add(field, error.fields.get(field, error.message), "bad_money")
            return None

    def raise_any(self) -> None:
        if not self.fields:
            return
        if len(self.fields) == 1:
            message = next(iter(self.fields.values()))
        else:
            message = _("Some fields are invalid: %(names)s.") % {
                "names": ", ".join(sorted(self.fields))
            }
        raise DomainError(message, code=self.code, fields=self.fields)


def _positive_int(value, refusals: _Refusals, field: str) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        refusals.add(field, _("Give a whole number."))
        return None
    if value <= 0:
        refusals.add(field, _("The quantity must be more than zero."), "bad_quantity")
        return None
    return value


def _regions(value, refusals: _Refusals) -> Decimal | None:
    """Expected regions per item: a positive decimal (a string, an int or a Decimal)."""
    if value is None or value == "":
        return None
    if isinstance(value, (bool, float)):
        refusals.add("expected_regions", _("Give a decimal string, e.g. “2.5”."))
        return None
    try:
        regions = Decimal(str(value).strip())
    except InvalidOperation:
        refusals.add("expected_regions", _("Give a decimal string, e.g. “2.5”."))
        return None
    if not regions.is_finite() or regions <= 0 or regions >= 1_000_000:
        refusals.add("expected_regions", _("Expected regions per item must be more than zero."))
        return None
    if -regions.as_tuple().exponent > 2:
        refusals.add("expected_regions", _("Give at most two decimal places."))
        return None
    return regions


def _check_terms(terms: dict, refusals: _Refusals) -> dict:
    """Check the fields every contract has; return them cleaned (money as Decimals)."""
    currency = terms["currency"]
    if not currency_known(currency):
        refusals.add(
            "currency",
            _("“%(code)s” is not an ISO 4217 currency code (KRW, USD, EUR, …).")
            % {"code": currency},
            "unknown_currency",
        )
        currency = None
    name = (terms.get("name") or "").strip()
    if not name:
        refusals.add("name", _("Give the contract a name."))
    if "unit_price" in terms:
        terms["unit_price"] = refusals.money(
            terms["unit_price"], currency=currency, field="unit_price"
        )
    terms["budget"] = refusals.money(terms["budget"], currency=currency, field="budget")
    terms["quantity"] = _positive_int(terms["quantity"], refusals, "quantity")
    starts_on, ends_on = terms["starts_on"], terms["ends_on"]
    for field, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if not isinstance(day, date) or isinstance(day, datetime):
            refusals.add(field, _("Give a date."))
    if isinstance(starts_on, date) and isinstance(ends_on, date) and ends_on < starts_on:
        refusals.add(
            "ends_on",
            _("The contract cannot end (%(end)s) before it starts (%(start)s).")
            % {"end": ends_on, "start": starts_on},
            "bad_dates",
        )
    if not zone_known(terms["time_zone"]):
        refusals.add("time_zone", unknown_zone_message(terms["time_zone"]), "unknown_time_zone")
    unit = terms["unit"]
    terms["expected_regions"] = _regions(terms.get("expected_regions"), refusals)
    if unit == Contract.Unit.REGION and terms["expected_regions"] is None:
        refusals.add(
            "expected_regions",
            _("A price per region needs the expected regions per item (what a cut reserves)."),
        )
    if unit != Contract.Unit.REGION:
        terms["expected_regions"] = None
    terms["name"] = name
    return terms


def _check_kind(
    kind: str, unit: str, task_kind_id, quotas, dataset: Dataset, refusals: _Refusals
) -> None:
    if kind == Contract.Kind.LABELING:
        if not task_kind_id:
            refusals.add("task_kind", _("A labeling contract needs a task kind."))
        if unit not in (Contract.Unit.TASK, Contract.Unit.REGION):
            refusals.add("unit", _("A labeling contract is priced per task or per region."))
        if quotas:
            refusals.add("quotas", _("Only a contract for collecting photos has photo quotas."))
    elif kind == Contract.Kind.COLLECTION:
        if unit != Contract.Unit.PHOTO:
            refusals.add("unit", _("A contract for collecting photos is priced per photo."))
        if task_kind_id:
            refusals.add("task_kind", _("A contract for collecting photos has no task kind."))
        if not quotas:
            refusals.add("quotas", _("Say how many photos of which categories the contract buys."))
        for category, count in (quotas or {}).items():
            if not isinstance(category, Category) or category.axis.dataset_id != dataset.pk:
                refusals.add("quotas", _("A photo quota names a category of another dataset."))
            elif isinstance(count, bool) or not isinstance(count, int) or count <= 0:
                refusals.add(
                    "quotas",
                    _("The quota of “%(name)s” must be a whole number above zero.")
                    % {"name": category.name},
                )
    else:
        refusals.add("kind", _("A contract is for labeling or for collecting photos."))


@transaction.atomic
def contract_create(
    *,
    vendor: Vendor,
    dataset: Dataset,
    kind: str,
    name: str,
    unit: str,
    currency: str,
    unit_price,
    quantity: int,
    budget,
    starts_on: date,
    ends_on: date,
    time_zone: str | None = None,
    task_kind_id: int | None = None,
    expected_regions=None,
    quotas: dict[Category, int] | None = None,
    notes: str = "",
    by: User | None,
) -> Contract:
    """A new contract of ``vendor`` on ``dataset``, with its first price in the history.

    ``unit_price`` and ``budget`` are decimal strings in ``currency``; ``time_zone``
    defaults to the deployment's. A closed vendor takes no new contracts."""
    refusals = _Refusals()
    if vendor.closed_at is not None:
        refusals.add(
            "vendor",
            _("Vendor “%(name)s” is closed and takes no new contracts.") % {"name": vendor.name},
            "vendor_closed",
        )
    terms = _check_terms(
        {
            "name": name,
            "unit": unit,
            "currency": currency,
            "unit_price": unit_price,
            "quantity": quantity,
            "budget": budget,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "time_zone": time_zone or settings.TIME_ZONE,
            "expected_regions": expected_regions,
        },
        refusals,
    )
    _check_kind(kind, unit, task_kind_id, quotas, dataset, refusals)
    refusals.raise_any()
    contract = Contract.objects.create(
        vendor=vendor,
        dataset=dataset,
        kind=kind,
        task_kind_id=task_kind_id if kind == Contract.Kind.LABELING else None,
        notes=notes or "",
        created_by=by,
        **terms,
    )
    ContractPrice.objects.create(
        contract=contract,
        unit_price=contract.unit_price,
        effective_at=contract.created_at,
        created_by=by,
    )
    ContractQuota.objects.bulk_create(
        ContractQuota(contract=contract, category=category, quantity=count)
        for category, count in (quotas or {}).items()
    )
    return contract


def _closed_refusal(contract: Contract) -> DomainError:
    return DomainError(
        _("Contract “%(name)s” is closed.") % {"name": contract.name},
        code="contract_closed",
        status=409,
    )


def _locked(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().get(pk=contract.pk)


@transaction.atomic
def contract_update(*, contract: Contract, by: User | None = None, **changes) -> Contract:
    """Change a contract's terms: name, notes, quantity, budget, dates; unit, currency,
    expected regions and time zone only while its ledger is empty. The quantity and budget
    never go below what is already accepted or reserved."""
    from vendors.selectors import contract_room  # selectors read what services write

    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise DomainError(
            _("These cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            code="not_updatable",
            fields={name: _("This cannot be changed.") for name in unknown},
        )
    contract = _locked(contract)
    if contract.closed_at is not None:
        raise _closed_refusal(contract)
    refusals = _Refusals()
    if LedgerLine.objects.filter(contract=contract).exists():
        for field in FIXED_ONCE_USED:
            if field in changes and _differs(getattr(contract, field), changes[field]):
                refusals.add(
                    field, _("This is fixed once the contract's ledger has lines."), "terms_fixed"
                )
    current = {field: getattr(contract, field) for field in UPDATABLE}
    current["budget"] = _plain(contract.budget)  # stored with four places: ₩1000.0000
    terms = _check_terms({**current, **changes}, refusals)
    if contract.kind == Contract.Kind.LABELING and terms["unit"] == Contract.Unit.PHOTO:
        refusals.add("unit", _("A labeling contract is priced per task or per region."))
    if contract.kind == Contract.Kind.COLLECTION and terms["unit"] != Contract.Unit.PHOTO:
        refusals.add("unit", _("A contract for collecting photos is priced per photo."))
    room = contract_room(contract=contract)
    used_units = room["accepted_units"] + room["reserved_units"]
    used_amount = room["cost"] + room["reserved_amount"]
    if terms["quantity"] is not None and terms["quantity"] < used_units:
        refusals.add(
            "quantity",
            _("%(used)s units are already accepted or reserved: the quantity cannot be less.")
            % {"used": f"{used_units.normalize():f}"},
            "contract_quantity",
        )
    if terms["budget"] is not None and terms["budget"] < used_amount:
        refusals.add(
            "budget",
            _("%(used)s is already spent or reserved: the budget cannot be less.")
            % {"used": money_format(used_amount, contract.currency)},
            "contract_budget",
        )
    refusals.raise_any()
    for field in UPDATABLE:
        setattr(contract, field, terms[field])
    contract.save(update_fields=list(UPDATABLE))
    return contract


def _plain(amount: Decimal) -> Decimal:
    """A stored amount without the zeros its column pads it with: 1000.0000 → 1000."""
    amount = amount.normalize()
    return amount.quantize(Decimal(1)) if amount.as_tuple().exponent > 0 else amount


def _differs(old, new) -> bool:
    new = None if new == "" else new
    if isinstance(old, Decimal) and new not in (None, ""):
        try:
            return old != Decimal(str(new))
        except InvalidOperation:
            return True
    return old != new


@transaction.atomic
def contract_price_change(
    *,
    contract: Contract,
    unit_price,
    effective_at: datetime | None = None,
    note: str = "",
    by: User | None = None,
) -> ContractPrice:
    """A new unit price from ``effective_at`` (now by default, or later): work accepted from
    then on is paid at it, work accepted before keeps its price, and the history keeps both.
    A price cannot take effect in the past, before work already paid at the old one."""
    contract = _locked(contract)
    if contract.closed_at is not None:
        raise _closed_refusal(contract)
    price = money_parse(unit_price, currency=contract.currency, field="unit_price")
    now = timezone.now()
    effective_at = effective_at or now
    if effective_at < now - timedelta(minutes=1):
        message = _("A new price takes effect now or later, never in the past.")
        raise DomainError(message, code="price_backdated", fields={"effective_at": message})
    record = ContractPrice.objects.create(
        contract=contract,
        unit_price=price,
        effective_at=effective_at,
        note=(note or "")[:300],
        created_by=by,
    )
    if effective_at <= now:
        contract.unit_price = price
        contract.save(update_fields=["unit_price"])
    return record


@transaction.atomic
def contract_close(*, contract: Contract, by: User | None = None) -> Contract:
    """Close a contract: no new work is cut under it (accepting what was cut goes on).
    Contracts are closed, never deleted."""
    contract = _locked(contract)
    if contract.closed_at is not None:
        raise _closed_refusal(contract)
    contract.closed_at = timezone.now()
    contract.save(update_fields=["closed_at"])
    return contract
