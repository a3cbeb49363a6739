"""Vendors' collected photos in the datasets app: awaiting acceptance they count nowhere;
accepted they count like any collected item; rejected they are kept and count nowhere."""

import io
from collections import Counter

import pytest

from core.errors import DomainError
from datasets import selectors, services
from datasets.models import CoverageCount, CoverageDaily, Dataset, Item, ItemEvent, Upload
from tests.factories.datasets import DatasetFactory
from tests.factories.images import image_bytes, zip_bytes

pytestmark = pytest.mark.django_db

CONTRACT = 41  # a collection contract's opaque id: datasets never reads vendors


@pytest.fixture
def dataset():
    dataset = DatasetFactory()
    axis = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    services.category_create(axis=axis, name="Shadow", slug="shadow", quota_target=4, by=None)
    return dataset


def shadow(dataset):
    return services.categories_resolve(dataset=dataset, pairs=["shadow"])


def counters(dataset) -> Counter:
    return Counter(
        {
            (row.category_key, row.split, row.status): row.count
            for row in CoverageCount.objects.filter(dataset=dataset).exclude(count=0)
        }
    )


def collect(dataset, *seeds):
    services.upload_files(
        dataset=dataset,
        files=[(f"IMG_{seed}.jpg", image_bytes(seed)) for seed in seeds],
        categories=shadow(dataset),
        by=None,
        contract_id=CONTRACT,
    )
    return list(Item.objects.filter(contract_id=CONTRACT).order_by("pk"))


def everywhere(dataset) -> dict:
    """What each reader of item counts says: the report, the dataset page, the list, splits."""
    report = selectors.coverage_report(dataset=dataset)
    [overview] = selectors.dataset_list_overview(datasets=Dataset.objects.filter(pk=dataset.pk))
    return {
        "report": report["totals"]["collected"],
        "category": report["axes"][0]["categories"][0]["collected"],
        "rate": report["totals"]["rate"],
        "summary": selectors.coverage_summary(dataset=dataset)["collected"],
        "list": overview["items"],
        "splits": sum(selectors.split_summary(dataset=dataset)["counts"].values()),
    }


def test_pending_and_rejected_photos_are_counted_nowhere_and_accepted_ones_everywhere(dataset):
    services.item_register(dataset=dataset, file=image_bytes(0), categories=shadow(dataset))
    first, second, third = collect(dataset, 1, 2, 3)
    nothing_added = {
        "report": 1, "category": 1, "rate": round(1 / 14, 2), "summary": 1, "list": 1, "splits": 1
    }  # fmt: skip
    assert everywhere(dataset) == nothing_added

    services.items_collected_review(items=[second], accept=False, by=None)
    assert everywhere(dataset) == nothing_added
    services.items_collected_review(items=[first, third], accept=True, by=None)

    assert everywhere(dataset) == {
        "report": 3, "category": 3, "rate": round(3 / 14, 2), "summary": 3, "list": 3, "splits": 3
    }  # fmt: skip
    kept = counters(dataset)
    services.coverage_recount(dataset=dataset)  # the counters equal a count of the items
    assert counters(dataset) == kept
    assert sum(CoverageDaily.objects.filter(dataset=dataset).values_list("count", flat=True)) == 3
    assert Counter(ItemEvent.objects.values_list("kind", flat=True)) == Counter(
        {"uploaded": 4, "collected_accepted": 2, "collected_rejected": 1}
    )


def test_a_zip_of_collected_photos_awaits_acceptance_too(dataset):
    upload = services.upload_archive_receive(
        dataset=dataset,
        archive=io.BytesIO(zip_bytes([("a.jpg", image_bytes(1))])),
        name="photos.zip",
        categories=shadow(dataset),
        by=None,
        contract_id=CONTRACT,
    )
    services.upload_unpack(upload_id=upload.pk)

    assert Upload.objects.get(pk=upload.pk).contract_id == CONTRACT
    assert list(Item.objects.values_list("status", "contract_id")) == [("pending", CONTRACT)]
    assert not counters(dataset)


def test_only_photos_awaiting_acceptance_can_be_reviewed(dataset):
    [photo] = collect(dataset, 1)
    own, _created = services.item_register(dataset=dataset, file=image_bytes(2))

    with pytest.raises(DomainError) as refused:
        services.items_collected_review(items=[photo, own], accept=True, by=None)

    assert (refused.value.code, refused.value.status) == ("not_pending", 409)
    assert str(own.pk) in refused.value.message
    photo.refresh_from_db()
    assert photo.status == Item.Status.PENDING
    assert not counters(dataset).get((photo.category_key, "", "new"))


def test_a_pending_photo_cannot_take_another_status_behind_the_review(dataset):
    [photo] = collect(dataset, 1)

    with pytest.raises(DomainError) as refused:
        services.item_status_set(item=photo, status=Item.Status.ACCEPTED)

    assert refused.value.code == "item_not_accepted"
    assert Item.objects.get(pk=photo.pk).status == Item.Status.PENDING


def test_a_pending_photo_the_worker_cannot_decode_takes_nothing_from_the_counts(dataset):
    services.item_register(dataset=dataset, file=image_bytes(0), categories=shadow(dataset))
    [photo] = collect(dataset, 1)
    before = (counters(dataset), list(CoverageDaily.objects.values_list("count", flat=True)))

    services.item_refuse(item=photo, code="damaged", message="damaged")

    assert (
        counters(dataset),
        list(CoverageDaily.objects.values_list("count", flat=True)),
    ) == before


def test_a_pending_or_rejected_photo_gets_no_ground_truth_so_no_export_sees_it(dataset):
    services.region_type_create(dataset=dataset, name="Formula", slug="formula", by=None)
    first, second = collect(dataset, 1, 2)
    services.items_collected_review(items=[second], accept=False, by=None)

    for photo in (first, second):
        with pytest.raises(DomainError) as refused:
            services.ground_truth_record(item=photo, annotation={"regions": []}, source="import")
        assert (refused.value.code, refused.value.status) == ("item_not_accepted", 409)
    assert not Item.objects.filter(ground_truth__isnull=False).exists()
