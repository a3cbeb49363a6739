"""The single way a policy answer becomes a refusal, for pages and API views alike."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def require(allowed: bool, message: str | None = None) -> None:
    """Refuse with 403 unless the policy allowed it. Invisible objects are 404 before this."""
    if not allowed:
        raise PermissionDenied(message or _("You do not have permission to do this."))
