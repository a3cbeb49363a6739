from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from labeling.models import Task
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.pilots import pilot_batch
from tests.factories.vendors import VendorFactory, contract_for, member_of, task_kind_for
from vendors import services
from vendors.models import Contract, ContractPrice

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    return formula_schema(DatasetFactory())


@pytest.fixture
def kind(dataset):
    return task_kind_for(dataset, attributes=("latex",))


@pytest.fixture
def vendor():
    return VendorFactory(name="Hangul Labels")


def body(vendor, dataset, task_kind, **changes) -> dict:
    today = timezone.localdate()
    fields = {
        "vendor": vendor.pk,
        "dataset": dataset.pk,
        "kind": "labeling",
        "task_kind": task_kind.pk if task_kind else None,
        "name": "Formula boxes",
        "unit": "task",
        "currency": "KRW",
        "unit_price": "1200",
        "quantity": 500,
        "budget": "600000",
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=30)),
    }
    return {**fields, **changes}


def test_a_planner_makes_a_contract_with_money_as_decimal_strings(
    planner_client, vendor, dataset, kind, settings
):
    response = planner_client.post("/api/v1/contracts/", body(vendor, dataset, kind), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["unit_price"], data["budget"], data["currency"]) == ("1200", "600000", "KRW")
    assert data["task_kind_name"] == kind.name
    assert data["time_zone"] == settings.TIME_ZONE
    assert ContractPrice.objects.filter(contract_id=data["id"]).count() == 1


def test_a_json_float_for_money_is_refused_naming_the_field(planner_client, vendor, dataset, kind):
    payload = body(vendor, dataset, kind, currency="USD", unit_price=0.85, budget="100")

    response = planner_client.post("/api/v1/contracts/", payload, format="json")

    assert response.status_code == 400
    assert "unit_price" in response.json()["error"]["fields"]
    assert Contract.objects.count() == 0


def test_twelve_and_a_half_won_is_refused(planner_client, vendor, dataset, kind):
    response = planner_client.post(
        "/api/v1/contracts/", body(vendor, dataset, kind, unit_price="12.5"), format="json"
    )

    assert response.status_code == 400
    assert "0 decimal places" in response.json()["error"]["fields"]["unit_price"]
    assert Contract.objects.count() == 0


def test_a_task_kind_of_another_dataset_is_refused_naming_the_task_kind(
    planner_client, vendor, dataset
):
    other_kind = task_kind_for(formula_schema(DatasetFactory()))

    response = planner_client.post(
        "/api/v1/contracts/", body(vendor, dataset, other_kind), format="json"
    )

    assert response.status_code == 400
    assert "task_kind" in response.json()["error"]["fields"]
    assert Contract.objects.count() == 0


def test_an_unknown_time_zone_and_an_end_before_the_start_are_both_named(
    planner_client, vendor, dataset, kind
):
    today = timezone.localdate()
    payload = body(
        vendor, dataset, kind, time_zone="Moon/Base", ends_on=str(today - timedelta(days=1))
    )
    payload["starts_on"] = str(today)

    response = planner_client.post("/api/v1/contracts/", payload, format="json")

    assert response.status_code == 400
    assert {"time_zone", "ends_on"} <= set(response.json()["error"]["fields"])


def test_a_collection_contract_names_its_quotas_by_category_key(planner_client, vendor, dataset):
    from datasets import services as dataset_services

    axis = dataset_services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    dataset_services.category_create(axis=axis, name="Shadow", slug="shadow", by=None)
    payload = body(vendor, dataset, None, kind="collection", unit="photo")
    payload["quotas"] = {"capture=shadow": 300}

    response = planner_client.post("/api/v1/contracts/", payload, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["quotas"][0]["key"] == "capture=shadow"
    assert response.json()["quotas"][0]["quantity"] == 300


@pytest.fixture
def two_vendors(dataset, kind):
    a, b = VendorFactory(name="A Labels"), VendorFactory(name="B Labels")
    return {
        "a": contract_for(a, dataset, task_kind=kind, unit_price="0.10", budget="10.00"),
        "b": contract_for(b, dataset, task_kind=kind, unit_price="0.20", budget="10.00"),
        "manager": member_of(a, role=Role.VENDOR_MANAGER),
        "annotator": member_of(a, role=Role.ANNOTATOR),
    }


def test_a_vendor_manager_sees_their_own_contracts_and_404_on_anothers(client, two_vendors):
    client.force_login(two_vendors["manager"])
    own, other = two_vendors["a"], two_vendors["b"]

    listed = client.get("/api/v1/contracts/").json()

    assert [row["id"] for row in listed] == [own.pk]
    assert client.get(f"/api/v1/contracts/{own.pk}/cost/").status_code == 200
    for path in ("", "prices/", "cost/", "price-suggestion/?pilot_batch=1&hourly_rate=1"):
        assert client.get(f"/api/v1/contracts/{other.pk}/{path}").status_code == 404


def test_an_annotator_sees_none_of_the_money_even_of_their_own_vendor(client, two_vendors):
    client.force_login(two_vendors["annotator"])
    own = two_vendors["a"]

    assert client.get("/api/v1/contracts/").status_code == 403
    assert client.get(f"/api/v1/contracts/{own.pk}/").status_code == 404
    assert client.get(f"/api/v1/contracts/{own.pk}/cost/").status_code == 404


def test_a_vendor_manager_cannot_change_their_own_contract(client, two_vendors):
    client.force_login(two_vendors["manager"])
    own = two_vendors["a"]

    response = client.patch(
        f"/api/v1/contracts/{own.pk}/", {"budget": "99.00"}, content_type="application/json"
    )

    assert response.status_code == 403
    own.refresh_from_db()
    assert own.budget == Decimal("10.00")


def test_the_list_filters_by_vendor_and_dataset_in_fixed_queries(
    planner_client, two_vendors, django_assert_max_num_queries
):
    vendor_id = two_vendors["b"].vendor_id

    with django_assert_max_num_queries(6):
        rows = planner_client.get(f"/api/v1/contracts/?vendor={vendor_id}").json()

    assert [row["id"] for row in rows] == [two_vendors["b"].pk]


def test_list_queries_do_not_grow_with_contracts(
    planner_client, dataset, kind, django_assert_max_num_queries
):
    for _ in range(8):
        contract_for(VendorFactory(), dataset, task_kind=kind)

    with django_assert_max_num_queries(6):
        assert len(planner_client.get("/api/v1/contracts/").json()) == 8


def test_a_price_change_shows_both_prices_in_the_history(planner_client, two_vendors):
    contract = two_vendors["a"]
    url = f"/api/v1/contracts/{contract.pk}/prices/"

    response = planner_client.post(url, {"unit_price": "0.20", "note": "December"}, format="json")

    assert response.status_code == 201, response.json()
    prices = planner_client.get(url).json()
    assert [(p["unit_price"], p["currency"]) for p in prices] == [("0.10", "USD"), ("0.20", "USD")]


def test_a_float_price_change_is_refused(planner_client, two_vendors):
    contract = two_vendors["a"]

    response = planner_client.post(
        f"/api/v1/contracts/{contract.pk}/prices/", {"unit_price": 0.2}, format="json"
    )

    assert response.status_code == 400
    assert "unit_price" in response.json()["error"]["fields"]
    assert contract.prices.count() == 1


def test_patching_the_currency_after_lines_exist_is_refused(planner_client, two_vendors):
    contract = two_vendors["a"]
    services.ledger_reserve(contract=contract, batch_ref=1, tasks=1)

    response = planner_client.patch(
        f"/api/v1/contracts/{contract.pk}/", {"currency": "EUR"}, format="json"
    )

    assert response.status_code == 400
    assert "currency" in response.json()["error"]["fields"]


def test_the_cost_endpoint_gives_the_ledgers_numbers(planner_client, two_vendors):
    contract = two_vendors["a"]
    services.ledger_reserve(contract=contract, batch_ref=1, tasks=3)
    services.ledger_accept(contract=contract, task_ref=1, batch_ref=1)
    services.ledger_accept(contract=contract, task_ref=2, batch_ref=1)

    data = planner_client.get(f"/api/v1/contracts/{contract.pk}/cost/").json()

    assert (data["accepted_units"], data["cost"]) == ("2", "0.20")
    assert (data["reserved_units"], data["reserved_amount"]) == ("1", "0.10")
    assert (data["quantity_left"], data["budget_left"]) == ("997", "9.70")
    assert data["burned_percent"] == "2.0"
    assert data["rate"] == "0.14"  # 2 accepted today over 14 days
    assert data["forecast"]["days"] == 6986  # ceil(998 × 14 / 2)


def test_a_price_is_suggested_from_the_pilots_median_active_time(planner_client, two_vendors):
    contract = two_vendors["a"]  # USD per task
    pilot = pilot_batch(contract, seconds=[60, 90, 120, 600])

    response = planner_client.get(
        f"/api/v1/contracts/{contract.pk}/price-suggestion/"
        f"?pilot_batch={pilot.pk}&hourly_rate=18.00"
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["median_seconds"], data["tasks"]) == ("105", 4)
    assert data["unit_price"] == "0.53"  # 18.00 × 105 / 3600 = 0.525 → half up


def test_a_per_region_suggestion_divides_by_the_pilots_regions_per_item(
    planner_client, dataset, kind
):
    contract = contract_for(
        VendorFactory(),
        dataset,
        task_kind=kind,
        unit=Contract.Unit.REGION,
        currency="KRW",
        unit_price="100",
        expected_regions="4",
    )
    pilot = pilot_batch(
        contract,
        seconds=[120, 180, 240],
        statuses=[Task.Status.ACCEPTED, Task.Status.ACCEPTED, Task.Status.SUBMITTED],
        regions=[2, 3, 0],
    )

    data = planner_client.get(
        f"/api/v1/contracts/{contract.pk}/price-suggestion/"
        f"?pilot_batch={pilot.pk}&hourly_rate=12000"
    ).json()

    # median 180 s → 600 won a task; 2.5 regions an item (from the two accepted) → 240
    assert (data["regions_per_item"], data["regions_from"]) == ("2.5", "pilot")
    assert data["unit_price"] == "240"


def test_a_suggestion_without_a_rate_or_with_a_float_rate_is_refused(planner_client, two_vendors):
    contract = two_vendors["a"]
    pilot = pilot_batch(contract, seconds=[60])
    url = f"/api/v1/contracts/{contract.pk}/price-suggestion/?pilot_batch={pilot.pk}"

    assert "hourly_rate" in planner_client.get(url).json()["error"]["fields"]
    refused = planner_client.get(url + "&hourly_rate=18.005").json()
    assert "hourly_rate" in refused["error"]["fields"]


def test_a_pilot_of_another_dataset_is_refused(planner_client, two_vendors, kind):
    other = formula_schema(DatasetFactory())
    other_contract = contract_for(
        two_vendors["a"].vendor, other, task_kind=task_kind_for(other), unit_price="1.00"
    )
    pilot = pilot_batch(other_contract, seconds=[60])

    response = planner_client.get(
        f"/api/v1/contracts/{two_vendors['a'].pk}/price-suggestion/"
        f"?pilot_batch={pilot.pk}&hourly_rate=10.00"
    )

    assert response.status_code == 400
    assert "pilot_batch" in response.json()["error"]["fields"]


def test_a_per_region_suggestion_falls_back_to_the_contracts_expected_regions(
    planner_client, dataset, kind
):
    contract = contract_for(
        VendorFactory(),
        dataset,
        task_kind=kind,
        unit=Contract.Unit.REGION,
        currency="KRW",
        unit_price="100",
        expected_regions="4",
    )
    pilot = pilot_batch(contract, seconds=[300], statuses=[Task.Status.SUBMITTED])

    data = planner_client.get(
        f"/api/v1/contracts/{contract.pk}/price-suggestion/"
        f"?pilot_batch={pilot.pk}&hourly_rate=12000"
    ).json()

    # 300 s → 1000 won a task; no accepted ground truth yet → the contract's 4 regions → 250
    assert (data["regions_per_item"], data["regions_from"]) == ("4", "contract")
    assert data["unit_price"] == "250"
