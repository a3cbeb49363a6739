"""Image → boxes of type T: COCO JSON per split, YOLO labels per image, the image list.

Layout of the zip, in this order:

- ``coco/<split>.json``: images sorted by item id, annotations by (item id, region id),
  one category (the output type); ``file_name`` is the image's path in this layout;
- ``data.yaml`` and ``labels/<split>/<item id>.txt``: YOLO, class 0, centre and size
  normalised by the image size, six decimals; an image without boxes has an empty file;
- ``files.jsonl`` (images by reference: path, SHA-256 and download path of each image) or
  ``images/<split>/<item id>.<ext>`` (images included, stored uncompressed);
- ``manifest.json`` (see ``datasets.exports.manifest``).

Every pass reads the rows through a server-side cursor, so memory stays flat.
"""

import hashlib
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath

import orjson
from django.core.files.storage import default_storage

from datasets.models import Export, GroundTruth, Item
from datasets.models.items import Split

SPLITS = (Split.TRAIN, Split.VAL, Split.TEST)
CHUNK = 2000
_IMAGE_FIELDS = ("id", "split", "width", "height", "image", "original", "sha256")


def ordered_splits(splits) -> list[str]:
    """The requested splits in train, val, test order."""
    return [str(split) for split in SPLITS if split in splits]


def image_path(split: str, item_id: int, image_name: str) -> str:
    extension = PurePosixPath(image_name).suffix.lower() or ".jpg"
    return f"images/{split}/{item_id}{extension}"


def _region_order(region: dict) -> tuple:
    """Region ids in natural order: r2 before r10."""
    region_id = str(region.get("id", ""))
    return (len(region_id), region_id)


def boxes_of(annotation: dict, type_slug: str) -> list[dict]:
    """The regions of one type in an annotation, in region id order."""
    regions = [r for r in annotation.get("regions", ()) if r.get("type") == type_slug]
    return sorted(regions, key=_region_order)


class DetectionBuild:
    """The members of one detection export, each a generator reading its own cursor."""

    def __init__(
        self,
        *,
        export: Export,
        type_slug: str,
        progress: Callable[[int], None] = lambda done: None,
        progress_every: int = 1000,
    ) -> None:
        self.export = export
        self.type_slug = type_slug
        self.splits = ordered_splits(export.splits)
        self.progress = progress
        self.progress_every = progress_every
        self.done = 0
        self.counts = {split: {"images": 0, "annotations": 0} for split in self.splits}

    # --- rows -----------------------------------------------------------------------------

    def items(self, splits) -> Iterator[dict]:
        """Items with ground truth in these splits, by id."""
        rows = (
            Item.objects.filter(
                dataset_id=self.export.dataset_id, split__in=splits, ground_truth__isnull=False
            )
            .order_by("id")
            .values(*_IMAGE_FIELDS)
        )
        return rows.iterator(chunk_size=CHUNK)

    def truths(self, splits) -> Iterator[tuple]:
        """(item id, split, width, height, annotation, source, source_ref), by item id."""
        rows = (
            GroundTruth.objects.filter(
                item__dataset_id=self.export.dataset_id, item__split__in=splits
            )
            .order_by("item_id")
            .values_list(
                "item_id",
                "item__split",
                "item__width",
                "item__height",
                "annotation",
                "source",
                "source_ref",
            )
        )
        return rows.iterator(chunk_size=CHUNK)

    def provenance(self) -> Iterator[tuple]:
        """(item id, split, source, source_ref) of every exported item, by item id."""
        rows = (
            GroundTruth.objects.filter(
                item__dataset_id=self.export.dataset_id, item__split__in=self.splits
            )
            .order_by("item_id")
            .values_list("item_id", "item__split", "source", "source_ref")
        )
        return rows.iterator(chunk_size=CHUNK)

    def count(self) -> int:
        return GroundTruth.objects.filter(
            item__dataset_id=self.export.dataset_id, item__split__in=self.splits
        ).count()

    def _advance(self) -> None:
        self.done += 1
        if self.done % self.progress_every == 0:
            self.progress(self.done)

    # --- COCO -----------------------------------------------------------------------------

    def coco(self, split: str) -> Iterator[bytes]:
        category = {"id": 1, "name": self.type_slug, "supercategory": ""}
        yield b'{"info":' + orjson.dumps(
            {"description": f"{self.type_slug} boxes, split {split}", "version": "1"}
        )
        yield b',"licenses":[],"categories":' + orjson.dumps([category])
        yield b',"images":['
        first = True
        for row in self.items([split]):
            image = {
                "id": row["id"],
                "file_name": image_path(split, row["id"], row["image"]),
                "width": row["width"],
                "height": row["height"],
            }
            yield (b"" if first else b",") + orjson.dumps(image)
            first = False
            self.counts[split]["images"] += 1
        yield b'],"annotations":['
        first, next_id = True, 1
        for item_id, _split, _w, _h, annotation, _source, _ref in self.truths([split]):
            for region in boxes_of(annotation, self.type_slug):
                x, y, w, h = (float(v) for v in region["bbox"])
                entry = {
                    "id": next_id,
                    "image_id": item_id,
                    "category_id": 1,
                    "bbox": [x, y, w, h],
                    "area": w * h,
                    "iscrowd": 0,
                    "region": region.get("id", ""),
                }
                yield (b"" if first else b",") + orjson.dumps(entry)
                first = False
                next_id += 1
            self._advance()
        self.counts[split]["annotations"] = next_id - 1
        yield b"]}"

    # --- YOLO -----------------------------------------------------------------------------

    def data_yaml(self) -> Iterator[bytes]:
        lines = ["path: ."]
        lines += [f"{split}: images/{split}" for split in self.splits]
        lines += ["names:", f"  0: {self.type_slug}", ""]
        yield "\n".join(lines).encode()

    def yolo(self) -> Iterator[tuple]:
        """One label member per item: ``class cx cy w h``, normalised."""
        for item_id, split, width, height, annotation, _source, _ref in self.truths(self.splits):
            lines = []
            for region in boxes_of(annotation, self.type_slug):
                x, y, w, h = (float(v) for v in region["bbox"])
                values = ((x + w / 2) / width, (y + h / 2) / height, w / width, h / height)
                lines.append("0 " + " ".join(f"{value:.6f}" for value in values) + "\n")
            yield f"labels/{split}/{item_id}.txt", ["".join(lines).encode()]

    # --- images ---------------------------------------------------------------------------

    def image_sha256(self, row: dict) -> str:
        if row["image"] == row["original"]:
            return row["sha256"]
        digest = hashlib.sha256()
        with default_storage.open(row["image"], "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def files_jsonl(self) -> Iterator[bytes]:
        dataset_id = self.export.dataset_id
        for row in self.items(self.splits):
            line = {
                "item": row["id"],
                "split": row["split"],
                "path": image_path(row["split"], row["id"], row["image"]),
                "sha256": self.image_sha256(row),
                "download": f"/datasets/{dataset_id}/items/{row['id']}/file/image/",
            }
            yield orjson.dumps(line) + b"\n"

    def image_members(self) -> Iterator[tuple]:
        for row in self.items(self.splits):
            yield (
                image_path(row["split"], row["id"], row["image"]),
                _file_chunks(row["image"]),
                True,
            )

    # --- all of it ------------------------------------------------------------------------

    def members(self) -> Iterator[tuple]:
        """Every member but the manifest, in the layout's order."""
        for split in self.splits:
            yield f"coco/{split}.json", self.coco(split)
        yield "data.yaml", self.data_yaml()
        yield from self.yolo()
        if self.export.images == Export.Images.INCLUDE:
            yield from self.image_members()
        else:
            yield "files.jsonl", self.files_jsonl()


def _file_chunks(name: str) -> Iterator[bytes]:
    with default_storage.open(name, "rb") as handle:
        yield from iter(lambda: handle.read(1 << 20), b"")
