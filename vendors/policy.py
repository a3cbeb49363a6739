"""Who may see vendors, contracts and cost. A vendor never sees another vendor's anything."""

from accounts.models import Role, User
from core.permissions import require

__all__ = ["require", "can_view_vendors", "can_manage_vendors"]


def can_view_vendors(user: User) -> bool:
    """Planners see every vendor; a vendor manager only their own company (filtered later)."""
    return user.is_authenticated and (
        user.is_staff or user.has_role(Role.PLANNER, Role.VENDOR_MANAGER)
    )


def can_manage_vendors(user: User) -> bool:
    return user.is_authenticated and (user.is_staff or user.has_role(Role.PLANNER))
