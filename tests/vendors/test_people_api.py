"""The API of vendors and their people: /api/v1/vendors/…"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories.accounts import UserFactory
from tests.factories.vendors import VendorFactory, member_of
from vendors import services
from vendors.models import Invite, Member, Vendor


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def vendor(db):
    return VendorFactory(name="Acme", notes="Slow on rework.")


@pytest.fixture
def manager(vendor):
    return member_of(vendor, role=Role.VENDOR_MANAGER)


@pytest.fixture
def other_manager(db):
    return member_of(VendorFactory(name="Other"), role=Role.VENDOR_MANAGER)


def test_a_planner_creates_a_vendor(planner_client):
    response = planner_client.post(
        "/api/v1/vendors/", {"name": "Acme", "contacts": "ops@acme.test"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["contacts"], body["closed"]) == ("Acme", "ops@acme.test", False)
    assert Vendor.objects.get().created_by == planner_client.user


def test_a_duplicate_vendor_name_is_a_400_beside_the_field(planner_client, vendor):
    response = planner_client.post("/api/v1/vendors/", {"name": "ACME"}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "duplicate_name" and "name" in error["fields"]
    assert Vendor.objects.count() == 1


def test_the_vendor_list_shows_a_manager_only_their_own_company(manager, other_manager):
    response = _client(manager).get("/api/v1/vendors/")

    assert [row["name"] for row in response.json()["results"]] == ["Acme"]


def test_the_vendor_list_takes_a_fixed_number_of_queries(planner_client):
    for _n in range(3):
        VendorFactory()
    with CaptureQueriesContext(connection) as few:
        planner_client.get("/api/v1/vendors/")
    for _n in range(10):
        VendorFactory()

    with CaptureQueriesContext(connection) as many:
        response = planner_client.get("/api/v1/vendors/")

    assert len(response.json()["results"]) == 13
    assert len(many) == len(few)


def test_a_vendor_manager_does_not_read_the_planners_notes(manager, vendor):
    body = _client(manager).get(f"/api/v1/vendors/{vendor.pk}/").json()

    assert body["name"] == "Acme" and body["notes"] is None


def test_a_manager_of_another_vendor_gets_404_on_every_object_of_this_one(
    vendor, manager, other_manager
):
    annotator = member_of(vendor, role=Role.ANNOTATOR)
    invite, _key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=manager)
    client = _client(other_manager)
    base = f"/api/v1/vendors/{vendor.pk}"
    member = f"{base}/members/{annotator.vendor_member.pk}/"

    answers = [
        client.get(f"{base}/").status_code,
        client.patch(f"{base}/", {"name": "Mine"}, format="json").status_code,
        client.get(f"{base}/members/").status_code,
        client.get(member).status_code,
        client.patch(member, {"active": False}, format="json").status_code,
        client.get(f"{base}/invites/").status_code,
        client.post(f"{base}/invites/", {"role": "annotator"}, format="json").status_code,
        client.get(f"{base}/invites/{invite.pk}/").status_code,
        client.delete(f"{base}/invites/{invite.pk}/").status_code,
        client.post(f"{base}/close/").status_code,
    ]

    assert answers == [404] * len(answers)
    invite.refresh_from_db()
    annotator.refresh_from_db()
    assert invite.revoked_at is None and annotator.is_active
    assert Invite.objects.count() == 1


def test_a_vendor_manager_invites_an_annotator_and_sees_the_link_once(manager, vendor):
    client = _client(manager)

    response = client.post(
        f"/api/v1/vendors/{vendor.pk}/invites/",
        {"role": "annotator", "email": "kim@acme.test"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["url"].endswith(f"/vendors/join/{body['key']}/")
    assert body["invite"]["state"] == "open"
    shown = client.get(f"/api/v1/vendors/{vendor.pk}/invites/{body['invite']['id']}/").json()
    assert "key" not in shown and body["key"] not in str(shown)
    assert services.invite_for_key(key=body["key"]).email == "kim@acme.test"


def test_a_vendor_manager_inviting_a_manager_is_refused(manager, vendor):
    response = _client(manager).post(
        f"/api/v1/vendors/{vendor.pk}/invites/", {"role": "vendor_manager"}, format="json"
    )

    assert response.status_code == 403
    assert "planner" in response.json()["error"]["message"]
    assert not Invite.objects.exists()


def test_a_planner_invites_a_vendors_first_manager(planner_client, vendor):
    response = planner_client.post(
        f"/api/v1/vendors/{vendor.pk}/invites/", {"role": "vendor_manager"}, format="json"
    )

    assert response.status_code == 201
    assert Invite.objects.get().role == Role.VENDOR_MANAGER


def test_an_invite_for_an_unknown_role_is_a_400(planner_client, vendor):
    response = planner_client.post(
        f"/api/v1/vendors/{vendor.pk}/invites/", {"role": "planner"}, format="json"
    )

    assert response.status_code == 400
    assert "role" in response.json()["error"]["fields"]
    assert not Invite.objects.exists()


def test_revoking_an_invite_through_the_api(manager, vendor):
    invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=manager)

    response = _client(manager).delete(f"/api/v1/vendors/{vendor.pk}/invites/{invite.pk}/")

    assert response.status_code == 200 and response.json()["state"] == "revoked"


def test_a_used_invite_cannot_be_revoked(manager, vendor):
    invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=manager)
    services.invite_accept(key=key, username="kim", password="a-long-enough-passphrase-9")

    response = _client(manager).delete(f"/api/v1/vendors/{vendor.pk}/invites/{invite.pk}/")

    assert response.status_code == 409
    invite.refresh_from_db()
    assert invite.revoked_at is None


def test_a_vendor_manager_deactivates_an_annotator_of_their_vendor(manager, vendor):
    annotator = member_of(vendor, role=Role.ANNOTATOR)
    url = f"/api/v1/vendors/{vendor.pk}/members/{annotator.vendor_member.pk}/"

    response = _client(manager).patch(url, {"active": False}, format="json")

    assert response.status_code == 200
    assert response.json()["active"] is False
    annotator.refresh_from_db()
    assert not annotator.is_active


def test_a_vendor_manager_cannot_deactivate_another_manager(manager, vendor):
    second = member_of(vendor, role=Role.VENDOR_MANAGER)
    url = f"/api/v1/vendors/{vendor.pk}/members/{second.vendor_member.pk}/"

    response = _client(manager).patch(url, {"active": False}, format="json")

    assert response.status_code == 403
    second.refresh_from_db()
    assert second.is_active and second.vendor_member.deactivated_at is None


def test_a_vendor_manager_cannot_deactivate_themselves(manager, vendor):
    url = f"/api/v1/vendors/{vendor.pk}/members/{manager.vendor_member.pk}/"

    response = _client(manager).patch(url, {"active": False}, format="json")

    assert response.status_code == 403
    manager.refresh_from_db()
    assert manager.is_active


def test_a_planner_deactivates_a_vendor_manager(planner_client, manager, vendor):
    url = f"/api/v1/vendors/{vendor.pk}/members/{manager.vendor_member.pk}/"

    response = planner_client.patch(url, {"active": False}, format="json")

    assert response.status_code == 200
    assert Member.objects.get(pk=manager.vendor_member.pk).deactivated_by == planner_client.user


def test_a_member_is_not_reactivated_through_the_api(planner_client, vendor):
    annotator = member_of(vendor, role=Role.ANNOTATOR)
    url = f"/api/v1/vendors/{vendor.pk}/members/{annotator.vendor_member.pk}/"

    response = planner_client.patch(url, {"active": True}, format="json")

    assert response.status_code == 400
    assert "active" in response.json()["error"]["fields"]


def test_the_member_list_takes_a_fixed_number_of_queries(manager, vendor):
    client = _client(manager)
    member_of(vendor)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/api/v1/vendors/{vendor.pk}/members/")
    for _n in range(6):
        member_of(vendor)

    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/api/v1/vendors/{vendor.pk}/members/")

    assert len(response.json()["results"]) == 8
    assert len(many) == len(few)


def test_an_annotator_manages_nothing_of_their_own_vendor(vendor):
    annotator = member_of(vendor, role=Role.ANNOTATOR)
    client = _client(annotator)

    members = client.get(f"/api/v1/vendors/{vendor.pk}/members/")
    invite = client.post(
        f"/api/v1/vendors/{vendor.pk}/invites/", {"role": "annotator"}, format="json"
    )

    assert (members.status_code, invite.status_code) == (403, 403)
    assert not Invite.objects.exists()


def test_closing_a_vendor_through_the_api(planner_client, vendor):
    response = planner_client.post(f"/api/v1/vendors/{vendor.pk}/close/")

    assert response.status_code == 200 and response.json()["closed"] is True


def test_a_trainer_token_sees_no_vendor(db, vendor):
    from accounts import services as account_services

    trainer = UserFactory(role=Role.TRAINER)
    key = account_services.token_create(user=trainer, name="t").key
    client = APIClient()

    response = client.get(f"/api/v1/vendors/{vendor.pk}/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 404


def test_the_invite_list_takes_a_fixed_number_of_queries(manager, vendor):
    client = _client(manager)
    services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=manager)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/api/v1/vendors/{vendor.pk}/invites/")
    for _n in range(5):
        invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=manager)
    services.invite_accept(key=key, username="kim", password="a-long-enough-passphrase-9")

    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/api/v1/vendors/{vendor.pk}/invites/")

    assert len(response.json()["results"]) == 6
    assert len(many) == len(few)
