"""The annotators' figures: today's done, released and skipped counts and the median active
time per task done, "today" in each annotator's own time zone; an annotator sees their own,
a vendor's managers theirs per annotator, never another vendor's."""

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from labeling import services
from labeling.annotator_figures import annotator_figures, figures_of, vendor_annotator_figures
from labeling.models import Lease
from tests.factories.labeling import cut, make_shop
from tests.factories.vendors import VendorFactory, contract_for, member_of

pytestmark = pytest.mark.django_db

EMPTY = {"regions": [], "categories": {}}
ENDS = {"submit": Lease.End.SUBMITTED, "release": Lease.End.RELEASED, "skip": Lease.End.SKIPPED}


@pytest.fixture
def shop():
    return make_shop(tasks=12, annotators=2)


def _work(annotator, how: str, *, active: int = 0, ended_at: datetime | None = None) -> Lease:
    """Claim the next task and end it ``how`` (submit, release or skip) through the
    services, then give its lease ``active`` seconds (and an end time, when told)."""
    task = services.task_claim_next(annotator=annotator).task
    if how == "submit":
        services.task_submit(task=task, annotator=annotator, document=EMPTY, version=0)
    elif how == "release":
        services.task_release(task=task, annotator=annotator)
    else:
        services.task_skip(task=task, annotator=annotator, reason="unreadable")
    lease = Lease.objects.get(task=task, annotator=annotator, end=ENDS[how])
    changes = {"active_seconds": active}
    if ended_at is not None:
        changes.update(started_at=ended_at - timedelta(minutes=5), ended_at=ended_at)
    Lease.objects.filter(pk=lease.pk).update(**changes)
    return lease


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_todays_counts_and_the_median_active_time_of_the_tasks_done(shop, dialect):
    worker, other = shop.annotators
    for seconds in (300, 60, 140, 100):
        _work(worker, "submit", active=seconds)
    _work(worker, "release", active=30)
    _work(worker, "skip", active=20)
    _work(other, "submit", active=999)

    (mine,) = figures_of([worker], dialect=dialect)

    assert (mine.done, mine.released, mine.skipped) == (4, 1, 1)
    assert mine.median_active_seconds == 120.0  # between 100 and 140: the other's not in it
    assert mine.median_active == "2:00"


def test_a_submit_at_2330_utc_counts_on_the_next_day_in_seoul(shop):
    seoul, utc = shop.annotators
    seoul.time_zone = "Asia/Seoul"
    seoul.save(update_fields=["time_zone"])
    late = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)  # 08:30 on 3 December in Seoul
    _work(seoul, "submit", active=75, ended_at=late)
    _work(utc, "submit", active=75, ended_at=late)
    morning = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)

    in_seoul = annotator_figures(annotator=seoul, now=morning)
    in_utc = annotator_figures(annotator=utc, now=morning)

    assert (in_seoul.zone, str(in_seoul.day), in_seoul.done) == ("Asia/Seoul", "2026-12-03", 1)
    assert in_seoul.median_active == "1:15"
    assert (in_utc.zone, str(in_utc.day), in_utc.done) == ("UTC", "2026-12-03", 0)
    assert in_utc.median_active_seconds is None


def test_leases_claimed_before_the_scan_window_are_not_read(shop):
    worker = shop.annotators[0]
    lease = _work(worker, "submit", active=60)
    Lease.objects.filter(pk=lease.pk).update(started_at=lease.started_at - timedelta(days=3))

    assert annotator_figures(annotator=worker).done == 0


def test_a_vendors_figures_list_its_annotators_only_in_two_queries(shop, django_assert_num_queries):
    floor = shop.floor
    rival = VendorFactory()
    contract = contract_for(rival, floor.dataset, task_kind=floor.formula, unit_price="0.85")
    cut(floor, {"capture=shadow": 4}, contract=contract)
    outsider = member_of(rival, role=Role.ANNOTATOR)
    _work(outsider, "submit", active=50)
    _work(shop.annotators[0], "submit", active=50)
    idle = [member_of(floor.vendor, role=Role.ANNOTATOR) for _n in range(5)]

    with django_assert_num_queries(2):
        rows = vendor_annotator_figures(vendor=floor.vendor)

    names = [row.annotator.username for row in rows]
    assert sorted(names) == sorted(u.username for u in [*shop.annotators, *idle])
    assert outsider.username not in names
    assert sum(row.done for row in rows) == 1
    assert [row.done for row in vendor_annotator_figures(vendor=rival)] == [1]


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_an_annotator_reads_their_own_figures_and_their_manager_reads_everyones(shop):
    worker = shop.annotators[0]
    _work(worker, "submit", active=90)

    mine = shop.clients[0].get("/api/v1/me/figures/")
    vendor = _client(shop.floor.manager).get(
        f"/api/v1/vendors/{shop.floor.vendor.pk}/annotators/figures/"
    )

    assert mine.status_code == 200, mine.content
    assert (mine.json()["done"], mine.json()["median_active_seconds"]) == (1, 90.0)
    assert mine.json()["annotator"]["username"] == worker.username
    assert vendor.status_code == 200, vendor.content
    by_name = {row["annotator"]["username"]: row for row in vendor.json()["annotators"]}
    assert by_name[worker.username]["done"] == 1
    assert by_name[shop.annotators[1].username]["done"] == 0


def test_the_vendor_figures_are_a_404_to_another_vendor_and_a_403_to_its_annotators(shop):
    url = f"/api/v1/vendors/{shop.floor.vendor.pk}/annotators/figures/"
    rival_manager = member_of(VendorFactory(), role=Role.VENDOR_MANAGER)

    assert _client(rival_manager).get(url).status_code == 404
    assert shop.clients[0].get(url).status_code == 403
    assert _client(shop.floor.manager).get("/api/v1/me/figures/").status_code == 403


def test_a_user_sets_their_time_zone_and_an_unknown_one_is_a_400_naming_the_field(shop):
    worker, client = shop.annotators[0], shop.clients[0]

    refused = client.patch("/api/v1/me/", {"time_zone": "Mars/Olympus"}, format="json")
    worker.refresh_from_db()
    assert refused.status_code == 400
    assert "Mars/Olympus" in refused.json()["error"]["fields"]["time_zone"]
    assert worker.time_zone == ""

    saved = client.patch("/api/v1/me/", {"time_zone": "Asia/Seoul"}, format="json")
    worker.refresh_from_db()
    assert saved.status_code == 200, saved.content
    assert saved.json()["time_zone"] == worker.time_zone == "Asia/Seoul"


def test_my_tasks_shows_my_figures_and_the_portal_each_annotators(shop):
    worker = shop.annotators[0]
    _work(worker, "submit", active=125)
    _work(worker, "release")

    mine = shop.clients[0].get("/labeling/tasks/")
    portal = _client(shop.floor.manager).get("/labeling/portal/")

    figures = mine.context["figures"]
    assert (figures.done, figures.released, figures.median_active) == (1, 1, "2:05")
    assert 'data-figure="median">2:05<' in mine.content.decode()
    rows = {row.annotator.username: row for row in portal.context["annotators"]}
    assert set(rows) == {u.username for u in shop.annotators}
    assert (rows[worker.username].done, rows[worker.username].released) == (1, 1)
    assert f'data-annotator="{worker.username}"' in portal.content.decode()
