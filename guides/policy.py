"""Who may read and write work guides."""

from accounts.models import Role, User
from core.permissions import require

__all__ = ["require", "can_view_guides", "can_edit_guides"]


def can_view_guides(user: User) -> bool:
    readers = (Role.PLANNER, Role.REVIEWER, Role.ANNOTATOR, Role.VENDOR_MANAGER)
    return user.is_authenticated and (user.is_staff or user.has_role(*readers))


def can_edit_guides(user: User) -> bool:
    return user.is_authenticated and (user.is_staff or user.has_role(Role.PLANNER))
