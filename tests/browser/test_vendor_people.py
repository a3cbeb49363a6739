"""A vendor's people in the browser: a planner makes a company and invites its manager, the
manager signs up through the link in Korean and invites an annotator of their own."""

import re

import pytest

from accounts.models import Role, User
from tests.factories.accounts import PASSWORD, UserFactory
from vendors.models import Member

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a-long-enough-passphrase-9"


def _sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def test_a_planner_invites_a_manager_who_signs_up_in_korean_and_invites_an_annotator(
    live_server, browser, artifacts
):
    url = live_server.url
    UserFactory(username="plan", role=Role.PLANNER)
    planner = browser.new_context(viewport={"width": 1280, "height": 800})
    page = planner.new_page()
    _sign_in(page, url, "plan", PASSWORD)

    page.goto(f"{url}/vendors/new/")
    page.fill("#id_name", "한빛 라벨링")
    page.fill("#id_contacts", "ops@hanbit.test")
    page.click("#vendor-form button[type=submit]")
    page.select_option("#id_role", Role.VENDOR_MANAGER)
    page.click("#invite-form button[type=submit]")
    link = page.get_by_test_id("invite-link").inner_text().strip()
    planner.close()

    newcomer = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="ko",
        extra_http_headers={"Accept-Language": "ko"},
    )
    page = newcomer.new_page()
    page.goto(link)
    assert "한빛 라벨링에 가입" in page.locator("h1").inner_text()
    page.fill("#id_username", "hanbit-lead")
    page.fill("#id_first_name", "김지우")
    page.fill("#id_password", NEW_PASSWORD)
    page.fill("#id_password_again", NEW_PASSWORD)
    page.select_option("#id_language", "ko")
    page.click("#join-form button[type=submit]")
    # Home; the form's own #join-form stays on the address, as browsers keep it on redirects.
    page.wait_for_url(re.compile(rf"^{re.escape(url)}/(#join-form)?$"))
    page.screenshot(path=artifacts / "browser_vendor_joined_ko.png", full_page=True)
    assert "환영합니다" in page.locator(".messages").inner_text()

    lead = User.objects.get(username="hanbit-lead")
    vendor = Member.objects.get(user=lead).vendor
    page.goto(f"{url}/vendors/{vendor.pk}/")
    options = page.locator("#id_role option").all_inner_texts()
    page.click("#invite-form button[type=submit]")
    page.screenshot(path=artifacts / "browser_vendor_invite_ko.png", full_page=True)
    second = page.get_by_test_id("invite-link").inner_text().strip()
    newcomer.close()

    assert lead.role == Role.VENDOR_MANAGER and lead.language == "ko"
    assert options == ["작업자"]  # a manager invites annotators only
    assert second != link and "/vendors/join/" in second
