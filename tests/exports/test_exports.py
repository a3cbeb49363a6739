"""Per-stage exports: a detection export of the demo, read back with pycocotools."""

import hashlib
import io
import zipfile
from pathlib import Path

import orjson
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from pycocotools.coco import COCO

from core.errors import DomainError
from datasets.models import Dataset, Stage
from exports import services as export_services
from exports.models import Export
from tests.factories.datasets import current_truths

pytestmark = pytest.mark.django_db

SPLITS = ["train", "val", "test"]


@pytest.fixture
def demo():
    call_command("seed_demo", photos=14)
    dataset = Dataset.objects.get(name="Math formula photos")
    return dataset, dataset.stages.get(slug="formula-detection")


def _export(dataset, stage, **options) -> Export:
    export = export_services.export_request(
        dataset=dataset, stage=stage, splits=options.pop("splits", SPLITS), by=None, **options
    )
    return export_services.export_build(export_id=export.pk)


def _zip(export) -> zipfile.ZipFile:
    with default_storage.open(export.file.name, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def _truth_boxes(dataset) -> dict[tuple[int, str], list[float]]:
    return {
        (truth.item_id, region["id"]): region["bbox"]
        for truth in current_truths(dataset)
        for region in truth.annotation["regions"]
        if region["type"] == "formula"
    }


def test_a_detection_export_is_stored_complete_with_its_hash(demo):
    dataset, stage = demo

    export = _export(dataset, stage)

    assert export.status == Export.Status.DONE, export.error
    assert export.file.name == f"exports/{dataset.pk}/{export.pk}.zip"
    assert export.total == export.done == 14
    assert len(export.sha256) == 64 and export.size > 0
    archive = _zip(export)
    assert archive.testzip() is None
    names = archive.namelist()
    assert names[:3] == ["coco/train.json", "coco/val.json", "coco/test.json"]
    assert names[-2:] == ["files.jsonl", "manifest.json"]
    assert not [p for p in Path(default_storage.path("exports")).rglob("*.part")]


def test_pycocotools_loads_each_split_and_every_box_is_the_ground_truth(demo, tmp_path):
    dataset, stage = demo
    archive = _zip(_export(dataset, stage))
    archive.extractall(tmp_path)
    truth = _truth_boxes(dataset)

    seen = {}
    for split in SPLITS:
        coco = COCO(str(tmp_path / "coco" / f"{split}.json"))
        assert [c["name"] for c in coco.loadCats(coco.getCatIds())] == ["formula"]
        image_ids = sorted(coco.getImgIds())
        assert image_ids == sorted(dataset.items.filter(split=split).values_list("id", flat=True))
        for annotation in coco.loadAnns(coco.getAnnIds()):
            seen[(annotation["image_id"], annotation["region"])] = annotation["bbox"]
    assert seen == truth


def test_yolo_lines_are_the_normalised_boxes(demo):
    dataset, stage = demo
    archive = _zip(_export(dataset, stage))
    items = {item.pk: item for item in dataset.items.all()}

    for truth in current_truths(dataset):
        item = items[truth.item_id]
        lines = archive.read(f"labels/{item.split}/{item.pk}.txt").decode().splitlines()
        boxes = [r["bbox"] for r in truth.annotation["regions"] if r["type"] == "formula"]
        assert len(lines) == len(boxes)
        for line, (x, y, w, h) in zip(lines, sorted_boxes(truth), strict=True):
            klass, *values = line.split()
            assert klass == "0"
            expected = (
                (x + w / 2) / item.width,
                (y + h / 2) / item.height,
                w / item.width,
                h / item.height,
            )
            assert [float(v) for v in values] == pytest.approx(expected, abs=1e-6)
    assert "train: images/train" in archive.read("data.yaml").decode()


def sorted_boxes(truth):
    regions = [r for r in truth.annotation["regions"] if r["type"] == "formula"]
    return [r["bbox"] for r in sorted(regions, key=lambda r: (len(r["id"]), r["id"]))]


def test_the_same_state_exports_byte_identical_zips(demo):
    dataset, stage = demo

    first, second = _export(dataset, stage), _export(dataset, stage)

    assert first.pk != second.pk
    assert first.sha256 == second.sha256
    assert _zip(first).read("manifest.json") == _zip(second).read("manifest.json")


def test_the_manifest_counts_hashes_and_provenance(demo):
    dataset, stage = demo
    archive = _zip(_export(dataset, stage))
    manifest = orjson.loads(archive.read("manifest.json"))

    assert manifest["groundwork_version"] == "0.1"
    assert manifest["dataset"] == {"id": dataset.pk, "name": dataset.name}
    assert manifest["spec_version"] == dataset.spec_version
    assert manifest["stage"]["slug"] == "formula-detection"
    assert [s["slug"] for s in manifest["spec_snapshot"]["stages"]][0] == "formula-detection"
    boxes = _truth_boxes(dataset)
    for split in SPLITS:
        ids = set(dataset.items.filter(split=split).values_list("id", flat=True))
        assert manifest["counts"]["splits"][split] == {
            "items": len(ids),
            "images": len(ids),
            "annotations": sum(1 for item_id, _ in boxes if item_id in ids),
            "unlabeled": 0,
        }
    assert manifest["counts"]["total"]["annotations"] == len(boxes)
    shadow = dataset.items.filter(categories__slug="shadow")
    assert manifest["counts"]["categories"]["capture/shadow"] == {
        split: shadow.filter(split=split).count()
        for split in SPLITS
        if shadow.filter(split=split).exists()
    }
    for name in archive.namelist()[:-1]:
        assert manifest["members"][name]["sha256"] == hashlib.sha256(archive.read(name)).hexdigest()
    assert set(manifest["members"]) == set(archive.namelist()) - {"manifest.json"}
    assert len(manifest["provenance"]) == 14
    assert {p["source"] for p in manifest["provenance"]} == {"generator"}
    assert {p["version"] for p in manifest["provenance"]} == {1}
    recorded_under = set(current_truths(dataset).values_list("spec_version", flat=True))
    assert {p["spec_version"] for p in manifest["provenance"]} == recorded_under
    files = [orjson.loads(line) for line in archive.read("files.jsonl").splitlines()]
    assert [f["item"] for f in files] == sorted(f["item"] for f in files)
    first = files[0]
    assert first["download"] == f"/datasets/{dataset.pk}/items/{first['item']}/file/image/"


def test_one_split_and_images_included(demo):
    dataset, stage = demo

    export = _export(dataset, stage, splits=["val"], images="include")

    archive = _zip(export)
    val_ids = sorted(dataset.items.filter(split="val").values_list("id", flat=True))
    assert archive.namelist()[0] == "coco/val.json"
    images = [info for info in archive.infolist() if info.filename.startswith("images/")]
    assert [int(Path(info.filename).stem) for info in images] == val_ids
    assert all(info.compress_type == zipfile.ZIP_STORED for info in images)
    item = dataset.items.get(pk=val_ids[0])
    with default_storage.open(item.image.name, "rb") as handle:
        assert archive.read(images[0].filename) == handle.read()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"splits": ["train", "holdout"]}, "bad_splits"),
        ({"images": "copy"}, "bad_images"),
        ({"format": "jsonl_crops"}, "bad_format"),
    ],
)
def test_bad_requests_are_refused(demo, change, code):
    dataset, stage = demo
    options = {"splits": SPLITS, **change}

    with pytest.raises(DomainError) as refused:
        export_services.export_request(dataset=dataset, stage=stage, by=None, **options)

    assert refused.value.code == code
    assert not Export.objects.exists()


@pytest.mark.parametrize("format", ["yolo", "hf_imagefolder"])
def test_a_format_of_the_kind_the_stage_does_not_list_is_refused_naming_its_own(demo, format):
    dataset, _stage = demo
    char_detection = dataset.stages.get(slug="char-detection")  # lists only coco

    with pytest.raises(DomainError) as refused:
        export_services.export_request(
            dataset=dataset, stage=char_detection, format=format, images="include", by=None
        )

    assert refused.value.code == "bad_format"
    assert refused.value.fields["format"].endswith("use one of coco.")
    assert not Export.objects.exists()


def test_a_stage_of_another_dataset_and_whole_images_by_reference_for_hf_are_refused(demo):
    dataset, stage = demo

    with pytest.raises(DomainError) as refused:
        export_services.export_request(
            dataset=dataset, stage=stage, format="hf_imagefolder", by=None
        )
    assert refused.value.code == "bad_images"
    assert "include" in refused.value.fields["images"]

    foreign = Stage(dataset_id=dataset.pk + 1000, input_kind="image", output_kind="boxes")
    with pytest.raises(DomainError) as refused:
        export_services.export_request(dataset=dataset, stage=foreign, by=None)
    assert refused.value.code == "bad_stage"


def test_building_a_finished_export_again_changes_nothing(demo):
    dataset, stage = demo
    export = _export(dataset, stage)

    again = export_services.export_build(export_id=export.pk)

    assert (again.status, again.sha256, again.finished_at) == (
        export.status,
        export.sha256,
        export.finished_at,
    )


# Through the API, as a trainer with a token


def _token_client(make_user, role):
    from rest_framework.test import APIClient

    from accounts import services as account_services

    issued = account_services.token_create(user=make_user(role), name="training job")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    return client


def test_a_trainer_requests_follows_and_downloads_an_export(demo, make_user):
    dataset, stage = demo
    client = _token_client(make_user, "trainer")
    url = f"/api/v1/datasets/{dataset.id}/exports/"

    requested = client.post(url, {"stage": stage.slug, "splits": ["train"]}, format="json")
    early = client.get(f"{url}{requested.json()['id']}/download/")
    export_services.export_build(export_id=requested.json()["id"])  # the worker's step
    done = client.get(f"{url}{requested.json()['id']}/").json()
    download = client.get(done["download"])

    assert requested.status_code == 202 and requested.json()["status"] == "running"
    assert requested.json()["percent"] == 0
    assert early.status_code == 409
    assert done["status"] == "done" and done["done"] == done["total"]
    assert done["percent"] == 100
    body = b"".join(download.streaming_content)
    assert download["Content-Type"] == "application/zip"
    assert hashlib.sha256(body).hexdigest() == done["sha256"]
    assert "coco/train.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()


def test_a_trainer_cannot_change_the_spec_and_a_vendor_sees_no_export(demo, make_user):
    dataset, stage = demo
    trainer = _token_client(make_user, "trainer")
    vendor = _token_client(make_user, "vendor_manager")

    patched = trainer.patch(
        f"/api/v1/datasets/{dataset.id}/stages/{stage.id}/", {"name": "Mine"}, format="json"
    )
    listed = vendor.get(f"/api/v1/datasets/{dataset.id}/exports/")

    assert patched.status_code == 403
    assert listed.status_code == 404


def test_an_export_of_an_unknown_stage_is_refused(demo, make_user):
    dataset, _stage = demo
    client = _token_client(make_user, "trainer")

    response = client.post(
        f"/api/v1/datasets/{dataset.id}/exports/", {"stage": "nope"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_stage"
    assert not Export.objects.exists()
