"""An export reads exactly the ground-truth versions its plan pinned, and names them."""

import io
import threading
import zipfile

import orjson
import pytest
from django.core.files.storage import default_storage
from django.db import connection, transaction

from datasets import services
from datasets.models import Item
from exports import services as export_services
from exports.models import Export
from tests.factories.datasets import DatasetFactory, formula_region, formula_schema

pytestmark = pytest.mark.django_db


def _dataset():
    """Three training items with a formula each, and a detection stage (images by reference:
    the export reads no image file)."""
    dataset = formula_schema(DatasetFactory())
    formula = dataset.region_types.get(slug="formula")
    services.stage_create(
        dataset=dataset,
        name="Formula detection",
        slug="formula-detection",
        input_kind="image",
        output_kind="boxes",
        output_type=formula,
        export_formats=["coco"],
        by=None,
    )
    for n in range(3):
        item = Item.objects.create(
            dataset=dataset,
            sha256=f"{n:064x}",
            image=f"items/{n}.jpg",
            original=f"items/{n}.jpg",
            width=200,
            height=100,
            split="train",
        )
        _record(item, x=10)
    return dataset


def _record(item, *, x: float, **provenance):
    annotation = {"regions": [formula_region("r1", bbox=(x, 10, 50, 20))], "categories": {}}
    provenance.setdefault("source", "import")
    return services.ground_truth_record(item=item, annotation=annotation, **provenance)


def _request(dataset) -> Export:
    stage = dataset.stages.get(slug="formula-detection")
    return export_services.export_request(dataset=dataset, stage=stage, splits=["train"], by=None)


def _build_planned(export: Export, chunk_ids: list[int]) -> Export:
    for chunk_id in chunk_ids:
        export_services.export_chunk_build(chunk_id=chunk_id, dispatch=False)
    export = export_services.export_join(export_id=export.pk)
    assert export.status == Export.Status.DONE, export.error
    return export


def _zip(export) -> zipfile.ZipFile:
    with default_storage.open(export.file.name, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def _boxes(export) -> dict[int, float]:
    coco = orjson.loads(_zip(export).read("coco/train.json"))
    return {box["image_id"]: box["bbox"][0] for box in coco["annotations"]}


def _manifest(export) -> dict:
    return orjson.loads(_zip(export).read("manifest.json"))


def test_an_export_planned_between_two_versions_holds_the_first_and_names_it():
    dataset = _dataset()
    item = dataset.items.order_by("id").first()
    export = _request(dataset)
    chunks = export_services.export_plan(export_id=export.pk, dispatch=False)

    second = _record(item, x=30)  # recorded after the plan, before any chunk is built
    pinned = _build_planned(export, chunks)
    later = export_services.export_build(export_id=_request(dataset).pk)

    assert second.number == 2 and item.truth_versions.count() == 2
    assert _boxes(pinned)[item.pk] == 10.0
    assert _boxes(later)[item.pk] == 30.0
    versions = {line["item"]: line["version"] for line in _manifest(pinned)["provenance"]}
    assert versions == dict.fromkeys(dataset.items.values_list("id", flat=True), 1)
    assert {line["item"]: line["version"] for line in _manifest(later)["provenance"]}[item.pk] == 2


def test_the_manifest_names_each_items_version_and_its_provenance(make_user):
    dataset = _dataset()
    item = dataset.items.order_by("id").last()
    reviewer = make_user("reviewer")
    version = _record(
        item,
        x=12,
        source="review",
        task_id=8,
        annotation_id=80,
        annotation_version=2,
        guide_version_ids=[3],
        by=reviewer,
    )

    manifest = _manifest(export_services.export_build(export_id=_request(dataset).pk))

    assert manifest["layout_version"] == 3
    line = manifest["provenance"][-1]
    assert line == {
        "item": item.pk,
        "split": "train",
        "version": 2,
        "source": "review",
        "source_ref": "",
        "task_id": 8,
        "annotation_id": 80,
        "annotation_version": 2,
        "guide_version_ids": [3],
        "spec_version": dataset.spec_version,
        "accepted_by": reviewer.pk,
        "accepted_at": version.accepted_at.isoformat(),
    }
    assert [p["item"] for p in manifest["provenance"]] == sorted(
        dataset.items.values_list("id", flat=True)
    )


def test_an_export_pinned_before_a_change_is_byte_identical_to_one_that_saw_none():
    dataset = _dataset()
    untouched = export_services.export_build(export_id=_request(dataset).pk)
    export = _request(dataset)
    chunks = export_services.export_plan(export_id=export.pk, dispatch=False)
    _record(dataset.items.order_by("id").first(), x=40)

    pinned = _build_planned(export, chunks)

    assert pinned.sha256 == untouched.sha256


@pytest.mark.django_db(transaction=True)
def test_a_version_with_a_lower_id_committed_after_the_plan_is_in_no_chunk(settings):
    settings.EXPORT_CHUNK_ITEMS = 1  # a chunk per item: the late one's chunk is there too
    dataset = _dataset()
    first, second, _third = dataset.items.order_by("id")
    holding, release = threading.Event(), threading.Event()
    late = {}

    def slow_acceptance() -> None:  # takes its id first and commits last
        try:
            with transaction.atomic():
                late["version"] = _record(Item.objects.get(pk=first.pk), x=99)
                holding.set()
                late["released"] = release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_acceptance)
    thread.start()
    assert holding.wait(10)
    quick = _record(second, x=55)  # a higher id, committed at once
    export = _request(dataset)
    chunk_ids = export_services.export_plan(export_id=export.pk, dispatch=False)
    release.set()
    thread.join(10)
    export = _build_planned(export, chunk_ids)

    assert late["released"]  # the plan ran while the slow acceptance was still open
    assert late["version"].pk < quick.pk
    first.refresh_from_db()
    assert first.ground_truth_id == late["version"].pk  # committed and current now
    pinned = [pk for chunk in export.chunks.order_by("index") for pk in chunk.versions]
    assert late["version"].pk not in pinned and quick.pk in pinned
    assert _boxes(export) == {first.pk: 10.0, second.pk: 55.0, _third.pk: 10.0}
    versions = [line["version"] for line in _manifest(export)["provenance"]]
    assert versions == [1, 2, 1]
