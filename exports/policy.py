"""Who may see, request, cancel and retry exports: whoever may see the dataset sees its
exports; planners and trainers request them; the requester and planners cancel or retry one."""

from accounts.models import Role, User
from datasets.policy import can_request_export, dataset_for, require
from exports.models import Export

__all__ = ["require", "dataset_for", "can_request_export", "can_cancel_export", "can_retry_export"]


def _requester_or_planner(user: User, export: Export) -> bool:
    if not can_request_export(user, export.dataset):
        return False
    return user.is_staff or user.has_role(Role.PLANNER) or export.created_by_id == user.pk


def can_cancel_export(user: User, export: Export) -> bool:
    """The trainer who asked for it, or a planner: another trainer's export is not theirs."""
    return _requester_or_planner(user, export)


def can_retry_export(user: User, export: Export) -> bool:
    """The same people as may cancel it: a retry is a new request of the same export."""
    return _requester_or_planner(user, export)
