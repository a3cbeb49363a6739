from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import DomainError
from datasets import services as dataset_services
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.vendors import VendorFactory, contract_for, task_kind_for
from vendors import selectors, services
from vendors.models import Contract, ContractPrice, ContractQuota, LedgerLine

TODAY = date(2026, 12, 2)


@pytest.fixture
def dataset(db):
    return formula_schema(DatasetFactory())


@pytest.fixture
def kind(dataset):
    return task_kind_for(dataset)


def terms(dataset, task_kind, **changes) -> dict:
    fields = {
        "vendor": VendorFactory(),
        "dataset": dataset,
        "kind": Contract.Kind.LABELING,
        "name": "Formula boxes, December",
        "unit": Contract.Unit.TASK,
        "currency": "KRW",
        "unit_price": "1200",
        "quantity": 500,
        "budget": "600000",
        "starts_on": TODAY,
        "ends_on": TODAY + timedelta(days=30),
        "task_kind_id": task_kind.pk,
        "by": None,
    }
    return {**fields, **changes}


def refusal(dataset, task_kind, **changes) -> DomainError:
    with pytest.raises(DomainError) as refused:
        services.contract_create(**terms(dataset, task_kind, **changes))
    assert Contract.objects.count() == 0
    return refused.value


def test_a_new_contract_starts_its_price_history_with_its_price(dataset, kind, settings):
    contract = services.contract_create(**terms(dataset, kind))

    assert contract.unit_price == Decimal("1200")
    assert contract.time_zone == settings.TIME_ZONE
    assert list(contract.prices.values_list("unit_price", flat=True)) == [Decimal("1200")]


def test_a_price_with_more_decimals_than_the_currency_has_is_refused(dataset, kind):
    error = refusal(dataset, kind, unit_price="12.5")

    assert error.status == 400
    assert "KRW amounts have 0 decimal places at most" in error.fields["unit_price"]


def test_a_money_float_is_refused_even_when_its_value_is_whole(dataset, kind):
    error = refusal(dataset, kind, currency="USD", unit_price=0.85)

    assert "unit_price" in error.fields


@pytest.mark.parametrize(
    ("field", "value"),
    [("unit_price", "0"), ("unit_price", "-5"), ("budget", "0"), ("quantity", 0)],
)
def test_zero_or_negative_prices_budgets_and_quantities_are_refused(dataset, kind, field, value):
    error = refusal(dataset, kind, **{field: value})

    assert list(error.fields) == [field]


def test_an_end_before_the_start_is_refused_naming_the_end(dataset, kind):
    error = refusal(dataset, kind, ends_on=TODAY - timedelta(days=1))

    assert error.code == "bad_dates"
    assert "ends_on" in error.fields


def test_an_unknown_currency_is_refused(dataset, kind):
    error = refusal(dataset, kind, currency="XYZ")

    assert error.code == "unknown_currency"
    assert "currency" in error.fields


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "Nowhere"])
def test_an_unknown_time_zone_is_refused(dataset, kind, zone):
    error = refusal(dataset, kind, time_zone=zone)

    assert "time_zone" in error.fields


def test_every_wrong_field_is_named_at_once(dataset, kind):
    error = refusal(dataset, kind, unit_price="12.5", budget="-1", quantity=-3)

    assert set(error.fields) == {"unit_price", "budget", "quantity"}


def test_a_labeling_contract_needs_a_task_kind(dataset, kind):
    error = refusal(dataset, kind, task_kind_id=None)

    assert "task_kind" in error.fields


def test_a_price_per_region_needs_expected_regions_above_zero(dataset, kind):
    assert "expected_regions" in refusal(dataset, kind, unit=Contract.Unit.REGION).fields
    error = refusal(dataset, kind, unit=Contract.Unit.REGION, expected_regions="0")

    assert "expected_regions" in error.fields


def test_a_collection_contract_needs_quotas_and_a_price_per_photo(dataset, kind):
    error = refusal(
        dataset, kind, kind=Contract.Kind.COLLECTION, task_kind_id=None, unit=Contract.Unit.TASK
    )

    assert {"quotas", "unit"} <= set(error.fields)


def test_a_collection_contract_keeps_its_photo_quotas(dataset, kind):
    axis = dataset_services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    shadow = dataset_services.category_create(axis=axis, name="Shadow", slug="shadow", by=None)

    contract = services.contract_create(
        **terms(
            dataset,
            kind,
            kind=Contract.Kind.COLLECTION,
            task_kind_id=None,
            unit=Contract.Unit.PHOTO,
            quotas={shadow: 300},
        )
    )

    assert list(ContractQuota.objects.filter(contract=contract).values_list("quantity")) == [(300,)]


def test_a_quota_of_another_datasets_category_is_refused(dataset, kind):
    other = DatasetFactory()
    axis = dataset_services.axis_create(dataset=other, name="Capture", slug="capture", by=None)
    shadow = dataset_services.category_create(axis=axis, name="Shadow", slug="shadow", by=None)

    error = refusal(
        dataset,
        kind,
        kind=Contract.Kind.COLLECTION,
        task_kind_id=None,
        unit=Contract.Unit.PHOTO,
        quotas={shadow: 10},
    )

    assert "quotas" in error.fields


def test_a_closed_vendor_takes_no_new_contracts(dataset, kind):
    vendor = VendorFactory(closed_at=timezone.now())

    error = refusal(dataset, kind, vendor=vendor)

    assert error.code == "vendor_closed"
    assert "vendor" in error.fields


@pytest.fixture
def usd(dataset, kind):
    return contract_for(
        VendorFactory(), dataset, task_kind=kind, unit_price="0.10", quantity=10, budget="1.00"
    )


def test_ten_cents_then_twenty_cents_cost_exactly_thirty_cents_across_a_price_change(usd):
    services.ledger_accept(contract=usd, task_ref=1)
    services.contract_price_change(contract=usd, unit_price="0.20", by=None)
    services.ledger_accept(contract=usd, task_ref=2)

    row = selectors.cost_summary(contracts=[usd])["rows"][0]

    assert row["cost"] == Decimal("0.30")
    assert [p.unit_price for p in selectors.price_history(contract=usd)] == [
        Decimal("0.10"),
        Decimal("0.20"),
    ]
    assert list(LedgerLine.objects.values_list("unit_price", flat=True).order_by("id")) == [
        Decimal("0.10"),
        Decimal("0.20"),
    ]


def test_a_price_change_cannot_take_effect_in_the_past(usd):
    with pytest.raises(DomainError) as refused:
        services.contract_price_change(
            contract=usd, unit_price="0.20", effective_at=timezone.now() - timedelta(days=1)
        )

    assert "effective_at" in refused.value.fields
    assert ContractPrice.objects.filter(contract=usd).count() == 1


def test_a_price_in_more_decimals_than_cents_is_refused_on_change(usd):
    with pytest.raises(DomainError):
        services.contract_price_change(contract=usd, unit_price="0.205")

    usd.refresh_from_db()
    assert usd.unit_price == Decimal("0.10")


def test_currency_and_expected_regions_are_fixed_once_the_ledger_has_lines(usd):
    services.ledger_reserve(contract=usd, batch_ref=1, tasks=1)

    with pytest.raises(DomainError) as refused:
        services.contract_update(contract=usd, currency="EUR", name="Renamed")

    assert refused.value.fields == {"currency": refused.value.fields["currency"]}
    usd.refresh_from_db()
    assert (usd.currency, usd.name) != ("EUR", "Renamed")


def test_an_unused_contract_may_change_its_currency(usd):
    contract = services.contract_update(contract=usd, currency="EUR", notes="Paid in euros")

    assert (contract.currency, contract.notes) == ("EUR", "Paid in euros")


def test_the_quantity_cannot_drop_below_the_work_already_reserved(usd):
    services.ledger_reserve(contract=usd, batch_ref=1, tasks=6)

    with pytest.raises(DomainError) as refused:
        services.contract_update(contract=usd, quantity=5)

    assert "6 units are already accepted or reserved" in refused.value.fields["quantity"]
    usd.refresh_from_db()
    assert usd.quantity == 10


def test_a_budget_and_end_date_can_be_changed(usd):
    end = usd.ends_on + timedelta(days=10)

    contract = services.contract_update(contract=usd, budget="2.50", ends_on=end)

    assert (contract.budget, contract.ends_on) == (Decimal("2.50"), end)


def test_a_closed_contract_refuses_changes_and_a_second_close(usd):
    services.contract_close(contract=usd)

    with pytest.raises(DomainError) as refused:
        services.contract_update(contract=usd, name="Again")
    with pytest.raises(DomainError):
        services.contract_close(contract=usd)

    assert refused.value.status == 409
    usd.refresh_from_db()
    assert usd.name != "Again"


# --- cost summary and forecast -----------------------------------------------------------


def accept_on(contract, days_ago: int, count: int, start: int) -> None:
    at = timezone.now() - timedelta(days=days_ago)
    for ref in range(start, start + count):
        services.ledger_accept(contract=contract, task_ref=ref, at=at)


def test_the_forecast_divides_the_remaining_quantity_by_the_last_fourteen_days_rate(dataset, kind):
    contract = contract_for(
        VendorFactory(), dataset, task_kind=kind, unit_price="0.50", quantity=100, budget="100"
    )
    accept_on(contract, 20, 30, 1)  # outside the window: counted as cost, not in the rate
    accept_on(contract, 3, 14, 100)  # 14 in the window → one a day
    accept_on(contract, 0, 14, 200)  # 14 more today → two a day

    row = selectors.cost_summary(contracts=[contract])["rows"][0]

    assert row["accepted_units"] == 58
    assert row["cost"] == Decimal("29.00")
    assert row["rate"] == Decimal("2.00")
    assert row["burned_percent"] == Decimal("29.0")
    forecast = row["forecast"]
    assert forecast["remaining"] == 42
    assert forecast["days"] == 21
    assert forecast["finish_on"] == row["today"] + timedelta(days=21)
    assert forecast["cost"] == Decimal("50.00")  # 29.00 paid + 42 × 0.50


def test_a_forecast_rounds_days_up_and_flags_a_finish_after_the_end(dataset, kind):
    contract = contract_for(
        VendorFactory(),
        dataset,
        task_kind=kind,
        unit_price="1000",
        currency="KRW",
        quantity=50,
        budget="40000",
        ends_on=timezone.localdate() + timedelta(days=5),
    )
    accept_on(contract, 1, 3, 1)  # 3 in 14 days

    forecast = selectors.cost_summary(contracts=[contract])["rows"][0]["forecast"]

    assert forecast["days"] == 220  # ceil(47 × 14 / 3)
    assert forecast["late"] is True
    assert forecast["cost"] == Decimal("50000")
    assert forecast["over_budget"] is True


def test_no_acceptance_in_the_window_means_no_forecast(usd):
    accept_on(usd, 30, 2, 1)

    row = selectors.cost_summary(contracts=[usd])["rows"][0]

    assert (row["rate"], row["forecast"]) == (Decimal("0.00"), None)


def test_totals_are_per_currency_never_summed_across(dataset, kind):
    krw = contract_for(
        VendorFactory(), dataset, task_kind=kind, currency="KRW", unit_price="1200", budget="50000"
    )
    usd = contract_for(VendorFactory(), dataset, task_kind=kind, unit_price="0.85", budget="100")
    services.ledger_accept(contract=krw, task_ref=1)
    services.ledger_accept(contract=usd, task_ref=2)

    totals = selectors.cost_summary(contracts=[krw, usd])["totals"]

    assert set(totals) == {"KRW", "USD"}
    assert totals["KRW"]["cost"] == Decimal("1200")
    assert totals["USD"]["cost"] == Decimal("0.85")
    assert totals["USD"]["budget_left"] == Decimal("99.15")


def test_the_cost_summary_reads_two_queries_however_many_contracts(
    dataset, kind, django_assert_num_queries
):
    contracts = [
        contract_for(VendorFactory(), dataset, task_kind=kind, time_zone=zone)
        for zone in ("Asia/Seoul", "UTC", "America/Los_Angeles", "Asia/Seoul")
    ]
    for index, contract in enumerate(contracts):
        services.ledger_accept(contract=contract, task_ref=index + 1)

    with django_assert_num_queries(2):
        rows = selectors.cost_summary(contracts=contracts)["rows"]

    assert [row["accepted_units"] for row in rows] == [1, 1, 1, 1]


# --- planning aids -----------------------------------------------------------------------


def test_a_suggested_price_is_the_hourly_rate_times_the_median_hours():
    price = selectors.unit_price_suggestion(
        hourly_rate=Decimal("12000"), currency="KRW", median_seconds=Decimal(95)
    )

    assert price == Decimal("317")  # 12000 × 95 / 3600 = 316.67, to the won


def test_a_suggested_price_per_region_divides_by_the_regions_per_item():
    price = selectors.unit_price_suggestion(
        hourly_rate=Decimal("18.50"),
        currency="USD",
        median_seconds=Decimal(150),
        regions_per_item=Decimal("2.5"),
    )

    assert price == Decimal("0.31")  # 18.50 × 150 / 3600 = 0.7708 → / 2.5 = 0.3083


GAPS = [
    {"key": "capture=shadow", "name": "Shadow", "gap": 300},
    {"key": "capture=highlighter", "name": "Highlighter", "gap": 100},
    {"key": "capture=crumpled", "name": "Crumpled", "gap": 50},
]


def test_a_budget_is_split_in_proportion_to_the_quota_gaps():
    split = selectors.budget_split(
        budget=Decimal("100000"), unit_price=Decimal("400"), currency="KRW", gaps=GAPS
    )

    assert [row["quantity"] for row in split["rows"]] == [
        167,
        55,
        28,
    ]  # 250 of 450, the largest remainders first
    assert split["quantity"] == 250
    assert split["cost"] == Decimal("100000")
    assert split["leftover"] == Decimal("0")


def test_a_budget_larger_than_the_gaps_buys_each_gap_and_leaves_the_rest():
    split = selectors.budget_split(
        budget=Decimal("200.00"), unit_price=Decimal("0.40"), currency="USD", gaps=GAPS
    )

    assert [row["quantity"] for row in split["rows"]] == [300, 100, 50]
    assert split["cost"] == Decimal("180.00")
    assert split["leftover"] == Decimal("20.00")


def test_a_per_region_budget_split_prices_an_item_at_its_expected_regions():
    split = selectors.budget_split(
        budget=Decimal("100.00"),
        unit_price=Decimal("0.30"),
        currency="USD",
        gaps=GAPS,
        units_per_item=Decimal("2.5"),
    )

    # 0.75 an item: 133 items (99.75), leaving 0.25
    assert split["quantity"] == 133
    assert [row["quantity"] for row in split["rows"]] == [89, 29, 15]
    assert split["leftover"] == Decimal("0.25")


def test_a_scheduled_price_is_not_the_price_until_it_takes_effect(usd):
    later = timezone.now() + timedelta(days=3)
    services.contract_price_change(contract=usd, unit_price="0.30", effective_at=later)

    now_row = selectors.cost_summary(contracts=[usd])["rows"][0]
    then_row = selectors.cost_summary(contracts=[usd], now=later + timedelta(hours=1))["rows"][0]

    assert now_row["unit_price"] == Decimal("0.10")
    assert then_row["unit_price"] == Decimal("0.30")
