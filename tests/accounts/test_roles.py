"""Roles beyond the authorization matrix (tests/test_authorization.py): what each one sees."""

import pytest

from accounts.models import Role
from tests.factories.datasets import DatasetFactory

pytestmark = pytest.mark.django_db


def test_dataset_list_api_is_empty_for_vendor_roles(client_for):
    DatasetFactory()
    for role in (Role.ANNOTATOR, Role.VENDOR_MANAGER):
        client = client_for(role)

        assert client.get("/api/v1/datasets/").json()["results"] == []


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER, Role.ANNOTATOR, Role.VENDOR_MANAGER])
def test_only_planners_create_datasets(client_for, role):
    client = client_for(role)

    response = client.post("/api/v1/datasets/", {"name": "Mine"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_planner_creates_and_edits_a_dataset(client_for):
    client = client_for(Role.PLANNER)

    created = client.post("/api/v1/datasets/", {"name": "Receipts"}, format="json")
    edited = client.patch(
        f"/api/v1/datasets/{created.json()['id']}/", {"description": "Shop receipts"}, format="json"
    )

    assert created.status_code == 201
    assert edited.json()["description"] == "Shop receipts"


def test_navigation_shows_only_the_rooms_of_the_role(client_for):
    annotator = client_for(Role.ANNOTATOR)

    html = annotator.get("/").content.decode()

    assert "/labeling/tasks/" in html
    assert "/datasets/" not in html
    assert "/vendors/" not in html
