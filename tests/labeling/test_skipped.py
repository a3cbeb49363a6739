"""Tasks every active annotator skipped: listed with their reasons, not holding the batch up,
removed (item back to the pool) or marked unusable (item rejected, never cut again for
the kind); a refused settle changes nothing; who may read and settle them."""

import pytest
from django.db.models import Sum
from rest_framework.test import APIClient

from accounts.models import Role
from datasets.models import CoverageCount, Item, ItemEvent
from labeling import selectors, services
from labeling.models import Task
from tests.factories.labeling import cut, make_shop
from tests.factories.vendors import VendorFactory, member_of
from vendors import services as vendor_services
from vendors.models import LedgerLine, Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_shop(tasks=4, annotators=2)


def skip_next(shop, user, reason: str = "unreadable", note: str = "") -> Task:
    """``user`` takes their next task of the shop's batch and skips it."""
    task = services.task_claim_next(annotator=user, batch=shop.batch).task
    return services.task_skip(task=task, annotator=user, reason=reason, note=note)


def skipped_by_both(shop) -> Task:
    """The first task of the batch, skipped by both annotators (for two reasons)."""
    first, second = shop.annotators
    task = skip_next(shop, first, "unreadable")
    assert skip_next(shop, second, "wrong_dataset").pk == task.pk
    return task


def coverage(shop) -> dict[str, int]:
    rows = CoverageCount.objects.filter(dataset=shop.floor.dataset).values("status")
    return {row["status"]: row["n"] for row in rows.annotate(n=Sum("count"))}


def state(shop) -> tuple:
    """Everything a refused settle must leave as it was."""
    return (
        sorted(Task.objects.values_list("id", "status")),
        sorted(Item.objects.values_list("id", "status")),
        ItemEvent.objects.filter(kind="set_aside").count(),
        LedgerLine.objects.count(),
        coverage(shop),
    )


def test_only_tasks_every_active_annotator_skipped_are_listed_with_their_reasons(shop):
    first, second = shop.annotators
    both = skipped_by_both(shop)
    some = skip_next(shop, first, "other", note="glare")  # only the first skipped it

    listed = selectors.tasks_skipped_by_all(batch=shop.batch)

    assert selectors.skipped_by_all_ids(batch=shop.batch) == [both.pk]
    assert [row["id"] for row in listed] == [both.pk]
    assert some.pk not in selectors.skipped_by_all_ids(batch=shop.batch)
    skips = listed[0]["skips"]
    assert [skip["reason"] for skip in skips] == ["unreadable", "wrong_dataset"]
    assert skips[0]["reason_label"].startswith("The image is unreadable")
    assert [skip["annotator"] for skip in skips] == [
        first.get_full_name() or first.username,
        second.get_full_name() or second.username,
    ]
    assert listed[0]["item"]["id"] == both.item_id


def test_an_inactive_annotator_is_not_waited_for_and_a_vendor_without_any_has_none(shop):
    first, second = shop.annotators
    only_first = skip_next(shop, first)
    assert selectors.skipped_by_all_ids(batch=shop.batch) == []

    vendor_services.member_deactivate(member=Member.objects.get(user=second), by=None)

    assert selectors.skipped_by_all_ids(batch=shop.batch) == [only_first.pk]
    vendor_services.member_deactivate(member=Member.objects.get(user=first), by=None)
    assert selectors.skipped_by_all_ids(batch=shop.batch) == []


def test_tasks_skipped_by_all_do_not_hold_the_batch_up(shop):
    skipped = skipped_by_both(shop)
    first = shop.annotators[0]
    progress = selectors.batch_progress(batch=shop.batch)
    assert (progress["skipped_by_all"], progress["remaining"], progress["ready"]) == (1, 3, False)

    for _n in range(3):  # "nothing to label here" on every other task
        task = services.task_claim_next(annotator=first, batch=shop.batch).task
        services.task_submit(
            task=task, annotator=first, document={"regions": [], "categories": {}}, version=0
        )

    progress = selectors.batch_progress(batch=shop.batch)
    assert Task.objects.get(pk=skipped.pk).status == Task.Status.OPEN
    assert (progress["skipped_by_all"], progress["remaining"], progress["ready"]) == (1, 0, True)


def test_removing_gives_the_item_back_to_the_pool_and_the_reservation_back(shop):
    task = skipped_by_both(shop)
    before = coverage(shop)

    settled = services.skipped_tasks_settle(
        batch=shop.batch, task_ids=[task.pk], action="remove", by=None
    )

    assert settled == [task.pk]
    assert Task.objects.get(pk=task.pk).status == Task.Status.CANCELLED
    assert Item.objects.get(pk=task.item_id).status == Item.Status.NEW
    after = coverage(shop)
    assert after["in_labeling"] == before["in_labeling"] - 1
    assert after["new"] == before["new"] + 1
    assert LedgerLine.objects.filter(kind="release", batch_ref=shop.batch.pk).exists()
    again = cut(shop.floor, {"capture=shadow": 100}, allow_short=True)
    assert Task.objects.filter(batch=again, item_id=task.item_id).exists()


def test_marking_unusable_rejects_the_item_and_no_later_cut_of_the_kind_takes_it(shop):
    task = skipped_by_both(shop)
    before = coverage(shop)

    services.skipped_tasks_settle(batch=shop.batch, task_ids=[task.pk], action="unusable", by=None)

    assert Task.objects.get(pk=task.pk).status == Task.Status.UNUSABLE
    item = Item.objects.get(pk=task.item_id)
    assert item.status == Item.Status.REJECTED
    after = coverage(shop)
    assert after["in_labeling"] == before["in_labeling"] - 1
    assert sum(after.values()) == sum(before.values()) - 1  # no longer counted at all
    event = ItemEvent.objects.get(item=item, kind="set_aside")
    assert "every annotator skipped it" in event.summary
    assert event.params["reasons"] == ["unreadable", "wrong_dataset"]
    assert event.params["batch"] == shop.batch.pk
    again = cut(shop.floor, {"capture=shadow": 100}, allow_short=True)
    assert not Task.objects.filter(batch=again, item_id=item.pk).exists()


def test_an_unusable_task_keeps_its_kind_off_an_item_that_came_back(shop):
    task = skipped_by_both(shop)
    services.skipped_tasks_settle(batch=shop.batch, task_ids=[task.pk], action="unusable", by=None)
    Item.objects.filter(pk=task.item_id).update(status=Item.Status.NEW)  # say it came back

    again = cut(shop.floor, {"capture=shadow": 100}, allow_short=True)

    assert not Task.objects.filter(batch=again, item_id=task.item_id).exists()


def test_a_settle_naming_a_task_not_skipped_by_all_is_a_409_and_changes_nothing(
    shop, planner_client
):
    both = skipped_by_both(shop)
    some = skip_next(shop, shop.annotators[0])
    before = state(shop)

    response = planner_client.post(
        f"/api/v1/batches/{shop.batch.pk}/skipped/",
        {"task_ids": [both.pk, some.pk], "action": "unusable"},
        format="json",
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "not_skipped_by_all"
    assert str(some.pk) in error["message"] and str(both.pk) not in error["message"]
    assert state(shop) == before


def test_the_api_lists_them_in_few_queries_and_settles_them_for_planners(
    shop, planner_client, django_assert_max_num_queries
):
    task = skipped_by_both(shop)
    skip_next(shop, shop.annotators[0])  # one more skip: the same queries
    url = f"/api/v1/batches/{shop.batch.pk}/skipped/"

    with django_assert_max_num_queries(7):  # session, user, batch, ids, reasons, tasks, skips
        listed = planner_client.get(url)
    settled = planner_client.post(url, {"task_ids": [task.pk], "action": "remove"}, format="json")

    assert listed.status_code == 200
    [row] = listed.json()
    assert row["id"] == task.pk and len(row["skips"]) == 2
    assert row["thumbnail"] == f"/api/v1/tasks/{task.pk}/image/thumbnail/"
    assert settled.status_code == 200
    assert settled.json()["settled"] == [task.pk]
    assert settled.json()["batch"]["progress"]["skipped_by_all"] == 0


def test_the_vendor_manager_reads_but_may_not_settle_and_annotators_may_not_read(shop):
    task = skipped_by_both(shop)
    url = f"/api/v1/batches/{shop.batch.pk}/skipped/"
    manager = APIClient()
    manager.force_login(shop.floor.manager)
    other = APIClient()
    other.force_login(member_of(VendorFactory(), role=Role.VENDOR_MANAGER))

    assert manager.get(url).status_code == 200
    body = {"task_ids": [task.pk], "action": "remove"}
    assert manager.post(url, body, format="json").status_code == 403
    assert shop.clients[0].get(url).status_code == 403
    assert other.get(url).status_code == 404
    assert Task.objects.get(pk=task.pk).status == Task.Status.OPEN


def test_the_page_lists_the_reasons_and_settles_with_a_confirm(shop, planner_client):
    task = skipped_by_both(shop)
    url = f"/labeling/batches/{shop.batch.pk}/skipped/"

    page = planner_client.get(url)
    detail = planner_client.get(f"/labeling/batches/{shop.batch.pk}/")
    refused = planner_client.post(url, {"task_ids": [task.pk + 1000], "action": "remove"})
    settled = planner_client.post(url, {"task_ids": [task.pk], "action": "unusable"})

    html = page.content.decode()
    assert f'data-task="{task.pk}"' in html and "data-confirm=" in html
    assert "The image is unreadable" in html and 'value="unusable"' in html
    assert 'data-testid="skipped-count"' in detail.content.decode()
    assert f'href="{url}"' in detail.content.decode()
    assert refused.status_code == 409
    assert "not open tasks every annotator skipped" in refused.content.decode()
    assert settled.status_code == 302
    assert Task.objects.get(pk=task.pk).status == Task.Status.UNUSABLE


def test_the_vendor_manager_sees_the_page_without_the_actions(shop):
    skipped_by_both(shop)
    client = APIClient()
    client.force_login(shop.floor.manager)

    page = client.get(f"/labeling/batches/{shop.batch.pk}/skipped/")

    assert page.status_code == 200
    assert "The image is unreadable" in page.content.decode()
    assert 'value="unusable"' not in page.content.decode()
