from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from datasets import services as dataset_services
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.pilots import pilot_batch
from tests.factories.vendors import VendorFactory, contract_for, member_of, task_kind_for
from vendors import services
from vendors.models import Contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    return formula_schema(DatasetFactory(name="Formula photos"))


@pytest.fixture
def kind(dataset):
    return task_kind_for(dataset)


@pytest.fixture
def vendor():
    return VendorFactory(name="Hangul Labels")


def form_body(task_kind, **changes) -> dict:
    today = timezone.localdate()
    fields = {
        "name": "Formula boxes",
        "kind": "labeling",
        "task_kind": task_kind.pk if task_kind else "",
        "unit": "task",
        "currency": "KRW",
        "unit_price": "1200",
        "quantity": "500",
        "budget": "600000",
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=30)),
        "time_zone": "Asia/Seoul",
        "notes": "",
    }
    return {**fields, **changes}


def new_url(vendor, dataset) -> str:
    return f"/labeling/contracts/new/?vendor={vendor.pk}&dataset={dataset.pk}"


def test_the_new_contract_page_asks_for_the_vendor_and_dataset_first(planner_client, vendor):
    response = planner_client.get("/labeling/contracts/new/")

    assert response.status_code == 200
    assert b'id="contract-pick"' in response.content


def test_the_task_kind_select_offers_only_the_datasets_kinds(planner_client, vendor, dataset, kind):
    other = task_kind_for(formula_schema(DatasetFactory()), slug="other-kind")

    response = planner_client.get(new_url(vendor, dataset))

    choices = [value for value, _label in response.context["form"].fields["task_kind"].choices]
    assert kind.pk in [getattr(v, "value", v) for v in choices]
    assert other.pk not in [getattr(v, "value", v) for v in choices]


def test_the_form_refuses_a_task_kind_of_another_dataset_beside_the_field(
    planner_client, vendor, dataset, kind
):
    other = task_kind_for(formula_schema(DatasetFactory()), slug="other-kind")

    response = planner_client.post(new_url(vendor, dataset), form_body(other, vendor=vendor.pk))

    assert response.status_code == 400
    assert "task_kind" in response.context["form"].errors
    assert Contract.objects.count() == 0


def test_a_planner_makes_a_contract_and_lands_on_its_page(planner_client, vendor, dataset, kind):
    response = planner_client.post(new_url(vendor, dataset), form_body(kind, vendor=vendor.pk))

    contract = Contract.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/labeling/contracts/{contract.pk}/"
    assert (contract.unit_price, contract.time_zone) == (Decimal("1200"), "Asia/Seoul")
    page = planner_client.get(response["Location"]).content.decode()
    assert "₩1,200" in page
    assert "₩600,000" in page


def test_twelve_and_a_half_won_is_refused_beside_the_price(planner_client, vendor, dataset, kind):
    response = planner_client.post(
        new_url(vendor, dataset), form_body(kind, vendor=vendor.pk, unit_price="12.5")
    )

    assert response.status_code == 400
    assert "unit_price" in response.context["form"].errors
    assert Contract.objects.count() == 0


def test_a_collection_contract_takes_its_photo_quotas_from_the_form(
    planner_client, vendor, dataset
):
    axis = dataset_services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    shadow = dataset_services.category_create(axis=axis, name="Shadow", slug="shadow", by=None)
    body = form_body(None, vendor=vendor.pk, kind="collection", unit="photo")
    body[f"quota_{shadow.pk}"] = "40"

    response = planner_client.post(new_url(vendor, dataset), body)

    assert response.status_code == 302, response.context["form"].errors
    assert list(Contract.objects.get().quotas.values_list("quantity", flat=True)) == [40]


@pytest.fixture
def world(dataset, kind):
    a, b = VendorFactory(name="A Labels"), VendorFactory(name="B Labels")
    return {
        "a": contract_for(a, dataset, task_kind=kind, unit_price="0.85", budget="100.00"),
        "b": contract_for(b, dataset, task_kind=kind, unit_price="0.85", budget="100.00"),
        "manager": member_of(a, role=Role.VENDOR_MANAGER),
        "annotator": member_of(a, role=Role.ANNOTATOR),
    }


def test_the_contract_page_shows_cost_budget_burned_and_the_forecast(planner_client, world):
    contract = world["a"]
    for ref in range(1, 15):  # 14 accepted today: one a day over the window
        services.ledger_accept(contract=contract, task_ref=ref)

    page = planner_client.get(f"/labeling/contracts/{contract.pk}/").content.decode()

    assert "$11.90" in page  # 14 × 0.85
    assert "Budget burned: 11.9%" in page
    assert "1.00 accepted a day" in page
    assert "take 986 days" in page
    assert f"/vendors/{contract.vendor_id}/statements/" in page


def test_the_contract_page_reads_a_fixed_number_of_queries(
    planner_client, world, django_assert_max_num_queries
):
    contract = world["a"]
    for ref in range(1, 6):
        services.ledger_accept(contract=contract, task_ref=ref)
        services.contract_price_change(contract=contract, unit_price=f"0.{80 + ref}")

    with django_assert_max_num_queries(20):
        response = planner_client.get(f"/labeling/contracts/{contract.pk}/")

    assert response.status_code == 200


def test_the_page_in_korean_shows_korean_headings_and_won(client, make_user, dataset, kind):
    contract = contract_for(
        VendorFactory(), dataset, task_kind=kind, currency="KRW", unit_price="1200", budget="50000"
    )
    client.force_login(make_user(Role.PLANNER))

    page = client.get(
        f"/labeling/contracts/{contract.pk}/", HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()

    assert "가격 이력" in page
    assert "₩1,200" in page


def test_a_vendor_manager_reads_their_own_contract_without_the_planning_aids(client, world):
    client.force_login(world["manager"])

    own = client.get(f"/labeling/contracts/{world['a'].pk}/")
    other = client.get(f"/labeling/contracts/{world['b'].pk}/")

    assert own.status_code == 200
    assert b"planning" not in own.content
    assert other.status_code == 404


def test_an_annotator_gets_404_on_their_own_vendors_contract(client, world):
    client.force_login(world["annotator"])

    assert client.get(f"/labeling/contracts/{world['a'].pk}/").status_code == 404


def test_a_vendor_manager_may_not_change_the_price(client, world):
    client.force_login(world["manager"])
    contract = world["a"]

    response = client.post(f"/labeling/contracts/{contract.pk}/price/", {"unit_price": "9.00"})

    assert response.status_code == 403
    assert contract.prices.count() == 1


def test_a_price_change_shows_both_prices_in_the_history(planner_client, world):
    contract = world["a"]

    response = planner_client.post(
        f"/labeling/contracts/{contract.pk}/price/", {"unit_price": "0.90", "note": "Harder"}
    )

    assert response.status_code == 302
    page = planner_client.get(f"/labeling/contracts/{contract.pk}/").content.decode()
    assert "$0.85" in page and "$0.90" in page and "Harder" in page


def test_a_bad_price_re_renders_the_page_with_the_error_beside_the_field(planner_client, world):
    contract = world["a"]

    response = planner_client.post(
        f"/labeling/contracts/{contract.pk}/price/", {"unit_price": "0.855"}
    )

    assert response.status_code == 400
    assert "unit_price" in response.context["price_form"].errors
    assert contract.prices.count() == 1


def test_the_page_suggests_a_price_from_a_pilot_batch(planner_client, world):
    contract = world["a"]
    pilot = pilot_batch(contract, seconds=[60, 90, 120, 600])

    page = planner_client.get(
        f"/labeling/contracts/{contract.pk}/?pilot_batch={pilot.pk}&hourly_rate=18.00"
    ).content.decode()

    assert "suggested unit price $0.53" in page


def test_the_page_shows_what_a_budget_buys_of_the_quota_gaps(planner_client, world, dataset):
    axis = dataset_services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    for slug, target in (("shadow", 300), ("highlighter", 100)):
        dataset_services.category_create(
            axis=axis, name=slug.title(), slug=slug, quota_target=target, by=None
        )
    contract = world["a"]  # $0.85 a task

    response = planner_client.get(f"/labeling/contracts/{contract.pk}/?budget=170.00&axis=capture")

    split = response.context["split"]
    assert [row["quantity"] for row in split["rows"]] == [150, 50]  # 200 of 400
    assert split["leftover"] == Decimal("0.00")
    assert "Left over: $0.00" in response.content.decode()


def test_editing_the_budget_below_what_is_spent_is_refused(planner_client, world):
    contract = world["a"]
    services.ledger_accept(contract=contract, task_ref=1)
    body = {
        "name": contract.name,
        "quantity": contract.quantity,
        "budget": "0.50",
        "starts_on": str(contract.starts_on),
        "ends_on": str(contract.ends_on),
        "expected_regions": "",
        "time_zone": contract.time_zone,
        "notes": "",
    }

    response = planner_client.post(f"/labeling/contracts/{contract.pk}/edit/", body)

    assert response.status_code == 400
    assert "budget" in response.context["form"].errors
    contract.refresh_from_db()
    assert contract.budget == Decimal("100.00")


def test_a_planner_edits_the_terms(planner_client, world):
    contract = world["a"]
    body = {
        "name": "Renamed",
        "quantity": 2000,
        "budget": "150.00",
        "starts_on": str(contract.starts_on),
        "ends_on": str(contract.ends_on),
        "expected_regions": "",
        "time_zone": "Asia/Seoul",
        "notes": "Second round",
    }

    response = planner_client.post(f"/labeling/contracts/{contract.pk}/edit/", body)

    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.name, contract.budget, contract.notes) == (
        "Renamed",
        Decimal("150.00"),
        "Second round",
    )


def test_closing_a_contract_then_closing_it_again_is_refused(planner_client, world):
    contract = world["a"]

    first = planner_client.post(f"/labeling/contracts/{contract.pk}/close/")
    again = planner_client.post(f"/labeling/contracts/{contract.pk}/close/")

    assert first.status_code == 302
    assert again.status_code == 409
    contract.refresh_from_db()
    assert contract.closed_at is not None


def test_the_contract_list_shows_every_vendors_contracts_with_totals_per_currency(
    planner_client, world, dataset, kind, django_assert_max_num_queries
):
    won = contract_for(
        VendorFactory(name="C Labels"), dataset, task_kind=kind, currency="KRW", budget="50000"
    )
    services.ledger_accept(contract=world["a"], task_ref=1)

    with django_assert_max_num_queries(12):
        response = planner_client.get("/labeling/contracts/")

    page = response.content.decode()
    assert [row["contract"].pk for row in response.context["rows"]] == [
        world["a"].pk,
        world["b"].pk,
        won.pk,
    ]
    assert [currency for currency, _total in response.context["totals"]] == ["KRW", "USD"]
    assert "$199.15" in page  # USD budget left: 100 + 100 − 0.85
    assert "₩50,000" in page


def test_a_vendor_manager_lists_only_their_own_contracts(client, world):
    client.force_login(world["manager"])

    rows = client.get("/labeling/contracts/").context["rows"]

    assert [row["contract"].pk for row in rows] == [world["a"].pk]


def test_annotators_have_no_contract_list(client, world):
    client.force_login(world["annotator"])

    assert client.get("/labeling/contracts/").status_code == 403
