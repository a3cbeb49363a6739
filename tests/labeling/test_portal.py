"""The vendor portal: a manager sees their own vendor's batches, throughput and members,
never another vendor's; the figures are exact."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from datasets.models import Item
from labeling.models import Batch, Task
from labeling.portal_figures import (
    CHART_HEIGHT,
    portal_batches,
    portal_members,
    portal_throughput,
    throughput_chart,
)
from tests.factories.accounts import UserFactory
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.vendors import VendorFactory, contract_for, member_of, task_kind_for

S = Task.Status


def items_of(dataset, count: int, *, start: int = 0) -> list[Item]:
    return Item.objects.bulk_create(
        Item(
            dataset=dataset, sha256=f"{start + n:064x}", original="o", image="i", width=8, height=8
        )
        for n in range(count)
    )


def batch_of(contract, kind, *, statuses, name="", due_on=None, status=Batch.Status.IN_PROGRESS):
    """A batch of ``contract`` with one task per status given, on fresh items."""
    start = Item.objects.count()
    items = items_of(contract.dataset, len(statuses), start=start)
    batch = Batch.objects.create(
        dataset=contract.dataset,
        task_kind=kind,
        vendor=contract.vendor,
        contract=contract,
        name=name,
        status=status,
        seed="1",
        size=len(statuses),
        due_on=due_on or timezone.localdate() + timedelta(days=7),
    )
    leased = {"annotator": None, "lease_expires_at": None}
    Task.objects.bulk_create(
        Task(
            batch=batch,
            task_kind=kind,
            item=item,
            status=state,
            # a leased task has its holder (one each: nobody holds two)
            **(
                {"annotator": UserFactory(), "lease_expires_at": timezone.now()}
                if state == S.LEASED
                else leased
            ),
        )
        for item, state in zip(items, statuses, strict=True)
    )
    return batch


@pytest.fixture
def world(db):
    dataset = formula_schema(DatasetFactory())
    kind = task_kind_for(dataset)
    a, b = VendorFactory(name="Alpha Labels"), VendorFactory(name="Beta Boxes")
    contract_a = contract_for(a, dataset, task_kind=kind, time_zone="Asia/Seoul")
    contract_b = contract_for(b, dataset, task_kind=kind, time_zone="UTC")
    return {
        "dataset": dataset,
        "kind": kind,
        "a": a,
        "b": b,
        "contract_a": contract_a,
        "contract_b": contract_b,
        "manager_a": member_of(a, role=Role.VENDOR_MANAGER),
        "manager_b": member_of(b, role=Role.VENDOR_MANAGER),
    }


@pytest.fixture
def client_as(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_a_vendor_manager_sees_their_batches_and_never_another_vendors(world, client_as):
    batch_of(world["contract_a"], world["kind"], statuses=[S.OPEN], name="Alpha shadows")
    batch_of(world["contract_b"], world["kind"], statuses=[S.OPEN], name="Beta highlighter")

    page = client_as(world["manager_a"]).get("/labeling/portal/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Alpha shadows" in html
    assert "Beta highlighter" not in html
    assert "Beta Boxes" not in html


def test_a_manager_asking_for_another_vendor_still_sees_only_their_own(world, client_as):
    batch_of(world["contract_b"], world["kind"], statuses=[S.OPEN], name="Beta highlighter")

    page = client_as(world["manager_a"]).get(f"/labeling/portal/?vendor={world['b'].pk}")

    assert page.status_code == 200
    assert page.context["vendor"] == world["a"]
    assert "Beta highlighter" not in page.content.decode()


def test_a_planner_picks_any_vendor_and_sees_its_portal(world, planner_client):
    batch_of(world["contract_b"], world["kind"], statuses=[S.OPEN], name="Beta highlighter")

    picker = planner_client.get("/labeling/portal/")
    page = planner_client.get(f"/labeling/portal/?vendor={world['b'].pk}")

    assert picker.status_code == 200
    assert picker.context["vendor"] is None
    assert {v.name for v in picker.context["vendors"]} == {"Alpha Labels", "Beta Boxes"}
    assert page.status_code == 200
    assert "Beta highlighter" in page.content.decode()


def test_a_planner_asking_for_an_unknown_vendor_gets_404(world, planner_client):
    assert planner_client.get("/labeling/portal/?vendor=999999").status_code == 404
    assert planner_client.get("/labeling/portal/?vendor=x").status_code == 404


def test_annotators_are_refused_the_portal(world, client_as):
    annotator = member_of(world["a"], role=Role.ANNOTATOR)

    assert client_as(annotator).get("/labeling/portal/").status_code == 403


def test_a_manager_of_no_vendor_sees_an_empty_portal(db, client_for):
    page = client_for(Role.VENDOR_MANAGER).get("/labeling/portal/")

    assert page.status_code == 200
    assert page.context["vendor"] is None


def test_progress_counts_each_task_status_exactly(world):
    statuses = [S.ACCEPTED, S.ACCEPTED, S.SUBMITTED, S.LEASED, S.OPEN, S.CANCELLED, S.UNUSABLE]
    batch_of(world["contract_a"], world["kind"], statuses=statuses)

    (row,) = portal_batches(vendor=world["a"])["unfinished"]

    progress = row["progress"]
    assert progress["total"] == 7
    assert {s["status"]: s["count"] for s in progress["segments"]} == {
        "accepted": 2,
        "submitted": 1,
        "leased": 1,
        "open": 1,
        "cancelled": 1,
        "unusable": 1,
    }
    # done = accepted + unusable of the tasks not cancelled: 3 of 6
    assert progress["percent_done"] == 50
    assert sum(s["width"] for s in progress["segments"]) == pytest.approx(100, abs=0.05)


def test_a_batch_owing_work_after_its_due_date_is_overdue_and_a_submitted_one_is_not(world):
    seoul_today = timezone.localdate(timezone.now(), timezone.get_fixed_timezone(540))
    late = batch_of(
        world["contract_a"], world["kind"], statuses=[S.LEASED], due_on=seoul_today - timedelta(2)
    )
    handed_in = batch_of(
        world["contract_a"],
        world["kind"],
        statuses=[S.SUBMITTED],
        due_on=seoul_today - timedelta(2),
        status=Batch.Status.SUBMITTED,
    )
    on_time = batch_of(world["contract_a"], world["kind"], statuses=[S.OPEN], due_on=seoul_today)

    figures = portal_batches(vendor=world["a"])

    overdue = {row["batch"].pk: (row["overdue"], row["days_late"]) for row in figures["unfinished"]}
    assert overdue == {late.pk: (True, 2), handed_in.pk: (False, 2), on_time.pk: (False, 0)}
    assert figures["overdue"] == 1


def test_finished_batches_show_for_thirty_days_after_their_last_change(world):
    recent = batch_of(
        world["contract_a"], world["kind"], statuses=[S.ACCEPTED], status=Batch.Status.ACCEPTED
    )
    old = batch_of(
        world["contract_a"], world["kind"], statuses=[S.ACCEPTED], status=Batch.Status.ACCEPTED
    )
    Batch.objects.filter(pk=old.pk).update(status_changed_at=timezone.now() - timedelta(days=31))

    figures = portal_batches(vendor=world["a"])

    assert [row["batch"].pk for row in figures["finished"]] == [recent.pk]
    assert figures["unfinished"] == []


def test_throughput_counts_a_task_on_its_day_in_the_contracts_time_zone(world):
    batch = batch_of(world["contract_a"], world["kind"], statuses=[S.SUBMITTED] * 3)
    tasks = list(batch.tasks.order_by("id"))
    # 23:30 UTC on 14 March is 08:30 on 15 March in Seoul.
    Task.objects.filter(pk=tasks[0].pk).update(
        submitted_at=datetime(2026, 3, 14, 23, 30, tzinfo=UTC)
    )
    Task.objects.filter(pk=tasks[1].pk).update(
        submitted_at=datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
    )
    Task.objects.filter(pk=tasks[2].pk).update(submitted_at=datetime(2026, 2, 1, 10, 0, tzinfo=UTC))

    figures = portal_throughput(vendor=world["a"], now=datetime(2026, 3, 20, 3, 0, tzinfo=UTC))

    per_day = dict(figures["series"])
    assert figures["zone"] == "Asia/Seoul"
    assert (figures["start"], figures["end"]) == (date(2026, 2, 19), date(2026, 3, 20))
    assert per_day[date(2026, 3, 15)] == 1
    assert per_day[date(2026, 3, 14)] == 1
    assert figures["total"] == 2  # the February one is outside the 30 days
    assert len(figures["series"]) == 30


def test_throughput_never_counts_another_vendors_tasks(world):
    at = timezone.now() - timedelta(hours=1)
    batch_of(world["contract_b"], world["kind"], statuses=[S.SUBMITTED] * 4)
    Task.objects.update(submitted_at=at)

    assert portal_throughput(vendor=world["a"])["total"] == 0
    assert portal_throughput(vendor=world["b"])["total"] == 4


def test_the_busiest_day_is_the_full_height_of_the_chart(world):
    series = [(date(2026, 3, 1), 2), (date(2026, 3, 2), 4), (date(2026, 3, 3), 0)]

    chart = throughput_chart(series)

    heights = [bar["height"] for bar in chart["bars"]]
    plot = chart["baseline"] - chart["bars"][1]["y"]
    assert heights == [plot / 2, plot, 0]
    assert chart["height"] == CHART_HEIGHT
    assert all(bar["y"] + bar["height"] == chart["baseline"] for bar in chart["bars"])


def test_members_are_counted_by_role_without_the_deactivated(world):
    member_of(world["a"], role=Role.ANNOTATOR)
    gone = member_of(world["a"], role=Role.ANNOTATOR)
    gone.vendor_member.deactivated_at = timezone.now()
    gone.vendor_member.save()

    members = portal_members(vendor=world["a"])

    assert (members["total"], members["managers"], members["annotators"]) == (2, 1, 1)
    assert members["vendor_url"] == f"/vendors/{world['a'].pk}/"
    assert members["statements_url"] == f"/vendors/{world['a'].pk}/statements/"


def test_the_portal_asks_as_many_queries_for_twenty_batches_as_for_two(
    world, client_as, django_assert_num_queries
):
    client = client_as(world["manager_a"])
    member_of(world["a"], role=Role.ANNOTATOR)  # the annotators' figures: two queries
    for _ in range(2):
        batch_of(world["contract_a"], world["kind"], statuses=[S.OPEN, S.SUBMITTED])
    client.get("/labeling/portal/")  # warm the session
    with django_assert_num_queries(13) as few:  # 11, and the shell's two guide notices
        client.get("/labeling/portal/")
    for _ in range(18):
        batch_of(world["contract_a"], world["kind"], statuses=[S.OPEN, S.SUBMITTED])

    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get("/labeling/portal/")

    assert len(page.context["batches"]["unfinished"]) == 20
