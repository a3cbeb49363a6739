"""The labeling tool's side bar in Chromium: the guide it is labeled under, a question pinned
to the selected box with its crop (read back from the database), the annotator's figures,
and a returned task's reasons and comments on their boxes (the review app will send them;
a fixture stands in for its answer here)."""

import json
from pathlib import Path

import pytest

from guides import services as guide_services
from guides.models import Question
from tests.browser.test_labeling_editor import open_task, task_for
from tests.factories.datasets import formula_region
from tests.factories.guides import guide_published

RETURNED = Path(__file__).resolve().parents[1] / "js" / "fixtures" / "returned_task.json"


@pytest.mark.django_db(transaction=True)
def test_a_question_asked_from_the_tool_is_pinned_to_the_box_with_its_crop(
    live_server, tool_page, world
):
    page = tool_page
    dataset, vendor, annotator = world
    guide_services.acknowledgement_record(
        version=guide_published(dataset, title="Formula guide"), user=annotator
    )
    task = task_for(annotator, vendor, dataset, [formula_region("r1", bbox=(300, 200, 500, 200))])
    open_task(page, live_server, annotator, task)

    link = page.locator(".ti-guides a").first
    assert "Formula guide" in link.inner_text() and link.get_attribute("target") == "_blank"
    page.wait_for_selector(".ti-figures dt")
    assert page.locator(".ti-figures dt").count() >= 3  # done, released, skipped, …
    page.locator(".region-entry").first.click()
    page.click(".ti-ask")
    page.wait_for_selector(".ti-dialog[open]")
    page.keyboard.type("Is a fraction bar part of the box?")
    page.keyboard.press("Control+Enter")  # sends the question, never submits the task
    page.wait_for_function("() => !document.querySelector('.ti-dialog').open")
    page.wait_for_selector(".ti-status a")

    question = Question.objects.get()
    assert question.body == "Is a fraction bar part of the box?"
    assert (question.item_id, question.region_id) == (task.item_id, "r1")
    assert question.crop and question.crop.size > 0
    task.refresh_from_db()
    assert task.status == task.Status.LEASED


@pytest.mark.django_db(transaction=True)
def test_returned_work_shows_the_reasons_first_and_the_comments_on_their_boxes(
    live_server, tool_page, world
):
    page = tool_page
    dataset, vendor, annotator = world
    regions = [
        formula_region("r1", bbox=(100, 100, 500, 200)),
        formula_region("r2", bbox=(100, 500, 700, 200)),
    ]
    task = task_for(annotator, vendor, dataset, regions)
    review = json.loads(RETURNED.read_text())["review"]

    def with_review(route):
        answer = route.fetch()
        body = answer.json()
        body["task"]["review"] = review
        route.fulfill(response=answer, json=body)

    page.route("**/api/v1/tasks/next/", with_review)
    open_task(page, live_server, annotator, task, query="")

    returned = page.locator(".ti-returned")
    assert returned.is_visible()
    assert "Boxes are not tight around the formula" in returned.inner_text()
    assert page.locator(".ti-comments img").count() == 0
    assert "<img src=x onerror=alert(1)> stays text" in returned.inner_text()
    assert "commented" in page.locator('rect[data-region-id="r1"]').get_attribute("class")
    page.locator(".ti-reveal").nth(1).click()  # the comment on r2
    assert page.locator("rect.region.selected").get_attribute("data-region-id") == "r2"
