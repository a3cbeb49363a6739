"""Ground truth with history: versions, typed provenance, partial recordings, stale bases."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from accounts.models import Role
from core.errors import DomainError
from datasets import services
from datasets.models import GroundTruthVersion, Item, ItemEvent
from tests.factories.datasets import (
    DatasetFactory,
    char_region,
    formula_region,
    formula_schema,
    truth_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    dataset = formula_schema(DatasetFactory())
    return Item.objects.create(dataset=dataset, width=200, height=100, sha256="a" * 64)


def _doc(*regions) -> dict:
    return {"regions": list(regions), "categories": {}}


FORMULA = formula_region("r1", bbox=(10, 10, 100, 40), latex="a+b")
CHARS = [
    char_region("r2", "r1", bbox=(12, 12, 10, 20), symbol="a"),
    char_region("r3", "r1", bbox=(30, 12, 10, 20), symbol="b"),
]


def _record(item, annotation, **options) -> GroundTruthVersion:
    options.setdefault("source", "import")
    return services.ground_truth_record(item=item, annotation=annotation, **options)


def _refused(code: str, item, annotation, **options) -> DomainError:
    with pytest.raises(DomainError) as caught:
        _record(item, annotation, **options)
    assert caught.value.code == code, caught.value.message
    return caught.value


def _versions(item) -> list[int]:
    return list(item.truth_versions.order_by("number").values_list("number", flat=True))


def test_each_recording_is_a_new_version_and_the_item_points_at_the_newest(item):
    first = _record(item, _doc(FORMULA), source="generator", source_ref="synth seed=1")
    moved = formula_region("r1", bbox=(11, 10, 100, 40), latex="a+b")

    second = _record(item, _doc(moved))

    assert (first.number, second.number) == (1, 2)
    assert _versions(item) == [1, 2]
    first.refresh_from_db()
    assert first.annotation["regions"][0]["bbox"] == [10.0, 10.0, 100.0, 40.0]  # kept as it was
    assert truth_of(item) == second and item.ground_truth == second
    item.refresh_from_db()
    assert item.status == Item.Status.ACCEPTED
    summaries = [event.summary for event in item.events.all()]
    assert summaries == [
        "Ground truth version 1 recorded (Synthetic generator).",
        "Ground truth version 2 recorded (Imported).",
    ]


def test_a_review_records_its_typed_provenance(item, make_user):
    reviewer = make_user(Role.REVIEWER)
    at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)

    version = _record(
        item,
        _doc(FORMULA),
        source="review",
        task_id=41,
        annotation_id=410,
        annotation_version=3,
        guide_version_ids=[7, 5, 7],
        by=reviewer,
        accepted_at=at,
    )

    version.refresh_from_db()
    assert version.source == GroundTruthVersion.Source.REVIEW
    assert (version.task_id, version.annotation_id, version.annotation_version) == (41, 410, 3)
    assert version.guide_version_ids == [5, 7]
    assert version.spec_version == item.dataset.spec_version
    assert (version.accepted_by, version.accepted_at) == (reviewer, at)
    assert (version.types, version.base_version) == ([], None)
    assert ItemEvent.objects.get(item=item, kind="ground_truth").by == reviewer


def test_an_annotation_the_api_would_refuse_records_nothing_and_names_the_region(item):
    _record(item, _doc(FORMULA))
    outside = formula_region("r1", bbox=(150, 10, 100, 40))
    no_latex = {**formula_region("r2"), "attributes": {}}

    error = _refused("invalid_annotation", item, _doc(outside, no_latex))

    assert error.status == 400
    assert set(error.fields) == {"regions.r1.bbox", "regions.r2.attributes.latex"}
    assert _versions(item) == [1]
    assert truth_of(item).number == 1
    assert item.events.count() == 1


@pytest.mark.parametrize(
    ("provenance", "code", "fields"),
    [
        ({"source": "scraped"}, "bad_source", {"source"}),
        (
            {"source": "review", "task_id": 4},
            "bad_provenance",
            {"annotation_id", "annotation_version"},
        ),
        ({"task_id": -1}, "bad_provenance", {"task_id"}),
        ({"guide_version_ids": "3"}, "bad_provenance", {"guide_version_ids"}),
        ({"types": []}, "bad_types", {"types"}),
        ({"types": ["formula", "table"]}, "bad_types", {"types"}),
        ({"base_version": 4}, "unknown_base_version", {"base_version"}),
    ],
)
def test_bad_provenance_is_refused_and_records_nothing(item, provenance, code, fields):
    error = _refused(code, item, _doc(FORMULA), **provenance)

    assert error.status == 400
    assert set(error.fields) == fields
    assert not GroundTruthVersion.objects.exists()
    item.refresh_from_db()
    assert (item.status, item.ground_truth) == (Item.Status.NEW, None)


def test_a_partial_recording_merges_its_types_into_the_current_version(item):
    _record(item, {"regions": [FORMULA, CHARS[0]], "categories": {}})
    stray = formula_region("r9", latex="z")  # shown locked in the tool: not recorded

    version = _record(item, _doc(stray, *CHARS), types=["char"], base_version=1)

    assert version.number == 2 and version.types == ["char"] and version.base_version == 1
    assert [r["id"] for r in version.annotation["regions"]] == ["r1", "r2", "r3"]
    assert version.annotation["regions"][0] == FORMULA
    assert "char" in item.events.last().summary


def test_a_partial_recording_whose_types_changed_since_its_base_is_refused(item):
    _record(item, _doc(FORMULA, *CHARS))
    other = [char_region("r2", "r1", bbox=(12, 12, 10, 20), symbol="α")]
    _record(item, _doc(FORMULA, *other), types=["char"], base_version=1)  # accepted first

    error = _refused(
        "ground_truth_changed", item, _doc(FORMULA, *CHARS[:1]), types=["char"], base_version=1
    )

    assert error.status == 409
    assert "version 2" in error.message
    assert _versions(item) == [1, 2]
    assert truth_of(item).annotation["regions"][1]["attributes"] == {"symbol": "α"}


def test_a_partial_recording_is_accepted_when_only_other_types_changed_since_its_base(item):
    _record(item, _doc(FORMULA, *CHARS))
    retyped = formula_region("r1", bbox=(10, 10, 100, 40), latex="a-b")
    _record(item, _doc(retyped), types=["formula"], base_version=1)
    fixed = [char_region("r2", "r1", bbox=(12, 12, 10, 20), symbol="A"), CHARS[1]]

    version = _record(item, _doc(FORMULA, *fixed), types=["char"], base_version=1)

    assert version.number == 3
    regions = {r["id"]: r["attributes"] for r in version.annotation["regions"]}
    assert regions == {"r1": {"latex": "a-b"}, "r2": {"symbol": "A"}, "r3": {"symbol": "b"}}


def test_a_whole_recording_from_a_stale_base_is_refused(item):
    _record(item, _doc(FORMULA))
    _record(item, _doc(formula_region("r1", latex="c")))

    _refused("ground_truth_changed", item, _doc(FORMULA, *CHARS), base_version=1)
    same = _record(item, _doc(FORMULA, *CHARS), base_version=2)

    assert same.number == 3


def test_base_version_zero_means_the_work_started_from_no_ground_truth(item):
    first = _record(item, _doc(FORMULA), types=["formula"], base_version=0)

    _refused("ground_truth_changed", item, _doc(FORMULA), types=["formula"], base_version=0)

    assert first.number == 1 and _versions(item) == [1]


def _race(item, count: int, **options) -> list:
    """``count`` recordings of one item at once: the first holds its transaction open until
    the others have started, then commits. Returns each one's version number or error."""
    results: list = [None] * count
    started, release = threading.Event(), threading.Event()

    def accept(index: int) -> None:
        try:
            with transaction.atomic():
                version = _record(Item.objects.get(pk=item.pk), _doc(*CHARS), **options)
                if index == 0:
                    started.set()
                    release.wait(10)
            results[index] = version.number
        except DomainError as error:
            results[index] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(0,))]
    threads[0].start()
    assert started.wait(10)
    threads += [threading.Thread(target=accept, args=(n,)) for n in range(1, count)]
    for thread in threads[1:]:
        thread.start()
    for thread in threads[1:]:
        thread.join(0.5)
        assert thread.is_alive()  # waiting for the item's lock
    release.set()
    for thread in threads:
        thread.join(20)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_acceptances_from_one_base_take_turns_and_the_second_is_refused():
    dataset = formula_schema(DatasetFactory())
    item = Item.objects.create(dataset=dataset, width=200, height=100, sha256="b" * 64)
    _record(item, _doc(FORMULA))

    results = _race(item, 2, types=["char"], base_version=1)

    assert results == [2, "ground_truth_changed"]
    assert _versions(item) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_acceptances_at_once_without_a_base_each_get_their_own_number():
    dataset = formula_schema(DatasetFactory())
    item = Item.objects.create(dataset=dataset, width=200, height=100, sha256="c" * 64)
    _record(item, _doc(FORMULA))

    results = _race(item, 3, types=["char"])

    assert results[0] == 2 and sorted(results[1:]) == [3, 4]
    assert _versions(item) == [1, 2, 3, 4]
    assert truth_of(item).number == 4


@pytest.mark.django_db(transaction=True)
def test_an_acceptance_waits_for_no_other_item_of_its_dataset():
    dataset = formula_schema(DatasetFactory())
    one, other = (
        Item.objects.create(dataset=dataset, width=200, height=100, sha256=f"{n}" * 64)
        for n in (1, 2)
    )
    _record(one, _doc(FORMULA))
    _record(other, _doc(FORMULA))
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow() -> None:
        try:
            with transaction.atomic():
                _record(Item.objects.get(pk=one.pk), _doc(*CHARS), types=["char"])
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    def quick() -> None:
        try:
            _record(Item.objects.get(pk=other.pk), _doc(*CHARS), types=["char"])
            done.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=slow), threading.Thread(target=quick)]
    threads[0].start()
    assert holding.wait(10)
    threads[1].start()
    finished_while_open = done.wait(5)
    release.set()
    for thread in threads:
        thread.join(10)

    assert finished_while_open
    assert (_versions(one), _versions(other)) == ([1, 2], [1, 2])
