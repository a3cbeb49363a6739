"""The labeling tool's keys and text fields in Chromium (LABELING-TOOL acceptance checks 1-7,
21 and 22): typing in the LaTeX field only edits text, undo there is the field's own, a
Korean IME composition never submits, skips or picks, letters work with the Hangul input
source on, Ctrl+Enter submits, and the live KaTeX preview shows errors as text, at most a
few renders per burst, nothing a formula could smuggle in."""

import pytest

from datasets import services as dataset_services
from labeling.models import Task
from tests.browser.test_labeling_editor import boxes, open_task, task_for
from tests.factories.datasets import formula_region


def _latex(page):
    return page.locator(".attr-field input").first


def _field_state(page) -> dict:
    return page.evaluate(
        """() => ({ boxes: document.querySelectorAll('rect[data-region-id]').length,
                    selected: document.querySelector('rect.region.selected')?.dataset.regionId,
                    tool: document.querySelector('.viewer').dataset.tool,
                    focused: document.activeElement.tagName })"""
    )


def _compose(page, cdp, text: str, committed: str) -> None:
    """A Korean IME composition through CDP, then Enter to confirm it (Chrome's order: a
    229 keydown for the confirming Enter)."""
    cdp.send("Input.imeSetComposition", {"text": text, "selectionStart": 1, "selectionEnd": 1})
    cdp.send("Input.insertText", {"text": committed})
    cdp.send(
        "Input.dispatchKeyEvent",
        {"type": "rawKeyDown", "windowsVirtualKeyCode": 229, "key": "Process", "code": "Enter"},
    )
    cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Enter", "code": "Enter"})


def _opened(live_server, page, world, regions):
    dataset, vendor, annotator = world
    task = task_for(annotator, vendor, dataset, regions)
    open_task(page, live_server, annotator, task)
    page.locator(".region-entry").first.click()
    page.wait_for_selector(".attr-field input")
    return task


@pytest.mark.django_db(transaction=True)
def test_typing_in_the_latex_field_edits_text_and_nothing_else(live_server, tool_page, world):
    page = tool_page
    _opened(live_server, page, world, [formula_region("r1", bbox=(200, 200, 400, 200), latex="")])
    before = _field_state(page)
    field = _latex(page)
    field.click()

    # 1, 2: digits, tool letters, Delete and Backspace edit the text only
    page.keyboard.type("12 rvhnl")
    page.keyboard.press("Backspace")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Delete")
    assert field.input_value() == "12 rvh"
    after = _field_state(page)
    assert (after["boxes"], after["selected"], after["tool"]) == (
        before["boxes"],
        before["selected"],
        before["tool"],
    )

    # 3: Ctrl+Z in the field undoes text; the boxes are untouched
    page.keyboard.press("Control+KeyZ")
    assert field.input_value() != "12 rvh"
    assert _field_state(page)["boxes"] == 1

    # Esc hands the focus back to the box, where Ctrl+Z is the tool's undo again
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.dataset.regionId") == "r1"


@pytest.mark.django_db(transaction=True)
def test_a_korean_composition_never_submits_and_letters_work_in_hangul_mode(
    live_server, tool_page, world
):
    page = tool_page
    task = _opened(
        live_server, page, world, [formula_region("r1", bbox=(200, 200, 400, 200), latex="x")]
    )
    cdp = page.context.new_cdp_session(page)
    field = _latex(page)
    field.click()
    page.keyboard.press("End")

    # 4, 7: composition + Enter, and Ctrl+Enter while composing, neither submit nor leave
    _compose(page, cdp, "한", "한")
    cdp.send("Input.imeSetComposition", {"text": "글", "selectionStart": 1, "selectionEnd": 1})
    page.keyboard.press("Control+Enter")
    cdp.send("Input.insertText", {"text": "글"})
    assert field.input_value() == "x한글"  # each syllable once
    assert page.evaluate("document.activeElement.tagName") == "INPUT"
    task.refresh_from_db()
    assert task.status == Task.Status.LEASED

    # 6: with the Hangul input source on, R on the canvas still picks the box tool
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")  # the box, then the photo: deselected
    page.locator(".viewer-stage").focus()
    page.wait_for_timeout(250)  # past the IME's grace after the last compositionend
    page.evaluate(
        """() => document.querySelector('.viewer-stage').dispatchEvent(new KeyboardEvent('keydown',
             { key: 'ㄱ', code: 'KeyR', bubbles: true, cancelable: true }))"""
    )
    assert page.locator(".viewer").get_attribute("data-tool") == "box"

    # 7: Ctrl+Enter from the LaTeX field, not composing, submits
    page.locator(".region-entry").first.click()
    field = _latex(page)
    field.fill("x^2")
    page.keyboard.press("Control+Enter")
    page.wait_for_function("() => document.querySelector('#work').dataset.state !== 'task'")
    task.refresh_from_db()
    assert task.status == Task.Status.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_the_live_preview_marks_errors_as_text_and_renders_a_burst_a_few_times(
    live_server, tool_page, world
):
    page = tool_page
    _opened(live_server, page, world, [formula_region("r1", bbox=(200, 200, 400, 200), latex="")])
    page.clock.install()
    field = _latex(page)
    field.click()

    # 21: a good render, then \frac{1}{ shows a ParseError with its position within 300 ms,
    # the last good render stays, the field is invalid; completing it clears the error
    field.press_sequentially("x^2")
    page.clock.run_for(300)
    page.wait_for_selector(".attr-preview .katex")
    good = page.locator(".attr-preview").inner_html()
    renders = page.evaluate("document.getElementById('work').latexRenders()")
    field.fill("")
    field.press_sequentially("\\frac{1}{")
    page.clock.run_for(300)
    error = page.locator(".attr-error")
    assert "position" in error.inner_text() or "character" in error.inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    assert page.locator(".attr-preview").inner_html().count("katex") >= good.count("katex") > 0
    after = page.evaluate("document.getElementById('work').latexRenders()")
    assert after - renders <= 3  # ten keystrokes, a few renders
    field.press_sequentially("2}")
    page.clock.run_for(300)
    assert page.locator(".attr-error").inner_text() == ""
    assert field.get_attribute("aria-invalid") != "true"

    # 22: \href and \htmlData stay inert; an error quoting markup shows it as text
    field.fill("\\href{javascript:alert(1)}{x} \\htmlData{x=1}{y}")
    page.clock.run_for(300)
    assert page.locator(".attr-preview a, .attr-preview [data-x]").count() == 0
    field.fill("\\begin{<img src=x onerror=alert(1)>}")
    page.clock.run_for(300)
    assert page.locator(".attr-error img, .attr-preview img").count() == 0
    assert "<img" in page.locator(".attr-error").inner_text()
    assert boxes(page)["r1"]["type"] == "formula"


@pytest.mark.django_db(transaction=True)
def test_a_composing_enter_in_the_category_search_picks_nothing(live_server, tool_page, world):
    page = tool_page
    dataset = world[0]
    capture = dataset_services.axis_create(dataset=dataset, name="촬영", slug="capture", by=None)
    for slug, name in (("shadow", "그림자"), ("highlighter", "형광펜")):
        dataset_services.category_create(axis=capture, name=name, slug=slug, by=None)
    _opened(live_server, page, world, [formula_region("r1", bbox=(200, 200, 400, 200))])
    cdp = page.context.new_cdp_session(page)
    page.locator(".cat-search").click()

    _compose(page, cdp, "그", "그")
    assert page.locator(".cat-choice input:checked").count() == 0
    page.wait_for_timeout(250)  # past the IME's grace after compositionend
    page.keyboard.press("Enter")

    checked = page.locator(".cat-choice input:checked")
    assert checked.count() == 1
    assert page.locator(".cat-choice:has(input:checked)").get_attribute("data-category") == "shadow"
