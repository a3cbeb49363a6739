"""The admin shows vendors' and labeling's rows to staff and writes none of them."""

import pytest
from django.test import Client

from accounts.models import Role
from tests.factories.datasets import filled_dataset
from tests.factories.vendors import filled_vendor
from vendors.models import Vendor

READ_ONLY = [
    "vendors/vendor",
    "vendors/member",
    "vendors/contract",
    "vendors/ledgerline",
    "vendors/statement",
    "labeling/taskkind",
    "labeling/batch",
    "labeling/task",
]


@pytest.fixture
def staff(make_user):
    client = Client()
    client.force_login(make_user(role="", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def world(make_user):
    filled = filled_dataset()
    return filled_vendor(
        filled,
        name="Acme Labels",
        manager=make_user(Role.VENDOR_MANAGER),
        annotator=make_user(Role.ANNOTATOR),
    )


@pytest.mark.parametrize("model", READ_ONLY)
def test_staff_see_the_rows_and_no_way_to_add_one(staff, world, model):
    listing = staff.get(f"/admin/{model}/")
    adding = staff.get(f"/admin/{model}/add/")

    assert listing.status_code == 200
    assert f"/admin/{model}/add/" not in listing.content.decode()
    assert adding.status_code == 403


def test_a_vendor_cannot_be_changed_or_deleted_in_the_admin(staff, world):
    vendor = world.vendor
    changed = staff.post(f"/admin/vendors/vendor/{vendor.pk}/change/", {"name": "Renamed"})
    deleted = staff.post(f"/admin/vendors/vendor/{vendor.pk}/delete/", {"post": "yes"})

    assert changed.status_code == 403
    assert deleted.status_code == 403
    assert Vendor.objects.get(pk=vendor.pk).name == "Acme Labels"
