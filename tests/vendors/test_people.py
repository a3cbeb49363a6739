"""Vendors and their people through the services: companies, members, invites, sign-up."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from core.errors import DomainError
from tests.factories.accounts import UserFactory
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.vendors import VendorFactory, contract_for, member_of, task_kind_for
from vendors import policy, services
from vendors.models import Contract, Invite, Member, Vendor

PASSWORD = "a-long-enough-passphrase-9"


@pytest.fixture
def planner(db):
    return UserFactory(role=Role.PLANNER)


@pytest.fixture
def vendor(planner):
    return services.vendor_create(name="Acme Labeling", contacts="ops@acme.test", by=planner)


def _accept(key: str, username: str = "newcomer", **fields) -> User:
    return services.invite_accept(key=key, username=username, password=PASSWORD, **fields)


# --- vendors ------------------------------------------------------------------------------


def test_a_vendor_name_is_unique_whatever_its_case(vendor, planner):
    with pytest.raises(DomainError) as refused:
        services.vendor_create(name="  ACME   labeling ", by=planner)

    assert refused.value.code == "duplicate_name"
    assert "name" in refused.value.fields
    assert Vendor.objects.count() == 1


def test_renaming_a_vendor_to_another_vendors_name_is_refused_and_changes_nothing(vendor, planner):
    other = services.vendor_create(name="Bright Data", by=planner)

    with pytest.raises(DomainError) as refused:
        services.vendor_update(vendor=other, name="acme labeling", notes="x", by=planner)

    assert refused.value.fields == {"name": "This name is taken."}
    other.refresh_from_db()
    assert (other.name, other.notes) == ("Bright Data", "")


def test_a_vendor_keeps_its_own_name_when_edited(vendor, planner):
    services.vendor_update(vendor=vendor, name="ACME Labeling", notes="Fast.", by=planner)

    vendor.refresh_from_db()
    assert (vendor.name, vendor.notes) == ("ACME Labeling", "Fast.")


def test_closing_a_vendor_closes_its_contracts_and_ends_its_open_invites(vendor, planner):
    dataset = formula_schema(DatasetFactory())
    contract = contract_for(vendor, dataset, task_kind=task_kind_for(dataset))
    invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)

    services.vendor_close(vendor=vendor, by=planner)

    vendor.refresh_from_db()
    invite.refresh_from_db()
    assert vendor.closed_at is not None
    assert Contract.objects.get(pk=contract.pk).closed_at is not None
    assert invite.revoked_at is not None
    with pytest.raises(DomainError) as refused:
        _accept(key)
    assert refused.value.status == 404
    assert Vendor.objects.filter(pk=vendor.pk).exists()  # closed, never deleted


def test_a_closed_vendor_takes_no_new_invite(vendor, planner):
    services.vendor_close(vendor=vendor, by=planner)

    with pytest.raises(DomainError) as refused:
        services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)

    assert (refused.value.code, refused.value.status) == ("vendor_closed", 409)
    assert not Invite.objects.exists()


# --- invites and sign-up ------------------------------------------------------------------


def test_an_invite_stores_only_a_prefix_and_a_hash_of_its_key(vendor, planner):
    invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)

    assert key.startswith(invite.prefix + "_")
    assert len(key) > 40
    assert key not in invite.key_hash and invite.key_hash != key
    assert services.invite_for_key(key=key) == invite


def test_an_invite_signs_up_one_person_with_its_role_at_its_vendor(vendor, planner):
    invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)

    user = _accept(key, first_name="Kim Jiwoo", language="ko")

    assert (user.role, user.first_name, user.language) == (Role.ANNOTATOR, "Kim Jiwoo", "ko")
    assert user.vendor_member.vendor == vendor
    assert user.vendor_member.invited_by == planner
    assert authenticate(username="newcomer", password=PASSWORD) == user
    invite.refresh_from_db()
    assert invite.used_at is not None and invite.used_by == user


def test_an_invite_works_once(vendor, planner):
    _invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)
    _accept(key)

    with pytest.raises(DomainError) as refused:
        _accept(key, username="second")

    assert (refused.value.code, refused.value.status) == ("invite_invalid", 404)
    assert not User.objects.filter(username="second").exists()
    assert Member.objects.count() == 1


def test_an_expired_invite_signs_up_no_one(vendor, planner):
    invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)
    Invite.objects.filter(pk=invite.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(DomainError) as refused:
        _accept(key)

    assert refused.value.status == 404
    assert not User.objects.filter(username="newcomer").exists()


def test_an_invite_expires_after_the_configured_days(vendor, planner, settings):
    settings.VENDOR_INVITE_DAYS = 2

    invite, _key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)

    left = invite.expires_at - timezone.now()
    assert timedelta(days=2) - timedelta(minutes=1) < left <= timedelta(days=2)


def test_a_revoked_invite_signs_up_no_one(vendor, planner):
    invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)
    services.invite_revoke(invite=invite, by=planner)

    with pytest.raises(DomainError) as refused:
        _accept(key)

    assert refused.value.status == 404
    assert not Member.objects.exists()


def test_an_invite_whose_role_was_edited_matches_no_link(vendor, planner):
    invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)
    Invite.objects.filter(pk=invite.pk).update(role=Role.VENDOR_MANAGER)

    with pytest.raises(DomainError) as refused:
        _accept(key)

    assert refused.value.status == 404
    assert not User.objects.filter(role=Role.VENDOR_MANAGER).exists()


def test_an_invite_moved_to_another_vendor_matches_no_link(vendor, planner):
    other = services.vendor_create(name="Other", by=planner)
    invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)
    Invite.objects.filter(pk=invite.pk).update(vendor=other)

    with pytest.raises(DomainError) as refused:
        _accept(key)

    assert refused.value.status == 404
    assert not Member.objects.exists()


@pytest.mark.parametrize("forge", ["swap", "prefix only", "garbage", ""])
def test_a_forged_link_is_refused(vendor, planner, forge):
    invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)
    forged = {
        "swap": key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB"),
        "prefix only": invite.prefix + "_",
        "garbage": "not-a-key",
        "": "",
    }[forge]

    with pytest.raises(DomainError) as refused:
        _accept(forged)

    assert refused.value.status == 404
    invite.refresh_from_db()
    assert invite.used_at is None


def test_a_refused_password_leaves_the_invite_usable(vendor, planner):
    _invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)

    with pytest.raises(DomainError) as refused:
        services.invite_accept(key=key, username="newcomer", password="123")

    assert "password" in refused.value.fields
    assert not User.objects.filter(username="newcomer").exists()
    assert _accept(key).username == "newcomer"


def test_a_taken_user_name_is_refused_beside_its_field(vendor, planner):
    UserFactory(username="Taken")
    _invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)

    with pytest.raises(DomainError) as refused:
        _accept(key, username="taken")

    assert refused.value.code == "duplicate_username"
    assert "username" in refused.value.fields


def test_a_signed_in_member_of_another_vendor_cannot_take_an_invite(vendor, planner):
    elsewhere = services.vendor_create(name="Elsewhere", by=planner)
    roleless = UserFactory(role="")
    services.member_add(vendor=elsewhere, user=UserFactory(role=Role.ANNOTATOR), by=planner)
    Member.objects.create(vendor=elsewhere, user=roleless)  # e.g. added in the admin
    _invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)

    with pytest.raises(DomainError) as refused:
        services.invite_accept(key=key, user=roleless)

    assert (refused.value.code, refused.value.status) == ("already_member", 409)
    roleless.refresh_from_db()
    assert roleless.role == "" and roleless.vendor_member.vendor == elsewhere


def test_a_signed_in_user_with_a_role_cannot_take_an_invite(vendor, planner):
    _invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)

    with pytest.raises(DomainError) as refused:
        services.invite_accept(key=key, user=planner)

    assert (refused.value.code, refused.value.status) == ("has_role", 409)
    assert not Member.objects.filter(user=planner).exists()


def test_a_signed_in_user_without_a_role_joins_with_their_account(vendor, planner):
    roleless = UserFactory(role="")
    _invite, key = services.invite_create(vendor=vendor, role=Role.VENDOR_MANAGER, by=planner)

    user = services.invite_accept(key=key, user=roleless)

    assert user == roleless and user.role == Role.VENDOR_MANAGER
    assert user.vendor_member.vendor == vendor


@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_racing_on_one_link_make_one_account():
    planner = UserFactory(role=Role.PLANNER)
    vendor = services.vendor_create(name="Racing", by=planner)
    _invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)
    claimed, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:  # claims the link, then holds its transaction open
        try:
            with transaction.atomic():
                outcome["first"] = _accept(key, username="first")
                claimed.set()
                release.wait(10)
        except Exception as error:  # noqa: BLE001 - reported below
            outcome["first"] = error
            claimed.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            outcome["second"] = _accept(key, username="second")
        except Exception as error:  # noqa: BLE001 - reported below
            outcome["second"] = error
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert claimed.wait(10)
    two = threading.Thread(target=second)
    two.start()
    two.join(0.5)
    waited = two.is_alive()  # the second waits on the first's claim
    release.set()
    one.join(10)
    two.join(10)

    assert waited
    assert isinstance(outcome["first"], User)
    assert isinstance(outcome["second"], DomainError) and outcome["second"].status == 404
    assert list(User.objects.filter(role=Role.ANNOTATOR).values_list("username", flat=True)) == [
        "first"
    ]
    assert Member.objects.filter(vendor=vendor).count() == 1


@pytest.mark.django_db(transaction=True)
def test_many_sign_ups_started_together_on_one_link_make_one_account():
    planner = UserFactory(role=Role.PLANNER)
    vendor = services.vendor_create(name="Crowd", by=planner)
    _invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=planner)
    start = threading.Barrier(4)
    results: list[object] = []

    def sign_up(n: int) -> None:
        try:
            start.wait(5)
            results.append(_accept(key, username=f"racer{n}"))
        except Exception as error:  # noqa: BLE001 - counted below
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert sum(isinstance(r, User) for r in results) == 1
    assert all(isinstance(r, (User, DomainError)) for r in results), results
    assert Member.objects.filter(vendor=vendor).count() == 1


# --- members ------------------------------------------------------------------------------


def test_deactivating_a_member_stops_their_sign_in_and_ends_their_sessions(vendor, planner):
    annotator = member_of(vendor, role=Role.ANNOTATOR)
    annotator.set_password(PASSWORD)
    annotator.save()
    signed_in = Client()
    signed_in.force_login(annotator)
    other = Client()
    other.force_login(planner)

    services.member_deactivate(member=annotator.vendor_member, by=planner)

    annotator.refresh_from_db()
    member = annotator.vendor_member
    assert (member.deactivated_by, annotator.is_active) == (planner, False)
    assert member.deactivated_at is not None
    assert authenticate(username=annotator.username, password=PASSWORD) is None
    owners = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert owners == [str(planner.pk)]  # the planner's session is left alone
    assert signed_in.get("/labeling/tasks/").status_code == 302  # sent to sign in


def test_member_add_refuses_a_user_of_another_vendor(vendor, planner):
    user = member_of(VendorFactory(), role=Role.ANNOTATOR)

    with pytest.raises(DomainError) as refused:
        services.member_add(vendor=vendor, user=user, by=planner)

    assert refused.value.code == "already_member"
    assert not Member.objects.filter(vendor=vendor).exists()


def test_member_add_refuses_an_in_house_user(vendor, planner):
    with pytest.raises(DomainError) as refused:
        services.member_add(vendor=vendor, user=UserFactory(role=Role.REVIEWER), by=planner)

    assert refused.value.code == "not_a_vendor_role"
    assert not Member.objects.exists()


# --- policy -------------------------------------------------------------------------------


def test_a_vendor_manager_invites_annotators_of_their_own_vendor_only(vendor):
    manager = member_of(vendor, role=Role.VENDOR_MANAGER)
    other = VendorFactory()

    assert policy.can_invite(manager, vendor, Role.ANNOTATOR)
    assert not policy.can_invite(manager, vendor, Role.VENDOR_MANAGER)
    assert not policy.can_invite(manager, other, Role.ANNOTATOR)


def test_a_vendor_manager_deactivates_annotators_but_not_managers_nor_themselves(vendor):
    manager = member_of(vendor, role=Role.VENDOR_MANAGER)
    second_manager = member_of(vendor, role=Role.VENDOR_MANAGER)
    annotator = member_of(vendor, role=Role.ANNOTATOR)
    stranger = member_of(VendorFactory(), role=Role.ANNOTATOR)

    assert policy.can_deactivate_member(manager, annotator.vendor_member)
    assert not policy.can_deactivate_member(manager, second_manager.vendor_member)
    assert not policy.can_deactivate_member(manager, manager.vendor_member)
    assert not policy.can_deactivate_member(manager, stranger.vendor_member)


def test_a_planner_deactivates_anyone_of_any_vendor(vendor, planner):
    manager = member_of(vendor, role=Role.VENDOR_MANAGER)

    assert policy.can_deactivate_member(planner, manager.vendor_member)
