"""Reads of a collection contract's photos: the list with statuses, and each quota's counts.

(Labeling's own selectors live in ``labeling/selectors.py``; these are the collection
contract's, kept apart so the two can be joined without conflict.)
"""

from django.db.models import Count, QuerySet

from datasets.models import Category, Item, ItemCategory
from vendors.models import Contract

#: A photo's status as the collection pages and API name it.
PHOTO_STATUSES = ("pending", "accepted", "rejected")


def photo_status(item: Item) -> str:
    """pending (awaiting acceptance), rejected, or accepted (anything further along)."""
    if item.status in (Item.Status.PENDING, Item.Status.REJECTED):
        return item.status
    return "accepted"


def photo_list(*, contract: Contract, status: str | None = None) -> QuerySet[Item]:
    """The contract's photos, newest first; ``status`` one of ``PHOTO_STATUSES`` or None."""
    photos = Item.objects.filter(contract_id=contract.pk).select_related("upload__created_by")
    if status == "pending":
        photos = photos.filter(status=Item.Status.PENDING)
    elif status == "rejected":
        photos = photos.filter(status=Item.Status.REJECTED)
    elif status == "accepted":
        photos = photos.exclude(status__in=(Item.Status.PENDING, Item.Status.REJECTED))
    return photos.order_by("-id")


def photo_categories(*, contract: Contract) -> dict[int, Category]:
    """The categories of the contract's dataset by id, with their axes: to name a photo's."""
    return {
        category.pk: category
        for category in Category.objects.filter(axis__dataset_id=contract.dataset_id)
        .select_related("axis")
        .order_by("axis__position", "axis_id", "position", "id")
    }


def photo_quotas(*, contract: Contract) -> list[dict]:
    """Each quota of the contract: ``{"category", "quota", "accepted", "pending",
    "rejected", "left"}`` (left: photos that may still be sent, accepted and awaiting
    acceptance both taking a place). Two queries."""
    quotas = list(contract.quotas.select_related("category__axis").order_by("id"))
    counts: dict[int, dict[str, int]] = {}
    rows = (
        ItemCategory.objects.filter(item__contract_id=contract.pk)
        .values_list("category_id", "item__status")
        .annotate(n=Count("item_id"))
        .order_by()
    )
    for category_id, status, n in rows:
        row = counts.setdefault(category_id, dict.fromkeys(PHOTO_STATUSES, 0))
        row[photo_status(Item(status=status))] += n
    result = []
    for quota in quotas:
        row = counts.get(quota.category_id, dict.fromkeys(PHOTO_STATUSES, 0))
        taken = row["accepted"] + row["pending"]
        result.append(
            {
                "category": quota.category,
                "quota": quota.quantity,
                **row,
                "left": max(quota.quantity - taken, 0),
            }
        )
    return result
