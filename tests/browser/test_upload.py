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


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
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
    form = page.locator("form[action$='/categories/new/']")
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
    page.screenshot(path=artifacts / "browser_upload.png", full_page=True)

    refused = page.locator("#upload-files li[data-outcome=refused]")
    assert refused.count() == 1
    assert "notes.jpg" in refused.locator(".state").inner_text()
    assert page.locator("[data-count=added]").inner_text() == "2"
    assert page.locator("#upload-files progress").first.get_attribute("value") == "1"
    assert Item.objects.filter(dataset=dataset, categories__slug="shadow").count() == 2
    page.goto(f"{live_server.url}/datasets/{dataset.id}/")
    page.screenshot(path=artifacts / "browser_upload_coverage.png", full_page=True)
    assert "50%" in page.locator("tr[data-category='capture=shadow']").inner_text()
