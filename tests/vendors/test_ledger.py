from decimal import Decimal

import pytest

from core.errors import DomainError
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.vendors import VendorFactory, contract_for, task_kind_for
from vendors import selectors, services
from vendors.models import LedgerLine


@pytest.fixture
def contract(db):
    dataset = formula_schema(DatasetFactory())
    kind = task_kind_for(dataset)
    return contract_for(
        VendorFactory(), dataset, task_kind=kind, unit_price="0.10", quantity=10, budget="1.00"
    )


def test_ten_cents_and_twenty_cents_accepted_cost_exactly_thirty_cents(contract):
    services.ledger_reserve(contract=contract, batch_ref=1, tasks=2)
    services.ledger_accept(contract=contract, task_ref=1, batch_ref=1)
    contract.unit_price = Decimal("0.20")
    contract.prices.create(unit_price=Decimal("0.20"))
    services.ledger_accept(contract=contract, task_ref=2, batch_ref=1)

    room = selectors.contract_room(contract=contract)

    assert room["cost"] == Decimal("0.30")
    assert room["reserved_units"] == 0
    assert room["quantity_left"] == 8


def test_a_reservation_beyond_the_quantity_is_refused_with_the_numbers(contract):
    services.ledger_reserve(contract=contract, batch_ref=1, tasks=6)

    with pytest.raises(DomainError) as refused:
        services.ledger_reserve(contract=contract, batch_ref=2, tasks=5)

    assert refused.value.code == "contract_quantity"
    assert "has 4 of 10 left" in refused.value.message
    assert LedgerLine.objects.filter(contract=contract).count() == 1


def test_a_task_is_never_paid_twice(contract):
    services.ledger_accept(contract=contract, task_ref=7)

    with pytest.raises(DomainError) as refused:
        services.ledger_accept(contract=contract, task_ref=7)

    assert refused.value.status == 409
    assert selectors.contract_room(contract=contract)["cost"] == Decimal("0.10")


def test_releasing_a_cancelled_batch_gives_its_room_back(contract):
    services.ledger_reserve(contract=contract, batch_ref=3, tasks=4)

    services.ledger_release(contract=contract, batch_ref=3, tasks=4)

    room = selectors.contract_room(contract=contract)
    assert (room["quantity_left"], room["budget_left"]) == (10, Decimal("1.00"))
