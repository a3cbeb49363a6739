"""Vendors, members, contracts and task kinds for tests, straight from the models.

Tests of the services that make these objects call the services; every other test builds
what it stands on here, so a change in one service's rules does not break unrelated tests.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import factory
from django.conf import settings
from django.utils import timezone

from accounts.models import Role, User
from datasets import services as dataset_services
from datasets.models import Dataset, RegionType
from labeling.models import Batch, Delivery, DeliveryLine, Lease, Task, TaskHold, TaskKind
from tests.factories.accounts import UserFactory
from tests.factories.guides import FilledGuide, filled_guide
from tests.factories.images import image_bytes
from vendors import services
from vendors.models import Contract, ContractPrice, Invite, Member, Statement, Vendor

if TYPE_CHECKING:
    from tests.factories.datasets import FilledDataset


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


@dataclass
class FilledVendor:
    """A vendor working on one filled dataset, with one object of every kind a vendor URL
    names. Fields are named after the URL converters that take their ids (``<int:vendor_id>``
    takes ``vendor``'s, ``<str:key>`` is ``key``), so the authorization matrix fills any
    vendor URL from it (``FilledDataset.id_of`` falls back to it)."""

    vendor: Vendor
    manager: User  # the vendor's manager
    annotator: User  # an annotator of the vendor
    member: Member  # a second annotator's membership: the one a test deactivates
    invite: Invite  # open, for an annotator
    key: str  # ``invite``'s link key
    kind: TaskKind  # "formula" + "latex" on the dataset
    contract: Contract  # labeling, per task, USD, for ``kind``
    batch: Batch  # in progress, two tasks, reserved in the ledger
    task: Task  # the batch's first task (the dataset's item), leased to ``annotator``
    statement: Statement  # open, this month
    guides: "FilledGuide"  # the dataset's guide, v1 published; the annotator's question
    delivery: Delivery  # the manager's delivery to ``batch``, done, one line refused
    # Other parts add theirs here (a photo-collection contract, …), built below.

    def has_object(self, converter: str) -> bool:
        if converter == "key" or hasattr(self, converter.removesuffix("_id")):
            return True
        return self.guides.has_object(converter)

    def id_of(self, converter: str) -> int | str:
        if converter == "key":
            return self.key
        name = converter.removesuffix("_id")
        if hasattr(self, name):
            return getattr(self, name).pk
        return self.guides.id_of(converter)


def filled_vendor(
    filled: "FilledDataset",
    *,
    name: str,
    manager: User,
    annotator: User,
    by: User | None = None,
    seed: int = 1,
) -> FilledVendor:
    """A vendor with ``manager`` and ``annotator`` as members (users with those roles),
    working on ``filled``'s dataset: one labeling contract, an open batch of two tasks, an
    open invite and an open statement. ``seed`` makes its second item's picture distinct."""
    dataset = filled.dataset
    vendor = services.vendor_create(name=name, contacts=f"ops@{seed}.example.com", by=by)
    member_of(vendor, role=Role.VENDOR_MANAGER, user=manager)
    member_of(vendor, role=Role.ANNOTATOR, user=annotator)
    member = member_of(vendor, role=Role.ANNOTATOR).vendor_member
    invite, key = services.invite_create(vendor=vendor, role=Role.ANNOTATOR, by=by)
    kind = task_kind_for(dataset, types=("formula",), attributes=("latex",))
    contract = contract_for(vendor, dataset, task_kind=kind)
    second, _created = dataset_services.item_register(
        dataset=dataset, file=image_bytes(seed + 100), name="second.jpg", by=by
    )
    batch = Batch.objects.create(
        dataset=dataset,
        task_kind=kind,
        vendor=vendor,
        contract=contract,
        name=f"{name} batch",
        seed=str(seed),
        size=2,
        due_on=timezone.localdate() + timedelta(days=14),
        created_by=by,
    )
    formula = kind.types.get()
    tasks = [
        Task.objects.create(batch=batch, task_kind=kind, item=i) for i in (filled.item, second)
    ]
    TaskHold.objects.bulk_create(
        [TaskHold(task=task, item=task.item, region_type=formula) for task in tasks]
    )
    services.ledger_reserve(contract=contract, batch_ref=batch.pk, tasks=len(tasks), by=by)
    now = timezone.now()
    Task.objects.filter(pk=tasks[0].pk).update(
        status=Task.Status.LEASED, annotator=annotator, lease_expires_at=now + timedelta(hours=1)
    )
    Lease.objects.create(task=tasks[0], annotator=annotator, started_at=now, beat_at=now)
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.IN_PROGRESS)
    month = timezone.localdate().replace(day=1)
    statement = Statement.objects.create(
        contract=contract,
        period_start=month,
        period_end=(month + timedelta(days=32)).replace(day=1),
    )
    guides = filled_guide(
        dataset, asker=annotator, vendor=vendor, item=filled.item, by=by, seed=seed
    )
    delivery = Delivery.objects.create(
        batch=batch,
        file=f"deliveries/{batch.pk}/filled.jsonl",
        file_name="filled.jsonl",
        size=20,
        position=20,
        lines_read=1,
        refused=1,
        status=Delivery.Status.DONE,
        finished_at=now,
        created_by=manager,
    )
    DeliveryLine.objects.create(
        delivery=delivery, number=1, task_ref=0, outcome=DeliveryLine.Outcome.REFUSED
    )
    # Other parts: build your objects here (a photo contract, …) and add their fields above.
    return FilledVendor(
        vendor=vendor,
        manager=manager,
        annotator=annotator,
        member=member,
        invite=invite,
        key=key,
        kind=kind,
        contract=contract,
        batch=batch,
        task=tasks[0],
        statement=statement,
        guides=guides,
        delivery=delivery,
    )
