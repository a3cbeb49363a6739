"""Who may label, review and manage task kinds and batches. A vendor sees only its own
batches (others are 404); in-house roles see every batch."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from core.permissions import require
from datasets.models import Dataset, Item
from datasets.policy import datasets_visible_to
from labeling.models import Batch, Task, TaskKind
from vendors.models import Contract
from vendors.policy import can_manage_vendors, contracts_visible_to, is_in_house, vendor_of

__all__ = [
    "require",
    "can_label",
    "can_review",
    "can_cut_batches",
    "can_use_portal",
    "task_kinds_visible_to",
    "batches_visible_to",
    "tasks_visible_to",
    "can_upload_photos",
    "can_review_photos",
    "photos_visible_to",
    "datasets_with_work_for",
    "dataset_for",
    "can_cancel_batch",
]


def can_label(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.ANNOTATOR)


def can_review(user: User) -> bool:
    return user.is_authenticated and (user.is_staff or user.has_role(Role.REVIEWER))


def can_cut_batches(user: User) -> bool:
    """Define task kinds, cut, assign and cancel batches: planners."""
    return can_manage_vendors(user)


def can_use_portal(user: User) -> bool:
    """The vendor portal: a vendor's managers (their own vendor only) and planners (any
    vendor, picked). Annotators get their own task list instead."""
    return user.is_authenticated and (
        can_manage_vendors(user) or user.has_role(Role.VENDOR_MANAGER)
    )


def task_kinds_visible_to(user: User) -> QuerySet[TaskKind]:
    if is_in_house(user):
        return TaskKind.objects.all()
    vendor = vendor_of(user)
    if vendor is None:
        return TaskKind.objects.none()
    kinds = Batch.objects.filter(vendor=vendor).values("task_kind_id")
    return TaskKind.objects.filter(pk__in=kinds)


def batches_visible_to(user: User) -> QuerySet[Batch]:
    if is_in_house(user):
        return Batch.objects.all()
    vendor = vendor_of(user)
    return Batch.objects.filter(vendor=vendor) if vendor else Batch.objects.none()


def tasks_visible_to(user: User) -> QuerySet[Task]:
    return Task.objects.filter(batch__in=batches_visible_to(user))


def can_upload_photos(user: User, contract: Contract) -> bool:
    """Photos for a collection contract: its vendor's members (managers and annotators),
    and planners."""
    if can_manage_vendors(user):
        return True
    vendor = vendor_of(user)
    return vendor is not None and vendor.pk == contract.vendor_id


def can_review_photos(user: User) -> bool:
    """Accept or reject collected photos: planners and reviewers (and staff)."""
    return is_in_house(user)


def photos_visible_to(user: User) -> QuerySet[Item]:
    """The photos collected under the collection contracts a user sees: in-house roles every
    contract's, a vendor's members their own vendor's only (any other item is a 404)."""
    contracts = contracts_visible_to(user).filter(kind=Contract.Kind.COLLECTION)
    return Item.objects.filter(contract_id__in=contracts.values("pk"))


def datasets_with_work_for(user: User) -> QuerySet[Dataset]:
    """Datasets whose task kinds and batches a user may list: in-house readers every one
    they see; a vendor's members those where their vendor has a batch."""
    if is_in_house(user):
        return datasets_visible_to(user)
    return Dataset.objects.filter(pk__in=batches_visible_to(user).values("dataset_id"))


def dataset_for(user: User, dataset_id: int) -> Dataset:
    """The dataset if the user may list its labeling work; otherwise 404."""
    return get_object_or_404(datasets_with_work_for(user), pk=dataset_id)


def can_cancel_batch(user: User, batch: Batch) -> bool:
    return can_cut_batches(user)
