"""The vendor portal in Chromium, in Korean: a vendor manager sees the batch handed to their
company, its progress and due date, under Korean headings, and no word breaks inside."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from datasets.models import Item
from labeling.models import Batch, Task
from tests.browser.test_item_browser import BREAKS
from tests.factories.accounts import UserFactory
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.vendors import VendorFactory, contract_for, member_of, task_kind_for
from vendors.services import contract_today

pytestmark = pytest.mark.browser


def _handed_batch(vendor, *, name: str, start: int = 0) -> Batch:
    dataset = formula_schema(DatasetFactory(name=f"수식 사진 {vendor.name}"))
    kind = task_kind_for(dataset)
    contract = contract_for(vendor, dataset, task_kind=kind, time_zone="Asia/Seoul")
    batch = Batch.objects.create(
        dataset=dataset,
        task_kind=kind,
        vendor=vendor,
        contract=contract,
        name=name,
        status=Batch.Status.IN_PROGRESS,
        seed="1",
        size=4,
        due_on=contract_today(contract) - timedelta(days=1),  # a day late where they work
    )
    items = Item.objects.bulk_create(
        Item(
            dataset=dataset, sha256=f"{start + n:064x}", original="o", image="i", width=8, height=8
        )
        for n in range(4)
    )
    statuses = [Task.Status.ACCEPTED, Task.Status.SUBMITTED, Task.Status.LEASED, Task.Status.OPEN]
    holder = member_of(vendor, role=Role.ANNOTATOR)
    now = timezone.now()
    Task.objects.bulk_create(
        Task(
            batch=batch,
            task_kind=kind,
            item=item,
            status=status,
            submitted_at=now,
            **(
                {"annotator": holder, "lease_expires_at": now + timedelta(minutes=30)}
                if status == Task.Status.LEASED
                else {}
            ),
        )
        for item, status in zip(items, statuses, strict=True)
    )
    return batch


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)])
def test_a_vendor_manager_sees_their_batch_in_the_portal_in_korean(
    live_server, browser, artifacts, viewport
):
    vendor = VendorFactory(name="알파 라벨링")
    manager = UserFactory(role=Role.VENDOR_MANAGER, language="ko", password="groundwork-demo")
    member_of(vendor, role=Role.VENDOR_MANAGER, user=manager)
    other = VendorFactory(name="베타 박스")
    _handed_batch(vendor, name="그림자 사진 1차")
    _handed_batch(other, name="다른 회사 배치", start=10)
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]},
        locale="ko",
        extra_http_headers={"Accept-Language": "ko"},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", "groundwork-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("navigation").get_by_role("link", name="포털").click()
    page.wait_for_url(f"{live_server.url}/labeling/portal/")

    assert page.evaluate("document.documentElement.lang") == "ko"
    assert page.locator("h1").inner_text() == "알파 라벨링 포털"
    headings = page.locator("h2").all_inner_texts()
    assert headings == [
        "진행 중인 배치",
        "최근 끝난 배치",
        "일별 제출 작업 수",
        "오늘의 작업자 현황",
    ]
    row = page.locator("table.portal-batches tr", has_text="그림자 사진 1차")
    assert row.count() == 1
    assert "1일 지연" in row.inner_text()
    assert "25% 완료" in row.inner_text()
    assert (
        row.get_by_role("link", name="그림자 사진 1차")
        .get_attribute("href")
        .startswith("/labeling/batches/")
    )
    assert "다른 회사 배치" not in page.content()
    figures = page.locator("[data-testid=portal-annotators]")
    assert "반납" in figures.locator("thead").inner_text()
    assert figures.locator("tbody tr").count() == 1  # the one annotator, with nothing yet
    assert page.locator("[data-testid=portal-throughput] rect.day").count() == 30
    page.screenshot(path=artifacts / f"portal_ko_{viewport[0]}.png", full_page=True)
    broken = page.evaluate(BREAKS, "h1, h2, th, td a, time, .badge, .portal-links a")
    assert broken == []
    assert errors == []
    context.close()
