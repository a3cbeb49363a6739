"""Many items with categories, cheaply: rows only (no image files), counters recounted; and
the floor the labeling tests stand on: a dataset with two axes, the demo's schema, items in
known categories, two task kinds and a vendor with a contract for the formula pass."""

import itertools
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import Role
from datasets import services
from datasets.models import Category, Dataset, Item, ItemCategory
from datasets.services import category_key_for
from labeling import services as labeling_services
from labeling.models import Batch, TaskKind
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.vendors import VendorFactory, contract_for, member_of, task_kind_for
from vendors.models import Contract, Vendor

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


@dataclass
class Floor:
    dataset: Dataset
    c: dict[str, Category]  # "shadow", "highlighter", "clean", "handwritten", "printed"
    formula: TaskKind
    char: TaskKind
    vendor: Vendor
    contract: Contract
    manager: object


def make_floor(*, quantity: int = 1000, budget: str = "10000") -> Floor:
    dataset = formula_schema(DatasetFactory())
    capture = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    writing = services.axis_create(dataset=dataset, name="Writing", slug="writing", by=None)
    c = {}
    for axis, slug, target in (
        (capture, "shadow", 60),
        (capture, "highlighter", 40),
        (capture, "clean", 0),
        (writing, "handwritten", 0),
        (writing, "printed", 0),
    ):
        c[slug] = services.category_create(
            axis=axis, name=slug.title(), slug=slug, quota_target=target, by=None
        )
    items_in(dataset, [c["shadow"], c["handwritten"]], 30)
    items_in(dataset, [c["shadow"], c["printed"]], 20)
    items_in(dataset, [c["highlighter"], c["handwritten"]], 25)
    items_in(dataset, [c["clean"]], 10)
    # Generator truth: these count as labeled for the formula pass, and meet the char pass's need.
    items_in(dataset, [c["shadow"], c["handwritten"]], 5, truth_types=",formula,")
    formula = task_kind_for(dataset, types=("formula",), attributes=("latex",))
    char = task_kind_for(dataset, types=("char",), requires=("formula",), attributes=("symbol",))
    vendor = VendorFactory()
    contract = contract_for(
        vendor, dataset, task_kind=formula, quantity=quantity, budget=budget, unit_price="0.85"
    )
    manager = member_of(vendor, role=Role.VENDOR_MANAGER)
    return Floor(dataset, c, formula, char, vendor, contract, manager)


def cut(floor: "Floor", need: dict, filters=(), **options) -> Batch:
    """A batch cut through the service for ``floor``'s formula kind and contract, due in a
    week unless told."""
    return labeling_services.batch_cut(
        dataset=floor.dataset,
        task_kind=options.pop("task_kind", floor.formula),
        contract=options.pop("contract", floor.contract),
        need=need,
        filters=list(filters),
        due_on=options.pop("due_on", timezone.localdate() + timedelta(days=7)),
        **options,
    )


@dataclass
class Shop:
    """A floor with a batch cut for its vendor and annotators working on it."""

    floor: Floor
    batch: Batch
    annotators: list
    clients: list


def make_shop(*, tasks: int = 6, annotators: int = 2) -> Shop:
    """``make_floor`` with a batch of ``tasks`` shadow items cut for its vendor and
    ``annotators`` members signed in through API clients (no guide: nothing gates them)."""
    from rest_framework.test import APIClient

    floor = make_floor()
    batch = cut(floor, {"capture=shadow": tasks})
    people, clients = [], []
    for _n in range(annotators):
        user = member_of(floor.vendor, role=Role.ANNOTATOR)
        client = APIClient()
        client.force_login(user)
        people.append(user)
        clients.append(client)
    return Shop(floor, batch, people, clients)
