"""The labeling tool's autosave in Chromium (LABELING-TOOL acceptance check 23): a change
reaches the server within 2 s (the page's fake clock) and says "saved"; a reload finds it;
offline, the work stays in the browser, says "not saved" and is saved when the connection
returns; signed out in another tab, the same, and it is saved once the annotator signs in
again (the tool takes the new CSRF token). The draft is read back through the API."""

import pytest

from labeling.models import Annotation
from tests.browser.test_labeling_editor import open_task, task_for
from tests.browser.test_upload import sign_in


def saved_regions(task) -> int:
    annotation = Annotation.objects.filter(task=task).first()
    return len(annotation.document["regions"]) if annotation else 0


def state(page) -> str:
    return page.locator("[data-save-state]").get_attribute("data-save-state")


def local_copies(page) -> list[str]:
    return page.evaluate(
        "Object.keys(localStorage).filter((k) => k.startsWith('groundwork.draft.'))"
    )


@pytest.mark.django_db(transaction=True)
def test_drafts_save_within_two_seconds_and_survive_offline_and_signing_out(
    live_server,
    tool_page,
    world,
    artifacts,
):
    page = tool_page
    dataset, vendor, annotator = world
    task = task_for(annotator, vendor, dataset)
    open_task(page, live_server, annotator, task)
    page.clock.install()
    page.locator(".viewer-stage").focus()

    # a change: "not saved yet", then within 2 s one PUT and "saved"
    page.keyboard.press("KeyA")
    assert state(page) == "unsaved"
    with page.expect_request(lambda r: r.method == "PUT" and "/annotation/" in r.url):
        page.clock.run_for(2000)
    page.wait_for_selector("[data-save-state=saved]")
    assert saved_regions(task) == 1 and local_copies(page) == []

    # offline: the work is kept in the browser and saved when the connection returns
    page.context.set_offline(True)
    page.keyboard.press("KeyA")
    page.clock.run_for(2000)
    page.wait_for_selector("[data-save-state=offline]")
    assert "Not saved" in page.locator("[data-save-state]").inner_text()
    assert len(local_copies(page)) == 1
    page.context.set_offline(False)
    page.evaluate("dispatchEvent(new Event('online'))")
    page.wait_for_selector("[data-save-state=saved]")
    assert saved_regions(task) == 2 and local_copies(page) == []

    # signed out in another tab: "not saved", kept; signed in again, saved with the new token
    other = page.context.new_page()
    other.goto(f"{live_server.url}/")
    other.get_by_role("button", name="Sign out").click()
    other.wait_for_url("**/accounts/login/**")
    page.keyboard.press("KeyA")
    page.clock.run_for(2000)
    page.wait_for_selector("[data-save-state=signed-out]")
    assert saved_regions(task) == 2
    sign_in(other, live_server, annotator)
    other.close()
    page.evaluate("dispatchEvent(new Event('focus'))")
    page.wait_for_selector("[data-save-state=saved]")
    assert saved_regions(task) == 3
    page.screenshot(path=str(artifacts / "labeling-autosave-saved.png"))

    # a reload finds the work where it was
    page.reload()
    page.wait_for_selector(f"#work[data-ready='{task.pk}']")
    assert page.locator("rect[data-region-id]").count() == 3


@pytest.mark.django_db(transaction=True)
def test_work_not_yet_sent_comes_back_after_a_reload_from_the_browsers_copy(
    live_server,
    tool_page,
    world,
):
    page = tool_page
    dataset, vendor, annotator = world
    task = task_for(annotator, vendor, dataset)
    open_task(page, live_server, annotator, task)
    page.route("**/annotation/", lambda route: route.abort())  # the save never arrives
    page.locator(".viewer-stage").focus()
    page.keyboard.press("KeyA")
    page.keyboard.press("KeyA")
    page.wait_for_function(
        "() => Object.keys(localStorage).some((k) => k.startsWith('groundwork.draft.'))"
    )

    page.unroute("**/annotation/")
    page.reload()
    page.wait_for_selector(f"#work[data-ready='{task.pk}']")

    assert page.locator("rect[data-region-id]").count() == 2
    page.wait_for_selector("[data-save-state=saved]")
    assert saved_regions(task) == 2


@pytest.mark.django_db(transaction=True)
def test_a_stale_tab_shows_both_versions_and_drops_neither(live_server, tool_page, world):
    page = tool_page
    dataset, vendor, annotator = world
    task = task_for(annotator, vendor, dataset)
    open_task(page, live_server, annotator, task)
    other = page.context.new_page()
    other.goto(f"{live_server.url}/labeling/work/?task={task.pk}")
    other.wait_for_selector(f"#work[data-ready='{task.pk}']")

    # the other tab saves first; this tab's save, based on version 0, is refused
    other.locator(".viewer-stage").focus()
    other.keyboard.press("KeyA")
    other.wait_for_selector("[data-save-state=saved]")
    page.locator(".viewer-stage").focus()
    page.keyboard.press("KeyA")
    page.keyboard.press("KeyA")
    page.wait_for_selector("#conflict-dialog[open]")
    assert page.locator("[data-conflict-mine] li").count() == 2
    assert page.locator("[data-conflict-theirs] li").count() == 1
    assert saved_regions(task) == 1

    page.locator("#conflict-dialog button[value=mine]").click()
    page.wait_for_selector("[data-save-state=saved]")
    assert saved_regions(task) == 2


@pytest.mark.django_db(transaction=True)
def test_single_key_shortcuts_can_be_switched_off_and_remapped(live_server, tool_page, world):
    page = tool_page
    dataset, vendor, annotator = world
    task = task_for(annotator, vendor, dataset)
    open_task(page, live_server, annotator, task)
    page.locator(".viewer-stage").focus()
    page.keyboard.press("Shift+Slash")
    dialog = page.locator("#help-dialog")
    dialog.locator("input[name='tool.box']").fill("B")
    dialog.locator("button[value=save]").click()
    page.locator(".viewer-stage").focus()
    page.keyboard.press("KeyR")
    assert page.locator(".viewer").get_attribute("data-tool") == "select"
    page.keyboard.press("KeyB")
    assert page.locator(".viewer").get_attribute("data-tool") == "box"

    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Slash")
    dialog.locator("input[name=single_keys]").uncheck()
    dialog.locator("button[value=save]").click()
    page.reload()
    page.wait_for_selector(f"#work[data-ready='{task.pk}']")
    page.locator(".viewer-stage").focus()
    page.keyboard.press("KeyB")
    page.keyboard.press("KeyA")
    assert page.locator(".viewer").get_attribute("data-tool") == "select"
    assert page.locator("rect[data-region-id]").count() == 0
