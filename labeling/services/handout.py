"""The task hand-out: claims with a lease, heartbeats, release, skip, the expiry sweep.

A claim is one statement on PostgreSQL: the first open task of a batch in its shuffled
hand-out order, not skipped by the claimant, locked with ``FOR UPDATE SKIP LOCKED`` (so
claims running at once each take another row and none waits) and flipped to leased in the
same ``UPDATE`` (a claim that left the row open would make every later claim walk past it).
The partial unique index ``task_one_lease_per_annotator`` is the rule "an annotator never
holds two tasks": two claims racing for one annotator (two tabs, a script), the second
fails on it and answers the task the first took. On SQLite, whose transactions here begin
``IMMEDIATE`` (config/settings.py), claims simply run one after another.

Who holds a task now is on the task row; each hold is also a ``Lease`` row (claimed,
last heartbeat, how it ended, active time), which figures and "was this ever yours" read.
"""

import contextlib
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from core.rows import model_columns, model_from_row, model_width
from datasets.models import Dataset, Item
from guides import services as guide_services
from labeling import policy, states
from labeling.models import Annotation, AnnotationChange, Batch, Lease, Task, TaskKind, TaskSkip
from labeling.selectors import skip_reasons
from vendors.policy import vendor_of

T = Task.Status


@dataclass
class Next:
    """What "next task" answers: a task, the guides to read first, or nothing left."""

    state: str  # "task", "guide" or "empty"
    task: Task | None = None
    needs: list = field(default_factory=list)  # guides' GateNeed
    message: str = ""


def lease_seconds() -> int:
    return settings.TASK_LEASE_SECONDS


def lease_until(now):
    return now + timedelta(seconds=lease_seconds())


def task_held(*, annotator: User) -> Task | None:
    """The task ``annotator`` holds now (at most one), with its batch."""
    return (
        Task.objects.filter(annotator=annotator, status=T.LEASED)
        .select_related("batch", "task_kind")
        .first()
    )


#: What a claim and a save read of the task's item (and its dataset), in this order.
_ITEM_FACTS = "i.width, i.height, i.ground_truth_id, i.truth_types, d.spec_version"
_ITEM_FACTS_WIDTH = 5


def _item_facts_set(task: Task, values) -> None:
    """Keep the item's facts on the task, as ``selectors.item_facts`` reads them."""
    task.item_width, task.item_height, task.item_truth = values[0], values[1], values[2]
    task.item_truth_types, task.item_spec_version = values[3], values[4]


def _claim_pick() -> str:
    table, skips = Task._meta.db_table, TaskSkip._meta.db_table
    return (
        f"SELECT t.id FROM {table} t WHERE t.batch_id = %s AND t.status = %s "  # noqa: S608 - our names
        f"AND NOT EXISTS (SELECT 1 FROM {skips} s WHERE s.task_id = t.id AND s.annotator_id = %s) "
        "ORDER BY t.order_key, t.id LIMIT 1"
    )


def _claim_statement() -> str:
    """PostgreSQL: claim, open the lease and read the item and any draft left on the task,
    in one statement. The draft is read safely in it: SKIP LOCKED never waits, so no save
    of the task (which holds its lock) can be under way."""
    task, lease = Task._meta.db_table, Lease._meta.db_table
    item, dataset = Item._meta.db_table, Dataset._meta.db_table
    annotation = Annotation._meta.db_table
    return (
        f"WITH c AS (UPDATE {task} SET status = %s, annotator_id = %s, lease_expires_at = %s "  # noqa: S608
        f"WHERE id = ({_claim_pick()} FOR UPDATE SKIP LOCKED) RETURNING *), "
        f'l AS (INSERT INTO {lease} (task_id, annotator_id, started_at, beat_at, "end", '
        "active_seconds) SELECT id, annotator_id, %s, %s, '', 0 FROM c) "
        f"SELECT {model_columns(Task, 'c')}, {_ITEM_FACTS}, {model_columns(Annotation, 'a')} "
        f"FROM c JOIN {item} i ON i.id = c.item_id JOIN {dataset} d ON d.id = i.dataset_id "
        f"LEFT JOIN {annotation} a ON a.task_id = c.id"
    )


def _claim_sql(batch_id: int, annotator: User, now, until) -> Task | int | None:
    """Claim the batch's first open task in its shuffled order that ``annotator`` did not
    skip, with its lease: on PostgreSQL the claimed row itself, with its item's facts and
    draft (one statement), on SQLite its id."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _claim_statement(),
                [T.LEASED, annotator.pk, until, batch_id, T.OPEN, annotator.pk, now, now],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        width = model_width(Task)
        task = model_from_row(Task, row[:width])  # the claimed row, read as the ORM reads it
        _item_facts_set(task, row[width : width + _ITEM_FACTS_WIDTH])
        draft = row[width + _ITEM_FACTS_WIDTH :]
        task.annotation_read = model_from_row(Annotation, draft) if draft[0] else None
        return task
    # SQLite: the transaction holds the database's write lock (BEGIN IMMEDIATE)
    table = Task._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(_claim_pick(), [batch_id, T.OPEN, annotator.pk])
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(
            f"UPDATE {table} SET status = %s, annotator_id = %s, lease_expires_at = %s "  # noqa: S608
            "WHERE id = %s AND status = %s",
            [T.LEASED, annotator.pk, until, row[0], T.OPEN],
        )
        if cursor.rowcount != 1:
            return None
    lease_open(row[0], annotator, now)
    return row[0]


def lease_open(task_id: int, annotator: User, now) -> None:
    Lease.objects.create(task_id=task_id, annotator=annotator, started_at=now, beat_at=now)


def batch_started(batch: Batch, by: User) -> None:
    """A batch's first claim moves it open → in progress (once: later claims read it)."""
    if batch.status != Batch.Status.OPEN:
        return
    with contextlib.suppress(DomainError):  # another claim moved it first
        states.batch_move(batch=batch, to=Batch.Status.IN_PROGRESS, by=by)


def _claim_from(batch: Batch, annotator: User, now) -> Task | None:
    until = lease_until(now)
    try:
        with transaction.atomic():
            claimed = _claim_sql(batch.pk, annotator, now, until)
    except IntegrityError:
        # another claim of this annotator's won the race: theirs is the one held
        return task_held(annotator=annotator)
    if claimed is None:
        return None
    batch_started(batch, annotator)
    if isinstance(claimed, Task):
        claimed.batch, claimed.task_kind = batch, batch.task_kind
        return claimed
    return Task.objects.select_related("batch", "task_kind").get(pk=claimed)


def _working_batches(annotator: User, *, batch: Batch | None, task_kind_id: int | None):
    """The vendor's batches being worked on (of ``batch``, of ``task_kind_id`` when given),
    earliest due first, with their task kinds. Plain SQL: every claim asks."""
    vendor = vendor_of(annotator)
    if vendor is None:
        return []
    working = ", ".join(["%s"] * len(policy.WORKING))
    where, params = ["b.vendor_id = %s", f"b.status IN ({working})"], [vendor.pk, *policy.WORKING]
    if batch is not None:
        where, params = [*where, "b.id = %s"], [*params, batch.pk]
    if task_kind_id is not None:
        where, params = [*where, "b.task_kind_id = %s"], [*params, task_kind_id]
    statement = (
        f"SELECT {model_columns(Batch, 'b')}, {model_columns(TaskKind, 'k')} "  # noqa: S608
        f"FROM {Batch._meta.db_table} b JOIN {TaskKind._meta.db_table} k ON k.id = b.task_kind_id "
        f"WHERE {' AND '.join(where)} ORDER BY b.due_on, b.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    width, found = model_width(Batch), []
    for row in rows:
        working = model_from_row(Batch, row[:width])
        working.task_kind = model_from_row(TaskKind, row[width:])
        found.append(working)
    return found


def task_claim_next(
    *,
    annotator: User,
    batch: Batch | None = None,
    task_kind_id: int | None = None,
    known_free: bool = False,
) -> Next:
    """The annotator's next task: the one they already hold, else a new claim from ``batch``
    (or any working batch of their vendor, of ``task_kind_id`` when given, earliest due
    first) whose guides they have acknowledged. Guides unread and nothing else to take:
    the guides to read. Nothing open: empty. Only the claim itself is a transaction (the
    index on held tasks settles two claims racing for one annotator). ``known_free``: the
    caller has just ended the annotator's hold (a submit), so there is none to look for; a
    claim of theirs from another tab meanwhile still meets the index and answers theirs."""
    held = None if known_free else task_held(annotator=annotator)
    if held is not None:
        return Next("task", held)
    now = timezone.now()
    gates: dict[tuple[int, int], list] = {}
    needs: list = []
    for candidate in _working_batches(annotator, batch=batch, task_kind_id=task_kind_id):
        pair = (candidate.dataset_id, candidate.task_kind_id)
        if pair not in gates:
            gates[pair] = guide_services.guide_gate(
                user=annotator, dataset_id=pair[0], task_kind_id=pair[1]
            )
        if gates[pair]:
            needs += [need for need in gates[pair] if need not in needs]
            continue
        task = _claim_from(candidate, annotator, now)
        if task is not None:
            return Next("task", task)
    if needs:
        return Next("guide", needs=needs, message=_("Read and acknowledge the guide first."))
    return Next("empty", message=_("Nothing is left to label here for now."))


def _locked_sql() -> str:
    """The task locked, what the policy asks of it, and its item's facts, in one statement.
    Item, dataset and batch rows are not written under the task's lock, so reading them
    in the locking statement is as good as after it."""
    task, batch, lease = Task._meta.db_table, Batch._meta.db_table, Lease._meta.db_table
    item, dataset = Item._meta.db_table, Dataset._meta.db_table
    lock = " FOR UPDATE OF t" if connection.vendor == "postgresql" else ""
    return (
        f"SELECT {model_columns(Task, 't')}, b.dataset_id, b.status, b.vendor_id, "  # noqa: S608
        f"EXISTS (SELECT 1 FROM {lease} h WHERE h.task_id = t.id AND h.annotator_id = %s), "
        f"{_ITEM_FACTS} "
        f"FROM {task} t JOIN {batch} b ON b.id = t.batch_id JOIN {item} i ON i.id = t.item_id "
        f"JOIN {dataset} d ON d.id = i.dataset_id WHERE t.id = %s{lock}"
    )


def _task_locked(task_id: int, annotator: User) -> Task:
    """``task_id`` locked, with its batch (dataset, status, vendor) and item facts; a 404
    unless the labeling policy lets ``annotator`` work on it."""
    with connection.cursor() as cursor:
        cursor.execute(_locked_sql(), [annotator.pk, task_id])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    width = model_width(Task)
    dataset_id, batch_status, vendor_id, held_once = row[width : width + 4]
    if not policy.may_work_on(annotator, vendor_id=vendor_id, held_once=bool(held_once)):
        raise Http404
    task = model_from_row(Task, row[:width])
    task.batch = Batch.from_db(
        connection.alias,
        ["id", "dataset_id", "task_kind_id", "vendor_id", "status"],
        [task.batch_id, dataset_id, task.task_kind_id, vendor_id, batch_status],
    )
    _item_facts_set(task, row[width + 4 :])
    return task


def task_locked_for(task: Task, annotator: User) -> Task:
    """The task locked (``task`` may be its id alone), if ``annotator`` holds it; a 404 if
    the labeling policy does not let them work on it at all; else 409 saying why."""
    locked = _task_locked(task.pk, annotator)
    if locked.status == T.LEASED and locked.annotator_id == annotator.pk:
        _facts_read(locked)
        return locked
    if locked.status == T.CANCELLED:
        raise DomainError(
            _("This task was cancelled; nothing more can be saved on it."),
            code="task_cancelled",
            status=409,
        )
    if locked.status == T.LEASED or locked.status == T.OPEN:
        raise DomainError(
            _("Your lease on this task ended and it went back to the pool or to someone else."),
            code="lease_lost",
            status=409,
        )
    raise DomainError(
        _("This task is %(status)s; it is no longer being labeled.")
        % {"status": locked.get_status_display().lower()},
        code="task_not_leased",
        status=409,
    )


def _facts_sql() -> str:
    task, lease = Task._meta.db_table, Lease._meta.db_table
    annotation, change = Annotation._meta.db_table, AnnotationChange._meta.db_table
    return (
        f"SELECT {model_columns(Lease, 'l')}, "  # noqa: S608 - our names
        f"(SELECT SUM(e.active_seconds) FROM {lease} e "
        "WHERE e.task_id = t.id AND e.ended_at IS NOT NULL), "
        f"{model_columns(Annotation, 'a')}, {model_columns(AnnotationChange, 'c')} "
        f"FROM {task} t LEFT JOIN {lease} l ON l.task_id = t.id AND l.ended_at IS NULL "
        f"LEFT JOIN {annotation} a ON a.task_id = t.id "
        f"LEFT JOIN {change} c ON c.id = "
        f"(SELECT MAX(x.id) FROM {change} x WHERE x.annotation_id = a.id) WHERE t.id = %s"
    )


def _facts_read(task: Task) -> None:
    """What a save needs besides the task, in one statement once the task is locked (a read
    in the locking statement could see rows from before the lock was granted): its open
    lease, the active time of earlier leases, its annotation and the last entry of its
    history. Plain SQL: it runs on every save, and the ORM's building of it cost more than
    the read."""
    with connection.cursor() as cursor:
        cursor.execute(_facts_sql(), [task.pk])
        row = cursor.fetchone()
    leases, annotations = model_width(Lease), model_width(Annotation)
    lease, ended = row[:leases], row[leases]
    annotation = row[leases + 1 : leases + 1 + annotations]
    change = row[leases + 1 + annotations :]
    task.lease_read = model_from_row(Lease, lease) if lease[0] is not None else None
    task.leases_ended_active = ended
    task.annotation_read = model_from_row(Annotation, annotation) if annotation[0] else None
    task.change_last = model_from_row(AnnotationChange, change) if change[0] else None


def lease_current(task: Task) -> Lease | None:
    """The task's open lease: the one ``task_locked_for`` read once it held the lock, else read."""
    if hasattr(task, "lease_read"):
        return task.lease_read
    return Lease.objects.filter(task=task, ended_at=None).first()


def lease_beat(*, lease: Lease, now, end: str = "") -> int:
    """Count the time since the lease's last heartbeat as active, each gap capped at
    ``TASK_ACTIVE_GAP_SECONDS`` (a pause is not work): the seconds added. With ``end``
    the same write ends the lease. Plain SQL: every save beats."""
    gap = max(0.0, (now - lease.beat_at).total_seconds())
    added = int(min(gap, settings.TASK_ACTIVE_GAP_SECONDS))
    at = connection.ops.adapt_datetimefield_value(now)
    ending, params = "", [at, added]
    if end:
        ending = f", ended_at = %s, {connection.ops.quote_name('end')} = %s"
        params += [at, end]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Lease._meta.db_table} SET beat_at = %s, "  # noqa: S608 - our names
            f"active_seconds = active_seconds + %s{ending} WHERE id = %s",
            [*params, lease.pk],
        )
    lease.beat_at, lease.active_seconds = now, lease.active_seconds + added
    if end:
        lease.ended_at, lease.end = now, end
    return added


@transaction.atomic
def task_heartbeat(*, task: Task, annotator: User) -> Task:
    """The tool is open on the task: the lease runs another ``TASK_LEASE_SECONDS`` from now,
    and the time since the last heartbeat (capped) counts as active."""
    task = task_locked_for(task, annotator)
    now = timezone.now()
    lease = lease_current(task)
    if lease is not None:
        lease_beat(lease=lease, now=now)
        task.lease_active_seconds = lease.active_seconds
    task.lease_expires_at = lease_until(now)
    Task.objects.filter(pk=task.pk).update(lease_expires_at=task.lease_expires_at)
    return task


def _lease_end(task: Task, end: str, now) -> Lease | None:
    lease = lease_current(task)
    if lease is None:
        return None
    lease_beat(lease=lease, now=now, end=end)
    return lease


def _back_to_pool(task: Task) -> None:
    Task.objects.filter(pk=task.pk).update(
        status=states.TASK_MOVES["release"].to, annotator=None, lease_expires_at=None
    )


@transaction.atomic
def task_release(*, task: Task, annotator: User) -> Task:
    """Give the task back to the pool (anyone may take it next, the annotator too); its
    draft stays with it."""
    task = task_locked_for(task, annotator)
    _lease_end(task, Lease.End.RELEASED, timezone.now())
    _back_to_pool(task)
    task.status, task.annotator_id, task.lease_expires_at = T.OPEN, None, None
    return task


@transaction.atomic
def task_skip(*, task: Task, annotator: User, reason: str, note: str = "") -> Task:
    """Skip the task for a reason of the dataset's list: it goes back to the pool for
    everyone else and never comes back to this annotator. "other" needs a note."""
    task = task_locked_for(task, annotator)
    codes = dict(skip_reasons(dataset_id=task.batch.dataset_id))
    note = (note or "").strip()
    if reason not in codes:
        message = _("Choose one of the reasons: %(reasons)s.") % {"reasons": ", ".join(codes)}
        raise DomainError(message, code="bad_skip_reason", fields={"reason": message})
    if reason == "other" and not note:
        message = _("Say in the note why you skip it.")
        raise DomainError(message, code="skip_note_needed", fields={"note": message})
    if len(note) > 500:
        message = _("The note is longer than 500 characters.")
        raise DomainError(message, code="skip_note_long", fields={"note": message})
    _lease_end(task, Lease.End.SKIPPED, timezone.now())
    TaskSkip.objects.create(task=task, annotator=annotator, reason=reason, note=note)
    _back_to_pool(task)
    task.status, task.annotator_id, task.lease_expires_at = T.OPEN, None, None
    return task


def _expire(task_ids: list[int], now) -> int:
    """End the leases of ``task_ids`` (locked, leased, expired) and reopen the tasks."""
    Lease.objects.filter(task_id__in=task_ids, ended_at=None).update(
        ended_at=now, end=Lease.End.EXPIRED
    )
    return Task.objects.filter(pk__in=task_ids, status=T.LEASED).update(
        status=states.TASK_MOVES["expire"].to, annotator=None, lease_expires_at=None
    )


def leases_sweep(*, now=None) -> int:
    """Reopen every lease that expired, in bulk: how many tasks went back to the pool."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = list(
            Task.objects.select_for_update(skip_locked=True)
            .filter(status=T.LEASED, lease_expires_at__lt=now)
            .values_list("pk", flat=True)[:10000]
        )
        if not expired:
            return 0
        return _expire(expired, now)


def lease_expired_end(task: Task, now) -> bool:
    """Reopen ``task`` (locked by the caller) now if its lease expired and the sweep has not
    come yet, as the sweep would: whether it did."""
    if task.status != T.LEASED or task.lease_expires_at is None or task.lease_expires_at >= now:
        return False
    _expire([task.pk], now)
    task.status, task.annotator_id, task.lease_expires_at = T.OPEN, None, None
    return True


@transaction.atomic
def leases_end(*, user: User) -> int:
    """End every lease ``user`` holds at once (they were deactivated): their tasks go back
    to the pool. How many."""
    now = timezone.now()
    held = list(
        Task.objects.select_for_update()
        .filter(annotator=user, status=T.LEASED)
        .values_list("pk", flat=True)
    )
    if not held:
        return 0
    Lease.objects.filter(task_id__in=held, ended_at=None).update(ended_at=now, end=Lease.End.ENDED)
    return Task.objects.filter(pk__in=held).update(
        status=states.TASK_MOVES["end"].to, annotator=None, lease_expires_at=None
    )
