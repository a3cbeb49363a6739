"""Cancelling a running export and retrying a failed or cancelled one, through the API and the
exports page; a chunk or join still working when the export is cancelled stores nothing."""

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from accounts.models import Role
from datasets.models import Dataset
from exports import services as export_services
from exports.models import Export, ExportChunk

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.EXPORT_CHUNK_ITEMS = 2  # six items: three chunks
    call_command("seed_demo", photos=6)
    return Dataset.objects.get(name="Math formula photos")


def _api(dataset, export, tail: str = "") -> str:
    return f"/api/v1/datasets/{dataset.pk}/exports/{export.pk}/{tail}"


def _page(dataset, export, action: str) -> str:
    return f"/datasets/{dataset.pk}/exports/{export.pk}/{action}/"


def _planned(dataset, *, by=None, slug="formula-recognition") -> Export:
    """An export whose plan ran and whose first chunk is built and stored; the rest wait."""
    stage = dataset.stages.get(slug=slug)
    export = export_services.export_request(dataset=dataset, stage=stage, by=by)
    first, *_rest = export_services.export_plan(export_id=export.pk, dispatch=False)
    export_services.export_chunk_build(chunk_id=first, dispatch=False)
    export.refresh_from_db()
    return export


def _failed(dataset, *, by=None) -> Export:
    export = _planned(dataset, by=by)
    Export.objects.filter(pk=export.pk).update(status=Export.Status.FAILED, error="disk full")
    export.refresh_from_db()
    return export


def _stored_parts(export) -> list[str]:
    folder = f"exports/{export.dataset_id}/{export.pk}"
    return default_storage.listdir(folder)[1] if default_storage.exists(folder) else []


def _cancel_when_storage_opens(monkeypatch, export, *, after: int = 0, fail=None) -> None:
    """A planner cancels ``export`` while a worker reads a stored file (an image, a part):
    the moment a cancel comes in from another request in the middle of a build. With
    ``fail``, the read then raises it (as a worker's heartbeat does once its job stopped)."""
    default_storage.exists("")  # the lazy storage made, to patch its object
    storage = default_storage._wrapped
    opened = storage.open
    calls = []

    def open_and_cancel(name, *args, **kwargs):
        calls.append(name)
        if len(calls) == after + 1:
            export_services.export_cancel(export=export, by=None)
            if fail is not None:
                raise fail
        return opened(name, *args, **kwargs)

    monkeypatch.setattr(storage, "open", open_and_cancel)


# --- cancel --------------------------------------------------------------------------------


def test_cancelling_a_running_export_cancels_its_chunks_and_removes_its_parts(
    client_for, demo, django_capture_on_commit_callbacks
):
    trainer = client_for(Role.TRAINER)
    export = _planned(demo, by=trainer.user)
    assert export.chunks_done == 1 and len(_stored_parts(export)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = trainer.delete(_api(demo, export))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["cancelled_by"], body["download"]) == (
        "cancelled",
        trainer.user.username,
        None,
    )
    export.refresh_from_db()
    assert export.status == Export.Status.CANCELLED and export.finished_at
    assert list(export.chunks.values_list("status", flat=True)) == [
        "done",
        "cancelled",
        "cancelled",
    ]
    assert _stored_parts(export) == []
    assert not export.chunks.exclude(file="").exists()


def test_a_chunk_of_a_cancelled_export_builds_nothing_and_queues_no_join(
    demo, django_capture_on_commit_callbacks
):
    export = _planned(demo)
    with django_capture_on_commit_callbacks(execute=True):
        export_services.export_cancel(export=export, by=None)
    waiting = export.chunks.filter(index=1).get()

    with django_capture_on_commit_callbacks(execute=True) as queued:
        chunk = export_services.export_chunk_build(chunk_id=waiting.pk)
        joined = export_services.export_join(export_id=export.pk)

    assert chunk.status == ExportChunk.Status.CANCELLED and not queued
    assert joined.status == Export.Status.CANCELLED and not joined.file
    assert _stored_parts(export) == []


def test_an_export_cancelled_before_its_plan_ran_is_never_planned(demo):
    stage = demo.stages.get(slug="formula-detection")
    export = export_services.export_request(dataset=demo, stage=stage, by=None)
    export_services.export_cancel(export=export, by=None)

    pending = export_services.export_plan(export_id=export.pk, dispatch=False)

    assert pending == [] and not export.chunks.exists()


def test_a_chunk_still_building_when_its_export_is_cancelled_stores_no_part(
    demo, monkeypatch, django_capture_on_commit_callbacks
):
    export = _planned(demo)
    building = export.chunks.get(index=1)
    _cancel_when_storage_opens(monkeypatch, export)  # at the chunk's first image

    with django_capture_on_commit_callbacks(execute=True):
        chunk = export_services.export_chunk_build(chunk_id=building.pk, dispatch=False)

    export.refresh_from_db()
    assert chunk.status == ExportChunk.Status.CANCELLED and not chunk.file
    assert export.status == Export.Status.CANCELLED and export.chunks_done == 1
    assert _stored_parts(export) == []  # neither the earlier part nor this late one


def test_a_chunk_stopped_by_its_cancel_ends_cancelled_not_failed(
    demo, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    export = _planned(demo)
    building = export.chunks.get(index=1)
    _cancel_when_storage_opens(monkeypatch, export, fail=RuntimeError("export 1 was cancelled"))

    with django_capture_on_commit_callbacks(execute=True):
        chunk = export_services.export_chunk_build(chunk_id=building.pk, dispatch=False)

    export.refresh_from_db()
    assert chunk.status == ExportChunk.Status.CANCELLED
    assert export.status == Export.Status.CANCELLED and export.error == ""
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
    assert _stored_parts(export) == []


def test_a_join_running_when_its_export_is_cancelled_stores_no_zip(
    demo, monkeypatch, django_capture_on_commit_callbacks
):
    stage = demo.stages.get(slug="formula-detection")
    export = export_services.export_request(dataset=demo, stage=stage, by=None)
    for chunk_id in export_services.export_plan(export_id=export.pk, dispatch=False):
        export_services.export_chunk_build(chunk_id=chunk_id, dispatch=False)
    _cancel_when_storage_opens(monkeypatch, export)  # at the first part the join reads

    with django_capture_on_commit_callbacks(execute=True):
        joined = export_services.export_join(export_id=export.pk)

    assert joined.status == Export.Status.CANCELLED
    assert not joined.file and not joined.sha256
    assert not default_storage.exists(f"exports/{demo.pk}/{export.pk}.zip")
    assert _stored_parts(export) == []


def test_a_finished_export_cannot_be_cancelled_and_stays_as_it_was(planner_client, demo):
    stage = demo.stages.get(slug="formula-detection")
    export = export_services.export_request(dataset=demo, stage=stage, by=None)
    export = export_services.export_build(export_id=export.pk)

    response = planner_client.delete(_api(demo, export))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "export_finished"
    assert "already done" in response.json()["error"]["message"]
    export.refresh_from_db()
    assert export.status == Export.Status.DONE and default_storage.exists(export.file.name)


def test_another_trainer_may_not_cancel_an_export_that_is_not_theirs(client_for, demo):
    owner, other = client_for(Role.TRAINER), client_for(Role.TRAINER)
    export = _planned(demo, by=owner.user)

    response = other.delete(_api(demo, export))

    assert response.status_code == 403
    export.refresh_from_db()
    assert export.status == Export.Status.RUNNING and len(_stored_parts(export)) == 1


def test_a_cancelled_export_has_nothing_to_download_and_says_to_retry(planner_client, demo):
    export = _planned(demo)
    export_services.export_cancel(export=export, by=None)

    response = planner_client.get(_api(demo, export, "download/"))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "export_not_ready"
    assert "cancelled: there is no zip; retry it" in response.json()["error"]["message"]


# --- retry ---------------------------------------------------------------------------------


def test_retrying_a_failed_export_requests_a_new_one_with_the_same_request(
    client_for, demo, django_capture_on_commit_callbacks
):
    trainer = client_for(Role.TRAINER)
    failed = _failed(demo, by=trainer.user)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = trainer.post(_api(demo, failed, "retry/"))

    assert response.status_code == 202, response.content
    body = response.json()
    retry = Export.objects.get(pk=body["id"])
    assert retry.pk != failed.pk and body["retry_of"] == failed.pk
    assert (retry.stage, retry.splits, retry.format, retry.images) == (
        failed.stage,
        failed.splits,
        failed.format,
        failed.images,
    )
    assert retry.status == Export.Status.RUNNING and retry.created_by == trainer.user
    assert len(queued) == 1  # its plan goes to a worker
    failed.refresh_from_db()
    assert failed.status == Export.Status.FAILED and failed.error == "disk full"  # the record
    assert trainer.get(_api(demo, failed)).json()["retried_as"] == retry.pk


def test_a_cancelled_export_is_retried_once_and_a_second_retry_names_the_first(
    planner_client, demo
):
    export = _planned(demo)
    export_services.export_cancel(export=export, by=None)
    first = planner_client.post(_api(demo, export, "retry/"))

    again = planner_client.post(_api(demo, export, "retry/"))

    assert first.status_code == 202
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "export_retried"
    assert f"retried as export {first.json()['id']}" in again.json()["error"]["message"]
    assert Export.objects.filter(retry_of=export).count() == 1


def test_a_running_export_is_not_retried(planner_client, demo):
    export = _planned(demo)

    response = planner_client.post(_api(demo, export, "retry/"))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "export_not_retryable"
    assert Export.objects.count() == 1


def test_a_reviewer_may_neither_cancel_nor_retry(client_for, demo):
    reviewer = client_for(Role.REVIEWER)
    running, failed = _planned(demo), _failed(demo)

    assert reviewer.delete(_api(demo, running)).status_code == 403
    assert reviewer.post(_api(demo, failed, "retry/")).status_code == 403
    assert Export.objects.count() == 2
    running.refresh_from_db()
    assert running.status == Export.Status.RUNNING


# --- the exports page ----------------------------------------------------------------------


def _row(html: str, export: Export) -> str:
    start = html.index(f'data-export="{export.id}"')
    return html[start : html.index("</tr>", start)]


def test_the_page_offers_cancel_and_retry_to_those_who_may(client_for, demo):
    owner, other = client_for(Role.TRAINER), client_for(Role.TRAINER)
    running, failed = _planned(demo, by=owner.user), _failed(demo, by=owner.user)

    mine = owner.get(f"/datasets/{demo.pk}/exports/").content.decode()
    theirs = other.get(f"/datasets/{demo.pk}/exports/").content.decode()

    assert _page(demo, running, "cancel") in _row(mine, running)
    assert _page(demo, failed, "retry") in _row(mine, failed)
    assert "/cancel/" not in theirs and "/retry/" not in theirs


def test_cancelling_on_the_page_sends_back_with_the_stage_chosen(planner_client, demo):
    export = _planned(demo)

    response = planner_client.post(_page(demo, export, "cancel"))

    assert response.status_code == 302
    assert response["Location"] == f"/datasets/{demo.pk}/exports/?stage=formula-recognition"
    export.refresh_from_db()
    assert export.status == Export.Status.CANCELLED
    assert export.cancelled_by == planner_client.user
    page = planner_client.get(response["Location"]).content.decode()
    assert f"Export {export.pk} is cancelled." in page
    assert f"Cancelled by {planner_client.user.username}" in _row(page, export)


def test_retrying_on_the_page_queues_the_new_export_and_links_the_two(planner_client, demo):
    failed = _failed(demo)

    response = planner_client.post(_page(demo, failed, "retry"))

    retry = Export.objects.get(retry_of=failed)
    assert response.status_code == 302
    page = planner_client.get(response["Location"]).content.decode()
    assert f"Export {retry.pk} of “Formula recognition” is queued" in page
    assert f"Retried as export {retry.pk}" in _row(page, failed)
    assert f"Retries export {failed.pk}" in _row(page, retry)
    assert _page(demo, failed, "retry") not in _row(page, failed)  # retried once


def test_a_refused_cancel_on_the_page_is_shown_in_the_exports_row(planner_client, demo):
    export = _failed(demo)

    response = planner_client.post(_page(demo, export, "cancel"))

    assert response.status_code == 409
    row = _row(response.content.decode(), export)
    assert "only a running export can be cancelled" in row and 'role="alert"' in row
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
