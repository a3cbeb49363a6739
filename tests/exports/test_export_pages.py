"""The exports page: the dataset's exports with their progress, and the form to request one."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from datasets.services import demo_dataset_ensure, demo_pipeline_ensure
from exports import services as export_services
from exports.models import Export

pytestmark = pytest.mark.django_db

SHA = "ab12cd34ef56" + "0" * 52


@pytest.fixture
def demo(make_user):
    """The demo dataset with its four stages and no items: requesting needs none."""
    planner = make_user(Role.PLANNER)
    dataset = demo_dataset_ensure(planner=planner)
    demo_pipeline_ensure(dataset=dataset, planner=planner)
    return dataset


@pytest.fixture
def detection(demo):
    return demo.stages.get(slug="formula-detection")


def _url(dataset) -> str:
    return f"/datasets/{dataset.id}/exports/"


def _request(dataset, stage, **fields) -> Export:
    """An export as the service queues it; its worker never runs (callbacks are not run)."""
    return export_services.export_request(dataset=dataset, stage=stage, by=None, **fields)


def _post(client, dataset, **fields):
    data = {
        "stage": "formula-detection",
        "splits": ["train", "val", "test"],
        "format": "coco",
        "images": "reference",
        **fields,
    }
    return client.post(_url(dataset), data)


def _row(html: str, export: Export) -> str:
    start = html.index(f'data-export="{export.id}"')
    return html[start : html.index("</tr>", start)]


def test_the_page_lists_the_exports_newest_first(planner_client, demo, detection):
    older = _request(demo, detection, format="coco")
    newer = _request(demo, detection, format="yolo", splits=["test"])

    html = planner_client.get(_url(demo)).content.decode()

    assert html.index(f'data-export="{newer.id}"') < html.index(f'data-export="{older.id}"')
    row = _row(html, newer)
    assert "Formula detection" in row and "<code>yolo</code>" in row
    assert "Test" in row and "Train" not in row
    assert "By reference" in row
    assert f'data-url="/api/v1/datasets/{demo.id}/exports/{newer.id}/"' in row


def test_a_running_export_shows_how_far_its_worker_is(planner_client, demo, detection):
    export = _request(demo, detection)
    Export.objects.filter(pk=export.pk).update(total=14, done=5)

    row = _row(planner_client.get(_url(demo)).content.decode(), export)

    assert 'data-status="running"' in row
    assert 'aria-valuenow="35"' in row and "width: 35%" in row
    assert "5 of 14 items" in row
    assert "Download" not in row


@pytest.mark.parametrize(
    ("status", "done", "total", "percent"),
    [("running", 5, 14, 35), ("running", 14, 14, 99), ("running", 0, 0, 0), ("done", 0, 0, 100)],
)
def test_the_page_and_the_api_give_the_same_whole_percent(
    planner_client, demo, detection, status, done, total, percent
):
    """Computed once, on the server; only a finished export says 100 (its zip is joined last)."""
    export = _request(demo, detection)
    Export.objects.filter(pk=export.pk).update(status=status, done=done, total=total)

    row = _row(planner_client.get(_url(demo)).content.decode(), export)
    answer = planner_client.get(f"/api/v1/datasets/{demo.id}/exports/{export.id}/").json()

    assert answer["percent"] == percent
    assert f'data-percent="{percent}"' in row and f'aria-valuenow="{percent}"' in row


def test_an_export_no_worker_has_started_waits_for_one(planner_client, demo, detection):
    export = _request(demo, detection)

    row = _row(planner_client.get(_url(demo)).content.decode(), export)

    assert 'aria-valuenow="0"' in row and "Waiting for a worker" in row


def test_a_finished_export_shows_its_size_hash_and_download_link(planner_client, demo, detection):
    export = _request(demo, detection)
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.DONE, total=14, done=14, sha256=SHA, size=3 * 1024**2 // 2
    )

    row = _row(planner_client.get(_url(demo)).content.decode(), export)

    assert 'aria-valuenow="100"' in row and "14 of 14 items" in row
    # the figure in bytes, which static/core/format.js writes as "1.5 MB" (tests/js/)
    assert 'data-size="1572864"' in row and "1572864 bytes" in row
    assert f'<code title="{SHA}">ab12cd34ef56…</code>' in row
    assert f'href="/api/v1/datasets/{demo.id}/exports/{export.id}/download/"' in row


def test_a_failed_export_shows_its_error(planner_client, demo, detection):
    export = _request(demo, detection)
    Export.objects.filter(pk=export.pk).update(status=Export.Status.FAILED, error="Disk full.")

    row = _row(planner_client.get(_url(demo)).content.decode(), export)

    assert 'data-status="failed"' in row and "Disk full." in row
    assert "Download" not in row


def test_the_page_makes_as_many_queries_for_many_exports_as_for_one(
    planner_client, demo, detection
):
    _request(demo, detection)
    with CaptureQueriesContext(connection) as one:
        planner_client.get(_url(demo))
    for _ in range(5):
        _request(demo, detection)

    with CaptureQueriesContext(connection) as six:
        planner_client.get(_url(demo))

    assert len(six) == len(one)


def test_a_planner_requests_an_export_and_is_sent_back_to_the_list(
    planner_client, demo, detection, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = _post(planner_client, demo, splits=["train", "val"], images="include")

    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(demo) + "?stage=formula-detection"  # still chosen
    assert export.status == Export.Status.RUNNING
    assert (export.stage, export.splits, export.format) == (detection, ["train", "val"], "coco")
    assert export.images == Export.Images.INCLUDE
    assert export.created_by == planner_client.user
    assert len(queued) == 1  # the build is handed to a worker, never run in the request
    page = planner_client.get(_url(demo)).content.decode()
    assert f"Export {export.id} of “Formula detection” is queued" in page


def test_a_trainer_requests_an_export(client_for, demo, detection):
    trainer = client_for(Role.TRAINER)

    response = _post(trainer, demo, format="yolo")

    assert response.status_code == 302
    assert Export.objects.get().created_by == trainer.user


def test_a_format_the_stage_does_not_offer_is_refused_and_nothing_is_queued(planner_client, demo):
    response = _post(planner_client, demo, format="jsonl_crops")

    assert response.status_code == 400
    assert "“jsonl_crops” is not a format of this stage" in response.content.decode()
    assert not Export.objects.exists()


def test_an_export_of_no_split_is_refused_and_nothing_is_queued(planner_client, demo):
    response = _post(planner_client, demo, splits=[])

    assert response.status_code == 400
    assert "Choose at least one split." in response.content.decode()
    assert not Export.objects.exists()


def test_a_stage_the_dataset_does_not_have_is_refused(planner_client, demo):
    response = _post(planner_client, demo, stage="table-detection")

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert not Export.objects.exists()


def test_the_stage_in_the_address_is_chosen_with_its_first_format(planner_client, demo):
    html = planner_client.get(f"{_url(demo)}?stage=char-recognition").content.decode()

    assert '<option value="char-recognition" selected>' in html
    assert '<option value="jsonl_crops" selected data-stages="formula-recognition char-re' in html


def test_by_default_every_split_is_ticked_and_images_go_by_reference(planner_client, demo):
    html = planner_client.get(_url(demo)).content.decode()

    assert re.findall(r'name="splits" value="(\w+)"[^>]*checked', html) == ["train", "val", "test"]
    assert re.findall(r'name="images" value="(\w+)"[^>]*checked', html) == ["reference"]


def test_a_reviewer_sees_the_list_but_no_form(client_for, demo, detection):
    export = _request(demo, detection)

    html = client_for(Role.REVIEWER).get(_url(demo)).content.decode()

    assert f'data-export="{export.id}"' in html
    assert 'id="export-form"' not in html


def test_a_reviewer_cannot_request_an_export(client_for, demo):
    response = _post(client_for(Role.REVIEWER), demo)

    assert response.status_code == 403
    assert not Export.objects.exists()


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.VENDOR_MANAGER])
def test_vendor_roles_have_no_exports_page(client_for, demo, role):
    client = client_for(role)

    assert client.get(_url(demo)).status_code == 404
    assert _post(client, demo).status_code == 404
    assert not Export.objects.exists()


def test_the_dataset_and_stages_pages_link_to_the_exports(planner_client, demo):
    detail = planner_client.get(f"/datasets/{demo.id}/").content.decode()
    stages = planner_client.get(f"/datasets/{demo.id}/stages/").content.decode()

    assert f'href="{_url(demo)}"' in detail
    assert f'href="{_url(demo)}?stage=formula-detection"' in stages


def test_readers_who_cannot_export_get_no_export_link_per_stage(client_for, demo):
    stages = client_for(Role.REVIEWER).get(f"/datasets/{demo.id}/stages/").content.decode()

    assert "?stage=" not in stages


def test_a_crop_export_says_its_crops_are_included_in_the_api_as_on_the_page(planner_client, demo):
    # the page's form sends its default, "reference", for a crop stage too
    _post(planner_client, demo, stage="formula-recognition", format="jsonl_crops")
    export = Export.objects.get()

    answer = planner_client.get(f"/api/v1/datasets/{demo.id}/exports/{export.id}/").json()
    row = _row(planner_client.get(_url(demo)).content.decode(), export)

    assert export.images == Export.Images.INCLUDE
    assert answer["images"] == "include"
    assert "Crops included" in row


def test_an_api_request_of_a_crop_stage_answers_that_its_images_are_included(planner_client, demo):
    response = planner_client.post(
        f"/api/v1/datasets/{demo.id}/exports/",
        {"stage": "char-detection", "images": "reference"},
        format="json",
    )

    assert response.status_code == 202, response.content
    assert response.json()["images"] == "include"
