"""A dataset with two axes, the demo's schema, items in known categories, two task kinds
and a vendor with a contract for the formula pass."""

from dataclasses import dataclass

import pytest

from accounts.models import Role
from datasets import services
from datasets.models import Category, Dataset
from labeling.models import TaskKind
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.labeling import items_in
from tests.factories.vendors import VendorFactory, contract_for, member_of, task_kind_for
from vendors.models import Contract, Vendor


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


@pytest.fixture
def floor(db) -> Floor:
    return make_floor()
