"""The pages of vendors and their people: a company, its members and invites, sign-up."""

import re

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Role, User
from tests.factories.accounts import UserFactory
from tests.factories.vendors import VendorFactory, member_of
from vendors import services
from vendors.models import Invite, Vendor

PASSWORD = "a-long-enough-passphrase-9"
#: What a hostile vendor writes into every free-text field.
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _client(user, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def planner(db):
    return UserFactory(role=Role.PLANNER)


@pytest.fixture
def vendor(planner):
    return services.vendor_create(
        name="Acme", contacts="ops@acme.test\n010-1234", notes="Fast.", by=planner
    )


@pytest.fixture
def manager(vendor):
    return member_of(vendor, role=Role.VENDOR_MANAGER)


def test_a_planner_creates_a_vendor_from_the_form(planner):
    response = _client(planner).post(
        "/vendors/new/", {"name": "Bright", "contacts": "a@b.test", "notes": ""}
    )

    vendor = Vendor.objects.get(name="Bright")
    assert response.status_code == 302
    assert response["Location"] == f"/vendors/{vendor.pk}/"


def test_a_taken_vendor_name_shows_its_error_beside_the_field(planner, vendor):
    response = _client(planner).post("/vendors/new/", {"name": "acme"})

    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'data-field="name">.*?class="error"[^>]*>This name is taken', html, re.S)
    assert Vendor.objects.count() == 1


def test_vendor_names_contacts_and_notes_are_shown_as_text_never_as_markup(planner):
    hostile = services.vendor_create(name=PAYLOAD, contacts=PAYLOAD, notes=PAYLOAD, by=planner)
    manager = member_of(hostile, role=Role.VENDOR_MANAGER)
    _invite, key = services.invite_create(vendor=hostile, role=Role.ANNOTATOR, by=planner)

    pages = [
        _client(planner).get(f"/vendors/{hostile.pk}/"),
        _client(planner).get(f"/vendors/{hostile.pk}/edit/"),
        _client(manager).get(f"/vendors/{hostile.pk}/"),
        Client().get(f"/vendors/join/{key}/"),
    ]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_the_company_page_lists_members_and_invites_to_its_manager(vendor, manager):
    annotator = member_of(vendor, role=Role.ANNOTATOR)
    services.invite_create(vendor=vendor, role=Role.ANNOTATOR, email="kim@acme.test", by=manager)

    html = _client(manager).get(f"/vendors/{vendor.pk}/").content.decode()

    assert f'data-member="{annotator.username}"' in html
    assert f'data-member="{manager.username}"' in html
    assert "kim@acme.test" in html
    assert "Fast." not in html  # the planners' notes are theirs


def test_an_invite_link_is_shown_once(vendor, manager):
    client = _client(manager)

    made = client.post(f"/vendors/{vendor.pk}/invites/", {"role": "annotator"})
    again = client.get(f"/vendors/{vendor.pk}/")

    link = re.search(r'data-testid="invite-link">([^<]+)<', made.content.decode())[1]
    key = link.rstrip("/").rsplit("/", 1)[1]
    assert made.status_code == 201
    assert services.invite_for_key(key=key).vendor == vendor
    assert key not in again.content.decode()


def test_a_vendor_manager_cannot_make_a_managers_link_from_the_form(vendor, manager):
    response = _client(manager).post(f"/vendors/{vendor.pk}/invites/", {"role": "vendor_manager"})

    assert response.status_code == 400
    assert not Invite.objects.exists()


def test_a_manager_of_another_vendor_gets_404_on_this_vendors_pages(vendor):
    stranger = member_of(VendorFactory(), role=Role.VENDOR_MANAGER)
    annotator = member_of(vendor, role=Role.ANNOTATOR)
    invite, _key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=None)
    client = _client(stranger)

    answers = [
        client.get(f"/vendors/{vendor.pk}/").status_code,
        client.post(f"/vendors/{vendor.pk}/invites/", {"role": "annotator"}).status_code,
        client.post(f"/vendors/{vendor.pk}/invites/{invite.pk}/revoke/").status_code,
        client.post(
            f"/vendors/{vendor.pk}/members/{annotator.vendor_member.pk}/deactivate/"
        ).status_code,
    ]

    assert answers == [404] * 4
    annotator.refresh_from_db()
    invite.refresh_from_db()
    assert annotator.is_active and invite.revoked_at is None


def test_a_vendor_manager_deactivates_an_annotator_from_the_page(vendor, manager):
    annotator = member_of(vendor, role=Role.ANNOTATOR)

    response = _client(manager).post(
        f"/vendors/{vendor.pk}/members/{annotator.vendor_member.pk}/deactivate/"
    )

    annotator.refresh_from_db()
    assert response.status_code == 302
    assert not annotator.is_active


def test_a_planner_closes_a_vendor_from_the_page(planner, vendor):
    response = _client(planner).post(f"/vendors/{vendor.pk}/close/", follow=True)

    vendor.refresh_from_db()
    assert vendor.closed_at is not None
    assert "was closed" in response.content.decode()


# --- sign-up ------------------------------------------------------------------------------


def _join_form(username: str = "kim", **extra) -> dict:
    return {
        "username": username,
        "first_name": "Kim Jiwoo",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "language": "ko",
        **extra,
    }


def test_the_join_page_shows_the_vendor_and_the_role(vendor, manager):
    _invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=manager)

    html = Client().get(f"/vendors/join/{key}/").content.decode()

    assert "Join Acme" in html and "<strong>Annotator</strong>" in html


def test_signing_up_signs_the_person_in_and_sends_them_home(vendor, manager):
    _invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=manager)
    client = Client()

    response = client.post(f"/vendors/join/{key}/", _join_form())

    user = User.objects.get(username="kim")
    assert response.status_code == 302 and response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert (user.role, user.vendor_member.vendor) == (Role.ANNOTATOR, vendor)


def test_two_different_passwords_are_refused_beside_the_field(vendor, manager):
    invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=manager)

    response = Client().post(f"/vendors/join/{key}/", _join_form(password_again="other-one-9x"))

    assert response.status_code == 400
    assert re.search(
        r'data-field="password_again">.*?The two passwords differ', response.content.decode(), re.S
    )
    assert not User.objects.filter(username="kim").exists()
    invite.refresh_from_db()
    assert invite.used_at is None


def test_a_weak_password_is_refused_by_djangos_validators(vendor, manager):
    _invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=manager)

    response = Client().post(
        f"/vendors/join/{key}/", _join_form(password="12345678", password_again="12345678")
    )

    assert response.status_code == 400
    assert "too common" in response.content.decode()
    assert not User.objects.filter(username="kim").exists()


@pytest.mark.parametrize("how", ["used", "revoked", "forged"])
def test_a_link_that_does_not_work_is_a_404_page_in_plain_words(vendor, manager, how):
    invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=manager)
    if how == "used":
        Client().post(f"/vendors/join/{key}/", _join_form())
    elif how == "revoked":
        services.invite_revoke(invite=invite, by=manager)
    else:
        key = key[:-3] + "zzz"

    response = Client().get(f"/vendors/join/{key}/")

    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()


def test_a_signed_in_member_cannot_take_another_vendors_invite(vendor, manager):
    stranger = member_of(VendorFactory(), role=Role.ANNOTATOR)
    invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=manager)

    response = _client(stranger).post(f"/vendors/join/{key}/")

    assert response.status_code == 409
    invite.refresh_from_db()
    assert invite.used_at is None
    assert stranger.vendor_member.vendor != vendor


# --- Korean -------------------------------------------------------------------------------


def test_the_company_page_reads_in_korean(vendor, manager):
    member_of(vendor, role=Role.ANNOTATOR)

    html = _client(manager, "ko").get(f"/vendors/{vendor.pk}/").content.decode()

    assert 'lang="ko"' in html
    for korean in ("구성원", "초대", "연락처", "비활성화"):
        assert korean in html


def test_the_join_page_reads_in_korean(vendor, manager):
    _invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=manager)

    html = Client(headers={"accept-language": "ko"}).get(f"/vendors/join/{key}/").content.decode()

    assert "계정 만들기" in html and "작업자" in html


def test_the_join_page_offers_an_account_of_its_own_only_to_a_user_without_a_role(vendor, manager):
    _invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=manager)
    roleless = UserFactory(role="")

    offered = _client(roleless).get(f"/vendors/join/{key}/").content.decode()
    refused = _client(manager).get(f"/vendors/join/{key}/").content.decode()

    assert "Join with this account" in offered
    assert "Join with this account" not in refused
    assert "Sign out to create a new account" in refused


def test_an_invite_to_a_closed_vendor_is_refused_with_the_reason(planner, vendor):
    client = _client(planner)
    services.vendor_close(vendor=vendor, by=planner)

    response = client.post(f"/vendors/{vendor.pk}/invites/", {"role": "annotator"})

    assert response.status_code == 409
    assert "Vendor “Acme” is closed." in response.content.decode()
    assert not Invite.objects.exists()
