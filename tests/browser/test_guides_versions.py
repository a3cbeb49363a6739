"""Guides in Chromium: a planner writes the draft beside its live preview, loses nothing to a
colleague's save, publishes, and compares; a guide with 40 formulas shows each typeset and an
unparsable one inline; the pages in English and Korean (screenshots under test-artifacts/)."""

import pytest

from accounts.models import Role
from guides import services
from guides.models import Guide, GuideVersion
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.datasets import DatasetFactory
from tests.factories.guides import guide_published, publish
from tests.factories.vendors import VendorFactory, contract_for, member_of

pytestmark = pytest.mark.browser


def _signed_in(browser, live_server, username: str, *, locale: str = "en", phone=False):
    context = browser.new_context(
        viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900},
        locale=locale,
        extra_http_headers={"Accept-Language": locale},
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def test_a_planner_writes_keeps_their_text_through_a_stale_save_publishes_and_compares(
    live_server, browser, artifacts
):
    planner = UserFactory(username="planner", role=Role.PLANNER)
    colleague = UserFactory(username="colleague", role=Role.PLANNER)
    guide = guide_published(DatasetFactory(name="Formula photos"), by=planner).guide
    context, page = _signed_in(browser, live_server, "planner")

    page.goto(f"{live_server.url}/guides/{guide.pk}/draft/")
    mine = guide.draft_body.replace("Box what is visible.", "Box what is visible: $\\sqrt{y}$.")
    page.fill("#id_body", mine)
    preview = page.get_by_test_id("draft-preview")
    preview.locator(".katex", has_text="y").first.wait_for()
    # A colleague saves meanwhile: this page's save is stale.
    guide.refresh_from_db()
    services.guide_draft_save(
        guide=guide, body="# Theirs\n", revision=guide.draft_revision, by=colleague
    )
    page.click("#draft-save")
    page.locator("#stale-draft:not([hidden])").wait_for()
    assert page.input_value("#stale-body") == "# Theirs\n"
    assert page.input_value("#id_body") == mine  # nothing typed is lost
    page.screenshot(path=artifacts / "browser_guides_draft_stale.png", full_page=True)

    page.click("#draft-save")  # over theirs, knowingly
    page.get_by_text("The draft is saved.").wait_for()
    page.fill("#id_change_note", "Say what a cut formula shows.")
    page.click("#publish-button")
    page.wait_for_url(f"{live_server.url}/guides/{guide.pk}/v2/")
    assert GuideVersion.objects.get(guide=guide, number=2).body == mine
    page.locator("nav.guide-toc a", has_text="§ Shadows").click()
    assert page.url.endswith("#s-shadows")

    page.goto(f"{live_server.url}/guides/{guide.pk}/compare/?a=1&b=2")
    assert page.locator("tr[data-kind=changed] ins").first.is_visible()
    assert "1 changed" in page.get_by_test_id("diff-summary").inner_text()
    page.screenshot(path=artifacts / "browser_guides_compare.png", full_page=True)
    context.close()


FORTY = [
    r"\frac{a_{%d}+b}{2}",
    r"\sqrt{x^{%d}+1}",
    r"\overrightarrow{AB_{%d}}",
    r"\sum_{i=1}^{%d} i^2",
    r"\int_0^{%d} e^{-t}\,dt",
]


def test_forty_formulas_are_typeset_and_a_broken_one_shows_its_error_inline(
    live_server, browser, artifacts
):
    UserFactory(username="planner", role=Role.PLANNER)
    annotator = UserFactory(username="annotator", role=Role.ANNOTATOR)
    dataset = DatasetFactory(name="수식 사진")
    vendor = VendorFactory(name="한빛")
    contract_for(vendor, dataset)
    member_of(vendor, user=annotator)
    lines = [f"{n + 1}. ${FORTY[n % 5] % (n + 1)}$" for n in range(40)]
    body = "# 수식 {#formulas}\n\n" + "\n".join(lines) + "\n\n## 오류 {#broken}\n\n$\\frac{1$ 끝.\n"
    version = guide_published(dataset, title="작업 가이드", body=body)
    publish(version.guide, body + "\n그림자가 진 수식도 상자를 그립니다.\n", note="그림자 규칙")

    for locale, username in (("en", "planner"), ("ko", "annotator")):
        # Korean on a phone: nothing may push the page wider than the screen.
        context, page = _signed_in(
            browser, live_server, username, locale=locale, phone=locale == "ko"
        )
        page.goto(f"{live_server.url}/guides/{version.guide_id}/v1/")
        text = page.get_by_test_id("guide-text")
        formulas = text.locator(".katex")
        assert formulas.count() == 40
        for index in range(40):
            box = formulas.nth(index).bounding_box()
            assert box and box["width"] > 4 and box["height"] > 4, index
        error = text.locator(".math-error")
        assert error.count() == 1 and error.is_visible()
        assert "\\frac{1" in error.inner_text()
        assert text.locator("h2#s-broken").is_visible()  # the page goes on after it
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=artifacts / f"browser_guides_40_formulas_{locale}.png", full_page=True)
        for path, name in (
            ("", "list"),
            (f"{version.guide_id}/", "guide"),
            (f"{version.guide_id}/compare/?a=1&b=2", "compare"),
        ):
            page.goto(f"{live_server.url}/guides/{path}")
            assert page.locator("h1").first.is_visible()
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            page.screenshot(path=artifacts / f"browser_guides_{name}_{locale}.png", full_page=True)
        if locale == "en":
            page.goto(f"{live_server.url}/guides/{version.guide_id}/draft/")
            page.get_by_test_id("draft-preview").locator(".katex").nth(39).wait_for()
            page.screenshot(path=artifacts / "browser_guides_draft_en.png", full_page=True)
        context.close()
    assert Guide.objects.count() == 1
