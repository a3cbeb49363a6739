"""The planner's vendors and statements pages in Chromium, in Korean: the overview's rows and
chart, a statement's lines with both prices, and closing it; nothing wider than a phone."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from tests.factories.accounts import UserFactory
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.vendors import VendorFactory, contract_for, task_kind_for
from vendors import services
from vendors.models import ContractPrice, Statement
from vendors.services.statements import month_of

pytestmark = pytest.mark.browser

#: Any element whose box ends past the viewport's right edge, outside a scrolling container.
WIDER = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (n) => /(auto|scroll)/.test(getComputedStyle(n).overflowX);
  const held = (n) => {
    for (let up = n.parentElement; up; up = up.parentElement) if (scrolls(up)) return true;
    return false;
  };
  return [...document.body.querySelectorAll("*")]
    .filter((n) => n.getBoundingClientRect().right > width + 1 && !held(n))
    .map((n) => n.tagName + " " + n.textContent.trim().slice(0, 40)).slice(0, 5);
}"""


def _sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "groundwork-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_a_planner_reads_the_vendors_and_closes_last_months_statement_in_korean(
    live_server, browser, artifacts
):
    planner = UserFactory(role=Role.PLANNER, password="groundwork-demo", language="ko")
    dataset = formula_schema(DatasetFactory())
    vendor = VendorFactory(name="서울 라벨링 주식회사")
    first = month_of(month_of(timezone.localdate())[0] - timedelta(days=1))[0]
    contract = contract_for(
        vendor,
        dataset,
        task_kind=task_kind_for(dataset),
        currency="KRW",
        unit_price="1200",
        budget="5000000",
        starts_on=first - timedelta(days=30),
    )
    contract.prices.update(effective_at=datetime(first.year, first.month, 1, tzinfo=UTC))
    ContractPrice.objects.create(
        contract=contract,
        unit_price=Decimal("1300"),
        effective_at=datetime(first.year, first.month, 15, tzinfo=UTC),
    )
    for task, day in ((1, 3), (2, 4), (3, 20)):
        services.ledger_accept(
            contract=contract,
            task_ref=task,
            at=datetime(first.year, first.month, day, 9, tzinfo=UTC),
        )
    services.ledger_accept(contract=contract, task_ref=4)
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="ko-KR")
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in(page, live_server, planner.username)

    page.goto(f"{live_server.url}/vendors/")
    page.screenshot(path=artifacts / "browser_vendors_overview_ko.png", full_page=True)
    row = page.locator(f"tr[data-vendor='{vendor.pk}']")
    assert page.locator("h1").inner_text() == "협력사"
    assert row.locator("[data-figure=cost]").inner_text() == "₩5,000"
    assert row.locator("svg.daily-chart > title").text_content().startswith("최근 30일")
    assert page.evaluate(WIDER) == []

    page.goto(f"{live_server.url}/vendors/{vendor.pk}/statements/")
    page.get_by_role("link", name=f"{first.year}년 {first.month}월").click()
    page.wait_for_load_state()
    page.screenshot(path=artifacts / "browser_statement_ko.png", full_page=True)
    assert page.locator("[data-figure=total]").inner_text() == "₩3,700"
    assert page.locator("table.subtotals tbody tr").count() == 2
    assert page.evaluate(WIDER) == []

    page.get_by_role("button", name="명세서 마감").click()
    page.wait_for_load_state()

    assert "마감했습니다" in page.locator(".messages").inner_text()
    statement = Statement.objects.get(contract=contract, period_start=first)
    assert (statement.line_count, statement.total_amount) == (3, Decimal("3700"))
    assert errors == []
    context.close()
