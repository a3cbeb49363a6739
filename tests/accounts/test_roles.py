"""The authorization matrix: every URL × every role. Refusals are 403/404, never 500."""

import pytest
from django.test import Client

from accounts.models import Role
from tests.factories.datasets import DatasetFactory

pytestmark = pytest.mark.django_db

STAFF = "staff"
ALL = {*Role.values, STAFF}
IN_HOUSE_READERS = {Role.PLANNER, Role.REVIEWER, Role.TRAINER, STAFF}

# (path, roles that get 200; everyone else is refused)
PAGES = [
    ("/", ALL),
    ("/datasets/", IN_HOUSE_READERS),
    ("/datasets/{dataset}/", IN_HOUSE_READERS),
    ("/datasets/new/", {Role.PLANNER, STAFF}),
    ("/datasets/{dataset}/edit/", {Role.PLANNER, STAFF}),
    ("/datasets/{dataset}/history/", IN_HOUSE_READERS),
    ("/datasets/{dataset}/decisions/", IN_HOUSE_READERS),
    ("/guides/", {Role.PLANNER, Role.REVIEWER, Role.ANNOTATOR, Role.VENDOR_MANAGER, STAFF}),
    ("/vendors/", {Role.PLANNER, Role.VENDOR_MANAGER, STAFF}),
    ("/labeling/tasks/", {Role.ANNOTATOR}),
    ("/labeling/review/", {Role.REVIEWER, STAFF}),
    ("/accounts/tokens/", ALL),
    ("/admin/", {STAFF}),
    ("/api/docs/", ALL),
    ("/api/schema/", ALL),
    ("/datasets/{dataset}/coverage/", IN_HOUSE_READERS),
    ("/datasets/{dataset}/coverage.csv", IN_HOUSE_READERS),
    ("/datasets/{dataset}/items/", IN_HOUSE_READERS),
    ("/datasets/{dataset}/schema/", IN_HOUSE_READERS),
    ("/datasets/{dataset}/stages/", IN_HOUSE_READERS),
    ("/datasets/{dataset}/exports/", IN_HOUSE_READERS),
]
API_GETS = [
    ("/api/v1/datasets/{dataset}/items/", IN_HOUSE_READERS),
    ("/api/v1/datasets/{dataset}/coverage/", IN_HOUSE_READERS),
    ("/api/v1/datasets/{dataset}/splits/", IN_HOUSE_READERS),
    ("/api/v1/me/", ALL),
    ("/api/v1/tokens/", ALL),
    ("/api/v1/datasets/", ALL),  # a list: each role sees what is visible to it
    ("/api/v1/datasets/{dataset}/", IN_HOUSE_READERS),
    ("/api/v1/datasets/{dataset}/axes/", IN_HOUSE_READERS),
    ("/api/v1/datasets/{dataset}/spec-history/", IN_HOUSE_READERS),
    ("/api/v1/datasets/{dataset}/exports/", IN_HOUSE_READERS),
    ("/api/v1/datasets/{dataset}/spec-history/compare/?from=1&to=1", IN_HOUSE_READERS),
    ("/api/v1/datasets/{dataset}/decisions/", IN_HOUSE_READERS),
    ("/api/v1/datasets/{dataset}/cell-quotas/", IN_HOUSE_READERS),
    ("/api/v1/datasets/{dataset}/schema/", IN_HOUSE_READERS),
    ("/api/v1/datasets/{dataset}/stages/", IN_HOUSE_READERS),
]


def _client(make_user, role: str) -> Client:
    client = Client()
    user = make_user("", is_staff=True) if role == STAFF else make_user(role)
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(
    ("path", "allowed"), PAGES + API_GETS, ids=[p for p, _ in PAGES + API_GETS]
)
def test_each_role_reaches_its_pages_and_is_refused_elsewhere(make_user, role, path, allowed):
    dataset = DatasetFactory()
    client = _client(make_user, role)

    response = client.get(path.format(dataset=dataset.id))

    if role in allowed:
        assert response.status_code == 200
    else:
        assert response.status_code in {302, 403, 404}
        if response.status_code == 302:  # the admin sends non-staff to its own login page
            assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("path", [p for p, _ in PAGES[1:]])
def test_anonymous_visitor_is_sent_to_sign_in(db, path):
    response = Client().get(path.format(dataset=1))

    assert response.status_code in {200, 302}
    if response.status_code == 302:
        assert "login" in response["Location"]


def test_dataset_list_api_is_empty_for_vendor_roles(make_user):
    DatasetFactory()
    for role in (Role.ANNOTATOR, Role.VENDOR_MANAGER):
        client = _client(make_user, role)

        assert client.get("/api/v1/datasets/").json()["results"] == []


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER, Role.ANNOTATOR, Role.VENDOR_MANAGER])
def test_only_planners_create_datasets(make_user, role):
    client = _client(make_user, role)

    response = client.post("/api/v1/datasets/", {"name": "Mine"}, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_planner_creates_and_edits_a_dataset(make_user):
    client = _client(make_user, Role.PLANNER)

    created = client.post(
        "/api/v1/datasets/", {"name": "Receipts"}, content_type="application/json"
    )
    edited = client.patch(
        f"/api/v1/datasets/{created.json()['id']}/",
        {"description": "Shop receipts"},
        content_type="application/json",
    )

    assert created.status_code == 201
    assert edited.json()["description"] == "Shop receipts"


def test_navigation_shows_only_the_rooms_of_the_role(make_user):
    annotator = _client(make_user, Role.ANNOTATOR)

    html = annotator.get("/").content.decode()

    assert "/labeling/tasks/" in html
    assert "/datasets/" not in html
    assert "/vendors/" not in html
