"""Tasks every active annotator skipped: the planner removes them or marks them unusable.

A skipped task goes to someone else and never back to its skipper, so once every active
annotator of the vendor skipped it no one is left to take it: it does not hold the batch
up (``selectors.batch_progress``), and the planner settles it. "remove" cancels it and gives
its item back to the pool for another batch; "unusable" ends it for good: its item is
rejected (never counted, cut or exported again) and its kind never takes it again. Both
give the task's reservation back, as cancelling does.
"""

from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets import services as dataset_services
from labeling.models import Batch, Task, TaskSkip
from labeling.selectors import skipped_by_all_ids
from labeling.services.batches import tasks_end

#: What a planner may do with a task every annotator skipped → its move in TASK_MOVES.
SETTLE_ACTIONS = {"remove": "cancel", "unusable": "unusable"}


@transaction.atomic
def skipped_tasks_settle(
    *, batch: Batch, task_ids: list[int], action: str, by: User | None
) -> list[int]:
    """Remove (``action`` "remove") or mark unusable ("unusable") tasks of ``batch`` that
    every active annotator skipped: the ids settled, in order.

    Every task must be open and skipped by all under the batch's lock: otherwise a 409
    naming the others, and nothing changes. Unusable items get a "set aside" event."""
    if action not in SETTLE_ACTIONS:
        message = _("Choose “remove” or “unusable”.")
        raise DomainError(message, code="bad_settle_action", fields={"action": message})
    ids = sorted(set(task_ids))
    if not ids:
        message = _("Choose at least one task.")
        raise DomainError(message, code="no_tasks", fields={"task_ids": message})
    batch = (
        Batch.objects.select_for_update().select_related("contract", "task_kind").get(pk=batch.pk)
    )
    rows = dict(
        Task.objects.select_for_update()
        .filter(batch=batch, pk__in=ids, status=Task.Status.OPEN)
        .order_by("id")
        .values_list("id", "item_id")
    )
    settleable = set(skipped_by_all_ids(batch=batch)) & set(rows)
    refused = [pk for pk in ids if pk not in settleable]
    if refused:
        raise DomainError(
            _("These tasks are not open tasks every annotator skipped: %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in refused)},
            code="not_skipped_by_all",
            status=409,
            fields={
                "task_ids": _(
                    "Only open tasks every active annotator skipped can be removed or marked "
                    "unusable."
                )
            },
        )
    move = SETTLE_ACTIONS[action]
    tasks_end(batch=batch, rows=[(pk, rows[pk]) for pk in ids], action=move, by=by)
    if move == "unusable":
        reasons: dict[int, list[str]] = defaultdict(list)
        for item_id, reason in (
            TaskSkip.objects.filter(task_id__in=ids)
            .order_by("at", "id")
            .values_list("task__item_id", "reason")
        ):
            if reason not in reasons[item_id]:
                reasons[item_id].append(reason)
        dataset_services.items_set_aside_record(
            reasons={rows[pk]: reasons[rows[pk]] for pk in ids},
            task_kind=batch.task_kind.name,
            batch_ref=batch.pk,
            by=by,
        )
    return ids
