"""The hand-out over the API: next task, leases, release, skip, expiry, deactivation, the
guides gate, and "nothing left"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guides import services as guide_services
from labeling import services
from labeling.models import Batch, Lease, Task, TaskSkip
from tests.factories.labeling import make_shop
from vendors import services as vendor_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_shop()


def _next(client, **body) -> dict:
    response = client.post("/api/v1/tasks/next/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_next_leases_a_task_and_asking_again_gives_the_same_one(shop):
    first = _next(shop.clients[0])
    again = _next(shop.clients[0])

    task = Task.objects.get(pk=first["task"]["id"])
    assert first["state"] == "task"
    assert again["task"]["id"] == task.pk
    assert task.status == Task.Status.LEASED
    assert task.annotator == shop.annotators[0]
    assert Lease.objects.filter(task=task, ended_at=None).count() == 1


def test_two_annotators_get_two_tasks_and_the_batch_starts(shop):
    one = _next(shop.clients[0])["task"]["id"]
    two = _next(shop.clients[1])["task"]["id"]

    shop.batch.refresh_from_db()
    assert one != two
    assert shop.batch.status == Batch.Status.IN_PROGRESS


def test_tasks_come_in_the_batch_shuffled_order(shop):
    client = shop.clients[0]
    got = []
    for _n in range(3):
        task = _next(client)["task"]
        got.append(task["id"])
        client.post(f"/api/v1/tasks/{task['id']}/release/", {}, format="json")
        Task.objects.filter(pk=task["id"]).update(status=Task.Status.CANCELLED)

    by_order = list(
        Task.objects.filter(batch=shop.batch)
        .order_by("order_key", "id")
        .values_list("pk", flat=True)
    )
    assert got == by_order[:3]
    assert by_order != sorted(by_order) or len(set(Task.objects.values_list("order_key"))) > 1


def test_release_puts_the_task_back_for_anyone(shop):
    task_id = _next(shop.clients[0])["task"]["id"]

    response = shop.clients[0].post(f"/api/v1/tasks/{task_id}/release/", {}, format="json")

    assert response.status_code == 200
    task = Task.objects.get(pk=task_id)
    assert (task.status, task.annotator_id) == (Task.Status.OPEN, None)
    assert Lease.objects.get(task=task).end == Lease.End.RELEASED


def test_a_skipped_task_never_comes_back_to_its_skipper_but_goes_to_another(shop):
    client = shop.clients[0]
    skipped = _next(client)["task"]["id"]

    response = client.post(
        f"/api/v1/tasks/{skipped}/skip/", {"reason": "unreadable"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["next"]["task"]["id"] != skipped
    seen = {body["next"]["task"]["id"]}
    for _n in range(10):
        current = _next(client)["task"]
        if current is None:
            break
        seen.add(current["id"])
        client.post(f"/api/v1/tasks/{current['id']}/release/", {}, format="json")
        Task.objects.filter(pk=current["id"]).update(status=Task.Status.CANCELLED)
    assert skipped not in seen
    assert _next(shop.clients[1])["task"]["id"] == skipped
    assert TaskSkip.objects.get(task_id=skipped).reason == "unreadable"


def test_a_skip_needs_a_reason_of_the_list_and_changes_nothing_without(shop):
    client = shop.clients[0]
    task_id = _next(client)["task"]["id"]

    unknown = client.post(f"/api/v1/tasks/{task_id}/skip/", {"reason": "bored"}, format="json")
    no_note = client.post(f"/api/v1/tasks/{task_id}/skip/", {"reason": "other"}, format="json")

    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"]["reason"]
    assert no_note.json()["error"]["fields"]["note"]
    assert Task.objects.get(pk=task_id).status == Task.Status.LEASED
    assert not TaskSkip.objects.exists()


def test_the_sweep_reopens_expired_leases_in_bulk(shop):
    ids = [_next(client)["task"]["id"] for client in shop.clients]
    Task.objects.filter(pk__in=ids).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    reopened = services.leases_sweep()

    assert reopened == 2
    assert set(Task.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"open"}
    assert set(Lease.objects.filter(task_id__in=ids).values_list("end", flat=True)) == {"expired"}


def test_a_save_after_the_lease_went_to_someone_else_is_a_409_saying_so(shop):
    first, second = shop.clients
    task_id = _next(first)["task"]["id"]
    Task.objects.filter(pk=task_id).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    services.leases_sweep()
    Task.objects.exclude(pk=task_id).update(status=Task.Status.CANCELLED)
    assert _next(second)["task"]["id"] == task_id

    response = first.put(
        f"/api/v1/tasks/{task_id}/annotation/",
        {"annotation": {"regions": []}, "version": 0},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "lease_lost"


def test_the_heartbeat_extends_the_lease_and_counts_capped_active_time(shop):
    client = shop.clients[0]
    task_id = _next(client)["task"]["id"]
    Lease.objects.filter(task_id=task_id).update(beat_at=timezone.now() - timedelta(minutes=10))
    Task.objects.filter(pk=task_id).update(lease_expires_at=timezone.now() + timedelta(minutes=1))

    response = client.post(f"/api/v1/tasks/{task_id}/heartbeat/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["active_seconds"] == 60  # a 10-minute gap counts as the cap
    task = Task.objects.get(pk=task_id)
    assert task.lease_expires_at > timezone.now() + timedelta(minutes=29)


def test_a_deactivated_annotator_s_lease_ends_at_once(shop):
    task_id = _next(shop.clients[0])["task"]["id"]
    member = shop.annotators[0].vendor_member

    vendor_services.member_deactivate(member=member, by=shop.floor.manager)

    task = Task.objects.get(pk=task_id)
    assert (task.status, task.annotator_id) == (Task.Status.OPEN, None)
    assert Lease.objects.get(task=task).end == Lease.End.ENDED


def test_nothing_left_is_a_200_with_no_task(shop):
    Task.objects.filter(batch=shop.batch).update(status=Task.Status.CANCELLED)

    body = _next(shop.clients[0])

    assert body["state"] == "empty"
    assert body["task"] is None
    assert body["message"]


def test_an_unread_guide_answers_the_guide_not_a_task(shop):
    from tests.factories.guides import guide_published

    version = guide_published(shop.floor.dataset)

    body = _next(shop.clients[0])

    assert body["state"] == "guide"
    assert body["task"] is None
    assert body["needs"][0]["version"] == version.number
    assert not Task.objects.filter(status=Task.Status.LEASED).exists()
    guide_services.acknowledgement_record(version=version, user=shop.annotators[0])
    assert _next(shop.clients[0])["state"] == "task"


def test_another_vendors_annotator_cannot_ask_for_this_batch(shop, client_for):
    from rest_framework.test import APIClient

    from tests.factories.vendors import VendorFactory, member_of

    stranger = member_of(VendorFactory())
    client = APIClient()
    client.force_login(stranger)

    response = client.post("/api/v1/tasks/next/", {"batch": shop.batch.pk}, format="json")
    anywhere = _next(client)

    assert response.status_code == 404
    assert anywhere["state"] == "empty"


def test_the_guides_gate_runs_against_the_real_hand_out(shop):
    from tests.factories.datasets import formula_region
    from tests.factories.guides import guide_published, publish

    client, annotator = shop.clients[0], shop.annotators[0]
    v1 = guide_published(shop.floor.dataset)
    guide = v1.guide
    assert client.post(f"/api/v1/guides/{guide.pk}/acknowledgements/", {"version": 1}).status_code
    task = _next(client)["task"]
    saved = client.put(
        f"/api/v1/tasks/{task['id']}/annotation/",
        {"annotation": {"regions": [formula_region("r1")]}, "version": 0},
        format="json",
    )
    client.post(f"/api/v1/tasks/{task['id']}/release/", {}, format="json")

    publish(guide, "# Shadows {#shadows}\n\nBox the shadow too.", note="Shadows.")
    refused = _next(client)

    assert saved.status_code == 200
    from labeling.models import Annotation

    assert Annotation.objects.get(task_id=task["id"]).guide_versions == [v1.pk]
    assert refused["state"] == "guide"
    [need] = refused["needs"]
    assert (need["guide"], need["version"], need["reason"]) == (guide.pk, 2, "acknowledge")
    assert need["url"] == f"/guides/{guide.pk}/v2/"
    assert not Task.objects.filter(annotator=annotator, status=Task.Status.LEASED).exists()
    client.post(f"/api/v1/guides/{guide.pk}/acknowledgements/", {"version": 2})
    assert _next(client)["state"] == "task"
