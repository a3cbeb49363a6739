"""API tokens: named, shown once, stored hashed, revocable."""

import hashlib

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role

pytestmark = pytest.mark.django_db


def _create(client, name="training job") -> dict:
    response = client.post("/api/v1/tokens/", {"name": name}, format="json")
    assert response.status_code == 201
    return response.json()


def test_token_authenticates_api_requests(client_for):
    created = _create(client_for(Role.TRAINER))
    bare = APIClient()

    response = bare.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {created['key']}")

    assert response.status_code == 200
    assert response.json()["role"] == Role.TRAINER


def test_bearer_keyword_also_works(client_for):
    created = _create(client_for(Role.TRAINER))

    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {created['key']}")

    assert response.status_code == 200


def test_token_is_never_stored_in_clear(client_for):
    created = _create(client_for(Role.TRAINER))
    row = ApiToken.objects.get(pk=created["id"])

    stored = " ".join(str(value) for value in row.__dict__.values())

    assert created["key"] not in stored
    assert row.key_hash == hashlib.sha256(created["key"].encode()).hexdigest()
    assert "key" not in APIClient().get("/api/v1/tokens/").json().get("results", [{}])[0:1]


def test_revoked_token_is_refused(client_for):
    owner = client_for(Role.TRAINER)
    created = _create(owner)
    owner.delete(f"/api/v1/tokens/{created['id']}/")

    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {created['key']}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_wrong_secret_with_a_real_prefix_is_refused(client_for):
    created = _create(client_for(Role.TRAINER))
    forged = created["key"][:-4] + "AAAA"

    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {forged}")

    assert response.status_code == 401


def test_a_user_cannot_revoke_another_users_token(client_for):
    created = _create(client_for(Role.TRAINER))
    other = client_for(Role.TRAINER)

    response = other.delete(f"/api/v1/tokens/{created['id']}/")

    assert response.status_code == 404
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is None


def test_token_without_a_name_is_refused(client_for):
    response = client_for(Role.TRAINER).post("/api/v1/tokens/", {"name": " "}, format="json")

    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]
    assert ApiToken.objects.count() == 0


def test_token_page_creates_shows_once_and_revokes(make_user):
    user = make_user(Role.TRAINER)
    page = Client()
    page.force_login(user)

    created = page.post("/accounts/tokens/", {"name": "nightly export"})
    key = created.context["issued"].key
    again = page.get("/accounts/tokens/")
    token = ApiToken.objects.get(user=user)
    page.post(f"/accounts/tokens/{token.id}/revoke/")

    assert key in created.content.decode()
    assert key not in again.content.decode()
    assert "Authorization: Token gw_…" in again.content.decode()
    assert "nightly export" in again.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
