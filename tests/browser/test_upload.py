"""A planner drops files on the upload page: progress per file, a bad file refused by name."""

import base64

from datasets import services
from datasets.models import Item
from tests.factories.datasets import DatasetFactory
from tests.factories.images import image_bytes

DROP = """
([files, selector]) => {
  const transfer = new DataTransfer();
  for (const [name, type, data] of files) {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], name, { type }));
  }
  const zone = document.querySelector(selector);
  zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true }));
  zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
}
"""


def _planner(make_user, username: str, **fields):
    planner = make_user("planner", username=username, **fields)
    planner.set_password("groundwork-demo")
    planner.save()
    return planner


def sign_in(page, live_server, user):
    """Signs ``user`` (a user, or a username) in with the demo password."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", getattr(user, "username", user))
    page.fill("#id_password", "groundwork-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def drop_files(page, files: list[tuple[str, str, bytes]], selector="#drop-zone"):
    payload = [[name, kind, base64.b64encode(data).decode()] for name, kind, data in files]
    page.evaluate(DROP, [payload, selector])


def test_planner_adds_a_category_drops_files_and_sees_coverage_move(
    live_server, page, make_user, artifacts
):
    planner = make_user("planner", username="dropper")
    planner.set_password("groundwork-demo")
    planner.save()
    dataset = DatasetFactory()
    services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    sign_in(page, live_server, planner)
    page.goto(f"{live_server.url}/datasets/{dataset.id}/")
    form = page.locator("form#category-form")
    form.get_by_label("Category name").fill("Shadow")
    form.get_by_label("Slug").fill("shadow")
    form.get_by_label("Quota target").fill("4")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("tr[data-category='capture=shadow']")
    assert "0%" in page.locator("tr[data-category='capture=shadow']").inner_text()
    page.click("text=Upload images")
    page.wait_for_selector("#upload-form[data-ready=true]")  # the module script is running
    page.select_option("select[data-axis=capture]", "capture=shadow")

    drop_files(
        page,
        [
            ("IMG_0001.jpg", "image/jpeg", image_bytes(1, size=(640, 480))),
            ("IMG_0002.jpg", "image/jpeg", image_bytes(2, size=(640, 480))),
            ("notes.jpg", "image/jpeg", b"this is text pretending to be a photo"),
        ],
    )
    page.wait_for_function(
        "document.querySelectorAll('#upload-files li[data-outcome]').length === 3"
    )
    for item in Item.objects.filter(dataset=dataset):  # no worker in this test: do its step
        services.item_process(item_id=item.id)
    page.wait_for_function(
        "document.querySelector('[data-count=ready]').textContent === '2'", timeout=10_000
    )
    recent = page.locator("#recent-uploads tr[data-upload]")
    page.wait_for_function(
        "document.querySelector('#recent-uploads .processed')?.textContent === '2'",
        timeout=10_000,
    )
    page.screenshot(path=artifacts / "browser_upload.png", full_page=True)

    assert recent.count() == 1  # the files of one visit are one upload, listed at once
    assert page.locator("#recent-uploads tr.empty").count() == 0
    cells = {name: recent.locator(f".{name}").inner_text() for name in ("what", "added", "status")}
    assert cells == {"what": "2 files", "added": "2", "status": "Done"}

    refused = page.locator("#upload-files li[data-outcome=refused]")
    assert refused.count() == 1
    assert "notes.jpg" in refused.locator(".state").inner_text()
    assert page.locator("[data-count=added]").inner_text() == "2"
    first_bar = page.locator("#upload-files progress").first
    assert first_bar.evaluate("bar => bar.value === bar.max && bar.max > 1")  # every byte sent
    assert Item.objects.filter(dataset=dataset, categories__slug="shadow").count() == 2
    page.goto(f"{live_server.url}/datasets/{dataset.id}/")
    page.screenshot(path=artifacts / "browser_upload_coverage.png", full_page=True)
    assert "50%" in page.locator("tr[data-category='capture=shadow']").inner_text()


def test_a_korean_planner_sees_the_scripts_sentences_in_korean(live_server, page, make_user):
    planner = _planner(make_user, "korean-dropper", language="ko")
    dataset = DatasetFactory()
    sign_in(page, live_server, planner)
    page.goto(f"{live_server.url}/datasets/{dataset.id}/upload/")
    page.wait_for_selector("#upload-form[data-ready=true]")

    drop_files(page, [("IMG_0003.jpg", "image/jpeg", image_bytes(3, size=(320, 240)))])
    added = page.locator("#upload-files li[data-outcome=added] .state")
    added.wait_for()

    assert page.locator("html").get_attribute("lang") == "ko"
    # written by upload_progress.js from the JavaScript catalogue, not by the server
    assert added.inner_text() == "추가됨, 썸네일 만드는 중"
    headers = page.locator("table.recent-uploads th").all_inner_texts()
    assert "올린 사람" in headers and "변경한 사람" not in headers
    page.locator("#recent-uploads tr[data-upload] .what").wait_for()
    assert page.locator("#recent-uploads .what").inner_text() == "파일 1개"


def test_a_category_removed_after_the_page_loaded_is_named_beside_the_categories(
    live_server, page, make_user
):
    planner = _planner(make_user, "late-dropper")
    dataset = DatasetFactory()
    axis = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    shadow = services.category_create(axis=axis, name="Shadow", slug="shadow", by=None)
    sign_in(page, live_server, planner)
    page.goto(f"{live_server.url}/datasets/{dataset.id}/upload/")
    page.wait_for_selector("#upload-form[data-ready=true]")
    page.select_option("select[data-axis=capture]", "capture=shadow")
    services.category_delete(category=shadow, by=None)

    drop_files(page, [("IMG_0004.jpg", "image/jpeg", image_bytes(4, size=(320, 240)))])
    beside = page.locator("fieldset.upload-categories [data-error-for=categories]")
    beside.wait_for()

    assert beside.inner_text() == "Unknown category “capture=shadow”."
    assert page.locator("fieldset.upload-categories").get_attribute("aria-invalid") == "true"
    refused = page.locator("#upload-files li[data-outcome=refused] .state")
    assert "not a category of this dataset" in refused.inner_text()
    page.select_option("select[data-axis=capture]", "")
    drop_files(page, [("IMG_0005.jpg", "image/jpeg", image_bytes(5, size=(320, 240)))])
    page.locator("#upload-files li[data-outcome=added]").wait_for()
    assert beside.count() == 0  # an accepted file clears the stale message
