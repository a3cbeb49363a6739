"""The contract page in Korean on a phone: headings in Korean, amounts in won, the planning
aids' answers shown, nothing wider than the screen."""

import pytest
from django.utils import timezone

from datasets import services as dataset_services
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.pilots import pilot_batch
from tests.factories.vendors import VendorFactory, contract_for, task_kind_for
from vendors import services

pytestmark = pytest.mark.browser

WIDER_THAN_THE_SCREEN = """() => document.documentElement.scrollWidth >
  document.documentElement.clientWidth"""


def test_a_korean_planner_reads_a_contract_and_its_planning_aids_on_a_phone(
    live_server, browser, make_user, artifacts
):
    planner = make_user("planner", username="korean-planner", language="ko")
    planner.set_password("groundwork-demo")
    planner.save()
    dataset = formula_schema(DatasetFactory(name="수식 사진"))
    axis = dataset_services.axis_create(dataset=dataset, name="촬영 조건", slug="capture", by=None)
    for slug, name, target in (("shadow", "그림자", 300), ("highlighter", "형광펜", 100)):
        dataset_services.category_create(
            axis=axis, name=name, slug=slug, quota_target=target, by=None
        )
    contract = contract_for(
        VendorFactory(name="한글라벨"),
        dataset,
        task_kind=task_kind_for(dataset),
        currency="KRW",
        unit_price="1200",
        budget="5000000",
        time_zone="Asia/Seoul",
    )
    for ref in range(1, 8):
        services.ledger_accept(contract=contract, task_ref=ref, at=timezone.now())
    pilot = pilot_batch(contract, seconds=[80, 95, 110])
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", planner.username)
    page.fill("#id_password", "groundwork-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(
        f"{live_server.url}/labeling/contracts/{contract.pk}/"
        f"?pilot_batch={pilot.pk}&hourly_rate=12000&budget=240000&axis=capture"
    )

    assert page.locator("#prices-title").inner_text() == "가격 이력"
    assert "₩1,200" in page.locator("[data-money=unit_price]").inner_text()
    assert "제안 단가 ₩317" in page.locator("[data-figure=suggestion]").inner_text()
    assert page.locator("[data-figure=total]").inner_text() == "200"
    page.screenshot(path=str(artifacts / "contract-page-ko-phone.png"), full_page=True)
    assert not page.evaluate(WIDER_THAN_THE_SCREEN)
    context.close()
