"""The batch state machine: the one place a batch's status is written.

open → in progress → submitted → in review → accepted, or → returned → in progress again;
open and in progress batches may be cancelled. Accepted and cancelled are final. Every
other move is refused with a 409 that names both states in words.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from labeling.models import Batch

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
