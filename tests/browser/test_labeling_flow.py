"""The annotator's whole loop in the labeling tool, from seed_demo's open batch, in Chromium:
sign in, acknowledge the guide's new version, take a task, draw two formula boxes and a
character inside one, type LaTeX and see it typeset, fix a parse error the tool marked, set
a category, reload in the middle and find the work, submit and see the next task. Then the
same with the keyboard alone, and the same in Korean. The results are read back from the
database. One seed serves the three runs (each its own browser context)."""

import pytest
from django.core.management import call_command

from datasets.models import Dataset
from guides import services as guide_services
from guides.models import Guide
from labeling.models import Annotation, Task
from tests.browser.test_labeling_editor import boxes, drag, to_screen
from tests.browser.test_upload import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def ready(page) -> int:
    page.wait_for_selector("#work[data-ready]")
    return int(page.locator("#work").get_attribute("data-ready"))


def open_tool(page, live_server) -> int:
    """The tool, through the guide's gate when it stands in the way: the task shown."""
    page.goto(f"{live_server.url}/labeling/work/")
    page.wait_for_function(
        "() => ['task', 'guide'].includes(document.querySelector('#work').dataset.state)"
    )
    if page.locator("#work").get_attribute("data-state") == "guide":
        page.locator("[data-guides] a").first.click()
        page.get_by_test_id("acknowledge").click()
        page.wait_for_selector("[data-testid=acknowledged]")
        page.goto(f"{live_server.url}/labeling/work/")
    return ready(page)


def field(page, index: int = 0):
    return page.locator(".attr-field input").nth(index)


def saved(page) -> None:
    page.wait_for_selector("[data-save-state=saved]", timeout=10_000)


def submitted_with(task_id: int) -> dict:
    task = Task.objects.get(pk=task_id)
    assert task.status == Task.Status.SUBMITTED
    return Annotation.objects.get(task=task).document


def new_guide_version() -> None:
    """A new version of the demo guide, so the demo annotators must acknowledge it."""
    guide = Guide.objects.get(dataset__name="Math formula photos", task_kind_id__isnull=True)
    guide = guide_services.guide_draft_save(
        guide=guide,
        body=guide.draft_body + "\n\nCheck every box twice.",
        revision=guide.draft_revision,
    )
    guide_services.guide_publish(
        guide=guide, change_note="One more rule.", revision=guide.draft_revision
    )


def mouse_flow(page, live_server, artifacts, *, tag: str) -> tuple[int, int]:
    """Two formulas and a character by pointer; LaTeX with a parse error fixed; a category;
    a reload; submit. Returns (the task submitted, the next task shown)."""
    task_id = open_tool(page, live_server)
    page.locator(".viewer-stage").focus()
    page.keyboard.press("KeyR")
    drag(page, to_screen(page, 100, 100), to_screen(page, 900, 400))
    drag(page, to_screen(page, 100, 600), to_screen(page, 900, 900))
    made = boxes(page)
    assert len([b for b in made.values() if b["type"] == "formula"]) >= 2
    first, second = [key for key, b in made.items() if b["type"] == "formula"][-2:]

    # the first formula's LaTeX: a parse error marked, then fixed and typeset
    page.locator(f".region-entry[data-entry-for={first}]").click()
    latex = field(page)
    latex.fill("\\frac{1}{")
    page.wait_for_selector(".attr-error:not(:empty)")
    assert latex.get_attribute("aria-invalid") == "true"
    latex.fill("\\frac{1}{2}")
    page.wait_for_selector(".attr-preview .katex")
    page.wait_for_function("() => !document.querySelector('.attr-error').textContent")
    page.locator(f".region-entry[data-entry-for={second}]").click()
    field(page).fill("x^2")

    # a character inside the first formula (the char pass's type is not this kind's: the
    # demo's formula pass draws formulas only, so the character goes in when the kind has it)
    page.locator(".viewer-stage").focus()
    types = page.locator("[data-types] [data-type]").evaluate_all(
        "(b) => b.map((e) => e.dataset.type)"
    )
    if "char" in types:
        page.keyboard.press(f"Digit{types.index('char') + 1}")
        drag(page, to_screen(page, 200, 150), to_screen(page, 300, 300))

    # a category per axis: the first of the first axis
    page.locator(".cat-axis").first.locator(".cat-choice input").first.check()
    saved(page)
    page.screenshot(path=str(artifacts / f"labeling-flow-{tag}.png"))

    # a reload in the middle: the work is all there
    page.reload()
    assert ready(page) == task_id
    assert set(boxes(page)) >= {first, second}
    page.locator(f".region-entry[data-entry-for={first}]").click()
    assert field(page).input_value() == "\\frac{1}{2}"

    page.click("[data-action='task.submit']")
    page.wait_for_function(f"() => document.querySelector('#work').dataset.ready !== '{task_id}'")
    next_id = ready(page)
    document = submitted_with(task_id)
    latex_values = {r["attributes"].get("latex") for r in document["regions"]}
    assert {"\\frac{1}{2}", "x^2"} <= latex_values
    assert document["categories"]
    return task_id, next_id


def test_the_annotators_loop_by_pointer_by_keyboard_and_in_korean(live_server, browser, artifacts):
    call_command("seed_demo")
    assert Dataset.objects.filter(name="Math formula photos").exists()
    new_guide_version()

    def fresh(locale: str):
        context = browser.new_context(viewport={"width": 1366, "height": 860}, locale=locale)
        page = context.new_page()
        page.set_default_timeout(30_000)  # a long loop on a shared machine
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        return context, page, errors

    # by pointer, in English
    context, page, errors = fresh("en-US")
    sign_in(page, live_server, "annotator")
    mouse_flow(page, live_server, artifacts, tag="en")
    assert errors == []

    # by keyboard alone: next → box → LaTeX → category → submit, never the mouse
    page.goto(f"{live_server.url}/labeling/work/")
    task_id = ready(page)
    for _ in range(40):  # Tab to the photo
        if page.evaluate("document.activeElement.classList.contains('viewer-stage')"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Digit1")  # the formula type: the box tool
    page.keyboard.press("KeyA")  # a box in the middle of the view
    for _ in range(5):
        page.keyboard.press("Control+Shift+ArrowRight")  # wider by 50 image px
    page.keyboard.press("Enter")  # to its attributes
    page.keyboard.type("a+b")
    page.keyboard.press("Escape")  # back to the box
    assert page.evaluate("document.activeElement.dataset.regionId") is not None
    for _ in range(60):  # Tab on to the category search
        if page.evaluate("document.activeElement.classList.contains('cat-search')"):
            break
        page.keyboard.press("Tab")
    first_category = page.locator(".cat-choice span").first.inner_text()
    page.keyboard.type(first_category[:3])
    page.wait_for_timeout(250)
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Enter")
    page.wait_for_function(f"() => document.querySelector('#work').dataset.ready !== '{task_id}'")
    document = submitted_with(task_id)
    assert "a+b" in {r["attributes"].get("latex") for r in document["regions"]}
    assert document["categories"]
    context.close()

    # in Korean, as 지민 of the same vendor
    context, page, errors = fresh("ko-KR")
    sign_in(page, live_server, "annotator2")
    page.select_option("#language-select", "ko")
    page.wait_for_function("() => document.documentElement.lang === 'ko'")
    mouse_flow(page, live_server, artifacts, tag="ko")
    assert page.locator("[data-action='task.submit']").inner_text().startswith("제출")
    assert page.locator("#regions-title").inner_text() == "상자"
    assert errors == []
    context.close()
