"""The batch and task state machines: the one place a batch's status is written, and the
one table of how each task move moves its item's coverage columns.

open → in progress → submitted → in review → accepted, or → returned → in progress again;
open and in progress batches may be cancelled. Accepted and cancelled are final. Every
other move is refused with a 409 that names both states in words.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets import services as dataset_services
from datasets.models import Dataset, Item
from labeling.models import Batch, Task

S = Batch.Status

#: Where a batch may go from each state. A submitted batch may go back to in progress (the
#: vendor withdraws it before review starts); accepted and cancelled batches go nowhere.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.IN_REVIEW, S.IN_PROGRESS}),
    S.IN_REVIEW: frozenset({S.ACCEPTED, S.RETURNED}),
    S.RETURNED: frozenset({S.IN_PROGRESS}),
    S.ACCEPTED: frozenset(),
    S.CANCELLED: frozenset(),
}


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


@transaction.atomic
def batch_move(*, batch: Batch, to: str, by: User | None = None) -> Batch:
    """Move ``batch`` to ``to`` under a row lock, or refuse with 409 naming from → to."""
    current = Batch.objects.select_for_update().values_list("status", flat=True).get(pk=batch.pk)
    if to not in S.values or not can_move(current, to):
        raise DomainError(
            _("A batch cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(current).label, "to": S(to).label if to in S.values else to},
            code="batch_transition",
            status=409,
        )
    now = timezone.now()
    Batch.objects.filter(pk=batch.pk).update(status=to, status_changed_at=now)
    batch.status, batch.status_changed_at = to, now
    return batch


# --- tasks --------------------------------------------------------------------------------

T = Task.Status
I = Item.Status  # noqa: E741 - the item's statuses beside the task's


@dataclass(frozen=True)
class TaskMove:
    """One move of a task, and how it moves its item's coverage columns.

    ``item`` is (from, to) of the item's status; only an item in ``from`` moves (a later
    pass over accepted items leaves them accepted). None: the item's columns stay.
    Labeling's own moves (claim to submit) record the counter change as a delta that a
    periodic job applies (``deferred``), so no claim, save or submit waits on a counter row.
    """

    sources: frozenset[str]
    to: str
    item: tuple[str, str] | None
    deferred: bool = True


#: Every task move in one place. Claim, release, skip, expiry and the end of a deactivated
#: annotator's lease change who holds a task, never what coverage counts: the item has been
#: "in labeling" since the cut. Submit counts it labeled, and so does a delivery (a vendor's
#: own tool's work delivered as a file submits an open task), a reopen or a return by review
#: takes that back, acceptance counts it accepted; cancelling an untouched task gives the
#: item back to the pool ("collected"), and marking one every annotator skipped unusable
#: rejects it (never counted, cut or exported again; an item a later pass had already
#: labeled or accepted keeps its status, and its kind never takes it again).
TASK_MOVES: dict[str, TaskMove] = {
    "claim": TaskMove(frozenset({T.OPEN}), T.LEASED, None),
    "release": TaskMove(frozenset({T.LEASED}), T.OPEN, None),
    "skip": TaskMove(frozenset({T.LEASED}), T.OPEN, None),
    "expire": TaskMove(frozenset({T.LEASED}), T.OPEN, None),
    "end": TaskMove(frozenset({T.LEASED}), T.OPEN, None),
    "submit": TaskMove(frozenset({T.LEASED}), T.SUBMITTED, (I.IN_LABELING, I.LABELED)),
    "deliver": TaskMove(frozenset({T.OPEN}), T.SUBMITTED, (I.IN_LABELING, I.LABELED)),
    "reopen": TaskMove(frozenset({T.SUBMITTED}), T.LEASED, (I.LABELED, I.IN_LABELING)),
    "return": TaskMove(frozenset({T.SUBMITTED}), T.RETURNED, (I.LABELED, I.IN_LABELING)),
    "accept": TaskMove(frozenset({T.SUBMITTED}), T.ACCEPTED, (I.LABELED, I.ACCEPTED)),
    "cancel": TaskMove(frozenset({T.OPEN}), T.CANCELLED, (I.IN_LABELING, I.NEW), False),
    "unusable": TaskMove(frozenset({T.OPEN}), T.UNUSABLE, (I.IN_LABELING, I.REJECTED), False),
}


def task_items_move(*, action: str, dataset_id: int, item_ids) -> int:
    """Move the items of tasks that just made ``action`` as ``TASK_MOVES`` says: how many."""
    move = TASK_MOVES[action]
    if move.item is None:
        return 0
    before, after = move.item
    return dataset_services.items_status_move(
        dataset=Dataset(pk=dataset_id),
        item_ids=item_ids,
        from_status=before,
        to_status=after,
        deferred=move.deferred,
    )
