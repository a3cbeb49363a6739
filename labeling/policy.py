"""Who may label, review and manage task kinds and batches. A vendor sees only its own
batches (others are 404); in-house roles see every batch."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from core.permissions import require
from datasets.models import Dataset, Item
from datasets.policy import datasets_visible_to
from labeling.models import Batch, Delivery, Lease, Task, TaskKind
from vendors.models import Contract
from vendors.policy import (
    can_manage_members,
    can_manage_vendors,
    contracts_visible_to,
    is_in_house,
    vendor_of,
)

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
    "tasks_readable_by",
    "tasks_workable_by",
    "may_work_on",
    "batches_claimable_by",
    "can_deliver",
    "can_read_deliveries",
    "deliveries_visible_to",
    "can_read_skipped",
    "can_settle_skipped",
    "can_see_own_figures",
    "can_see_annotator_figures",
]

#: Batch statuses whose tasks an annotator still works on (until the batch is submitted).
WORKING = (Batch.Status.OPEN, Batch.Status.IN_PROGRESS, Batch.Status.RETURNED)


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


def batches_claimable_by(user: User) -> QuerySet[Batch]:
    """The batches an annotator may ask the next task of: their vendor's, being worked on."""
    if not can_label(user):
        return Batch.objects.none()
    vendor = vendor_of(user)
    if vendor is None:
        return Batch.objects.none()
    return Batch.objects.filter(vendor=vendor, status__in=WORKING)


def tasks_readable_by(user: User) -> QuerySet[Task]:
    """Tasks whose annotation, history and images a user may read. An annotator: the task
    they hold, and those they submitted while the batch is still worked on — never a task
    another holds (404). A vendor manager: their vendor's tasks. In-house: every task."""
    if is_in_house(user):
        return Task.objects.all()
    vendor = vendor_of(user)
    if vendor is None:
        return Task.objects.none()
    if user.has_role(Role.VENDOR_MANAGER):
        return Task.objects.filter(batch__vendor=vendor)
    if not can_label(user):
        return Task.objects.none()
    return Task.objects.filter(
        batch__vendor=vendor,
        batch__status__in=WORKING,
        annotator=user,
        status__in=(Task.Status.LEASED, Task.Status.SUBMITTED),
    )


def tasks_workable_by(user: User) -> QuerySet[Task]:
    """Tasks an annotator may save, release, skip, heartbeat or reopen: of their vendor's
    batches, and leased to them at some time (the service then says 409 when the lease
    ended or went to someone else). Any other task is a 404."""
    if not can_label(user):
        return Task.objects.none()
    vendor = vendor_of(user)
    if vendor is None:
        return Task.objects.none()
    held_once = Lease.objects.filter(annotator=user).values("task_id")
    return Task.objects.filter(batch__vendor=vendor, pk__in=held_once)


def may_work_on(user: User, *, vendor_id: int, held_once: bool) -> bool:
    """``tasks_workable_by`` for one task read with its lock (the hand-out reads the task,
    its batch's vendor and whether ``user`` ever leased it in the locking statement)."""
    if not can_label(user):
        return False
    vendor = vendor_of(user)
    return vendor is not None and vendor.pk == vendor_id and held_once


def _manages_vendor_of(user: User, batch: Batch) -> bool:
    if not user.is_authenticated or not user.has_role(Role.VENDOR_MANAGER):
        return False
    vendor = vendor_of(user)
    return vendor is not None and vendor.pk == batch.vendor_id


def can_deliver(user: User, batch: Batch) -> bool:
    """Deliver a batch's annotations as a file (a vendor that labels in its own tool): the
    managers of the batch's vendor, no one else."""
    return _manages_vendor_of(user, batch)


def can_read_deliveries(user: User, batch: Batch) -> bool:
    """A batch's deliveries and their lines: the vendor's managers and the in-house team;
    the vendor's annotators see the batch, not what their manager delivered (403)."""
    return is_in_house(user) or can_deliver(user, batch)


def deliveries_visible_to(user: User) -> QuerySet[Delivery]:
    """The deliveries of the batches a user sees (another vendor's are a 404)."""
    return Delivery.objects.filter(batch__in=batches_visible_to(user))


def can_read_skipped(user: User, batch: Batch) -> bool:
    """The batch's tasks every annotator skipped, with who skipped them and why: the
    in-house team and the batch's vendor's managers; its annotators see the batch, not
    their colleagues' skips (403)."""
    return is_in_house(user) or _manages_vendor_of(user, batch)


def can_settle_skipped(user: User, batch: Batch) -> bool:
    """Remove such tasks or mark them unusable: planners (and staff), as they cut batches."""
    return can_cut_batches(user)


def can_see_own_figures(user: User) -> bool:
    """Today's done, released and skipped counts and median active time: annotators, their
    own."""
    return can_label(user)


def can_see_annotator_figures(user: User, vendor) -> bool:
    """A vendor's annotators' figures, per annotator: the vendor's managers and planners
    (the caller has already found the vendor among those the user sees, else 404)."""
    return can_manage_members(user, vendor)
