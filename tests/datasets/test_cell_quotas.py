"""Cell quotas: a target on two categories of different axes, versioned like the taxonomy."""

import pytest

from accounts.models import Role
from core.errors import DomainError
from datasets import services
from datasets.models import CellQuota, SpecChange
from tests.factories.datasets import DatasetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxonomy(dataset):
    capture = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    writing = services.axis_create(dataset=dataset, name="Writing", slug="writing", by=None)
    return {
        "shadow": services.category_create(axis=capture, name="Shadow", slug="shadow", by=None),
        "clean": services.category_create(axis=capture, name="Clean", slug="clean", by=None),
        "hand": services.category_create(axis=writing, name="Handwritten", slug="hand", by=None),
    }


def _version(dataset) -> int:
    dataset.refresh_from_db()
    return dataset.spec_version


def _post(client, dataset, first="capture=shadow", second="writing=hand", quota=40, **extra):
    return client.post(
        f"/api/v1/datasets/{dataset.id}/cell-quotas/",
        {"first": first, "second": second, "quota_target": quota, **extra},
        format="json",
    )


def test_setting_a_cell_quota_raises_the_version_and_names_who_and_what(
    planner_client, dataset, taxonomy
):
    version = _version(dataset)

    response = _post(planner_client, dataset)

    assert response.status_code == 201
    assert response.json()["quota_target"] == 40
    assert _version(dataset) == version + 1
    change = SpecChange.objects.get(dataset=dataset, version=version + 1)
    assert change.changed_by == planner_client.user
    assert change.change["kind"] == "cell_quota_set"
    assert {change.change["first"], change.change["second"]} == {"capture=shadow", "writing=hand"}
    assert change.change["after"] == {"quota_target": 40, "decision": None}
    assert "40" in change.summary


def test_the_pair_is_stored_in_id_order_whichever_way_it_is_given(dataset, taxonomy):
    cell = services.cell_quota_set(
        dataset=dataset, first=taxonomy["hand"], second=taxonomy["shadow"], quota_target=5, by=None
    )

    assert (cell.first, cell.second) == (taxonomy["shadow"], taxonomy["hand"])


def test_setting_an_existing_pair_updates_it(planner_client, dataset, taxonomy):
    _post(planner_client, dataset, quota=40)
    version = _version(dataset)

    response = _post(
        planner_client, dataset, first="writing=hand", second="capture=shadow", quota=60
    )

    assert response.status_code == 201
    assert CellQuota.objects.get().quota_target == 60
    assert _version(dataset) == version + 1
    latest = SpecChange.objects.get(dataset=dataset, version=version + 1)
    assert latest.change["before"] == {"quota_target": 40, "decision": None}


def test_setting_the_same_quota_again_is_not_a_change(planner_client, dataset, taxonomy):
    _post(planner_client, dataset, quota=40)
    version = _version(dataset)

    _post(planner_client, dataset, quota=40)

    assert _version(dataset) == version


def test_linking_a_cell_to_a_decision_is_a_spec_change(planner_client, dataset, taxonomy):
    decision = services.decision_create(dataset=dataset, question="Shadows on paper?", by=None)
    _post(planner_client, dataset, quota=40)
    version = _version(dataset)

    response = _post(planner_client, dataset, quota=40, decision=decision.id)

    assert response.json()["decision"] == {"id": decision.id, "question": decision.question}
    assert _version(dataset) == version + 1
    assert CellQuota.objects.get().decision == decision


def test_cells_of_one_axis_are_refused_and_nothing_changes(planner_client, dataset, taxonomy):
    version = _version(dataset)

    response = _post(planner_client, dataset, first="capture=shadow", second="capture=clean")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "same_axis"
    assert "capture=clean" in response.json()["error"]["message"]
    assert not CellQuota.objects.exists()
    assert _version(dataset) == version


@pytest.mark.parametrize("key", ["capture=glare", "lighting=shadow", "shadow"])
def test_an_unknown_category_is_refused_by_name(planner_client, dataset, taxonomy, key):
    version = _version(dataset)

    response = _post(planner_client, dataset, second=key)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_category"
    assert key in response.json()["error"]["message"]
    assert response.json()["error"]["fields"] == {"second": "No such category."}
    assert not CellQuota.objects.exists()
    assert _version(dataset) == version


def test_a_category_of_another_dataset_is_refused_by_the_service(dataset, taxonomy):
    other = DatasetFactory()
    axis = services.axis_create(dataset=other, name="Writing", slug="writing", by=None)
    foreign = services.category_create(axis=axis, name="Printed", slug="printed", by=None)

    with pytest.raises(DomainError) as refused:
        services.cell_quota_set(
            dataset=dataset, first=taxonomy["shadow"], second=foreign, quota_target=5, by=None
        )

    assert refused.value.code == "unknown_category"
    assert not CellQuota.objects.exists()


def test_a_negative_quota_is_refused(planner_client, dataset, taxonomy):
    response = _post(planner_client, dataset, quota=-1)

    assert response.status_code == 400
    assert "quota_target" in response.json()["error"]["fields"]
    assert not CellQuota.objects.exists()


def test_a_decision_of_another_dataset_is_refused(planner_client, dataset, taxonomy):
    foreign = services.decision_create(dataset=DatasetFactory(), question="Elsewhere?", by=None)
    version = _version(dataset)

    response = _post(planner_client, dataset, decision=foreign.id)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_decision"
    assert not CellQuota.objects.exists()
    assert _version(dataset) == version


def test_deleting_a_cell_quota_raises_the_version(planner_client, dataset, taxonomy):
    cell_id = _post(planner_client, dataset).json()["id"]
    version = _version(dataset)

    response = planner_client.delete(f"/api/v1/datasets/{dataset.id}/cell-quotas/{cell_id}/")

    assert response.status_code == 204
    assert not CellQuota.objects.exists()
    assert _version(dataset) == version + 1
    change = SpecChange.objects.get(dataset=dataset, version=version + 1)
    assert change.change["kind"] == "cell_quota_deleted"
    assert change.changed_by == planner_client.user
    assert change.snapshot["cells"] == []


def test_cell_quotas_are_listed_by_category_names(client_for, dataset, taxonomy):
    services.cell_quota_set(
        dataset=dataset, first=taxonomy["shadow"], second=taxonomy["hand"], quota_target=5, by=None
    )

    listed = client_for(Role.TRAINER).get(f"/api/v1/datasets/{dataset.id}/cell-quotas/")

    assert listed.status_code == 200
    assert [(c["first"], c["second"], c["quota_target"]) for c in listed.json()] == [
        ("capture=shadow", "writing=hand", 5)
    ]


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
def test_readers_cannot_set_or_delete_cell_quotas(client_for, dataset, taxonomy, role):
    cell = services.cell_quota_set(
        dataset=dataset, first=taxonomy["shadow"], second=taxonomy["hand"], quota_target=5, by=None
    )
    client = client_for(role)

    set_refused = _post(client, dataset, quota=99)
    delete_refused = client.delete(f"/api/v1/datasets/{dataset.id}/cell-quotas/{cell.id}/")

    assert (set_refused.status_code, delete_refused.status_code) == (403, 403)
    assert CellQuota.objects.get().quota_target == 5


def test_an_unknown_dataset_or_cell_is_404(planner_client, dataset, taxonomy):
    assert _post(planner_client, DatasetFactory.build(id=999999)).status_code == 404
    missing = planner_client.delete(f"/api/v1/datasets/{dataset.id}/cell-quotas/999999/")
    assert missing.status_code == 404


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.VENDOR_MANAGER])
def test_vendor_roles_do_not_see_cell_quotas(client_for, dataset, role):
    assert client_for(role).get(f"/api/v1/datasets/{dataset.id}/cell-quotas/").status_code == 404


def test_the_cell_quota_list_costs_the_same_queries_however_many_cells(
    planner_client, dataset, taxonomy
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            planner_client.get(f"/api/v1/datasets/{dataset.id}/cell-quotas/")
        return len(queries)

    services.cell_quota_set(
        dataset=dataset, first=taxonomy["shadow"], second=taxonomy["hand"], quota_target=5, by=None
    )
    one = count()
    services.cell_quota_set(
        dataset=dataset, first=taxonomy["clean"], second=taxonomy["hand"], quota_target=5, by=None
    )

    assert count() == one
