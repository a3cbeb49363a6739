import codecs
import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from core.errors import DomainError
from core.spreadsheet import spreadsheet_cell
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.vendors import VendorFactory, contract_for, member_of, task_kind_for
from vendors import services
from vendors.models import ContractPrice, LedgerLine, Statement
from vendors.services.statements import month_of


def last_month() -> tuple[date, date]:
    """The calendar month before this one (UTC): a period that has ended."""
    this_month = month_of(timezone.localdate())[0]
    return month_of(this_month - timedelta(days=1))


def moment(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@pytest.fixture
def dataset(db):
    return formula_schema(DatasetFactory())


@pytest.fixture
def vendor(db):
    return VendorFactory(name="한글 라벨링")


def labeling_contract(vendor, dataset, **terms):
    """A contract running since well before last month, its price in effect since then."""
    start = last_month()[0] - timedelta(days=40)
    contract = contract_for(
        vendor, dataset, task_kind=task_kind_for(dataset), starts_on=start, **terms
    )
    contract.prices.update(effective_at=moment(start, 0))
    return contract


@pytest.fixture
def contract(vendor, dataset):
    return labeling_contract(vendor, dataset, unit_price="0.85")


def accept(contract, task: int, at: datetime, units: int = 1) -> LedgerLine:
    return services.ledger_accept(contract=contract, task_ref=task, batch_ref=1, units=units, at=at)


# --- the period, in the contract's time zone --------------------------------------------


def test_an_acceptance_at_2330_utc_on_a_months_last_day_is_next_month_in_seoul(vendor, dataset):
    contract = labeling_contract(vendor, dataset, time_zone="Asia/Seoul")
    first, end = last_month()
    line = accept(contract, 1, moment(end - timedelta(days=1), 23, 30))

    that_month = services.statement_for(contract=contract, period_start=first)
    next_month = services.statement_for(contract=contract, period_start=end)

    assert list(services.statement_lines(statement=that_month)) == []
    assert list(services.statement_lines(statement=next_month)) == [line]


def test_an_acceptance_at_2330_utc_on_a_months_last_day_is_that_month_in_utc(vendor, dataset):
    contract = labeling_contract(vendor, dataset, time_zone="UTC")
    first, end = last_month()
    line = accept(contract, 1, moment(end - timedelta(days=1), 23, 30))

    that_month = services.statement_for(contract=contract, period_start=first)
    next_month = services.statement_for(contract=contract, period_start=end)

    assert list(services.statement_lines(statement=that_month)) == [line]
    assert list(services.statement_lines(statement=next_month)) == []


def test_a_statement_is_the_calendar_month_of_today_in_the_contracts_time_zone(contract):
    statement = services.statement_for(contract=contract)

    start, end = month_of(services.contract_today(contract))
    assert (statement.period_start, statement.period_end) == (start, end)
    assert services.statement_for(contract=contract).pk == statement.pk


def test_a_period_that_ends_before_it_starts_is_refused(contract):
    with pytest.raises(DomainError) as refused:
        services.statement_for(
            contract=contract, period_start=date(2026, 5, 10), period_end=date(2026, 5, 1)
        )

    assert refused.value.code == "bad_period"
    assert "period_end" in refused.value.fields
    assert not Statement.objects.exists()


def test_a_second_statement_from_the_same_day_with_another_end_is_a_conflict(contract):
    services.statement_for(contract=contract, period_start=date(2026, 5, 1))

    with pytest.raises(DomainError) as refused:
        services.statement_for(
            contract=contract, period_start=date(2026, 5, 1), period_end=date(2026, 5, 15)
        )

    assert refused.value.status == 409
    assert Statement.objects.count() == 1


# --- totals ---------------------------------------------------------------------------------


def test_the_total_is_the_sum_of_lines_and_units_times_price_across_a_price_change(contract):
    first, end = last_month()
    ContractPrice.objects.create(
        contract=contract, unit_price=Decimal("0.90"), effective_at=moment(first + timedelta(14))
    )
    accept(contract, 1, moment(first + timedelta(days=2)))
    accept(contract, 2, moment(first + timedelta(days=3)))
    accept(contract, 3, moment(first + timedelta(days=20)))
    accept(contract, 4, moment(first + timedelta(days=21)), units=2)
    statement = services.statement_for(contract=contract, period_start=first)

    closed = services.statement_close(statement=statement)

    lines = list(services.statement_lines(statement=closed))
    assert closed.total_amount == sum(line.amount for line in lines) == Decimal("4.40")
    assert closed.total_amount == 2 * Decimal("0.85") + 3 * Decimal("0.90")
    assert (closed.line_count, closed.total_units) == (4, 5)
    from vendors.selectors import statement_subtotals

    assert [
        (row["unit_price"], row["line_count"], row["units"], row["amount"])
        for row in statement_subtotals(statement=closed)
    ] == [(Decimal("0.85"), 2, 2, Decimal("1.70")), (Decimal("0.90"), 2, 3, Decimal("2.70"))]


def test_ten_cents_and_twenty_cents_make_exactly_thirty_cents_on_a_statement(vendor, dataset):
    contract = labeling_contract(vendor, dataset, unit_price="0.10")
    first, end = last_month()
    ContractPrice.objects.create(
        contract=contract, unit_price=Decimal("0.20"), effective_at=moment(first + timedelta(9))
    )
    accept(contract, 1, moment(first + timedelta(days=1)))
    accept(contract, 2, moment(first + timedelta(days=10)))

    closed = services.statement_close(
        statement=services.statement_for(contract=contract, period_start=first)
    )

    assert closed.total_amount == Decimal("0.30")


def test_reservations_and_releases_are_not_statement_lines(contract):
    first, _end = last_month()
    services.ledger_reserve(contract=contract, batch_ref=1, tasks=3)
    services.ledger_release(contract=contract, batch_ref=1, tasks=1)
    statement = services.statement_for(contract=contract)

    assert list(services.statement_lines(statement=statement)) == []


# --- closing ------------------------------------------------------------------------------


def test_a_closed_statement_never_changes_after_a_later_reversal(contract):
    first, _end = last_month()
    paid = accept(contract, 1, moment(first + timedelta(days=3)))
    accept(contract, 2, moment(first + timedelta(days=4)))
    statement = services.statement_close(
        statement=services.statement_for(contract=contract, period_start=first)
    )

    reversal = services.ledger_reverse(line=paid, note="paid twice by mistake")

    statement.refresh_from_db()
    assert [line.task_ref for line in services.statement_lines(statement=statement)] == [1, 2]
    assert (statement.line_count, statement.total_amount) == (2, Decimal("1.70"))
    current = services.statement_for(contract=contract)
    assert list(services.statement_lines(statement=current)) == [reversal]


def test_a_line_dated_into_a_closed_period_later_stays_out_of_it(contract):
    first, _end = last_month()
    accept(contract, 1, moment(first + timedelta(days=3)))
    statement = services.statement_close(
        statement=services.statement_for(contract=contract, period_start=first)
    )

    accept(contract, 2, moment(first + timedelta(days=5)))

    assert [line.task_ref for line in services.statement_lines(statement=statement)] == [1]


def test_a_statement_is_not_closed_before_its_period_ends(contract):
    accept(contract, 1, timezone.now())
    statement = services.statement_for(contract=contract)

    with pytest.raises(DomainError) as refused:
        services.statement_close(statement=statement)

    assert (refused.value.code, refused.value.status) == ("statement_period_open", 409)
    statement.refresh_from_db()
    assert (statement.closed_at, statement.last_line_id, statement.line_count) == (None, None, 0)


def test_a_period_ends_at_midnight_in_the_contracts_time_zone_not_utc(vendor, dataset):
    contract = labeling_contract(vendor, dataset, time_zone="Pacific/Kiritimati")  # UTC+14
    today_there = services.contract_today(contract)
    statement = services.statement_for(
        contract=contract, period_start=today_there - timedelta(days=3), period_end=today_there
    )

    closed = services.statement_close(statement=statement)

    assert closed.closed_at is not None


def test_a_closed_statement_is_not_closed_again(contract):
    first, _end = last_month()
    statement = services.statement_close(
        statement=services.statement_for(contract=contract, period_start=first)
    )
    closed_at = statement.closed_at

    with pytest.raises(DomainError) as refused:
        services.statement_close(statement=statement)

    assert refused.value.code == "statement_closed"
    statement.refresh_from_db()
    assert statement.closed_at == closed_at


def test_every_month_with_ledger_lines_and_the_current_month_get_a_statement(contract):
    first, _end = last_month()
    accept(contract, 1, moment(first + timedelta(days=3)))
    accept(contract, 2, timezone.now())

    made = services.statements_ensure(contracts=[contract])
    again = services.statements_ensure(contracts=[contract])

    starts = set(Statement.objects.values_list("period_start", flat=True))
    assert starts == {first, month_of(services.contract_today(contract))[0]}
    assert (made, again) == (2, 0)


# --- spreadsheet cells ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_text_cell_that_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert spreadsheet_cell(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "cell"),
    [("plain", "plain"), ("한글 메모", "한글 메모"), (None, ""), ("", ""), ("a=1", "a=1")],
)
def test_other_text_cells_are_left_as_they_are(value, cell):
    assert spreadsheet_cell(value) == cell


def test_numbers_stay_numbers_even_when_negative():
    assert spreadsheet_cell(Decimal("-0.85")) == Decimal("-0.85")
    assert spreadsheet_cell(-3) == -3


# --- pages and the CSV ----------------------------------------------------------------------


@pytest.fixture
def manager(vendor, client_for):
    client = client_for(Role.VENDOR_MANAGER)
    member_of(vendor, role=Role.VENDOR_MANAGER, user=client.user)
    return client


@pytest.fixture
def last_months_statement(contract):
    first, _end = last_month()
    paid = accept(contract, 1, moment(first + timedelta(days=2)))
    accept(contract, 2, moment(first + timedelta(days=3)))
    services.ledger_reverse(line=paid, note='=HYPERLINK("http://x")')
    LedgerLine.objects.filter(kind="reversal").update(at=moment(first + timedelta(days=4)))
    return services.statement_for(contract=contract, period_start=first)


def csv_rows(response) -> tuple[bytes, list[list[str]]]:
    body = b"".join(response.streaming_content)
    return body, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_csv_is_streamed_utf8_with_a_byte_order_mark_and_hangul(
    planner_client, last_months_statement
):
    response = planner_client.get(
        f"/vendors/statements/{last_months_statement.pk}/csv/", HTTP_ACCEPT_LANGUAGE="ko"
    )

    assert response.status_code == 200
    assert response.streaming is True
    body, rows = csv_rows(response)
    assert body.startswith(codecs.BOM_UTF8)
    assert rows[0][:3] == ["줄", "일시 (UTC)", "종류"]
    assert (
        "한글" in response["Content-Disposition"] or "%ED%95%9C" in response["Content-Disposition"]
    )
    assert len(rows) == 4


def test_the_csv_neutralises_text_cells_and_keeps_negative_amounts_numbers(
    planner_client, last_months_statement
):
    _body, rows = csv_rows(
        planner_client.get(f"/vendors/statements/{last_months_statement.pk}/csv/")
    )

    header, *lines = rows
    reversal = dict(zip(header, lines[-1], strict=True))
    assert reversal["Note"] == '\'=HYPERLINK("http://x")'
    assert reversal["Amount"] == "-0.85"
    assert reversal["Units"] == "-1"
    assert reversal["Kind"] == "Reversed"
    assert dict(zip(header, lines[0], strict=True))["Date (UTC)"].endswith("12:00:00")


def test_the_csvs_query_count_does_not_grow_with_its_lines(planner_client, contract):
    first, _end = last_month()
    statement = services.statement_for(contract=contract, period_start=first)

    def queries_for(lines: int) -> int:
        start = LedgerLine.objects.filter(kind="accepted").count()
        for task in range(start, start + lines):
            accept(contract, task + 1, moment(first + timedelta(days=1)))
        with CaptureQueriesContext(connection) as captured:
            response = planner_client.get(f"/vendors/statements/{statement.pk}/csv/")
            body = b"".join(response.streaming_content)
        assert body.count(b"\n") == LedgerLine.objects.filter(kind="accepted").count() + 1
        return len(captured)

    assert queries_for(3) == queries_for(600)


def test_the_statement_page_shows_both_prices_and_the_total_in_the_readers_locale(
    manager, contract
):
    first, _end = last_month()
    ContractPrice.objects.create(
        contract=contract, unit_price=Decimal("0.90"), effective_at=moment(first + timedelta(9))
    )
    accept(contract, 1, moment(first + timedelta(days=1)))
    accept(contract, 2, moment(first + timedelta(days=10)))
    statement = services.statement_for(contract=contract, period_start=first)

    page = manager.get(f"/vendors/statements/{statement.pk}/").content.decode()

    assert "$0.85" in page and "$0.90" in page and "$1.75" in page
    assert "Close the statement" not in page  # a vendor manager reads, a planner closes


def test_a_planner_closes_a_statement_after_its_period_from_the_page(planner_client, contract):
    first, _end = last_month()
    accept(contract, 1, moment(first + timedelta(days=1)))
    statement = services.statement_for(contract=contract, period_start=first)
    assert (
        "Close the statement"
        in planner_client.get(f"/vendors/statements/{statement.pk}/").content.decode()
    )

    response = planner_client.post(f"/vendors/statements/{statement.pk}/close/")

    assert response.status_code == 302
    statement.refresh_from_db()
    assert (statement.line_count, statement.total_amount) == (1, Decimal("0.85"))


def test_closing_an_open_period_from_the_page_says_when_it_can_be_closed(planner_client, contract):
    statement = services.statement_for(contract=contract)

    response = planner_client.post(f"/vendors/statements/{statement.pk}/close/")

    assert response.status_code == 409
    assert "can be closed from" in response.content.decode()
    statement.refresh_from_db()
    assert statement.closed_at is None


def test_a_vendor_manager_lists_their_vendors_statements_per_contract_and_month(
    manager, vendor, contract
):
    first, _end = last_month()
    accept(contract, 1, moment(first + timedelta(days=1)))

    response = manager.get(f"/vendors/{vendor.pk}/statements/", HTTP_ACCEPT_LANGUAGE="ko")

    page = response.content.decode()
    assert response.status_code == 200
    assert f"{first.year}년 {first.month}월" in page
    assert "$0.85" in page
    assert Statement.objects.filter(contract=contract).count() == 2


def test_the_statement_lists_query_count_does_not_grow_with_lines_or_months(
    manager, vendor, contract
):
    first, _end = last_month()

    def queries_for(month_back: int, lines: int) -> int:
        start = month_of(first - timedelta(days=31 * month_back))[0]
        base = LedgerLine.objects.count()
        for task in range(lines):
            accept(contract, base + task + 1, moment(start + timedelta(days=1)))
        with CaptureQueriesContext(connection) as captured:
            assert manager.get(f"/vendors/{vendor.pk}/statements/").status_code == 200
        return len(captured)

    queries_for(0, 1)  # the statements are made on the first visit
    assert queries_for(0, 1) == queries_for(1, 20) - 1  # one insert for the new month
    assert queries_for(0, 5) == queries_for(0, 1)


def test_another_vendors_manager_and_an_annotator_find_no_statements(
    client_for, vendor, last_months_statement
):
    other = client_for(Role.VENDOR_MANAGER)
    member_of(VendorFactory(), role=Role.VENDOR_MANAGER, user=other.user)
    annotator = client_for(Role.ANNOTATOR)
    member_of(vendor, role=Role.ANNOTATOR, user=annotator.user)
    statement = last_months_statement.pk

    for client in (other, annotator):
        assert client.get(f"/vendors/{vendor.pk}/statements/").status_code == 404
        assert client.get(f"/vendors/statements/{statement}/").status_code == 404
        assert client.get(f"/vendors/statements/{statement}/csv/").status_code == 404
        assert client.get(f"/api/v1/statements/{statement}/").status_code == 404


# --- the API --------------------------------------------------------------------------------


def test_the_api_gives_a_statements_totals_and_subtotals_as_decimal_strings(
    manager, last_months_statement
):
    response = manager.get(f"/api/v1/statements/{last_months_statement.pk}/")

    body = response.json()
    assert response.status_code == 200
    assert (body["line_count"], body["total_units"], body["total_amount"]) == (3, "1", "0.85")
    assert body["subtotals"] == [
        {"unit_price": "0.85", "line_count": 3, "units": "1", "amount": "0.85"}
    ]
    assert body["closed"] is False


def test_the_api_lists_a_vendors_statements(manager, vendor, last_months_statement):
    response = manager.get(f"/api/v1/vendors/{vendor.pk}/statements/")

    assert response.status_code == 200
    found = {row["period_start"]: row for row in response.json()["results"]}
    assert found[last_months_statement.period_start.isoformat()]["total_amount"] == "0.85"


def test_a_planner_closes_a_statement_through_the_api_and_a_manager_may_not(
    planner_client, manager, last_months_statement
):
    refused = manager.post(f"/api/v1/statements/{last_months_statement.pk}/close/")
    response = planner_client.post(f"/api/v1/statements/{last_months_statement.pk}/close/")
    again = planner_client.post(f"/api/v1/statements/{last_months_statement.pk}/close/")

    assert refused.status_code == 403
    assert response.status_code == 200
    assert response.json()["closed"] is True
    assert again.json()["error"]["code"] == "statement_closed"


def test_an_open_statements_figures_are_what_closing_it_records(contract):
    from vendors.selectors import statement_figures

    first, _end = last_month()
    paid = accept(contract, 1, moment(first + timedelta(days=2)))
    accept(contract, 2, moment(first + timedelta(days=3)), units=3)
    services.ledger_reverse(line=paid)
    LedgerLine.objects.filter(kind="reversal").update(at=moment(first + timedelta(days=4)))
    statement = services.statement_for(contract=contract, period_start=first)
    open_figures = statement_figures(statements=[statement])[statement.pk]

    closed = services.statement_close(statement=statement)

    assert open_figures == {
        "line_count": closed.line_count,
        "total_units": closed.total_units,
        "total_amount": closed.total_amount,
    }
    assert (closed.line_count, closed.total_units, closed.total_amount) == (3, 3, Decimal("2.55"))
