"""The batches and task kinds API: cut, preview, list, progress, cancel; vendors see theirs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from labeling.models import Batch
from tests.factories.labeling import cut
from tests.factories.vendors import VendorFactory, member_of

pytestmark = pytest.mark.django_db

DUE = (timezone.localdate() + timedelta(days=5)).isoformat()


def test_a_planner_previews_and_cuts_over_the_api(floor, planner_client):
    body = {
        "task_kind": floor.formula.pk,
        "contract": floor.contract.pk,
        "vendor": floor.vendor.pk,
        "need": {"capture=shadow": 6, "capture=highlighter": None},
        "filters": ["writing=handwritten"],
    }
    preview = planner_client.post(
        f"/api/v1/datasets/{floor.dataset.pk}/batches/preview/", body, format="json"
    )
    assert preview.status_code == 200, preview.json()
    data = preview.json()

    response = planner_client.post(
        f"/api/v1/datasets/{floor.dataset.pk}/batches/",
        {**body, "seed": data["seed"], "due_on": DUE, "name": "Shadow pilot"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    batch = response.json()
    assert batch["size"] == data["total"] == 6 + 25
    assert batch["progress"]["statuses"]["open"] == 31
    assert {row["key"] for row in batch["progress"]["categories"]} == {
        "capture=shadow",
        "capture=highlighter",
    }


def test_a_json_float_count_is_refused(floor, planner_client):
    response = planner_client.post(
        f"/api/v1/datasets/{floor.dataset.pk}/batches/preview/",
        {"task_kind": floor.formula.pk, "need": {"capture=shadow": 2.5}},
        format="json",
    )

    assert response.status_code == 400


def test_a_contract_of_another_vendor_is_refused(floor, planner_client):
    response = planner_client.post(
        f"/api/v1/datasets/{floor.dataset.pk}/batches/",
        {
            "task_kind": floor.formula.pk,
            "contract": floor.contract.pk,
            "vendor": VendorFactory().pk,
            "need": {"capture=shadow": 2},
            "due_on": DUE,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "contract_other_vendor"
    assert not Batch.objects.exists()


def test_a_vendor_sees_its_own_batch_and_not_another_vendors(floor, client_for):
    batch = cut(floor, {"capture=shadow": 2})
    own = client_for(Role.VENDOR_MANAGER)
    member_of(floor.vendor, role=Role.VENDOR_MANAGER, user=own.user)
    other = client_for(Role.VENDOR_MANAGER)
    member_of(VendorFactory(), role=Role.VENDOR_MANAGER, user=other.user)

    assert own.get(f"/api/v1/batches/{batch.pk}/").status_code == 200
    assert own.get(f"/api/v1/datasets/{floor.dataset.pk}/batches/").json()[0]["id"] == batch.pk
    assert other.get(f"/api/v1/batches/{batch.pk}/").status_code == 404
    assert other.get(f"/api/v1/datasets/{floor.dataset.pk}/batches/").status_code == 404
    assert own.post(f"/api/v1/batches/{batch.pk}/cancel/").status_code == 403
    assert other.post(f"/api/v1/batches/{batch.pk}/cancel/").status_code == 404


def test_the_list_reads_a_fixed_number_of_queries(
    floor, planner_client, django_assert_max_num_queries
):
    for _ in range(4):
        cut(floor, {"capture=shadow": 2})

    with django_assert_max_num_queries(8):
        response = planner_client.get(
            f"/api/v1/datasets/{floor.dataset.pk}/batches/?status=open&vendor={floor.vendor.pk}"
        )

    assert len(response.json()) == 4


def test_cancel_over_the_api_frees_the_batch(floor, planner_client):
    batch = cut(floor, {"capture=shadow": 3})

    response = planner_client.post(f"/api/v1/batches/{batch.pk}/cancel/")

    assert response.status_code == 200
    assert response.json()["cancelled"] == 3
    assert response.json()["batch"]["status"] == "cancelled"


def test_task_kinds_are_created_by_slug_over_the_api(floor, planner_client):
    response = planner_client.post(
        f"/api/v1/datasets/{floor.dataset.pk}/task-kinds/",
        {
            "name": "Type LaTeX",
            "slug": "latex",
            "types": ["formula"],
            "attributes": ["formula.latex", "handwritten"],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["attributes"] == ["formula.latex", "formula.handwritten"]
    listed = planner_client.get(f"/api/v1/datasets/{floor.dataset.pk}/task-kinds/").json()
    assert [kind["slug"] for kind in listed] == ["formula", "char", "latex"]
    kind_id = response.json()["id"]
    patched = planner_client.patch(
        f"/api/v1/datasets/{floor.dataset.pk}/task-kinds/{kind_id}/",
        {"name": "Type the LaTeX"},
        format="json",
    )
    assert patched.json()["name"] == "Type the LaTeX"
