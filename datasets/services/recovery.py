"""Work whose worker died: the sweep (Celery beat) queues split runs, category changes,
metadata strips, unpacks and item processing again (``core.tasks`` holds the heartbeat lease
it relies on).

A split run, category change, metadata strip or unpack whose heartbeat went stale — or
which no worker took within ``JOB_STALE_SECONDS`` of its request (a lost message) — is
queued again; one that ``JOB_MAX_ATTEMPTS`` workers started and left ends failed.

Item processing is one short step per item, thousands queued at once by an ingest, so it has
its own rule. A worker writes ``Item.processing_at`` when it takes an item. A queued item
is queued again when

- a worker took it more than ``JOB_STALE_SECONDS`` ago (that worker died), or
- no worker ever took it, and either a later item was taken a while ago (the queue went past
  it: its message was lost with a dead worker), or no item at all was taken lately (the
  queue stalled).

Each sweep queues at most ``ITEMS_REQUEUED_AT_ONCE``, oldest first, and writes their
``processing_at`` (so the same item waits ``JOB_STALE_SECONDS`` before it can be queued
again), and never the thousands merely waiting their turn. Every time is recorded on the
item's history; an item whose worker died ``JOB_MAX_ATTEMPTS`` times after taking it again
is refused with that reason, like a damaged file.
"""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.tasks import stale_before, stale_requeue, stale_rows
from datasets.models import CategoryChange, Item, ItemEvent, MetadataStrip, SplitRun, Upload
from datasets.services.items import file_name_shown, item_refuse
from datasets.services.uploads import upload_failed

#: Items one sweep queues again at most.
ITEMS_REQUEUED_AT_ONCE = 200
#: How far back "a later item was taken a while ago" looks, in staleness periods.
_FRONTIER_PERIODS = 10
REQUEUED = ItemEvent.Kind.REQUEUED


def _jobs_give_up(rows, message: str) -> None:
    rows.update(status=SplitRun.Status.FAILED, error=message, finished_at=timezone.now())


def _uploads_give_up(rows, message: str) -> None:
    for upload in list(rows):
        upload_failed(upload, message)


def jobs_sweep() -> int:
    """Queue again the datasets' work whose worker died or whose message was lost; returns
    how many steps (jobs and items) were queued."""
    from datasets.tasks import (
        category_change_task,
        metadata_strip_task,
        split_assign_task,
        upload_unpack_task,
    )

    cutoff = stale_before()
    jobs = [
        (SplitRun, SplitRun.Status.RUNNING, split_assign_task, _jobs_give_up),
        (CategoryChange, CategoryChange.Status.RUNNING, category_change_task, _jobs_give_up),
        (MetadataStrip, MetadataStrip.Status.RUNNING, metadata_strip_task, _jobs_give_up),
        (Upload, Upload.Status.UNPACKING, upload_unpack_task, _uploads_give_up),
    ]
    queued = sum(
        stale_requeue(
            model.objects.filter(stale_rows(cutoff), status=status),
            send=task.delay,
            give_up=give_up,
        )
        for model, status, task, give_up in jobs
    )
    return queued + items_requeue(cutoff)


def _items_left(cutoff):
    """The queued items the sweep should queue again (see the module), oldest first."""
    queued = Item.objects.filter(processing=Item.Processing.QUEUED, created_at__lt=cutoff)
    never = Q(processing_at__isnull=True)
    stalled = not Item.objects.filter(processing_at__gte=cutoff).exists()
    if not stalled:
        window = cutoff - timedelta(seconds=_FRONTIER_PERIODS * settings.JOB_STALE_SECONDS)
        frontier = Item.objects.filter(processing_at__range=(window, cutoff)).aggregate(
            last=Max("id")
        )["last"]
        never &= Q(id__lt=frontier or 0)
    return queued.filter(never | Q(processing_at__lt=cutoff)).order_by("id")


def items_requeue(cutoff=None) -> int:
    """Queue again the processing of items a dead worker took or whose message was lost."""
    from datasets.tasks import item_process_task

    cutoff = cutoff or stale_before()
    limit = settings.JOB_MAX_ATTEMPTS
    queued = 0
    with transaction.atomic():
        items = list(
            _items_left(cutoff)
            .select_for_update(skip_locked=True)
            .only("id", "processing_at", "original_name", "sha256")[:ITEMS_REQUEUED_AT_ONCE]
        )
        for item in items:
            # times it was queued again and then taken by a worker that died with it too
            died = (
                ItemEvent.objects.filter(
                    item=item, kind=REQUEUED, at__lt=item.processing_at
                ).count()
                if item.processing_at
                else 0
            )
            if died >= limit:
                item_refuse(
                    item=item,
                    code="worker_died",
                    message=_(
                        "“%(name)s”: processing it stopped the worker %(count)s times; "
                        "the file was refused so it cannot stop more."
                    )
                    % {
                        "name": file_name_shown(item.original_name or item.sha256[:12]),
                        "count": died,
                    },
                )
                continue
            event = ItemEvent.objects.create(item=item, kind=REQUEUED)
            # the event's own time: only a worker's later take makes it count as a death
            Item.objects.filter(pk=item.pk).update(processing_at=event.at)
            transaction.on_commit(partial(item_process_task.delay, item.pk))
            queued += 1
    return queued
