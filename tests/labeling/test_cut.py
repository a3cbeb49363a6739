"""Cutting batches by category need: exact counts from the right categories, never an item
twice for one kind (also when two cuts race), cancelling frees them, refusals with numbers."""

import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import DomainError
from datasets.models import CoverageCount, Item
from labeling import services
from labeling.models import Batch, Task, TaskHold
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.labeling import cut, items_in, make_floor
from tests.factories.vendors import contract_for, task_kind_for
from vendors.models import LedgerLine
from vendors.selectors import contract_room

pytestmark = pytest.mark.django_db


def categories_of(batch) -> Counter:
    """Tasks per category slug, read from the items' own categories."""
    counts = Counter()
    for task in Task.objects.filter(batch=batch).prefetch_related("item__categories"):
        for category in task.item.categories.all():
            counts[category.slug] += 1
    return counts


def state(floor) -> tuple:
    """Everything a refused cut must leave as it was."""
    return (
        Batch.objects.count(),
        Task.objects.count(),
        TaskHold.objects.count(),
        LedgerLine.objects.count(),
        sorted(Item.objects.values_list("id", "status")),
        sorted(CoverageCount.objects.values_list("category_key", "status", "count")),
    )


def test_a_cut_takes_exactly_the_counts_asked_from_the_right_categories(floor):
    batch = cut(floor, {"capture=shadow": 12, "capture=highlighter": 7}, ["writing=handwritten"])

    assert batch.size == 19
    assert categories_of(batch) == Counter({"shadow": 12, "highlighter": 7, "handwritten": 19})
    assert Counter(Task.objects.filter(batch=batch).values_list("category_key", flat=True)) == {
        "capture=shadow": 12,
        "capture=highlighter": 7,
    }
    assert batch.vendor == floor.vendor and batch.status == Batch.Status.OPEN


def test_cut_items_move_to_in_labeling_with_their_counters(floor):
    batch = cut(floor, {"capture=shadow": 10})

    ids = Task.objects.filter(batch=batch).values_list("item_id", flat=True)
    assert set(Item.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"in_labeling"}
    in_labeling = CoverageCount.objects.filter(dataset=floor.dataset, status="in_labeling")
    assert sum(in_labeling.values_list("count", flat=True)) == 10


def test_the_cut_reserves_its_cost_in_the_ledger(floor):
    cut(floor, {"capture=shadow": 10})

    room = contract_room(contract=floor.contract)
    assert room["reserved_units"] == 10
    assert room["reserved_amount"] == Decimal("8.50")


def test_generator_truth_counts_as_labeled_for_the_kind(floor):
    batch = cut(floor, {"capture=shadow": 50}, ["writing=handwritten"], allow_short=True)

    assert batch.size == 30  # 35 handwritten shadow items, 5 with formula truth already
    taken = Item.objects.filter(pk__in=Task.objects.filter(batch=batch).values("item_id"))
    assert not taken.filter(truth_types__contains=",formula,").exists()


def test_a_second_cut_of_the_same_kind_never_takes_the_same_items(floor):
    first = cut(floor, {"capture=shadow": 20})
    second = cut(floor, {"capture=shadow": 25})

    first_items = set(Task.objects.filter(batch=first).values_list("item_id", flat=True))
    second_items = set(Task.objects.filter(batch=second).values_list("item_id", flat=True))
    assert len(first_items) == 20 and len(second_items) == 25
    assert not first_items & second_items


def test_an_item_is_asked_for_beyond_what_is_left_is_a_shortfall_with_the_numbers(floor):
    cut(floor, {"capture=shadow": 40})
    before = state(floor)

    with pytest.raises(DomainError) as refused:
        cut(floor, {"capture=shadow": 20, "capture=highlighter": 5})

    assert refused.value.code == "shortfall"
    assert refused.value.fields == {"need.capture=shadow": "20 asked, 10 available."}
    assert "10 short" in str(refused.value.message)
    assert state(floor) == before


def test_allow_short_takes_what_there_is(floor):
    batch = cut(floor, {"capture=highlighter": 30}, allow_short=True)

    assert batch.size == 25


def test_an_omitted_count_defaults_to_the_quota_gap(floor):
    cut(floor, {"capture=shadow": 10})  # shadow: target 60, in labeling 10 now

    preview = services.batch_preview(
        dataset=floor.dataset,
        task_kind=floor.formula,
        need={"capture=shadow": None, "capture=highlighter": None},
        contract=floor.contract,
    )

    rows = {row["key"]: row for row in preview["categories"]}
    assert rows["capture=shadow"]["gap"] == 50 and rows["capture=shadow"]["defaulted"]
    # 55 shadow items, 5 labeled by the generator, 10 taken: 40 left, the gap capped to them
    assert rows["capture=shadow"]["available"] == 40
    assert rows["capture=shadow"]["taken"] == 40
    assert rows["capture=highlighter"]["taken"] == 25  # gap 40, 25 items
    assert rows["capture=shadow"]["in_labeling_before"] == 10
    assert rows["capture=shadow"]["in_labeling_after"] == 50


def test_the_preview_takes_what_the_cut_takes_with_the_same_seed(floor):
    need = {"capture=shadow": 9, "capture=highlighter": 4}
    preview = services.batch_preview(
        dataset=floor.dataset, task_kind=floor.formula, need=need, contract=floor.contract
    )

    batch = cut(floor, need, seed=preview["seed"])

    assert batch.seed == preview["seed"]
    taken = set(Task.objects.filter(batch=batch).values_list("item_id", flat=True))
    for row in preview["categories"]:
        assert set(row["sample"]) <= taken
    assert preview["total"] == batch.size == 13
    assert preview["cost"]["amount"] == "11.05" and preview["cost"]["currency"] == "USD"
    assert preview["refusal"] is None
    assert preview["room"]["quantity_left"] == "1000"


def test_the_same_seed_and_data_draw_the_same_items(floor):
    need = {"capture=shadow": 9}
    one = services.batch_preview(
        dataset=floor.dataset, task_kind=floor.formula, need=need, seed="fixed"
    )
    two = services.batch_preview(
        dataset=floor.dataset, task_kind=floor.formula, need=need, seed="fixed"
    )

    assert one["categories"] == two["categories"]


def test_cancelling_untouched_tasks_frees_their_items_and_releases_the_reservation(floor):
    batch = cut(floor, {"capture=shadow": 20})
    items = set(Task.objects.filter(batch=batch).values_list("item_id", flat=True))

    batch, cancelled = services.batch_tasks_cancel(batch=batch, by=None)

    assert cancelled == 20 and batch.status == Batch.Status.CANCELLED
    assert not TaskHold.objects.filter(item_id__in=items).exists()
    assert set(Item.objects.filter(pk__in=items).values_list("status", flat=True)) == {"new"}
    assert contract_room(contract=floor.contract)["reserved_units"] == 0
    again = cut(floor, {"capture=shadow": 50}, allow_short=True)
    assert items <= set(Task.objects.filter(batch=again).values_list("item_id", flat=True))


def test_cancel_keeps_tasks_already_being_labeled(floor):
    batch = cut(floor, {"capture=shadow": 5})
    leased = Task.objects.filter(batch=batch).first()
    Task.objects.filter(pk=leased.pk).update(
        status=Task.Status.LEASED, annotator=floor.manager, lease_expires_at=timezone.now()
    )

    batch, cancelled = services.batch_tasks_cancel(batch=batch, by=None)

    assert cancelled == 4 and batch.status == Batch.Status.OPEN
    assert TaskHold.objects.filter(task=leased).exists()
    assert Item.objects.get(pk=leased.item_id).status == "in_labeling"


@pytest.mark.parametrize(
    ("quantity", "budget", "code", "numbers"),
    [
        (15, "10000", "contract_quantity", ["20 units", "15 left", "of 15"]),
        (1000, "10", "contract_budget", ["$17.00", "$10.00"]),
    ],
)
def test_room_refusals_give_the_numbers_and_keep_nothing(db, quantity, budget, code, numbers):
    floor = make_floor(quantity=quantity, budget=budget)
    before = state(floor)

    with pytest.raises(DomainError) as refused:
        cut(floor, {"capture=shadow": 20})

    assert refused.value.code == code
    for number in numbers:
        assert number in str(refused.value.message)
    assert state(floor) == before


def test_an_ended_contract_refuses_with_its_end_date(floor):
    ended = timezone.localdate() - timedelta(days=1)
    floor.contract.starts_on = ended - timedelta(days=30)
    floor.contract.ends_on = ended
    floor.contract.save()
    before = state(floor)

    with pytest.raises(DomainError) as refused:
        cut(floor, {"capture=shadow": 5})

    assert refused.value.code == "contract_ended"
    assert str(ended) in str(refused.value.message)
    assert state(floor) == before


def test_the_preview_says_what_the_ledger_would_refuse(db):
    floor = make_floor(quantity=15)

    preview = services.batch_preview(
        dataset=floor.dataset,
        task_kind=floor.formula,
        need={"capture=shadow": 20},
        contract=floor.contract,
    )

    assert preview["refusal"]["code"] == "contract_quantity"
    assert not LedgerLine.objects.exists()


def test_a_precondition_failing_for_every_item_names_the_missing_types(floor):
    contract = contract_for(floor.vendor, floor.dataset, task_kind=floor.char)
    before = state(floor)

    with pytest.raises(DomainError) as refused:
        cut(floor, {"capture=highlighter": 5}, task_kind=floor.char, contract=contract)

    assert refused.value.code == "precondition_failed"
    assert "Formula" in str(refused.value.message) and "25" in str(refused.value.message)
    assert state(floor) == before


def test_the_char_pass_takes_items_with_formula_truth(floor):
    contract = contract_for(floor.vendor, floor.dataset, task_kind=floor.char)

    batch = cut(floor, {"capture=shadow": 5}, task_kind=floor.char, contract=contract)

    taken = Item.objects.filter(pk__in=Task.objects.filter(batch=batch).values("item_id"))
    assert taken.count() == 5
    assert all(",formula," in types for types in taken.values_list("truth_types", flat=True))


def test_a_kind_editing_the_same_types_cannot_take_an_item_another_kind_holds(floor):
    held = cut(floor, {"capture=highlighter": 25})
    same_types = task_kind_for(floor.dataset, types=("formula",), slug="formula-again")
    contract = contract_for(floor.vendor, floor.dataset, task_kind=same_types)

    with pytest.raises(DomainError) as refused:
        cut(floor, {"capture=highlighter": 1}, task_kind=same_types, contract=contract)

    assert refused.value.code == "shortfall"
    assert refused.value.fields == {"need.capture=highlighter": "1 asked, 0 available."}
    assert held.size == 25


@pytest.mark.parametrize("what", ["kind", "contract_dataset", "contract_kind", "collection"])
def test_work_of_another_dataset_or_kind_is_refused(floor, what):
    other = formula_schema(DatasetFactory())
    items_in(other, [], 3)
    options = {}
    if what == "kind":
        options["task_kind"] = task_kind_for(other)
    elif what == "contract_dataset":
        options["contract"] = contract_for(floor.vendor, other, task_kind=task_kind_for(other))
    elif what == "contract_kind":
        options["contract"] = contract_for(floor.vendor, floor.dataset, task_kind=floor.char)
    else:
        options["contract"] = contract_for(floor.vendor, floor.dataset)
    before = state(floor)

    with pytest.raises(DomainError) as refused:
        cut(floor, {"capture=shadow": 5}, **options)

    assert refused.value.code in {
        "task_kind_other_dataset",
        "contract_other_dataset",
        "contract_other_task_kind",
        "contract_not_labeling",
    }
    assert state(floor) == before


@pytest.mark.parametrize(
    ("need", "filters", "code"),
    [
        ({}, [], "empty_need"),
        ({"capture=clean": None}, [], "zero_total"),
        ({"capture=nowhere": 3}, [], "unknown_category"),
        ({"capture=shadow": 3, "writing=printed": 3}, [], "need_axes"),
        ({"capture=shadow": 3}, ["capture=clean"], "filter_on_need_axis"),
        ({"capture=shadow": -1}, [], "bad_need"),
    ],
)
def test_a_need_that_makes_no_sense_is_refused(floor, need, filters, code):
    with pytest.raises(DomainError) as refused:
        cut(floor, need, filters)

    assert refused.value.code == code


def test_a_due_date_in_the_past_is_refused(floor):
    with pytest.raises(DomainError) as refused:
        cut(floor, {"capture=shadow": 3}, due_on=timezone.localdate() - timedelta(days=2))

    assert refused.value.code == "due_in_past"
    assert not Batch.objects.exists()


def test_pending_rejected_and_unprocessed_items_are_never_cut(floor):
    dataset = floor.dataset
    Item.objects.filter(dataset=dataset).update(status=Item.Status.PENDING)
    items_in(dataset, [floor.c["highlighter"]], 3, status=Item.Status.REJECTED)
    items_in(dataset, [floor.c["highlighter"]], 3, processing=Item.Processing.QUEUED)
    items_in(dataset, [floor.c["highlighter"]], 2)

    batch = cut(floor, {"capture=highlighter": 10}, allow_short=True)

    assert batch.size == 2


def test_a_cut_takes_the_same_number_of_queries_however_many_batches_exist(floor):
    need = {"capture=shadow": 3, "capture=highlighter": 3}
    cut(floor, {"capture=shadow": 1})  # the ledger's day row exists from now on
    with CaptureQueriesContext(connection) as first:
        cut(floor, need)
    for _ in range(5):
        cut(floor, {"capture=shadow": 2})

    with CaptureQueriesContext(connection) as later:
        cut(floor, need)

    # savepoints included: one draw per category; folding the pending coverage deltas in
    assert len(later) == len(first) <= 32


@pytest.mark.django_db(transaction=True)
def test_two_racing_cuts_never_share_an_item():
    floor = make_floor()
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(cut(floor, {"capture=highlighter": 20}, seed=None))
        except DomainError as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    batches = [r for r in results if isinstance(r, Batch)]
    refused = [r for r in results if isinstance(r, DomainError)]
    items = Task.objects.values_list("item_id", flat=True)
    assert len(items) == len(set(items))
    if refused:  # 25 highlighter items: two draws of 20 overlap, so one loses
        assert len(batches) == 1 and refused[0].code in {"items_taken", "shortfall"}
        assert refused[0].status in (409, 400)
        assert Task.objects.count() == 20
        assert LedgerLine.objects.count() == 1
    else:
        assert len(batches) == 2


@pytest.mark.django_db(transaction=True)
def test_the_cut_that_loses_a_race_gets_409_with_the_counts_and_keeps_nothing():
    """The first cut holds its items uncommitted while the second draws the same ones: the
    second waits on the hold's unique index and is refused when the first commits."""
    from django.db import transaction

    floor = make_floor()
    held, release = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                outcome["first"] = cut(floor, {"capture=highlighter": 20}, seed="one")
                held.set()
                release.wait(30)
        finally:
            connection.close()

    def second():
        try:
            held.wait(30)
            outcome["second"] = cut(floor, {"capture=highlighter": 20}, seed="two")
        except DomainError as error:
            outcome["second"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    held.wait(30)
    threading.Event().wait(1.0)  # the second cut is now waiting on the first's holds
    release.set()
    for thread in threads:
        thread.join(60)

    refused = outcome["second"]
    assert isinstance(refused, DomainError), refused
    assert refused.code == "items_taken" and refused.status == 409
    overlap = int(str(refused.message).split(" ")[0])
    assert 15 <= overlap <= 20 and "of the 20 items" in str(refused.message)
    assert Batch.objects.count() == 1 and Task.objects.count() == 20
    assert LedgerLine.objects.count() == 1
    assert Item.objects.filter(status="in_labeling").count() == 20
