"""Cutting batches by category need, and cancelling their untouched tasks.

A need names counts per category of one axis (``{"capture=shadow": 300}``), filters the
categories every item must also carry (``["writing=handwritten"]``). A category's count left
out (or null) defaults to its quota gap: target − accepted − labeled − in labeling, from the
coverage counters; with filters, the gap of the cell (category × filter) when a cell quota
exists, else the category's. A defaulted count is capped at what is available; a count
asked for explicitly that exceeds what is available is refused with the numbers unless
``allow_short`` takes what there is.

Eligible items: the dataset's, processed, neither pending nor rejected, carrying the
category and the filters, never labeled by the kind (no task of it unless cancelled: an
unusable one keeps its item from the kind for good; and none of its types in the ground
truth: generator truth counts), holding every type the kind requires, and not held by an
unended task of a kind editing the same types.
One query (one scan of the items) finds the eligible ids of every category of the need;
``random.Random(seed)`` samples each category's sorted ids in the order of the need's keys,
so the same seed and the same data take the same items.
"""

import hashlib
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from core.money import money_format, money_text
from datasets import selectors as dataset_selectors
from datasets import services as dataset_services
from datasets.models import Category, Dataset, Item, ItemCategory
from labeling import states
from labeling.models import Batch, Task, TaskHold, TaskKind
from vendors import selectors as vendor_selectors
from vendors import services as vendor_services
from vendors.models import Contract

#: Item ids shown as thumbnails in a preview, per category.
SAMPLE_SIZE = 4
FOUR = Decimal("0.0001")
#: The statuses an item may be cut in: collected, or further along for a later pass.
CUTTABLE = (Item.Status.NEW, Item.Status.IN_LABELING, Item.Status.LABELED, Item.Status.ACCEPTED)


@dataclass
class Line:
    """One category of a need: what was asked and what the draw takes."""

    key: str
    category: Category
    asked: int | None  # None: defaulted to the gap
    gap: int
    target: int | None
    in_labeling: int
    available: int = 0
    taken: list[tuple[int, str]] = field(default_factory=list)  # (item id, status)

    @property
    def wanted(self) -> int:
        return self.gap if self.asked is None else self.asked

    @property
    def shortfall(self) -> int:
        return max(0, self.wanted - self.available)


@dataclass
class Selection:
    dataset: Dataset
    kind: TaskKind
    contract: Contract | None
    lines: list[Line]
    filters: list[Category]
    seed: str
    allow_short: bool

    @property
    def item_ids(self) -> list[int]:
        return sorted(pk for line in self.lines for pk, _status in line.taken)

    @property
    def total(self) -> int:
        return sum(len(line.taken) for line in self.lines)

    def need_record(self) -> dict:
        return {
            "need": {line.key: line.asked for line in self.lines},
            "taken": {line.key: len(line.taken) for line in self.lines},
            "filters": [_key(category) for category in self.filters],
            "allow_short": self.allow_short,
        }


def _key(category: Category) -> str:
    return f"{category.axis.slug}={category.slug}"


def _bad(message: str, *, code: str, field_name: str, status: int = 400) -> DomainError:
    return DomainError(message, code=code, status=status, fields={field_name: message})


def _count(value, key: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        try:
            value = int(str(value)) if not isinstance(value, bool) else -1
        except ValueError:
            value = -1
        if value < 0:
            raise _bad(
                _("The count for %(key)s must be a whole number of 0 or more.") % {"key": key},
                code="bad_need",
                field_name=f"need.{key}",
            )
    return value


def _contract_check(*, dataset: Dataset, kind: TaskKind, contract: Contract) -> None:
    if contract.kind != Contract.Kind.LABELING:
        raise _bad(
            _("“%(name)s” is a contract for collecting photos, not for labeling.")
            % {"name": contract.name},
            code="contract_not_labeling",
            field_name="contract",
        )
    if contract.dataset_id != dataset.pk:
        raise _bad(
            _("Contract “%(name)s” is for another dataset.") % {"name": contract.name},
            code="contract_other_dataset",
            field_name="contract",
        )
    if contract.task_kind_id != kind.pk:
        raise _bad(
            _("Contract “%(name)s” is for another task kind than “%(kind)s”.")
            % {"name": contract.name, "kind": kind.name},
            code="contract_other_task_kind",
            field_name="contract",
        )


def _eligible(*, dataset: Dataset, kind: TaskKind, type_ids: list[int], type_slugs, required):
    """Items the kind may take, before categories: one queryset to filter per category."""
    labeled = Task.objects.filter(task_kind=kind, item=OuterRef("pk")).exclude(
        status=Task.Status.CANCELLED
    )
    held = TaskHold.objects.filter(item=OuterRef("pk"), region_type_id__in=type_ids)
    items = Item.objects.filter(
        dataset=dataset, processing=Item.Processing.READY, status__in=CUTTABLE
    ).filter(~Exists(labeled), ~Exists(held))
    for slug in type_slugs:
        items = items.exclude(truth_types__contains=f",{slug},")
    for slug in required:
        items = items.filter(truth_types__contains=f",{slug},")
    return items


def _carrying(items, categories: list[Category]):
    for category in categories:
        items = items.filter(
            Exists(ItemCategory.objects.filter(item=OuterRef("pk"), category=category))
        )
    return items


def _resolve_need(dataset: Dataset, need: dict, filters: list[str]):
    if not isinstance(need, dict) or not need:
        raise _bad(
            _("Name at least one category and how many items of it to cut."),
            code="empty_need",
            field_name="need",
        )
    if not isinstance(filters, list | tuple):
        raise _bad(_("Filters are a list of categories."), code="bad_filters", field_name="filters")
    categories = {
        _key(category): category
        for category in Category.objects.filter(axis__dataset=dataset).select_related("axis")
    }
    lines = []
    for key, value in need.items():
        category = categories.get(key)
        if category is None:
            raise _bad(
                _("This dataset has no category “%(key)s”.") % {"key": key},
                code="unknown_category",
                field_name=f"need.{key}",
            )
        lines.append((key, category, _count(value, key)))
    axes = {category.axis_id for _key_, category, _n in lines}
    if len(axes) > 1:
        raise _bad(
            _("A need counts categories of one axis; filter by the others."),
            code="need_axes",
            field_name="need",
        )
    chosen = []
    for key in filters:
        category = categories.get(key)
        if category is None:
            raise _bad(
                _("This dataset has no category “%(key)s”.") % {"key": key},
                code="unknown_category",
                field_name="filters",
            )
        if category.axis_id in axes:
            raise _bad(
                _("“%(key)s” is on the axis the need counts: an item carries one category of it.")
                % {"key": key},
                code="filter_on_need_axis",
                field_name="filters",
            )
        chosen.append(category)
    if len({category.axis_id for category in chosen}) < len(chosen):
        raise _bad(
            _("Two filters on one axis can never both hold."),
            code="filters_one_axis",
            field_name="filters",
        )
    return lines, chosen


def _gaps(dataset: Dataset, lines, filters: list[Category]) -> dict[str, tuple]:
    """Per need key: (gap, target, in labeling) from the coverage report, after folding in
    the submits' pending coverage deltas so a cut never reads counters seconds old."""
    dataset_services.coverage_deltas_apply(dataset_id=dataset.pk)
    report = dataset_selectors.coverage_report(dataset=dataset)
    rows = {row["key"]: row for axis in report["axes"] for row in axis["categories"]}
    cells = {}
    for row in report["cells"]:
        cells[(row["first"], row["second"])] = row
        cells[(row["second"], row["first"])] = row
    found = {}
    for key, _category, _n in lines:
        row = rows.get(key)
        for category in filters:
            row = cells.get((key, _key(category)), row)
        target = row["target"] if row else None
        done = (row["accepted"] + row["labeled"] + row["in_labeling"]) if row else 0
        gap = max(0, (target or 0) - done)
        found[key] = (gap, target or None, row["in_labeling"] if row else 0)
    return found


def _select(
    *,
    dataset: Dataset,
    task_kind: TaskKind,
    need: dict,
    filters: list[str],
    seed: str | None,
    contract: Contract | None,
    allow_short: bool,
) -> Selection:
    if task_kind.dataset_id != dataset.pk:
        raise _bad(
            _("Task kind “%(name)s” belongs to another dataset.") % {"name": task_kind.name},
            code="task_kind_other_dataset",
            field_name="task_kind",
        )
    if contract is not None:
        _contract_check(dataset=dataset, kind=task_kind, contract=contract)
    resolved, chosen = _resolve_need(dataset, need, list(filters or []))
    gaps = _gaps(dataset, resolved, chosen)
    types = list(task_kind.types.all())
    required = [t.slug for t in task_kind.requires.all()]
    base = _eligible(
        dataset=dataset,
        kind=task_kind,
        type_ids=[t.pk for t in types],
        type_slugs=[t.slug for t in types],
        required=required,
    )
    seed = str(seed) if seed not in (None, "") else secrets.token_hex(8)
    rng = random.Random(seed)
    # One scan of the items for the whole need: each eligible item with its need category
    # (an item carries one category of the need's axis, so it comes once).
    eligible = defaultdict(list)
    for pk, status, category_id in (
        _carrying(base, chosen)
        .filter(itemcategory__category__in=[category for _k, category, _n in resolved])
        .values_list("id", "status", "itemcategory__category_id")
        .order_by()
    ):
        eligible[category_id].append((pk, status))
    lines, seen = [], set()
    for key, category, asked in sorted(resolved, key=lambda line: line[0]):
        gap, target, in_labeling = gaps[key]
        line = Line(key, category, asked, gap, target, in_labeling)
        rows = sorted(eligible[category.pk])
        rows = [row for row in rows if row[0] not in seen]
        line.available = len(rows)
        take = min(line.wanted, len(rows))
        line.taken = sorted(rng.sample(rows, take))
        seen.update(pk for pk, _status in line.taken)
        lines.append(line)
    selection = Selection(dataset, task_kind, contract, lines, chosen, seed, allow_short)
    _refuse_short(selection, required)
    return selection


def _refuse_short(selection: Selection, required: list[str]) -> None:
    lines = selection.lines
    if sum(line.wanted for line in lines) == 0:
        raise _bad(
            _("The need adds up to no items: give a count, or choose categories with a gap."),
            code="zero_total",
            field_name="need",
        )
    if selection.total == 0 and required:
        # Would any be eligible without the precondition? Then the precondition is why.
        kind = selection.kind
        types = list(kind.types.all())
        loose = _eligible(
            dataset=selection.dataset,
            kind=kind,
            type_ids=[t.pk for t in types],
            type_slugs=[t.slug for t in types],
            required=[],
        )
        lacking = 0
        for line in lines:
            lacking += _carrying(loose, [line.category, *selection.filters]).count()
        if lacking:
            names = ", ".join(t.name for t in kind.requires.all())
            raise _bad(
                _(
                    "None of the %(count)s items asked for has accepted %(types)s regions, "
                    "which “%(kind)s” needs first."
                )
                % {"count": lacking, "types": names, "kind": kind.name},
                code="precondition_failed",
                field_name="task_kind",
            )
    short = [line for line in lines if line.asked is not None and line.shortfall]
    if short and not selection.allow_short:
        fields = {
            f"need.{line.key}": _("%(asked)s asked, %(available)s available.")
            % {"asked": line.asked, "available": line.available}
            for line in short
        }
        raise DomainError(
            _("Not enough items: %(lines)s.")
            % {
                "lines": "; ".join(
                    _("%(name)s: %(asked)s asked, %(available)s available, %(short)s short")
                    % {
                        "name": line.category.name,
                        "asked": line.asked,
                        "available": line.available,
                        "short": line.shortfall,
                    }
                    for line in short
                )
            },
            code="shortfall",
            fields=fields,
        )
    if selection.total == 0:
        raise _bad(
            _("No item is eligible for this need."), code="nothing_eligible", field_name="need"
        )


def _cost(contract: Contract, tasks: int) -> dict:
    price = vendor_services.price_at(contract, timezone.now())
    per = vendor_services.units_per_task(contract)
    amount = (per * price).quantize(FOUR) * tasks
    currency = contract.currency
    return {
        "currency": currency,
        "unit_price": money_text(price, currency),
        "unit": contract.unit,
        "units": f"{(per * tasks).normalize():f}",
        "amount": money_text(amount, currency),
        "amount_text": money_format(amount, currency),
    }


def _room(contract: Contract) -> dict:
    room = vendor_selectors.contract_room(contract=contract)
    currency = contract.currency
    return {
        "quantity": contract.quantity,
        "quantity_left": f"{room['quantity_left'].normalize():f}",
        "budget": money_text(contract.budget, currency),
        "budget_left": money_text(room["budget_left"], currency),
        "budget_left_text": money_format(room["budget_left"], currency),
        "ends_on": contract.ends_on,
    }


class _Rollback(Exception):
    pass


def _reserve_verdict(contract: Contract, tasks: int) -> dict | None:
    """What the ledger would answer to the cut's reservation, asked and rolled back."""
    try:
        with transaction.atomic():
            vendor_services.ledger_reserve(contract=contract, batch_ref=0, tasks=tasks)
            raise _Rollback
    except _Rollback:
        return None
    except DomainError as error:
        return {"code": error.code, "message": str(error.message)}


def batch_preview(
    *,
    dataset: Dataset,
    task_kind: TaskKind,
    need: dict,
    filters: list[str] = (),
    seed: str | None = None,
    contract: Contract | None = None,
    allow_short: bool = False,
) -> dict:
    """Exactly what ``batch_cut`` with the same arguments (and seed) would take: per
    category asked, available, taken, shortfall, a few item ids, in labeling before → after;
    the cost it would reserve and the contract's room, and ``refusal`` when the ledger
    would refuse it. Refuses what the cut refuses before the ledger (400s)."""
    selection = _select(
        dataset=dataset,
        task_kind=task_kind,
        need=need,
        filters=filters,
        seed=seed,
        contract=contract,
        allow_short=allow_short,
    )
    categories = []
    for line in selection.lines:
        moving = sum(status == Item.Status.NEW for _pk, status in line.taken)
        categories.append(
            {
                "key": line.key,
                "name": line.category.name,
                "asked": line.asked,
                "defaulted": line.asked is None,
                "gap": line.gap,
                "target": line.target,
                "available": line.available,
                "taken": len(line.taken),
                "shortfall": line.shortfall,
                "sample": [pk for pk, _status in line.taken[:SAMPLE_SIZE]],
                "in_labeling_before": line.in_labeling,
                "in_labeling_after": line.in_labeling + moving,
            }
        )
    preview = {
        "task_kind": task_kind.pk,
        "contract": contract.pk if contract else None,
        "seed": selection.seed,
        "filters": [_key(category) for category in selection.filters],
        "categories": categories,
        "total": selection.total,
        "cost": None,
        "room": None,
        "refusal": None,
    }
    if contract is not None:
        preview["cost"] = _cost(contract, selection.total)
        preview["room"] = _room(contract)
        preview["refusal"] = _reserve_verdict(contract, selection.total)
    return preview


def order_key(seed: str, item_id: int) -> int:
    """A task's place in its batch's hand-out order: a hash of the batch's seed and the
    item, so the order is shuffled, stable, and the same for the same cut."""
    digest = hashlib.blake2b(f"{seed}:{item_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _tasks_insert(*, batch: Batch, rows: list[tuple[int, str]]) -> None:
    """The batch's tasks, ``(item id, category key)`` each, and their holds on every type
    of the kind (the unique hold is what makes a racing cut fail: IntegrityError).

    On PostgreSQL two statements build the rows in the database: the tasks from two arrays
    (``unnest``), the holds from the tasks just made joined to the kind's types — no Python
    object per task (10,000 tasks: the ORM's objects cost more than the inserts). Elsewhere
    the ORM's bulk inserts."""
    if connection.vendor != "postgresql":
        tasks = Task.objects.bulk_create(
            Task(
                batch=batch,
                task_kind_id=batch.task_kind_id,
                item_id=pk,
                category_key=key,
                order_key=order_key(batch.seed, pk),
            )
            for pk, key in rows
        )
        type_ids = sorted(batch.task_kind.types.values_list("id", flat=True))
        TaskHold.objects.bulk_create(
            TaskHold(task=task, item_id=task.item_id, region_type_id=type_id)
            for task in tasks
            for type_id in type_ids
        )
        return
    task, hold = Task._meta.db_table, TaskHold._meta.db_table
    kind_types = TaskKind.types.through._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {task} (batch_id, task_kind_id, item_id, status, category_key, "  # noqa: S608 - our names
            "order_key, active_seconds, created_at) "
            "SELECT %s, %s, row.item, %s, row.category_key, row.order_key, 0, %s "
            "FROM unnest(%s::bigint[], %s::text[], %s::bigint[]) "
            "AS row(item, category_key, order_key) ORDER BY row.item",
            [
                batch.pk,
                batch.task_kind_id,
                Task.Status.OPEN,
                timezone.now(),
                [pk for pk, _key in rows],
                [key for _pk, key in rows],
                [order_key(batch.seed, pk) for pk, _key in rows],
            ],
        )
        cursor.execute(
            f"INSERT INTO {hold} (task_id, item_id, region_type_id) "  # noqa: S608 - our names
            f"SELECT t.id, t.item_id, k.regiontype_id FROM {task} t "
            f"JOIN {kind_types} k ON k.taskkind_id = t.task_kind_id WHERE t.batch_id = %s",
            [batch.pk],
        )


@transaction.atomic
def batch_cut(
    *,
    dataset: Dataset,
    task_kind: TaskKind,
    contract: Contract,
    need: dict,
    filters: list[str] = (),
    due_on: date,
    name: str = "",
    seed: str | None = None,
    allow_short: bool = False,
    by: User | None = None,
) -> Batch:
    """Cut a batch: the preview's items become tasks of a new batch for the contract's
    vendor, held against every other cut (two racing cuts never share an item: the loser
    gets 409 ``items_taken``), moved new → in labeling, their cost reserved in the ledger.
    Any refusal keeps nothing."""
    if contract is None:
        raise _bad(_("Choose a contract."), code="no_contract", field_name="contract")
    if due_on < vendor_services.contract_today(contract):
        raise _bad(
            _("The due date %(due)s is in the past.") % {"due": due_on},
            code="due_in_past",
            field_name="due_on",
        )
    selection = _select(
        dataset=dataset,
        task_kind=task_kind,
        need=need,
        filters=filters,
        seed=seed,
        contract=contract,
        allow_short=allow_short,
    )
    batch = Batch.objects.create(
        dataset=dataset,
        task_kind=task_kind,
        vendor_id=contract.vendor_id,
        contract=contract,
        name=name,
        need=selection.need_record(),
        seed=selection.seed,
        size=selection.total,
        due_on=due_on,
        created_by=by,
    )
    rows = sorted((pk, line.key) for line in selection.lines for pk, _status in line.taken)
    try:
        with transaction.atomic():
            _tasks_insert(batch=batch, rows=rows)
    except IntegrityError:
        type_ids = task_kind.types.values_list("id", flat=True)
        taken = (
            TaskHold.objects.filter(item_id__in=selection.item_ids, region_type_id__in=type_ids)
            .values("item_id")
            .distinct()
            .count()
        )
        raise DomainError(
            _(
                "%(taken)s of the %(total)s items were taken by another cut meanwhile; "
                "preview again and cut."
            )
            % {"taken": taken, "total": selection.total},
            code="items_taken",
            status=409,
        ) from None
    dataset_services.items_status_move(
        dataset=dataset,
        item_ids=selection.item_ids,
        from_status=Item.Status.NEW,
        to_status=Item.Status.IN_LABELING,
    )
    vendor_services.ledger_reserve(
        contract=contract, batch_ref=batch.pk, tasks=selection.total, by=by
    )
    return batch


def tasks_end(
    *, batch: Batch, rows: list[tuple[int, int]], action: str, by: User | None
) -> list[int]:
    """End the batch's tasks ``rows`` (task id, item id: open, locked by the caller) as
    ``action`` of ``states.TASK_MOVES`` says ("cancel", "unusable"): their holds go, their
    items that no other unended task holds move as the table says, and their reservation
    is given back. The items that moved (none when ``rows`` is empty)."""
    if not rows:
        return []
    task_ids = [pk for pk, _item in rows]
    item_ids = [item for _pk, item in rows]
    Task.objects.filter(pk__in=task_ids).update(status=states.TASK_MOVES[action].to)
    TaskHold.objects.filter(task_id__in=task_ids).delete()
    still = set(
        Task.objects.filter(item_id__in=item_ids)
        .exclude(status__in=Task.ENDED)
        .values_list("item_id", flat=True)
    )
    freed = [pk for pk in item_ids if pk not in still]
    states.task_items_move(action=action, dataset_id=batch.dataset_id, item_ids=freed)
    vendor_services.ledger_release(
        contract=batch.contract, batch_ref=batch.pk, tasks=len(rows), by=by
    )
    return freed


@transaction.atomic
def batch_tasks_cancel(*, batch: Batch, by: User | None = None) -> tuple[Batch, int]:
    """Cancel the batch's untouched tasks (open: never leased), free their items for
    another cut, give their reservation back; the batch is cancelled when none is left.
    (batch, tasks cancelled)."""
    batch = Batch.objects.select_for_update().select_related("contract").get(pk=batch.pk)
    if batch.status in (Batch.Status.ACCEPTED, Batch.Status.CANCELLED):
        raise DomainError(
            _("The batch is %(status)s: it has no tasks to cancel.")
            % {"status": batch.get_status_display().lower()},
            code="batch_closed",
            status=409,
        )
    untouched = Task.objects.select_for_update().filter(batch=batch, status=Task.Status.OPEN)
    rows = list(untouched.values_list("id", "item_id"))
    tasks_end(batch=batch, rows=rows, action="cancel", by=by)
    left = Task.objects.filter(batch=batch).exclude(status=Task.Status.CANCELLED).exists()
    if not left and states.can_move(batch.status, Batch.Status.CANCELLED):
        batch = states.batch_move(batch=batch, to=Batch.Status.CANCELLED, by=by)
    return batch, len(rows)
