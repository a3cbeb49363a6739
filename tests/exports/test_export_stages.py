"""Every stage of the demo pipeline exported from the same ground truth, read back as a
trainer would: crops against the image's pixels, COCO per crop, Hugging Face imagefolder."""

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile

import orjson
import pytest
import yaml
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image, ImageChops
from pycocotools.coco import COCO

from datasets import services
from datasets.models import Dataset
from exports import services as export_services
from exports.models import Export
from exports.projections import crop_box
from tests.factories.datasets import current_truths

pytestmark = pytest.mark.django_db

SPLITS = ["train", "val", "test"]


@pytest.fixture
def dataset():
    call_command("seed_demo", photos=12)
    return Dataset.objects.get(name="Math formula photos")


def _export(dataset, slug, **options) -> Export:
    stage = dataset.stages.get(slug=slug)
    export = export_services.export_request(
        dataset=dataset, stage=stage, splits=options.pop("splits", SPLITS), by=None, **options
    )
    export = export_services.export_build(export_id=export.pk)
    assert export.status == Export.Status.DONE, export.error
    return export


def _zip(export) -> zipfile.ZipFile:
    with default_storage.open(export.file.name, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def _jsonl(archive, name) -> list[dict]:
    return [orjson.loads(line) for line in archive.read(name).splitlines()]


def _truths(dataset) -> dict[int, dict]:
    return {t.item_id: t for t in current_truths(dataset)}


def _regions(truth, type_slug) -> dict[str, dict]:
    return {r["id"]: r for r in truth.annotation["regions"] if r["type"] == type_slug}


def _upright(item) -> Image.Image:
    with default_storage.open(item.image.name, "rb") as handle:
        image = Image.open(handle)
        image.load()
    return image


@pytest.mark.parametrize("slug", ["formula-recognition", "char-detection"])
def test_the_zip_is_the_same_however_the_export_is_cut_into_chunks(dataset, settings, slug):
    settings.EXPORT_CHUNK_ITEMS = 5
    chunked = _export(dataset, slug)
    settings.EXPORT_CHUNK_ITEMS = 1000
    whole = _export(dataset, slug)

    assert (chunked.chunks_total, whole.chunks_total) == (3, 1)
    assert chunked.chunks_done == chunked.chunks_total
    assert chunked.sha256 == whole.sha256
    assert chunked.total == chunked.done == 12
    assert not chunked.chunks.exclude(file="").exists()  # the parts are gone
    assert not default_storage.exists(f"exports/{dataset.pk}/{chunked.pk}/part-00000.zip")


def test_each_recognition_crop_is_the_images_pixels_in_the_padded_box(dataset):
    stage = dataset.stages.get(slug="formula-recognition")
    archive = _zip(_export(dataset, "formula-recognition"))
    truths = _truths(dataset)
    items = {item.pk: item for item in dataset.items.all()}

    labels = _jsonl(archive, "labels.jsonl")
    expected = sum(len(_regions(t, "formula")) for t in truths.values())
    assert len(labels) == expected > 0
    for label in labels:
        item, region = items[label["item"]], _regions(truths[label["item"]], "formula")
        region = region[label["region"]]
        box = crop_box(
            region["bbox"], padding=stage.padding, unit="px", width=item.width, height=item.height
        )
        assert label["box"] == list(box)
        assert label["text"] == region["attributes"]["latex"]
        assert label["file_name"] == f"crops/{item.split}/{item.pk}_{region['id']}.png"
        crop = Image.open(io.BytesIO(archive.read(label["file_name"])))
        assert crop.size == (box[2] - box[0], box[3] - box[1])
        pixels = _upright(item).crop(box).convert(crop.mode)
        assert ImageChops.difference(crop, pixels).getbbox() is None
    assert archive.getinfo(labels[0]["file_name"]).compress_type == zipfile.ZIP_STORED


def test_char_detection_is_coco_per_formula_crop_in_crop_pixels(dataset, tmp_path):
    archive = _zip(_export(dataset, "char-detection"))
    archive.extractall(tmp_path)
    truths = _truths(dataset)

    crops = 0
    for split in SPLITS:
        coco = COCO(str(tmp_path / "coco" / f"{split}.json"))
        for image in coco.loadImgs(coco.getImgIds()):
            crops += 1
            truth = truths[image["item"]]
            formula = _regions(truth, "formula")[image["region"]]
            left, top = int(formula["bbox"][0]), int(formula["bbox"][1])
            assert (tmp_path / image["file_name"]).exists()
            chars = {
                r["id"]: r["bbox"]
                for r in truth.annotation["regions"]
                if r["type"] == "char" and r["parent"] == formula["id"]
            }
            found = {
                a["region"]: a["bbox"] for a in coco.loadAnns(coco.getAnnIds(imgIds=image["id"]))
            }
            assert found.keys() == chars.keys()
            for region_id, (x, y, w, h) in chars.items():
                assert found[region_id] == pytest.approx([x - left, y - top, w, h])
    assert crops == sum(len(_regions(t, "formula")) for t in truths.values())


def _label_path(image_path: str) -> str:
    """Where Ultralytics looks for an image's label: the last ``/images/`` → ``/labels/``,
    the extension → ``.txt`` (``ultralytics.data.utils.img2label_paths``)."""
    head, _images, tail = image_path.rpartition("/images/")
    return f"{head}/labels/{tail}".rsplit(".", 1)[0] + ".txt"


@pytest.mark.parametrize(
    ("slug", "options"),
    [("char-detection", {}), ("formula-detection", {"images": "include", "format": "yolo"})],
)
def test_every_yolo_image_has_its_label_where_ultralytics_looks(dataset, tmp_path, slug, options):
    archive = _zip(_export(dataset, slug, **options))
    root = tmp_path / "anywhere" / "unpacked"
    archive.extractall(root)
    names = set(archive.namelist())

    images = sorted(n for n in names if n.startswith("images/") and n.endswith((".png", ".jpg")))
    labels = sorted(n for n in names if n.startswith("labels/"))
    assert images and len(images) == len(labels)
    for name in images:
        label = _label_path(f"{root}/{name}")
        assert os.path.exists(label), name
    data = yaml.safe_load(archive.read("data.yaml"))
    assert set(data) == {"train", "val", "test", "names"}  # no path: data.yaml's own folder
    assert data["names"] == {0: dataset.stages.get(slug=slug).output_type.slug}
    for split in SPLITS:
        assert data[split] == f"images/{split}"
        assert (root / data[split]).is_dir()


def test_char_crops_sit_inside_their_formula_crops(dataset):
    # a char's padding no wider than its formula's keeps it inside (10 % of a wide fraction
    # bar is more than the formula's 8 px)
    char_recognition = dataset.stages.get(slug="char-recognition")
    services.stage_update(stage=char_recognition, padding=4, padding_unit="px", by=None)
    formulas = _jsonl(_zip(_export(dataset, "formula-recognition")), "labels.jsonl")
    chars = _jsonl(_zip(_export(dataset, "char-recognition")), "labels.jsonl")
    truths = _truths(dataset)
    formula_box = {(f["item"], f["region"]): f["box"] for f in formulas}

    assert chars
    for char in chars:
        parent = _regions(truths[char["item"]], "char")[char["region"]]["parent"]
        left, top, right, bottom = formula_box[(char["item"], parent)]
        x0, y0, x1, y1 = char["box"]
        assert left <= x0 < x1 <= right and top <= y0 < y1 <= bottom
        assert (
            char["text"]
            == _regions(truths[char["item"]], "char")[char["region"]]["attributes"]["symbol"]
        )


#: Hugging Face's package is also called ``datasets``: it loads the export in a process of
#: its own (``-I``: without this repository on the path), offline, and prints every row.
_HF_LOADER = """
import json, sys
from datasets import load_dataset
loaded = load_dataset("imagefolder", data_dir=sys.argv[1], cache_dir=sys.argv[2])
rows = {}
for split, table in loaded.items():
    rows[split] = []
    for row in table:
        row["image"] = list(row["image"].size)
        rows[split].append(row)
print(json.dumps({"columns": loaded["train"].column_names, "rows": rows}))
"""


def _load_imagefolder(archive, folder):
    archive.extractall(folder / "export")
    environment = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-I", "-c", _HF_LOADER, str(folder / "export"), str(folder / "cache")],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
        cwd=folder,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_hugging_face_loads_the_recognition_export(dataset, tmp_path):
    export = _export(dataset, "formula-recognition", format="hf_imagefolder")
    archive = _zip(export)
    manifest = orjson.loads(archive.read("manifest.json"))

    loaded = _load_imagefolder(archive, tmp_path)

    counts = manifest["counts"]["splits"]
    assert {name: len(rows) for name, rows in loaded["rows"].items()} == {
        {"val": "validation"}.get(split, split): counts[split]["images"]
        for split in SPLITS
        if counts[split]["images"]
    }
    assert {"image", "text", "item", "region", "box"} <= set(loaded["columns"])
    truths = _truths(dataset)
    for row in loaded["rows"]["train"]:
        region = _regions(truths[row["item"]], "formula")[row["region"]]
        assert row["text"] == region["attributes"]["latex"]
        left, top, right, bottom = row["box"]
        assert row["image"] == [right - left, bottom - top]


def test_hugging_face_loads_the_detection_export_with_its_boxes(dataset, tmp_path):
    export = _export(dataset, "formula-detection", format="hf_imagefolder", images="include")

    loaded = _load_imagefolder(_zip(export), tmp_path)

    truths = _truths(dataset)
    rows = [row for split in loaded["rows"].values() for row in split]
    assert len(rows) == len(truths)
    for row in rows:
        regions = _regions(truths[row["item"]], "formula")
        assert row["objects"]["region"] == sorted(regions, key=lambda r: (len(r), r))
        assert row["objects"]["bbox"] == [regions[r]["bbox"] for r in row["objects"]["region"]]
        item = dataset.items.get(pk=row["item"])
        assert row["image"] == [item.width, item.height]


def test_hugging_face_loads_char_detection_crops_with_their_boxes(dataset, tmp_path):
    stage = dataset.stages.get(slug="char-detection")
    services.stage_update(stage=stage, export_formats=["coco", "hf_imagefolder"], by=None)
    export = _export(dataset, "char-detection", format="hf_imagefolder")

    loaded = _load_imagefolder(_zip(export), tmp_path)

    truths = _truths(dataset)
    rows = [row for split in loaded["rows"].values() for row in split]
    assert len(rows) == sum(len(_regions(t, "formula")) for t in truths.values())
    for row in rows:
        truth = truths[row["item"]]
        formula = _regions(truth, "formula")[row["region"]]
        chars = {
            r["id"]: r["bbox"]
            for r in truth.annotation["regions"]
            if r["type"] == "char" and r["parent"] == formula["id"]
        }
        left, top = int(formula["bbox"][0]), int(formula["bbox"][1])
        assert row["objects"]["region"] == sorted(chars, key=lambda r: (len(r), r))
        for region_id, bbox in zip(row["objects"]["region"], row["objects"]["bbox"], strict=True):
            x, y, w, h = chars[region_id]
            assert bbox == pytest.approx([x - left, y - top, w, h])


def _members(export) -> dict[str, str]:
    archive = _zip(export)
    return {name: hashlib.sha256(archive.read(name)).hexdigest() for name in archive.namelist()}


def test_one_changed_annotation_changes_exactly_the_files_that_depend_on_it(dataset):
    before = _members(_export(dataset, "formula-detection"))
    truth = current_truths(dataset).filter(item__split="train").first()
    annotation = truth.annotation
    formula = next(r for r in annotation["regions"] if r["type"] == "formula")
    formula["bbox"][0] += 1.0
    services.ground_truth_record(
        item=truth.item, annotation=annotation, source=truth.source, source_ref=truth.source_ref
    )

    after = _members(_export(dataset, "formula-detection"))

    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"coco/train.json", f"labels/train/{truth.item_id}.txt", "manifest.json"}


def test_a_changed_pipeline_changes_the_exports_and_no_annotation(dataset):
    annotations = {t.item_id: t.annotation for t in current_truths(dataset)}
    recognition = dataset.stages.get(slug="formula-recognition")
    narrow = _zip(_export(dataset, "formula-recognition"))
    chars = _zip(_export(dataset, "char-detection"))

    services.stage_update(stage=recognition, padding=20, by=None)
    # merge char detection and char recognition: boxes of char that carry their symbol
    char_detection = dataset.stages.get(slug="char-detection")
    symbol = char_detection.output_type.attributes.get(name="symbol")
    services.stage_update(stage=char_detection, output_attribute=symbol, by=None)
    services.stage_delete(stage=dataset.stages.get(slug="char-recognition"), by=None)
    wide = _zip(_export(dataset, "formula-recognition"))
    merged = _zip(_export(dataset, "char-detection"))

    assert {t.item_id: t.annotation for t in current_truths(dataset)} == annotations
    narrow_labels, wide_labels = _jsonl(narrow, "labels.jsonl"), _jsonl(wide, "labels.jsonl")
    assert [label["text"] for label in narrow_labels] == [label["text"] for label in wide_labels]
    first_narrow, first_wide = narrow_labels[0]["box"], wide_labels[0]["box"]
    assert first_wide[0] <= first_narrow[0] and first_wide[2] >= first_narrow[2]
    assert first_wide != first_narrow
    before = orjson.loads(chars.read("coco/train.json"))["annotations"]
    after = orjson.loads(merged.read("coco/train.json"))["annotations"]
    assert [a["bbox"] for a in before] == [a["bbox"] for a in after]
    assert "attributes" not in before[0]
    assert {a["attributes"]["symbol"] for a in after} <= {
        r["attributes"]["symbol"]
        for annotation in annotations.values()
        for r in annotation["regions"]
        if r["type"] == "char"
    }
    manifest = orjson.loads(merged.read("manifest.json"))
    assert [s["slug"] for s in manifest["spec_snapshot"]["stages"]] == [
        "formula-detection",
        "formula-recognition",
        "char-detection",
    ]


@pytest.mark.parametrize(
    ("bbox", "padding", "unit", "expected"),
    [
        ([10.5, 20.25, 30.0, 40.0], 0, "px", (10, 20, 41, 61)),  # outwards to whole pixels
        ([10.0, 20.0, 30.0, 40.0], 8, "px", (2, 12, 48, 68)),
        ([10.0, 20.0, 30.0, 40.0], 10, "percent", (7, 16, 43, 64)),  # 3 px and 4 px
        ([2.0, 3.0, 95.0, 90.0], 8, "px", (0, 0, 100, 100)),  # clipped to the image
    ],
)
def test_a_crop_box_is_the_padded_box_in_whole_pixels_inside_the_image(
    bbox, padding, unit, expected
):
    assert crop_box(bbox, padding=padding, unit=unit, width=100, height=100) == expected


def test_a_chunk_that_fails_fails_the_export_naming_the_chunk_and_stores_nothing(dataset, settings):
    settings.EXPORT_CHUNK_ITEMS = 5  # chunks 0 and 1 are built and stored before 2 fails
    item = dataset.items.filter(ground_truth__isnull=False).order_by("id").last()
    default_storage.delete(item.image.name)  # the upright image is gone from storage
    stage = dataset.stages.get(slug="formula-recognition")
    export = export_services.export_request(dataset=dataset, stage=stage, by=None)

    export = export_services.export_build(export_id=export.pk)

    assert export.status == Export.Status.FAILED and export.finished_at
    assert export.error.startswith("Chunk 2 (items ")
    assert not export.file and not export.sha256
    assert not default_storage.exists(f"exports/{dataset.pk}/{export.pk}.zip")
    assert list(export.chunks.values_list("status", flat=True)) == ["done", "done", "failed"]
    assert not export.chunks.exclude(file="").exists()
    assert not default_storage.exists(f"exports/{dataset.pk}/{export.pk}")  # no part, no folder


@pytest.mark.parametrize(
    ("total", "size"), [(12, 500), (2_000, 500), (40_000, 2_500), (100_000, 5_000), (10**7, 5_000)]
)
def test_small_exports_are_cut_into_smaller_chunks_so_workers_share_them(settings, total, size):
    from exports.services import chunk_size

    settings.EXPORT_CHUNK_ITEMS = 5000

    assert chunk_size(total) == size


def test_a_recognition_row_carries_its_formulas_angle_and_the_crop_stays_upright(dataset):
    truth = current_truths(dataset).filter(item__split="train").first()
    annotation = truth.annotation
    formula = next(r for r in annotation["regions"] if r["type"] == "formula")
    formula["attributes"]["angle"] = -12.5
    services.ground_truth_record(
        item=truth.item, annotation=annotation, source=truth.source, source_ref=truth.source_ref
    )

    archive = _zip(_export(dataset, "formula-recognition"))

    rows = {(row["item"], row["region"]): row for row in _jsonl(archive, "labels.jsonl")}
    turned = rows.pop((truth.item_id, formula["id"]))
    assert turned["angle"] == -12.5
    assert {row["angle"] for row in rows.values()} == {None}
    crop = Image.open(io.BytesIO(archive.read(turned["file_name"])))
    left, top, right, bottom = turned["box"]
    assert crop.size == (right - left, bottom - top)
