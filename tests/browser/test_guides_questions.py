"""Questions in the browser: an annotator of vendor A asks in Korean about a section, the
planner answers privately and publishes reworded to the FAQ, and an annotator of vendor B
finds it by searching 그림자 — without seeing who asked or the private answer."""

import pytest

from accounts.models import Role
from guides.models import FaqEntry, Question
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.datasets import DatasetFactory
from tests.factories.guides import guide_published
from tests.factories.vendors import VendorFactory, contract_for, member_of

pytestmark = pytest.mark.browser


def _signed_in(browser, url: str, username: str, *, korean: bool = False):
    options = {"viewport": {"width": 1100, "height": 900}}
    if korean:
        options.update(locale="ko", extra_http_headers={"Accept-Language": "ko"})
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return context, page


def test_ask_in_korean_answer_publish_and_find_it_in_the_faq(live_server, browser, artifacts):
    url = live_server.url
    planner = UserFactory(username="plan", role=Role.PLANNER)
    dataset = DatasetFactory(name="수식 사진")
    guide = guide_published(dataset, title="수식 가이드", by=planner).guide
    vendor_a, vendor_b = VendorFactory(name="한빛"), VendorFactory(name="다온")
    contract_for(vendor_a, dataset)
    contract_for(vendor_b, dataset)
    member_of(vendor_a, user=UserFactory(username="asker", role=Role.ANNOTATOR))
    member_of(vendor_b, user=UserFactory(username="reader", role=Role.ANNOTATOR))

    context, page = _signed_in(browser, url, "asker", korean=True)
    page.goto(f"{url}/guides/{guide.pk}/questions/")
    page.select_option("#ask-anchor", "shadows")
    page.fill("#ask-body", "그림자가 진 수식도 상자를 그리나요? 저희 팀은 헷갈립니다.")
    page.get_by_role("button", name="질문 보내기").click()
    page.wait_for_url(f"{url}/guides/{guide.pk}/questions/*/")
    assert "질문을 기획자에게 보냈습니다." in page.locator(".messages").inner_text()
    context.close()
    question = Question.objects.get()
    assert question.anchor == "shadows"

    context, page = _signed_in(browser, url, "plan")
    page.goto(f"{url}/guides/questions/")
    page.get_by_test_id("inbox").get_by_role("link", name="그림자가 진 수식도").click()
    page.fill("#answer-answer", "Private: yes, box it for your team.")
    page.click("#answer-form button[type=submit]")
    page.wait_for_selector("[data-testid=answer]")
    page.fill("#faq-question", "그림자가 진 수식도 상자를 그리나요?")
    page.fill("#faq-answer", "네. 그림자가 있어도 수식 전체를 상자로 그립니다.")
    page.click("#faq-form button[type=submit]")
    assert "Published to the FAQ." in page.locator(".messages").inner_text()
    context.close()
    assert FaqEntry.objects.get().source == question

    context, page = _signed_in(browser, url, "reader", korean=True)
    page.goto(f"{url}/guides/{guide.pk}/faq/")
    page.get_by_label("FAQ 검색").fill("그림자")
    page.get_by_role("button", name="검색").click()
    page.wait_for_url("**q=*")
    faq = page.get_by_test_id("faq")
    page.screenshot(path=artifacts / "browser_guides_faq_search_ko.png", full_page=True)
    assert "그림자가 진 수식도 상자를 그리나요?" in faq.inner_text()
    assert "수식 전체를 상자로" in faq.inner_text()
    for hidden in ("asker", "한빛", "Private", "헷갈립니다"):
        assert hidden not in page.content()
    response = page.goto(f"{url}/guides/{guide.pk}/questions/{question.pk}/")
    assert response.status == 404
    context.close()
