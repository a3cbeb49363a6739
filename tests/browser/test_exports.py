"""A trainer requests an export from the pipeline page and follows a real worker's progress."""

import hashlib
import zipfile

import pytest
from django.core.management import call_command

from datasets.models import Dataset
from exports.models import Export

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("celery")]


def _sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "groundwork-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _offered_formats(page) -> list[str]:
    return page.locator("#export_format option:not([disabled])").evaluate_all(
        "options => options.map(option => option.value)"
    )


def test_a_trainer_requests_a_detection_export_and_watches_it_finish(
    live_server, page, celery_worker, artifacts, tmp_path
):
    call_command("seed_demo", photos=6)  # a worker processes the photos as they arrive
    dataset = Dataset.objects.get(name="Math formula photos")
    _sign_in(page, live_server, "trainer")

    page.goto(f"{live_server.url}/datasets/{dataset.id}/stages/")
    page.locator("tr[data-stage-row=formula-detection] a.export-link").click()
    page.wait_for_url("**/exports/?stage=formula-detection")
    page.wait_for_selector("#export-form[data-ready=true]")
    assert page.locator("#export_stage").input_value() == "formula-detection"
    assert _offered_formats(page) == ["coco", "yolo", "hf_imagefolder"]
    page.select_option("#export_stage", "formula-recognition")
    assert _offered_formats(page) == ["hf_imagefolder", "jsonl_crops"]
    assert page.input_value("#export_format") == "jsonl_crops"  # the stage's own first
    page.select_option("#export_stage", "formula-detection")
    page.select_option("#export_format", "yolo")
    page.get_by_label("Val", exact=True).uncheck()
    page.get_by_label("Included in the zip").check()
    page.get_by_role("button", name="Request export").click()

    page.wait_for_url(f"**/datasets/{dataset.id}/exports/")
    page.wait_for_selector("#export-page[data-ready=true]")
    export = Export.objects.get()
    row = page.locator(f"tr[data-export='{export.id}']")
    row.get_by_role("link", name="Download").wait_for(timeout=60_000)
    page.screenshot(path=artifacts / "browser_exports.png", full_page=True)

    export.refresh_from_db()
    assert export.status == Export.Status.DONE, export.error
    assert (export.splits, export.format, export.images) == (["train", "test"], "yolo", "include")
    assert "Export" in page.locator(".messages").inner_text()
    assert row.locator(".percent").inner_text() == "100%"
    assert row.get_by_role("progressbar").get_attribute("aria-valuenow") == "100"
    assert row.get_attribute("data-status") == "done"
    assert row.locator(".sha code").get_attribute("title") == export.sha256
    assert row.locator(".size").inner_text().endswith(("bytes", "KB", "MB"))
    with page.expect_download() as started:
        row.get_by_role("link", name="Download").click()
    path = tmp_path / "export.zip"
    started.value.save_as(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == export.sha256
    assert zipfile.ZipFile(path).testzip() is None
