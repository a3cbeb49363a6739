"""A batch's annotations delivered as a file of JSON lines: each line checked as a submit,
reported line by line; the good lines submit their tasks and nothing else changes."""

import json
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.models import Role
from datasets.models import Item
from labeling import services
from labeling.models import Annotation, AnnotationChange, Batch, Delivery, DeliveryLine, Task
from tests.factories.accounts import UserFactory
from tests.factories.datasets import formula_region
from tests.factories.labeling import make_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(media_root):
    return make_shop(tasks=6, annotators=1)


@pytest.fixture
def manager(shop):
    client = APIClient()
    client.force_login(shop.floor.manager)
    return client


def _line(task_id, regions=None, **extra) -> str:
    regions = [formula_region("r1")] if regions is None else regions
    return json.dumps(
        {"task": task_id, "annotation": {"regions": regions, "categories": {}}, **extra}
    )


def _deliver(client, batch, text: str | bytes, **headers):
    body = text.encode() if isinstance(text, str) else text
    file = SimpleUploadedFile("work.jsonl", body, content_type="application/x-ndjson")
    url = f"/api/v1/batches/{batch.pk}/deliveries/"
    return client.post(url, {"file": file}, format="multipart", headers=headers)


def _run(response) -> Delivery:
    """The worker's step, run here (the test's transaction never commits, so nothing is sent)."""
    assert response.status_code == 202, response.content
    return services.delivery_run(delivery_id=response.json()["id"])


def _lines(client, delivery, query=""):
    return client.get(f"/api/v1/deliveries/{delivery.pk}/lines/{query}").json()["results"]


def _state(batch):
    """Everything a delivery could change: tasks, annotations, history, items."""
    return (
        list(Task.objects.filter(batch=batch).order_by("pk").values()),
        list(Annotation.objects.filter(task__batch=batch).order_by("pk").values()),
        AnnotationChange.objects.filter(annotation__task__batch=batch).count(),
        list(Item.objects.filter(dataset=batch.dataset).order_by("pk").values("pk", "status")),
    )


@override_settings(DELIVERY_MAX_LINE_BYTES=600)
def test_the_good_lines_submit_and_the_bad_are_reported_by_line_with_nothing_else_changed(
    shop, manager
):
    tasks = list(Task.objects.filter(batch=shop.batch).order_by("order_key", "pk"))
    # one task an annotator holds (with a draft), one cancelled, one already submitted
    annotator = shop.clients[0]
    held = annotator.post("/api/v1/tasks/next/", {}, format="json").json()["task"]["id"]
    annotator.put(
        f"/api/v1/tasks/{held}/annotation/",
        {"annotation": {"regions": [], "categories": {}}, "version": 0},
        format="json",
    )
    others = [task for task in tasks if task.pk != held]
    good, also_good, cancelled, submitted, untouched = others
    Task.objects.filter(pk=cancelled.pk).update(status=Task.Status.CANCELLED)
    services.task_deliver(task=submitted, by=shop.floor.manager, document={"regions": []})
    outside = formula_region("r1", bbox=(90, 70, 40, 20))  # the item is 100 × 80
    lines = [
        _line(good.pk),  # 1
        "",  # 2: blank, not reported
        _line(good.pk),  # 3: named twice
        _line(held),  # 4
        _line(cancelled.pk),  # 5
        _line(submitted.pk),  # 6
        _line(999_999),  # 7: no task of this batch
        _line(untouched.pk, [outside]),  # 8: the box leaves the image
        '{"task": 1, "annotation": {"regions": [], "categories": {}}, "task": 2}',
        '{"task": 1, "annotation": {"regions": [{"bbox": [NaN, 0, 1, 1]}]}}',
        "[1, 2",  # 11
        _line(untouched.pk, [formula_region("r1", latex="x" * 700)]),  # 12: over 600 bytes
        _line(untouched.pk, colour="red"),  # 13
        _line(also_good.pk, [], version=0),  # 14: "nothing to label here"
    ]
    state = _state(shop.batch)

    delivery = _run(_deliver(manager, shop.batch, "\n".join(lines) + "\n"))

    assert (delivery.status, delivery.accepted, delivery.refused) == ("done", 2, 11)
    assert (delivery.lines_read, delivery.position, delivery.percent) == (14, delivery.size, 100)
    refused = {line["number"]: line for line in _lines(manager, delivery, "?outcome=refused")}
    assert {number: line["code"] for number, line in refused.items()} == {
        3: "duplicate_task",
        4: "task_leased",
        5: "task_cancelled",
        6: "task_submitted",
        7: "unknown_task",
        8: "invalid_annotation",
        9: "bad_json",
        10: "bad_json",
        11: "bad_json",
        12: "line_too_long",
        13: "bad_line",
    }
    assert "regions.r1.bbox" in refused[8]["fields"]
    assert "twice" in refused[9]["message"] and "NaN" in refused[10]["message"]
    assert "600" in refused[12]["message"] and "colour" in refused[13]["message"]
    assert refused[7]["task"] == 999_999
    accepted = _lines(manager, delivery, "?outcome=accepted")
    assert [(line["number"], line["task"], line["version"]) for line in accepted] == [
        (1, good.pk, 1),
        (14, also_good.pk, 1),
    ]
    for task in (good, also_good):
        task.refresh_from_db()
        assert (task.status, task.annotator) == (Task.Status.SUBMITTED, shop.floor.manager)
        entry = AnnotationChange.objects.get(annotation__task=task)
        assert (entry.kind, entry.author) == ("delivered", shop.floor.manager)
        assert Item.objects.get(pk=task.item_id).status == Item.Status.LABELED
    # nothing else changed: every other task, annotation, history entry and item as it was
    tasks_before, annotations_before, history_before, items_before = state
    tasks_after, annotations_after, history_after, items_after = _state(shop.batch)
    changed = {good.pk, also_good.pk}
    assert [t for t in tasks_after if t["id"] not in changed] == [
        t for t in tasks_before if t["id"] not in changed
    ]
    assert [a for a in annotations_after if a["task_id"] not in changed] == annotations_before
    assert history_after == history_before + 2
    moved = {t.item_id for t in (good, also_good)}
    assert [i for i in items_after if i["pk"] not in moved] == [
        i for i in items_before if i["pk"] not in moved
    ]


def test_a_task_whose_lease_expired_is_delivered_and_the_lease_ended(shop, manager):
    annotator = shop.clients[0]
    held = annotator.post("/api/v1/tasks/next/", {}, format="json").json()["task"]["id"]
    Task.objects.filter(pk=held).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    delivery = _run(_deliver(manager, shop.batch, _line(held)))

    assert (delivery.accepted, delivery.refused) == (1, 0)
    task = Task.objects.get(pk=held)
    assert (task.status, task.annotator) == (Task.Status.SUBMITTED, shop.floor.manager)
    assert task.leases.get().end == "expired"


def test_a_line_based_on_an_old_version_is_refused_and_the_draft_kept(shop, manager):
    annotator = shop.clients[0]
    held = annotator.post("/api/v1/tasks/next/", {}, format="json").json()["task"]["id"]
    draft = {"annotation": {"regions": [formula_region("r1", latex="y")], "categories": {}}}
    annotator.put(f"/api/v1/tasks/{held}/annotation/", {**draft, "version": 0}, format="json")
    annotator.post(f"/api/v1/tasks/{held}/release/", {}, format="json")

    delivery = _run(_deliver(manager, shop.batch, _line(held, version=0)))

    line = DeliveryLine.objects.get(delivery=delivery)
    assert (line.outcome, line.code) == ("refused", "stale_version")
    annotation = Annotation.objects.get(task_id=held)
    assert annotation.version == 1
    assert annotation.document["regions"][0]["attributes"]["latex"] == "y"
    assert Task.objects.get(pk=held).status == Task.Status.OPEN


def test_a_second_worker_carries_on_after_the_last_line_recorded(shop, manager):
    first, second = Task.objects.filter(batch=shop.batch).order_by("pk")[:2]
    text = "\n".join([_line(first.pk), _line(first.pk), _line(second.pk)])
    response = _deliver(manager, shop.batch, text)
    delivery = Delivery.objects.get(pk=response.json()["id"])
    # the first worker recorded line 1 and died; the sweep found it stale
    services.task_deliver(task=first, by=shop.floor.manager, document={"regions": []})
    DeliveryLine.objects.create(delivery=delivery, number=1, task_ref=first.pk, outcome="accepted")
    stale = timezone.now() - timedelta(hours=1)
    Delivery.objects.filter(pk=delivery.pk).update(
        position=len(_line(first.pk)) + 1, lines_read=1, accepted=1, attempts=1, heartbeat_at=stale
    )

    assert services.deliveries_sweep() == 1
    delivery = services.delivery_run(delivery_id=delivery.pk)

    outcomes = list(delivery.lines.values_list("number", "outcome", "code"))
    assert outcomes == [(1, "accepted", ""), (2, "refused", "duplicate_task"), (3, "accepted", "")]
    assert (delivery.status, delivery.accepted, delivery.refused) == ("done", 2, 1)
    assert delivery.attempts == 2


def test_a_delivery_that_stopped_every_worker_ends_failed(shop, manager, settings):
    response = _deliver(manager, shop.batch, _line(1))
    stale = timezone.now() - timedelta(hours=1)
    Delivery.objects.update(attempts=settings.JOB_MAX_ATTEMPTS, heartbeat_at=stale)

    assert services.deliveries_sweep() == 0

    delivery = Delivery.objects.get(pk=response.json()["id"])
    assert delivery.status == "failed" and "3 times" in delivery.error


@override_settings(DELIVERY_MAX_BYTES=100)
def test_a_file_over_the_limit_is_a_413_naming_it_and_nothing_is_kept(shop, manager):
    response = _deliver(manager, shop.batch, "x" * 101)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "delivery_too_large"
    assert "100 bytes" in response.json()["error"]["message"]
    assert not Delivery.objects.exists()
    assert not default_storage.exists("deliveries")


def test_a_body_declared_over_the_limit_is_refused_before_it_is_read(shop, manager, settings):
    settings.DELIVERY_MAX_BYTES = 10
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10

    response = manager.generic(
        "POST",
        f"/api/v1/batches/{shop.batch.pk}/deliveries/",
        b"-" * 30,
        content_type="multipart/form-data; boundary=x",
    )

    assert response.status_code == 413
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(("body", "code"), [(b"", "empty_delivery"), (None, "nothing_to_deliver")])
def test_an_empty_file_or_none_is_a_400(shop, manager, body, code):
    if body is None:
        url = f"/api/v1/batches/{shop.batch.pk}/deliveries/"
        response = manager.post(url, {"note": "x"}, format="multipart")
    else:
        response = _deliver(manager, shop.batch, body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not Delivery.objects.exists()


def test_a_batch_no_longer_worked_on_takes_no_delivery(shop, manager):
    Batch.objects.filter(pk=shop.batch.pk).update(status=Batch.Status.SUBMITTED)

    response = _deliver(manager, shop.batch, _line(1))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "batch_not_working"


def test_only_the_vendors_managers_deliver_and_planners_read(shop, manager, client_for):
    planner, annotator = client_for(), shop.clients[0]
    delivery = _run(_deliver(manager, shop.batch, _line(1)))
    url = f"/api/v1/batches/{shop.batch.pk}/deliveries/"

    assert _deliver(planner, shop.batch, _line(2)).status_code == 403
    assert planner.get(url).json()[0]["id"] == delivery.pk
    assert planner.get(f"/api/v1/deliveries/{delivery.pk}/lines/").status_code == 200
    assert annotator.get(url).status_code == 403
    assert annotator.get(f"/api/v1/deliveries/{delivery.pk}/").status_code == 403
    assert Delivery.objects.count() == 1


def test_another_vendors_manager_gets_404_for_the_batch_and_its_deliveries(shop, manager):
    delivery = _run(_deliver(manager, shop.batch, _line(1)))
    other = make_shop(tasks=1, annotators=0).floor.manager
    client = APIClient()
    client.force_login(other)

    assert _deliver(client, shop.batch, _line(1)).status_code == 404
    assert client.get(f"/api/v1/deliveries/{delivery.pk}/").status_code == 404
    assert client.get(f"/api/v1/deliveries/{delivery.pk}/lines/").status_code == 404
    assert Delivery.objects.count() == 1


def test_the_lines_list_reads_in_a_fixed_number_of_queries(
    shop, manager, django_assert_max_num_queries
):
    delivery = _run(_deliver(manager, shop.batch, "\n".join(_line(n) for n in range(1, 40))))

    with django_assert_max_num_queries(8):
        lines = manager.get(f"/api/v1/deliveries/{delivery.pk}/lines/?page_size=100").json()

    assert len(lines["results"]) == 39
    assert manager.get(f"/api/v1/deliveries/{delivery.pk}/lines/?outcome=x").status_code == 400


def test_a_delivery_made_in_korean_reports_its_lines_in_korean(shop, manager):
    response = _deliver(manager, shop.batch, _line(999_999), **{"Accept-Language": "ko"})
    translation.activate("en")  # the worker runs in the site's language

    delivery = _run(response)

    line = delivery.lines.get()
    assert delivery.language == "ko"
    assert line.code == "unknown_task" and "999999" in line.message
    assert line.message != "Task 999999 is not a task of this batch."


def test_the_batch_page_takes_a_file_and_shows_each_refused_line_with_its_reason(shop, client):
    client.force_login(shop.floor.manager)
    task = Task.objects.filter(batch=shop.batch).first()
    file = SimpleUploadedFile("ours.jsonl", f"{_line(task.pk)}\n{_line(999_999)}\n".encode())

    sent = client.post(f"/labeling/batches/{shop.batch.pk}/deliveries/", {"file": file})
    delivery = services.delivery_run(delivery_id=Delivery.objects.get().pk)
    batch_page = client.get(f"/labeling/batches/{shop.batch.pk}/").content.decode()
    refused = client.get(f"/labeling/deliveries/{delivery.pk}/?outcome=refused").content.decode()

    assert sent.status_code == 302 and sent["Location"].endswith("#deliveries")
    assert 'id="delivery-form"' in batch_page and "ours.jsonl" in batch_page
    assert f'href="/labeling/deliveries/{delivery.pk}/?outcome=refused">1</a>' in batch_page
    assert 'data-line="2"' in refused and 'data-line="1"' not in refused
    assert "Task 999999 is not a task of this batch." in refused


def test_a_planner_reads_the_deliveries_on_the_batch_page_but_has_no_form(shop, manager, client):
    _run(_deliver(manager, shop.batch, _line(1)))
    client.force_login(UserFactory(role=Role.PLANNER))

    page = client.get(f"/labeling/batches/{shop.batch.pk}/").content.decode()

    assert 'id="deliveries"' in page and "work.jsonl" in page
    assert 'id="delivery-form"' not in page
