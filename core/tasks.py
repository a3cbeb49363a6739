"""Celery plumbing of the floor: the options of every long job, the heartbeat lease a worker
holds on a job's row while it works, and the sweep that requeues work whose worker died.

A broker alone cannot bring back the work of a worker whose main process died: Redis gives
an unacked message back only after ``CELERY_VISIBILITY_TIMEOUT`` (an hour), the embedded
filesystem broker never. So every long step records its life on its own row:

- a worker takes a row with ``Lease.claim``: an UPDATE that succeeds only while the row is
  running and no live worker holds it (its ``heartbeat_at`` is empty or older than
  ``JOB_STALE_SECONDS``). This **heartbeat lease** is what stops a slow step from running
  twice where PostgreSQL's advisory locks are missing (SQLite): a second delivery of the
  message finds a fresh heartbeat and does nothing. Each claim counts one attempt;
- while it works, ``Lease.beat`` writes the heartbeat every ``JOB_HEARTBEAT_SECONDS`` (well
  under the staleness threshold) and raises ``JobStopped`` when the row is no longer its
  own: cancelled or failed meanwhile, deleted, or taken by another worker;
- a periodic sweep (Celery beat, every ``JOB_SWEEP_SECONDS``) finds running rows whose
  heartbeat went stale, or which no worker ever took (a lost message), and queues their
  step again (``stale_requeue``); a row started ``JOB_MAX_ATTEMPTS`` times, whose worker
  went silent each time, ends failed with a message instead of killing workers forever.
  A row no worker took yet gets the sweep's stamp as its heartbeat, so a job waiting behind
  a long queue is sent again once per ``JOB_STALE_SECONDS``, not at every sweep.
"""

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

#: The options of every long job: taken back from a killed worker; results go unread (their
#: state lives in our own rows), and storing one makes every send subscribe to a result
#: channel on Redis.
RELIABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="core.ping")
def ping_task(value: str = "pong") -> str:
    return value


class JobStopped(Exception):
    """The row a worker was working on is no longer running, or no longer its own."""


def stale_before():
    """Heartbeats older than this are stale: their worker died or never started."""
    return timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)


def stale_rows(cutoff) -> Q:
    """Job rows whose heartbeat is older than ``cutoff``, or that no worker touched since
    they were made before it (their message was lost): what a sweep looks at."""
    return Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)


class Lease:
    """A worker's hold on one running row, kept fresh by its heartbeat.

    ``rows`` is the row as a queryset that matches it only while it is running, e.g.
    ``Export.objects.filter(pk=7, status="running")``.
    """

    def __init__(self, rows: QuerySet, at) -> None:
        self.rows, self.at, self._last = rows, at, time.monotonic()

    @classmethod
    def claim(cls, rows: QuerySet) -> "Lease | None":
        """Take the row unless it is finished or a live worker holds it; counts an attempt.

        A row no worker took yet (no attempt) is free whatever its heartbeat: the sweep
        stamps the ones it queues again, so it waits a staleness period before the next.
        """
        now = timezone.now()
        free = Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale_before()) | Q(attempts=0)
        taken = rows.filter(free).update(heartbeat_at=now, attempts=F("attempts") + 1)
        return cls(rows, now) if taken else None

    def beat(self, *, force: bool = False) -> None:
        """Record that the work goes on, at most every ``JOB_HEARTBEAT_SECONDS``.

        Raises ``JobStopped`` when the row stopped running (cancelled, failed, deleted) or
        another worker took it after this one was thought dead.
        """
        if not force and time.monotonic() - self._last < settings.JOB_HEARTBEAT_SECONDS:
            return
        now = timezone.now()
        if not self.rows.filter(heartbeat_at=self.at).update(heartbeat_at=now):
            raise JobStopped(str(self.rows.model._meta.verbose_name))
        self.at, self._last = now, time.monotonic()

    def release(self) -> None:
        """Let the row go between steps: the next step's worker may claim it at once."""
        self.rows.filter(heartbeat_at=self.at).update(heartbeat_at=None, attempts=0)


def stale_requeue(
    rows: QuerySet,
    *,
    send: Callable[[int], None],
    give_up: Callable[[QuerySet, str], None],
) -> int:
    """Queue ``send(pk)`` again for each of ``rows`` (running rows already found stale by
    the caller); a row that ``JOB_MAX_ATTEMPTS`` workers started and left is handed to
    ``give_up(rows, message)`` instead. Returns how many were queued again.

    On PostgreSQL a row a live transaction holds (a split run being written) is skipped.
    """
    limit = settings.JOB_MAX_ATTEMPTS
    message = _(
        "The job stopped %(count)s times without finishing (its worker died each time); "
        "it was given up so it cannot stop more workers."
    ) % {"count": limit}
    with transaction.atomic():
        locked = rows.select_for_update(skip_locked=True, of=("self",))
        ids = list(locked.values_list("pk", flat=True))
        spent = rows.filter(pk__in=ids, attempts__gte=limit, heartbeat_at__isnull=False)
        given_up = set(spent.values_list("pk", flat=True))
        if given_up:
            give_up(rows.filter(pk__in=given_up), message)
        again = [pk for pk in ids if pk not in given_up]
        # a row no worker took is queued again once per staleness period, not every sweep,
        # however long the queue it waits in
        rows.model.objects.filter(pk__in=again, attempts=0).update(heartbeat_at=timezone.now())
        for pk in again:
            transaction.on_commit(partial(send, pk))
    if again or given_up:
        logger.warning(
            "sweep: %s %s queued again %s, given up %s",
            len(ids),
            rows.model._meta.verbose_name_plural,
            again,
            sorted(given_up),
        )
    return len(again)
