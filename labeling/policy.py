"""Who may label, review and manage batches."""

from accounts.models import Role, User
from core.permissions import require

__all__ = ["require", "can_label", "can_review"]


def can_label(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.ANNOTATOR)


def can_review(user: User) -> bool:
    return user.is_authenticated and (user.is_staff or user.has_role(Role.REVIEWER))
