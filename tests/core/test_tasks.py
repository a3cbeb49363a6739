"""The heartbeat lease and the sweep's requeue, on real rows (a split run is a job like any)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.tasks import JobStopped, Lease, stale_requeue
from datasets.models import SplitRun
from tests.factories.datasets import DatasetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    return SplitRun.objects.create(dataset=DatasetFactory(), seed=1, ratios={}, scope="all")


def _running(run):
    return SplitRun.objects.filter(pk=run.pk, status=SplitRun.Status.RUNNING)


def test_a_second_claim_is_refused_while_the_first_worker_beats(run):
    first = Lease.claim(_running(run))

    second = Lease.claim(_running(run))

    assert first is not None and second is None
    run.refresh_from_db()
    assert run.attempts == 1 and run.heartbeat_at == first.at


def test_a_stale_heartbeat_can_be_claimed_and_counts_an_attempt(run, settings):
    Lease.claim(_running(run))
    old = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    SplitRun.objects.filter(pk=run.pk).update(heartbeat_at=old)

    lease = Lease.claim(_running(run))

    assert lease is not None
    assert SplitRun.objects.get(pk=run.pk).attempts == 2


def test_a_beat_on_a_cancelled_job_raises_job_stopped(run):
    lease = Lease.claim(_running(run))
    SplitRun.objects.filter(pk=run.pk).update(status=SplitRun.Status.CANCELLED)

    with pytest.raises(JobStopped):
        lease.beat(force=True)


def test_a_beat_after_another_worker_took_the_job_raises_job_stopped(run, settings):
    lease = Lease.claim(_running(run))
    old = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    SplitRun.objects.filter(pk=run.pk).update(heartbeat_at=old)
    Lease.claim(_running(run))

    with pytest.raises(JobStopped):
        lease.beat(force=True)


def test_a_job_every_worker_died_on_is_given_up_with_a_message(run, settings):
    old = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    SplitRun.objects.filter(pk=run.pk).update(heartbeat_at=old, attempts=settings.JOB_MAX_ATTEMPTS)
    sent = []

    def give_up(rows, message):
        rows.update(status=SplitRun.Status.FAILED, error=message)

    queued = stale_requeue(_running(run), send=sent.append, give_up=give_up)

    run.refresh_from_db()
    assert (queued, run.status) == (0, "failed")
    assert f"stopped {settings.JOB_MAX_ATTEMPTS} times" in run.error


def test_a_job_with_attempts_left_is_queued_again(run, django_capture_on_commit_callbacks):
    sent = []

    with django_capture_on_commit_callbacks(execute=True):
        queued = stale_requeue(_running(run), send=sent.append, give_up=None)

    assert (queued, sent) == (1, [run.pk])
    assert SplitRun.objects.get(pk=run.pk).status == "running"
