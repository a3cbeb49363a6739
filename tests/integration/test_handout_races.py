"""The hand-out under real concurrency on PostgreSQL: threads, each with its own database
connection, claiming and saving at once. No task is ever claimed twice, held by two people,
or held twice by one; two saves of one version never both win."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import DomainError
from datasets import services as dataset_services
from datasets.models import CoverageCount
from labeling import services
from labeling.models import Lease, Task
from tests.factories.datasets import formula_region
from tests.factories.labeling import cut, items_in, make_floor
from tests.factories.vendors import member_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _run(workers: int, target) -> list:
    """Run ``target(n)`` in ``workers`` threads started together; their results, and any
    exception raised (re-raised here)."""
    barrier = threading.Barrier(workers)
    results: list = [None] * workers
    errors: list = []

    def run(n: int) -> None:
        try:
            barrier.wait(30)
            results[n] = target(n)
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(240)
    if errors:
        raise errors[0]
    return results


def _done(task_id: int) -> None:
    """Finish a claimed task without a submit's checks: these tests are about claims."""
    now = timezone.now()
    Lease.objects.filter(task_id=task_id, ended_at=None).update(ended_at=now, end="submitted")
    Task.objects.filter(pk=task_id).update(
        status=Task.Status.SUBMITTED, lease_expires_at=None, submitted_at=now
    )


@pytest.fixture
def big():
    """A floor with a batch of 1,000 tasks and 32 annotators of its vendor."""
    floor = make_floor(quantity=5000, budget="100000")
    items_in(floor.dataset, [floor.c["highlighter"], floor.c["printed"]], 1000)
    batch = cut(floor, {"capture=highlighter": 1000})
    annotators = [member_of(floor.vendor) for _ in range(32)]
    return floor, batch, annotators


def test_32_threads_claim_1000_tasks_each_exactly_once(big):
    _floor, batch, annotators = big

    def claim_until_empty(n: int) -> list[int]:
        mine = []
        while True:
            found = services.task_claim_next(annotator=annotators[n])
            if found.task is None:
                return mine
            mine.append(found.task.pk)
            _done(found.task.pk)

    claimed = [task for tasks in _run(32, claim_until_empty) for task in tasks]

    assert len(claimed) == 1000
    assert len(set(claimed)) == 1000
    assert set(claimed) == set(Task.objects.filter(batch=batch).values_list("pk", flat=True))
    assert Lease.objects.filter(task__batch=batch).count() == 1000


def test_expired_leases_come_back_through_the_sweep_and_go_out_once_more(big):
    _floor, batch, annotators = big
    first = _run(8, lambda n: services.task_claim_next(annotator=annotators[n]).task.pk)
    Task.objects.filter(pk__in=first).update(lease_expires_at=timezone.now() - timedelta(1))
    Task.objects.filter(batch=batch).exclude(pk__in=first).update(status=Task.Status.CANCELLED)

    def sweep_or_claim(n: int):
        if n == 0:
            return ("swept", services.leases_sweep())
        for _attempt in range(200):
            found = services.task_claim_next(annotator=annotators[8 + n])
            if found.task is not None:
                return ("claimed", found.task.pk)
            threading.Event().wait(0.02)
        return ("claimed", None)

    results = _run(9, sweep_or_claim)

    assert ("swept", 8) in results
    again = [task for kind, task in results if kind == "claimed"]
    assert sorted(again) == sorted(first)
    ends = Counter(Lease.objects.filter(task_id__in=first).values_list("end", flat=True))
    assert ends == {"expired": 8, "": 8}


def test_one_user_with_8_clients_never_holds_two_tasks_nor_one_another_holds(big):
    _floor, batch, annotators = big
    me, other = annotators[0], annotators[1]

    for _round in range(5):

        def ask(n: int):
            who = me if n < 8 else other
            return who.pk, services.task_claim_next(annotator=who).task.pk

        answers = _run(10, ask)
        mine = {task for user, task in answers if user == me.pk}
        theirs = {task for user, task in answers if user == other.pk}
        assert len(mine) == 1  # all eight clients were given the same task
        assert len(theirs) == 1
        assert not mine & theirs
        assert Task.objects.filter(annotator=me, status=Task.Status.LEASED).count() == 1
        for task in mine | theirs:
            _done(task)


def test_two_saves_of_one_version_at_once_one_wins_and_one_gets_the_current(big):
    _floor, _batch, annotators = big
    me = annotators[0]
    task = services.task_claim_next(annotator=me).task
    bodies = [
        {"regions": [formula_region("r1", latex="a")], "categories": {}},
        {"regions": [formula_region("r1", latex="b")], "categories": {}},
    ]

    def save(n: int):
        fresh = Task.objects.select_related("batch", "task_kind").get(pk=task.pk)
        try:
            annotation = services.annotation_save(
                task=fresh, annotator=me, document=bodies[n], version=0
            )
            return ("saved", annotation.version, n)
        except DomainError as error:
            return (error.status, error.extra, n)

    results = _run(2, save)

    outcomes = sorted(results, key=lambda result: str(result[0]))
    assert [outcome[0] for outcome in outcomes] == [409, "saved"]
    refused, saved = outcomes
    assert saved[1] == 1
    assert refused[1]["current"]["version"] == 1
    assert refused[1]["current"]["annotation"] == bodies[saved[2]]
    assert refused[1]["yours"] == bodies[refused[2]]


def test_concurrent_submits_leave_deltas_that_applied_alongside_equal_a_recount(big):
    floor, batch, annotators = big
    dataset = floor.dataset
    dataset_services.coverage_deltas_apply(dataset_id=dataset.pk)  # the cut's, if any
    counted_before = _counters(dataset)
    document = {"regions": [formula_region("r1", latex="x")], "categories": {}}
    stop = threading.Event()
    submitting = Counter(left=16)
    lock = threading.Lock()

    def submit_or_apply(n: int) -> int:
        if n == 0:  # the beat job, folding deltas in while the others submit
            applied = 0
            while not stop.wait(0.01):
                applied += dataset_services.coverage_deltas_apply(dataset_id=dataset.pk)
            return applied
        done = 0
        task = services.task_claim_next(annotator=annotators[n]).task
        while task is not None and done < 10:
            fresh = Task.objects.select_related("batch", "task_kind").get(pk=task.pk)
            services.task_submit(task=fresh, annotator=annotators[n], document=document, version=0)
            done += 1
            task = services.task_claim_next(annotator=annotators[n]).task
        with lock:
            submitting["left"] -= 1
            if not submitting["left"]:
                stop.set()  # the last submitter lets the applier stop
        return done

    results = _run(17, submit_or_apply)
    stop.set()
    dataset_services.coverage_deltas_apply(dataset_id=dataset.pk)

    submitted = sum(results[1:])
    assert submitted == Task.objects.filter(batch=batch, status=Task.Status.SUBMITTED).count()
    assert submitted == 16 * 10
    assert results[0] > 0  # the applier folded deltas in while submits ran
    applied = _counters(dataset)
    assert applied != counted_before
    dataset_services.coverage_recount(dataset=dataset)
    assert applied == _counters(dataset)


def _counters(dataset) -> set:
    rows = CoverageCount.objects.filter(dataset=dataset, count__gt=0)
    return set(rows.values_list("category_key", "split", "status", "count"))
