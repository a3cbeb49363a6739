"""Who may see and change datasets. Pages, API views and tasks all ask here."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from core.permissions import require
from datasets.models import Dataset, Item

__all__ = [
    "require",
    "datasets_visible_to",
    "dataset_for",
    "can_view_datasets",
    "can_create_dataset",
    "can_edit_dataset",
    "can_download_original",
    "item_file_kind",
    "can_request_export",
]

_READERS = (Role.PLANNER, Role.REVIEWER, Role.TRAINER)


def can_view_datasets(user: User) -> bool:
    return user.is_authenticated and (user.is_staff or user.has_role(*_READERS))


def datasets_visible_to(user: User) -> QuerySet[Dataset]:
    """In-house roles see every dataset; vendors see only what their batches reach (later)."""
    if can_view_datasets(user):
        return Dataset.objects.all()
    return Dataset.objects.none()


def dataset_for(user: User, dataset_id: int) -> Dataset:
    """The dataset if this user may see it; otherwise 404, whether it exists or not."""
    return get_object_or_404(datasets_visible_to(user), pk=dataset_id)


def can_create_dataset(user: User) -> bool:
    return user.is_authenticated and (user.is_staff or user.has_role(Role.PLANNER))


def can_edit_dataset(user: User, dataset: Dataset) -> bool:
    return can_create_dataset(user)


def can_download_original(user: User, dataset: Dataset) -> bool:
    """An original keeps what the photo says about where it was taken: planners only."""
    return can_edit_dataset(user, dataset)


def item_file_kind(user: User, dataset: Dataset, item: Item, kind: str) -> str | None:
    """Which of an item's files a user gets on asking for ``kind``; None: none (a 404).

    Planners get what they ask for. Every other role gets only files without metadata: the
    stripped upright image when asking for the original, and nothing of an item whose
    files are not known to be stripped yet (still being processed, or stored before the
    worker stripped files and not yet through ``manage.py strip_metadata``).
    """
    if can_download_original(user, dataset):
        return kind
    if not item.stripped:
        return None
    return "image" if kind == "original" else kind


def can_request_export(user: User, dataset: Dataset) -> bool:
    """Planners and trainers ask for exports; requesting one changes nothing of the spec."""
    return user.is_authenticated and (user.is_staff or user.has_role(Role.PLANNER, Role.TRAINER))
