"""Acknowledging in the browser: an annotator sees the new version in the page shell,
acknowledges it, passes its quiz, and the notice goes away."""

import pytest

from accounts.models import Role
from guides import services
from guides.models import Acknowledgement, QuizAttempt
from tests.factories.accounts import PASSWORD
from tests.factories.datasets import DatasetFactory
from tests.factories.guides import publish
from tests.factories.vendors import VendorFactory, contract_for, member_of

pytestmark = pytest.mark.browser


def test_an_annotator_acknowledges_passes_the_quiz_and_the_notice_goes_away(
    live_server, page, artifacts
):
    url = live_server.url
    dataset = DatasetFactory()
    vendor = VendorFactory(name="Hanbit")
    contract_for(vendor, dataset)
    annotator = member_of(vendor, role=Role.ANNOTATOR)
    guide = services.guide_create(dataset=dataset, title="Formula boxes", body="# Draft")
    services.quiz_question_add(
        guide=guide, prompt="A shadow falls on a formula: box…", choices=["Half", "All"], correct=1
    )
    services.quiz_pass_score_set(guide=guide, pass_score=100)
    version = publish(guide, "# Formulas {#formulas}\n\nBox $x_1$ whole.", note="First.")

    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", annotator.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    notice = page.get_by_test_id("notices").locator("a")
    assert notice.inner_text() == "New guide version: “Formula boxes” v1"
    assert notice.get_attribute("href") == f"/guides/{guide.pk}/v1/"

    page.goto(f"{url}/guides/{guide.pk}/v1/quiz/")
    page.get_by_test_id("acknowledge").click()
    page.wait_for_selector("[data-testid=acknowledged]")
    assert page.get_by_test_id("notices").locator("a").inner_text() == (
        "Quiz to pass: “Formula boxes” v1"
    )
    page.get_by_label("All").check()
    page.get_by_test_id("quiz-submit").click()
    page.wait_for_selector("[data-testid=quiz-result]")
    page.screenshot(path=artifacts / "browser_guides_quiz_passed.png", full_page=True)

    assert "Passed: 100%" in page.locator("h2#result-title").inner_text()
    assert page.get_by_test_id("notices").count() == 0
    assert Acknowledgement.objects.filter(user=annotator, version=version).exists()
    assert QuizAttempt.objects.get(user=annotator).passed
