"""Many items with categories, cheaply: rows only (no image files), counters recounted."""

import itertools

from datasets import services
from datasets.models import Category, Dataset, Item, ItemCategory
from datasets.services import category_key_for

_serial = itertools.count(1)


def items_in(
    dataset: Dataset,
    categories: list[Category],
    count: int,
    *,
    status: str = Item.Status.NEW,
    truth_types: str = "",
    processing: str = Item.Processing.READY,
) -> list[Item]:
    """``count`` processed items of ``dataset`` carrying ``categories`` (one per axis), made
    with two bulk inserts; the coverage counters are rebuilt to include them."""
    key = category_key_for(category.pk for category in categories)
    items = Item.objects.bulk_create(
        Item(
            dataset=dataset,
            sha256=f"{next(_serial):064x}",
            original="none.png",
            image="none.png",
            width=100,
            height=80,
            processing=processing,
            stripped=True,
            status=status,
            category_key=key,
            truth_types=truth_types,
        )
        for _ in range(count)
    )
    ItemCategory.objects.bulk_create(
        ItemCategory(item=item, category=category, axis_id=category.axis_id)
        for item in items
        for category in categories
    )
    services.coverage_recount(dataset=dataset)
    return items
