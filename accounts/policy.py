"""Who may do what with accounts. Pages and API views ask here, never decide themselves."""

from django.db.models import QuerySet

from accounts.models import ApiToken, Role, User
from core.permissions import require

__all__ = ["Role", "require", "tokens_visible_to", "can_manage_tokens", "is_staff_admin"]


def is_staff_admin(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def tokens_visible_to(user: User) -> QuerySet[ApiToken]:
    """A user sees only their own tokens; staff revoke others' in the admin."""
    return ApiToken.objects.filter(user_id=user.pk)


def can_manage_tokens(user: User) -> bool:
    return user.is_authenticated and user.is_active
