"""The sweep of the datasets app: which work it queues again, and what it never floods."""

from datetime import timedelta

import pytest
from django.utils import timezone

from datasets import services
from datasets.models import Item, ItemEvent, SplitRun
from datasets.services import recovery
from tests.factories.datasets import DatasetFactory
from tests.factories.images import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def items():
    dataset = DatasetFactory()
    for seed in range(12):
        services.item_register(dataset=dataset, file=image_bytes(seed), name=f"{seed}.jpg")
    return Item.objects.filter(dataset=dataset).order_by("id")


def _ago(seconds: float, settings):
    return timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS + seconds)


def test_items_waiting_their_turn_while_workers_progress_are_not_queued_again(items, settings):
    items.update(created_at=_ago(60, settings))
    last = items.last()
    Item.objects.filter(pk=last.pk).update(processing_at=timezone.now())  # a worker is busy

    assert recovery.items_requeue() == 0
    assert not ItemEvent.objects.filter(kind=recovery.REQUEUED).exists()


def test_items_the_queue_went_past_are_queued_again(items, settings):
    items.update(created_at=_ago(60, settings))
    ids = list(items.values_list("id", flat=True))
    Item.objects.filter(pk=ids[5]).update(processing_at=_ago(1, settings))  # taken long ago
    Item.objects.filter(pk=ids[-1]).update(processing_at=timezone.now())  # a worker is busy

    assert recovery.items_requeue() == 6  # the five before it, and it (its worker died)
    assert set(
        ItemEvent.objects.filter(kind=recovery.REQUEUED).values_list("item_id", flat=True)
    ) == set(ids[:6])


def test_a_stalled_queue_is_queued_again_a_batch_at_a_time(items, settings, monkeypatch):
    monkeypatch.setattr(recovery, "ITEMS_REQUEUED_AT_ONCE", 5)
    items.update(created_at=_ago(60, settings))

    first, second = recovery.items_requeue(), recovery.items_requeue()

    assert (first, second) == (5, 0)  # the next batch waits for those to be taken
    assert items.filter(processing_at__isnull=False).count() == 5


def test_an_item_that_stopped_every_worker_is_refused_with_that_reason(items, settings):
    item = items.first()
    items.exclude(pk=item.pk).update(processing=Item.Processing.READY)
    items.update(created_at=_ago(60, settings))
    for _attempt in range(settings.JOB_MAX_ATTEMPTS):
        ItemEvent.objects.create(item=item, kind=recovery.REQUEUED)
    ItemEvent.objects.filter(item=item).update(at=_ago(30, settings))
    Item.objects.filter(pk=item.pk).update(processing_at=_ago(1, settings))  # taken again

    assert recovery.items_requeue() == 0
    assert not Item.objects.filter(pk=item.pk).exists()


def test_a_split_run_that_raises_ends_failed_with_its_reason():
    dataset = DatasetFactory()
    services.item_register(dataset=dataset, file=image_bytes(1), name="1.jpg")
    run = SplitRun.objects.create(dataset=dataset, seed=1, ratios={"train": 1.0}, scope="all")

    run = services.split_run_execute(run_id=run.pk)

    assert run.status == "failed" and "nothing was assigned" in run.error
    assert Item.objects.filter(dataset=dataset, split="").count() == 1


def test_a_split_run_no_worker_took_is_queued_again(settings, django_capture_on_commit_callbacks):
    run = SplitRun.objects.create(dataset=DatasetFactory(), seed=1, ratios={}, scope="all")
    SplitRun.objects.filter(pk=run.pk).update(created_at=_ago(1, settings))

    with django_capture_on_commit_callbacks() as sent:
        queued = recovery.jobs_sweep()

    assert queued == 1 and len(sent) == 1


def test_a_job_waiting_in_a_long_queue_is_sent_again_once_per_staleness_period(settings):
    run = SplitRun.objects.create(dataset=DatasetFactory(), seed=1, ratios={}, scope="all")
    SplitRun.objects.filter(pk=run.pk).update(created_at=_ago(1, settings))

    first, second = recovery.jobs_sweep(), recovery.jobs_sweep()

    assert (first, second) == (1, 0)
    assert services.split_run_execute(run_id=run.pk).status == "done"  # still its to take
