from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.vendors import VendorFactory, contract_for, member_of, task_kind_for
from vendors import selectors, services
from vendors.models import Vendor


@pytest.fixture
def dataset(db):
    return formula_schema(DatasetFactory())


@pytest.fixture
def busy(dataset):
    """Vendor "Alpha" paid in dollars and in won; vendor "Beta" without contracts."""
    alpha = VendorFactory(name="Alpha")
    VendorFactory(name="Beta")
    kind = task_kind_for(dataset)
    dollars = contract_for(alpha, dataset, task_kind=kind, unit_price="0.85", budget="10000")
    won = contract_for(alpha, dataset, task_kind=kind, currency="KRW", unit_price="1200")
    now = timezone.now()
    services.ledger_reserve(contract=dollars, batch_ref=1, tasks=10)
    for task, days_ago in ((1, 0), (2, 0), (3, 3)):
        services.ledger_accept(
            contract=dollars, task_ref=task, batch_ref=1, at=now - timedelta(days=days_ago)
        )
    services.ledger_accept(contract=dollars, task_ref=4, at=now - timedelta(days=20))
    services.ledger_accept(contract=won, task_ref=10, at=now)
    return alpha


def test_each_vendor_has_a_row_per_currency_with_figures_from_the_ledger(busy):
    rows = selectors.vendor_overview(vendors=Vendor.objects.all())

    assert [(row["vendor"].name, row["currency"]) for row in rows] == [
        ("Alpha", "KRW"),
        ("Alpha", "USD"),
        ("Beta", ""),
    ]
    won, dollars = rows[0], rows[1]
    assert (dollars["reserved_units"], dollars["accepted_units"], dollars["accepted"]) == (7, 4, 4)
    assert dollars["cost"] == Decimal("3.40")
    assert dollars["cost_per_item"] == Decimal("0.85")
    assert dollars["throughput"] == Decimal(3) / 14
    assert dollars["budget_left"] == Decimal("10000") - Decimal("3.40") - 7 * Decimal("0.85")
    assert (dollars["daily"][-1], dollars["daily"][-4], dollars["daily"][-21]) == (2, 1, 1)
    assert sum(dollars["daily"]) == 4
    assert (won["cost"], won["accepted"]) == (Decimal("1200"), 1)


def test_the_overview_reads_the_same_number_of_queries_however_many_vendors(dataset):
    kind = task_kind_for(dataset)

    def queries_for(vendors: int) -> int:
        for _n in range(vendors):
            contract = contract_for(VendorFactory(), dataset, task_kind=kind)
            services.ledger_accept(contract=contract, task_ref=contract.pk)
        with CaptureQueriesContext(connection) as captured:
            selectors.vendor_overview(vendors=Vendor.objects.all())
        return len(captured)

    assert queries_for(1) == queries_for(5)


def test_the_planner_sees_vendors_side_by_side_in_their_currency_and_a_chart(planner_client, busy):
    response = planner_client.get("/vendors/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "$3.40" in page and "₩1,200" in page
    assert "$0.85" in page  # cost per accepted item
    assert 'role="img"' in page and "<title" in page
    assert "Accepted per day over the last 30 days: 4 in all, at most 2 on one day." in page
    assert 'href="/vendors/new/"' in page
    assert "No contract yet." in page


def test_the_overview_is_in_korean_for_a_korean_reader(planner_client, busy):
    page = planner_client.get("/vendors/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert "승인 건당 비용" in page
    assert "₩1,200" in page


def test_a_vendor_manager_opening_the_overview_goes_to_their_own_vendor(client_for, busy):
    manager = client_for(Role.VENDOR_MANAGER)
    member_of(busy, role=Role.VENDOR_MANAGER, user=manager.user)

    response = manager.get("/vendors/")

    assert response.status_code == 302
    assert response["Location"] == f"/vendors/{busy.pk}/"


def test_an_annotator_may_not_open_the_overview(client_for, busy):
    annotator = client_for(Role.ANNOTATOR)
    member_of(busy, role=Role.ANNOTATOR, user=annotator.user)

    assert annotator.get("/vendors/").status_code == 403
