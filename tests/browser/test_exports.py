"""The exports page in Chromium: a trainer requests an export from the pipeline page and follows
a real worker's progress; the form keeps its stage; a running export is cancelled and retried;
no page has a script error, with stages or without."""

import hashlib
import zipfile

import pytest
from django.core.management import call_command

from accounts.models import Role
from datasets.models import Dataset
from datasets.services import demo_dataset_ensure, demo_pipeline_ensure
from exports.models import Export
from tests.factories.accounts import UserFactory
from tests.factories.datasets import DatasetFactory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("celery")]


def _sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "groundwork-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _script_errors(page) -> list[str]:
    """Uncaught errors and console errors of the page, as they happen."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


def _signed_in(page, live_server, role: str = Role.PLANNER):
    user = UserFactory(role=role, password="groundwork-demo")
    _sign_in(page, live_server, user.username)
    return user


def _demo_without_items(user) -> Dataset:
    dataset = demo_dataset_ensure(planner=user)
    demo_pipeline_ensure(dataset=dataset, planner=user)
    return dataset


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

    page.wait_for_url(f"**/datasets/{dataset.id}/exports/?stage=formula-detection")
    page.wait_for_selector("#export-page[data-ready=true]")
    export = Export.objects.get()
    row = page.locator(f"tr[data-export='{export.id}']")
    row.get_by_role("link", name="Download").wait_for(timeout=60_000)
    page.screenshot(path=artifacts / "browser_exports.png", full_page=True)

    export.refresh_from_db()
    assert export.status == Export.Status.DONE, export.error
    assert (export.splits, export.format, export.images) == (["train", "test"], "yolo", "include")
    assert page.locator(".messages").count() == 0  # "queued" is no longer true: it went
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


def test_the_exports_page_of_a_dataset_without_stages_has_no_script_error(live_server, page):
    errors = _script_errors(page)
    _signed_in(page, live_server)
    dataset = DatasetFactory()

    page.goto(f"{live_server.url}/datasets/{dataset.id}/exports/")
    page.wait_for_selector("#export-page[data-ready=true]")

    assert page.get_by_text("This dataset has no stages yet").is_visible()
    assert errors == []


def test_the_form_keeps_the_chosen_stage_after_a_request(live_server, page, celery_redis):
    errors = _script_errors(page)
    dataset = _demo_without_items(_signed_in(page, live_server))
    page.goto(f"{live_server.url}/datasets/{dataset.id}/exports/")
    page.wait_for_selector("#export-form[data-ready=true]")

    page.select_option("#export_stage", "char-detection")
    assert page.locator("#export_images_1").is_disabled()  # by reference: crops are in the zip
    page.get_by_role("button", name="Request export").click()

    page.wait_for_url("**/exports/?stage=char-detection")
    page.wait_for_selector("#export-form[data-ready=true]")
    assert page.locator("#export_stage").input_value() == "char-detection"
    assert page.input_value("#export_format") == "coco"
    assert Export.objects.get().stage.slug == "char-detection"
    assert "is queued" in page.locator(".messages").inner_text()  # no worker: still queued
    assert errors == []


def test_a_running_export_is_cancelled_then_retried_from_its_row(
    live_server, page, celery_redis, artifacts
):
    errors = _script_errors(page)
    dataset = _demo_without_items(_signed_in(page, live_server))
    page.goto(f"{live_server.url}/datasets/{dataset.id}/exports/")
    page.get_by_role("button", name="Request export").click()
    page.wait_for_selector("#export-page[data-ready=true]")
    export = Export.objects.get()  # no worker takes it: it stays running
    row = page.locator(f"tr[data-export='{export.id}']")
    assert not row.get_by_role("button", name="Retry").is_visible()

    row.get_by_role("button", name="Cancel").click()

    page.wait_for_selector("#export-page[data-ready=true]")
    export.refresh_from_db()
    assert export.status == Export.Status.CANCELLED
    assert row.locator(".status").inner_text() == "Cancelled"
    assert not row.get_by_role("button", name="Cancel").is_visible()
    assert "is queued" not in page.locator(".messages").inner_text()
    row.get_by_role("button", name="Retry").click()

    page.wait_for_selector("#export-page[data-ready=true]")
    retry = Export.objects.get(retry_of=export)
    assert row.get_by_text(f"Retried as export {retry.id}").is_visible()
    assert not row.get_by_role("button", name="Retry").is_visible()
    new_row = page.locator(f"tr[data-export='{retry.id}']")
    assert new_row.get_by_role("button", name="Cancel").is_visible()
    page.screenshot(path=artifacts / "browser_export_retry.png", full_page=True)
    assert errors == []
