"""Vendors, members, contracts and task kinds for tests, straight from the models.

Tests of the services that make these objects call the services; every other test builds
what it stands on here, so a change in one service's rules does not break unrelated tests.
"""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.conf import settings
from django.utils import timezone

from accounts.models import Role, User
from datasets.models import Dataset, RegionType
from labeling.models import TaskKind
from tests.factories.accounts import UserFactory
from vendors.models import Contract, ContractPrice, Member, Vendor


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    name = factory.Sequence(lambda n: f"Vendor {n}")
    contacts = "ops@example.com"


def member_of(vendor: Vendor, *, role: str = Role.ANNOTATOR, user: User | None = None) -> User:
    """A user (new unless given) who belongs to ``vendor`` with ``role``."""
    user = user or UserFactory(role=role)
    if user.role != role:
        user.role = role
        user.save(update_fields=["role"])
    Member.objects.create(user=user, vendor=vendor)
    return user


def task_kind_for(
    dataset: Dataset, *, types=("formula",), requires=(), attributes=(), slug: str = ""
) -> TaskKind:
    """A task kind of ``dataset`` editing ``types`` (slugs) and needing ``requires``."""
    slug = slug or "-".join(types)
    kind = TaskKind.objects.create(dataset=dataset, name=slug.replace("-", " ").title(), slug=slug)
    found = {t.slug: t for t in RegionType.objects.filter(dataset=dataset)}
    kind.types.set([found[name] for name in types])
    kind.requires.set([found[name] for name in requires])
    if attributes:
        kind.attributes.set(
            [a for t in found.values() for a in t.attributes.all() if a.name in attributes]
        )
    return kind


def contract_for(
    vendor: Vendor,
    dataset: Dataset,
    *,
    task_kind: TaskKind | None = None,
    unit: str = Contract.Unit.TASK,
    currency: str = "USD",
    unit_price: str = "0.85",
    quantity: int = 1000,
    budget: str = "10000",
    expected_regions: str | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    time_zone: str | None = None,
) -> Contract:
    """An open contract of ``vendor`` on ``dataset``: labeling when given a task kind, else
    collecting photos. Its price history starts with its price."""
    today = timezone.localdate()
    contract = Contract.objects.create(
        vendor=vendor,
        dataset=dataset,
        kind=Contract.Kind.LABELING if task_kind else Contract.Kind.COLLECTION,
        task_kind_id=task_kind.pk if task_kind else None,
        name=f"{vendor.name} on {dataset.name}",
        unit=unit if task_kind else Contract.Unit.PHOTO,
        currency=currency,
        unit_price=Decimal(unit_price),
        expected_regions=Decimal(expected_regions) if expected_regions else None,
        quantity=quantity,
        budget=Decimal(budget),
        starts_on=starts_on or today - timedelta(days=30),
        ends_on=ends_on or today + timedelta(days=60),
        time_zone=time_zone or settings.TIME_ZONE,
    )
    ContractPrice.objects.create(
        contract=contract, unit_price=contract.unit_price, effective_at=contract.created_at
    )
    return contract
