"""Collection contracts: a vendor's members upload photos into the categories the contract's
quotas name; a planner or reviewer accepts or rejects each; accepted photos are paid per
photo through the vendors ledger and count toward coverage from then on.

The photos go through the datasets upload path unchanged (hashing, dedupe against the whole
dataset, processing, limits), with the contract's opaque id on the upload and its items.
"""

from collections.abc import Iterable
from typing import IO

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from core.money import money_format
from datasets import services as dataset_services
from datasets.models import Category, Item, ItemCategory, Upload, UploadEntry
from labeling.policy import can_review_photos, can_upload_photos
from vendors import selectors as vendor_selectors
from vendors import services as vendor_services
from vendors.models import Contract


def _collection(contract: Contract) -> None:
    if contract.kind != Contract.Kind.COLLECTION:
        raise DomainError(
            _("Contract “%(name)s” is a labeling contract, not one for collecting photos.")
            % {"name": contract.name},
            code="not_collection",
        )


def _open(contract: Contract) -> None:
    """Refuse a closed contract, one that has not started and one that has ended."""
    if contract.closed_at is not None:
        raise DomainError(
            _("Contract “%(name)s” is closed.") % {"name": contract.name}, code="contract_closed"
        )
    today = vendor_services.contract_today(contract)
    if today < contract.starts_on:
        raise DomainError(
            _("Contract “%(name)s” starts on %(start)s; today is %(today)s.")
            % {"name": contract.name, "start": contract.starts_on, "today": today},
            code="contract_not_started",
        )
    if today > contract.ends_on:
        raise DomainError(
            _("Contract “%(name)s” ended on %(end)s; today is %(today)s.")
            % {"name": contract.name, "end": contract.ends_on, "today": today},
            code="contract_ended",
        )


def _quota_categories(contract: Contract, categories: list[Category]) -> list[Category]:
    """The given categories, each named by one of the contract's quotas; at least one."""
    quotas = set(contract.quotas.values_list("category_id", flat=True))
    outside = [category for category in categories if category.pk not in quotas]
    if outside or not categories:
        message = (
            _("Contract “%(name)s” buys no photos of “%(category)s”.")
            % {"name": contract.name, "category": outside[0].name}
            if outside
            else _("Choose the category of these photos among those the contract buys.")
        )
        raise DomainError(
            message,
            code="category_not_in_contract" if outside else "no_category",
            fields={"categories": message},
        )
    return categories


def _photo_counts(contract: Contract) -> dict[int, dict[str, int]]:
    """Per quota category: photos accepted and awaiting acceptance (rejected ones left out)."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        ItemCategory.objects.filter(item__contract_id=contract.pk)
        .exclude(item__status=Item.Status.REJECTED)
        .values_list("category_id", "item__status")
        .annotate(n=Count("item_id"))
        .order_by()
    )
    for category_id, status, n in rows:
        row = counts.setdefault(category_id, {"accepted": 0, "pending": 0})
        row["pending" if status == Item.Status.PENDING else "accepted"] += n
    return counts


def _room_for(contract: Contract, categories: list[Category], count: int) -> None:
    """Refuse ``count`` more photos beyond a category's quota (accepted + awaiting), the
    contract's quantity or its budget (at today's price), with the numbers."""
    quotas = dict(contract.quotas.values_list("category_id", "quantity"))
    used = _photo_counts(contract)
    for category in categories:
        row = used.get(category.pk, {"accepted": 0, "pending": 0})
        taken = row["accepted"] + row["pending"]
        if taken + count > quotas[category.pk]:
            raise DomainError(
                _(
                    "“%(category)s” has %(taken)s of its %(quota)s photos (%(accepted)s "
                    "accepted, %(pending)s awaiting acceptance): %(count)s more would exceed "
                    "it; %(left)s may still be sent."
                )
                % {
                    "category": category.name,
                    "taken": taken,
                    "quota": quotas[category.pk],
                    "accepted": row["accepted"],
                    "pending": row["pending"],
                    "count": count,
                    "left": max(quotas[category.pk] - taken, 0),
                },
                code="quota_full",
                fields={"categories": _("This category's quota is full.")},
            )
    pending = Item.objects.filter(contract_id=contract.pk, status=Item.Status.PENDING).count()
    room = vendor_selectors.contract_room(contract=contract)
    if pending + count > room["quantity_left"]:
        raise DomainError(
            _(
                "Contract “%(name)s” has %(left)s of %(quantity)s photos left and %(pending)s "
                "awaiting acceptance: %(count)s more would exceed it."
            )
            % {
                "name": contract.name,
                "left": f"{room['quantity_left'].normalize():f}",
                "quantity": contract.quantity,
                "pending": pending,
                "count": count,
            },
            code="contract_quantity",
        )
    price = vendor_services.price_at(contract, timezone.now())
    if (pending + count) * price > room["budget_left"]:
        currency = contract.currency
        raise DomainError(
            _(
                "Contract “%(name)s” has %(left)s of its %(budget)s budget left; %(pending)s "
                "photos awaiting acceptance and %(count)s more would cost %(amount)s."
            )
            % {
                "name": contract.name,
                "left": money_format(room["budget_left"], currency),
                "budget": money_format(contract.budget, currency),
                "pending": pending,
                "count": count,
                "amount": money_format((pending + count) * price, currency),
            },
            code="contract_budget",
        )


@transaction.atomic
def photos_upload(
    *,
    contract: Contract,
    files: list[tuple[str, IO[bytes]]],
    categories: list[Category],
    by: User,
    upload: Upload | None = None,
) -> tuple[Upload, list[UploadEntry]]:
    """Register a vendor's photos under a collection contract, awaiting acceptance.

    Only the contract's vendor's members (or planners) may; only into categories its quotas
    name; refused, with the numbers, when a category's quota (photos accepted and awaiting
    acceptance), the contract's quantity or its budget would be exceeded, and when the
    contract is closed, not started or ended; a labeling contract is a 400. The contract's
    row is locked so two uploads racing for a quota's last places take turns. A photo
    already in the dataset (any item, whatever its status) is refused as a duplicate.
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not can_upload_photos(by, contract):
        raise DomainError(
            _("Only the vendor's members may upload photos for this contract."),
            code="forbidden",
            status=403,
        )
    _collection(contract)
    _open(contract)
    if not files:
        raise DomainError(
            _("Send at least one photo."),
            code="nothing_to_upload",
            fields={"files": _("Files are required.")},
        )
    _quota_categories(contract, categories)
    _room_for(contract, categories, len(files))
    return dataset_services.upload_files(
        dataset=contract.dataset,
        files=files,
        categories=categories,
        by=by,
        upload=upload,
        contract_id=contract.pk,
    )


@transaction.atomic
def photos_review(
    *, contract: Contract, items: Iterable[Item | int], accept: bool, by: User
) -> list[Item]:
    """Accept or reject photos of a collection contract awaiting acceptance: planners and
    reviewers. Each accepted photo becomes a collected item (coverage counts it from now on)
    and is paid once, as one unit, on the contract's ledger (``ledger_accept``); a rejected
    one is kept, never paid, counted, cut or exported.

    Refused, nothing changed: ids that are not this contract's photos (400), photos not
    awaiting acceptance (409), accepting on a closed contract, or beyond its quantity or
    budget (with the numbers).
    """
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not can_review_photos(by):
        raise DomainError(
            _("Only planners and reviewers may accept or reject photos."),
            code="forbidden",
            status=403,
        )
    _collection(contract)
    ids = sorted({getattr(item, "pk", item) for item in items})
    if not ids:
        raise DomainError(
            _("Choose the photos to accept or reject."),
            code="no_items",
            fields={"items": _("At least one photo.")},
        )
    found = list(Item.objects.filter(pk__in=ids, contract_id=contract.pk).order_by("pk"))
    unknown = sorted(set(ids) - {item.pk for item in found})
    if unknown:
        raise DomainError(
            _("These are not photos of contract “%(name)s”: %(ids)s.")
            % {"name": contract.name, "ids": ", ".join(str(pk) for pk in unknown)},
            code="unknown_items",
            fields={"items": _("Unknown photo ids.")},
        )
    if accept:
        _payable(contract, len(found))
    reviewed = dataset_services.items_collected_review(items=found, accept=accept, by=by)
    if accept:
        for item in reviewed:
            vendor_services.ledger_accept(contract=contract, units=1, item=item, by=by)
    return reviewed


def _payable(contract: Contract, count: int) -> None:
    """Refuse paying ``count`` more photos on a closed contract, or beyond its quantity or
    budget at today's price."""
    if contract.closed_at is not None:
        raise DomainError(
            _("Contract “%(name)s” is closed.") % {"name": contract.name}, code="contract_closed"
        )
    room = vendor_selectors.contract_room(contract=contract)
    if count > room["quantity_left"]:
        raise DomainError(
            _(
                "Accepting %(count)s photos needs %(count)s units, but contract “%(name)s” "
                "has %(left)s of %(quantity)s left."
            )
            % {
                "count": count,
                "name": contract.name,
                "left": f"{room['quantity_left'].normalize():f}",
                "quantity": contract.quantity,
            },
            code="contract_quantity",
        )
    amount = count * vendor_services.price_at(contract, timezone.now())
    if amount > room["budget_left"]:
        currency = contract.currency
        raise DomainError(
            _(
                "Accepting %(count)s photos would cost %(amount)s, but contract “%(name)s” "
                "has %(left)s of its %(budget)s budget left."
            )
            % {
                "count": count,
                "amount": money_format(amount, currency),
                "name": contract.name,
                "left": money_format(room["budget_left"], currency),
                "budget": money_format(contract.budget, currency),
            },
            code="contract_budget",
        )
