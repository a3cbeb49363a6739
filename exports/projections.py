"""What one stage makes of one item's ground truth, and how the parts join into the layout.

A projection has two sides. ``item`` runs in a chunk worker for each item of its id range:
it returns binary members (image crops, encoded once) and writes JSON lines into the part's
named streams (``PartWriter.line``). ``members`` runs in the final step: it reads the parts
in chunk order (``PartSet``) and yields the zip's members in the layout's order, so the zip
does not depend on how the export was cut into chunks.

Layouts (``README.md`` shows them with examples):

- image → boxes, ``coco``: ``coco/<split>.json`` (image ids are item ids), YOLO beside it
  (``data.yaml``, ``labels/<split>/<item>.txt``), then the images: ``files.jsonl`` (by
  reference) or ``images/<split>/<item>.<ext>`` (included, the stored bytes);
  ``yolo``: the same without COCO;
- crop → boxes: the same, over ``images/<split>/<item>_<region>.png``; boxes are in crop
  pixels, image ids are numbered in item and region order;

YOLO follows the convention of the trainers' tools (Ultralytics): an image's label is at its
path with ``/images/`` replaced by ``/labels/`` and the extension by ``.txt``, every picture
has one (empty when it has no box), and ``data.yaml`` names no ``path``, so its folders are
read from the folder ``data.yaml`` is in, wherever the zip is unpacked.
- crop → attribute, ``jsonl_crops``: ``labels.jsonl`` (file name, value, item, region, split,
  crop box and, when the cropped type has an angle attribute, ``angle``: degrees clockwise,
  null when unset; the crop itself is not turned), then the crops;
- any stage, ``hf_imagefolder``: ``<split>/metadata.jsonl`` then that split's images, as the
  Hugging Face ``imagefolder`` loader reads it (``objects`` for boxes, ``text`` for values).

A crop is the region's box grown by the stage's padding (pixels, or percent of the box's
width and height), rounded outwards to whole pixels and clipped to the image, encoded as PNG.
"""

import hashlib
import io
from collections.abc import Iterator
from pathlib import PurePosixPath

import orjson
from django.core.files.storage import default_storage
from PIL import Image

from datasets.models import AttributeDef, Stage
from exports.models import Export
from exports.parts import PartSet, PartWriter, file_chunks
from exports.rows import Row, crop_box, image_path, regions_of

#: zlib level of crop PNGs: 1 is several times faster than the default 6 and crops are small.
PNG_COMPRESS_LEVEL = 1
_KEPT_MODES = ("RGB", "L", "RGBA", "LA")


def _picture_path(folder: str, name: str, data: bytes | None, row: Row) -> str:
    """A crop's PNG path, or a whole image's path with its stored extension."""
    return f"{folder}/{name}.png" if data is not None else image_path(folder, name, row.image)


def _yolo_text(boxes: list[list[float]], width: int, height: int) -> str:
    lines = []
    for x, y, w, h in boxes:
        values = ((x + w / 2) / width, (y + h / 2) / height, w / width, h / height)
        lines.append("0 " + " ".join(f"{value:.6f}" for value in values) + "\n")
    return "".join(lines)


class Projection:
    """The common part: the stage, the request, counts and provenance."""

    def __init__(self, export: Export) -> None:
        self.export = export
        self.stage = export.stage
        self.format = export.format
        self.splits = list(export.splits)
        self.include_images = export.images == Export.Images.INCLUDE

    # --- chunk side -----------------------------------------------------------------------

    def item(self, row: Row, part: PartWriter) -> Iterator[tuple[str, bytes]]:
        part.count(row.split, row.category_key, items=1)
        part.line(
            "provenance",
            {
                "item": row.item_id,
                "split": row.split,
                "version": row.version,
                "source": row.source,
                "source_ref": row.source_ref,
                "task_id": row.task_id,
                "annotation_id": row.annotation_id,
                "annotation_version": row.annotation_version,
                "guide_version_ids": row.guide_version_ids,
                "spec_version": row.spec_version,
                "accepted_by": row.accepted_by,
                "accepted_at": row.accepted_at,
            },
        )
        return iter(())

    # --- join side ------------------------------------------------------------------------

    def members(self, parts: PartSet) -> Iterator[tuple]:
        raise NotImplementedError

    def hf_members(self, parts: PartSet) -> Iterator[tuple]:
        """``<split>/metadata.jsonl`` then the split's images, for each split."""
        for split in self.splits:
            yield f"{split}/metadata.jsonl", parts.stream(f"hf/{split}")
            yield from self.split_images(parts, split)

    def split_images(self, parts: PartSet, split: str) -> Iterator[tuple]:
        yield from parts.files(f"{split}/")


class _Crops:
    """Decodes an item's upright image once and encodes its regions' crops as PNG."""

    def __init__(self, stage: Stage, row: Row) -> None:
        self.stage, self.row, self._image = stage, row, None

    def box(self, region: dict) -> tuple[int, ...]:
        return crop_box(
            region["bbox"],
            padding=self.stage.padding,
            unit=self.stage.padding_unit,
            width=self.row.width,
            height=self.row.height,
        )

    def png(self, box: tuple[int, ...]) -> bytes:
        if self._image is None:
            with default_storage.open(self.row.image, "rb") as handle:
                image = Image.open(handle)
                image.load()
            self._image = image if image.mode in _KEPT_MODES else image.convert("RGB")
        buffer = io.BytesIO()
        self._image.crop(box).save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
        return buffer.getvalue()


class BoxesProjection(Projection):
    """Image → boxes of T, or crop of S → boxes of T inside it."""

    def __init__(self, export: Export) -> None:
        super().__init__(export)
        self.type_slug = self.stage.output_type.slug
        self.crops = self.stage.input_kind == Stage.Input.CROP
        self.attribute = (
            self.stage.output_attribute.name if self.stage.output_attribute_id else None
        )

    def _entry(self, region: dict, dx: int = 0, dy: int = 0) -> dict:
        x, y, w, h = (float(value) for value in region["bbox"])
        entry = {"bbox": [x - dx, y - dy, w, h], "area": w * h, "region": region.get("id", "")}
        if self.attribute is not None:
            entry["attributes"] = {self.attribute: region.get("attributes", {}).get(self.attribute)}
        return entry

    def _pictures(self, row: Row) -> Iterator[tuple]:
        """(name, width, height, entries, bytes or None, region id) for each picture."""
        if not self.crops:
            yield (
                str(row.item_id),
                row.width,
                row.height,
                [self._entry(r) for r in regions_of(row.annotation, self.type_slug)],
                None,
                None,
            )
            return
        crops = _Crops(self.stage, row)
        for parent in regions_of(row.annotation, self.stage.input_type.slug):
            left, top, right, bottom = box = crops.box(parent)
            children = regions_of(row.annotation, self.type_slug, parent=parent.get("id"))
            entries = [self._entry(child, left, top) for child in children]
            name = f"{row.item_id}_{parent.get('id', '')}"
            yield name, right - left, bottom - top, entries, crops.png(box), parent.get("id")

    def item(self, row: Row, part: PartWriter) -> Iterator[tuple[str, bytes]]:
        yield from super().item(row, part)
        hf = self.format == "hf_imagefolder"
        for name, width, height, entries, data, region in self._pictures(row):
            part.count(row.split, row.category_key, images=1, annotations=len(entries))
            if hf:
                path = _picture_path(row.split, name, data, row)
                self._hf_lines(part, row, path, entries, region)
            else:
                path = _picture_path(f"images/{row.split}", name, data, row)
                self._layout_lines(part, row, path, name, (width, height), entries, region)
            if data is not None:
                yield path, data

    def _hf_lines(self, part: PartWriter, row: Row, path: str, entries: list, region) -> None:
        objects = {
            "bbox": [entry["bbox"] for entry in entries],
            "category": [0] * len(entries),
            "region": [entry["region"] for entry in entries],
        }
        metadata = {"file_name": PurePosixPath(path).name, "item": row.item_id}
        if region is not None:
            metadata["region"] = region
        else:  # a whole image: the join copies it from storage
            part.line(f"hf_images/{row.split}", [path, row.image])
        part.line(f"hf/{row.split}", {**metadata, "objects": objects})

    def _layout_lines(
        self, part: PartWriter, row: Row, path: str, name: str, size, entries: list, region
    ) -> None:
        """COCO, YOLO and (whole images) the image list or the images to include."""
        width, height = size
        image = {"file_name": path, "width": width, "height": height}
        if region is None:
            image = {"id": row.item_id, **image}
        else:
            image.update(item=row.item_id, region=region)
        if self.format == "coco":
            self._coco_lines(part, row.split, image, entries)
        boxes = [entry["bbox"] for entry in entries]
        label = f"labels/{row.split}/{name}.txt"
        part.line("yolo", [label, _yolo_text(boxes, width, height)])
        if region is None and self.include_images:
            part.line("images", [path, row.image])
        elif region is None:
            part.line("files", self._file_line(row, path))

    def _coco_lines(self, part: PartWriter, split: str, image: dict, entries: list) -> None:
        """The image, and its boxes prefixed by the image's id (detection: the item id) or
        its number in this part (crops), so the join only adds numbers to bytes."""
        images = part.raw(f"coco-images/{split}", orjson.dumps(image))
        reference = image.get("id", images)
        for entry in entries:
            body = orjson.dumps({"category_id": 1, **entry, "iscrowd": 0})
            part.raw(f"coco-boxes/{split}", b"%d\t" % reference + body)

    def _file_line(self, row: Row, path: str) -> dict:
        return {
            "item": row.item_id,
            "split": row.split,
            "path": path,
            "sha256": _image_sha256(row),
            "download": f"/datasets/{self.export.dataset_id}/items/{row.item_id}/file/image/",
        }

    def members(self, parts: PartSet) -> Iterator[tuple]:
        if self.format == "hf_imagefolder":
            yield from self.hf_members(parts)
            return
        if self.format == "coco":
            for split in self.splits:
                yield f"coco/{split}.json", self.coco(parts, split)
        yield "data.yaml", [self.data_yaml().encode()]
        for name, text in parts.lines("yolo"):
            yield name, [text.encode()], True  # a few lines: deflate saves nothing
        if self.crops:
            yield from parts.files("images/")
        elif self.include_images:
            for name, stored in parts.lines("images"):
                yield name, file_chunks(stored), True
        else:
            yield "files.jsonl", parts.stream("files")

    def split_images(self, parts: PartSet, split: str) -> Iterator[tuple]:
        if self.crops:
            yield from parts.files(f"{split}/")
            return
        for name, stored in parts.lines(f"hf_images/{split}"):
            yield name, file_chunks(stored), True

    def data_yaml(self) -> str:
        """Splits and class names. No ``path``: Ultralytics then reads the split folders
        from data.yaml's own folder (a ``path: .`` would be the current directory)."""
        lines = ["# YOLO: an image's label is its path with /images/ -> /labels/ and .txt"]
        lines += [f"{split}: images/{split}" for split in self.splits]
        lines += ["names:", f"  0: {self.type_slug}", ""]
        return "\n".join(lines)

    def coco(self, parts: PartSet, split: str) -> Iterator[bytes]:
        """COCO JSON: images, then annotations numbered from 1 in picture and region order.

        Crops are numbered from 1 here: a part's crop n is image ``before + n``, where
        ``before`` counts the crops of the parts ahead of it."""
        category = {"id": 1, "name": self.type_slug, "supercategory": ""}
        info = {"description": f"{self.type_slug} boxes, split {split}", "version": "1"}
        yield b'{"info":' + orjson.dumps(info)
        yield b',"licenses":[],"categories":' + orjson.dumps([category])
        yield b',"images":['
        separator, first_of_part = b"", {}
        for number, (part, line) in enumerate(parts.raw_lines(f"coco-images/{split}"), start=1):
            first_of_part.setdefault(part, number - 1)
            if self.crops:
                line = b'{"id":%d,' % number + line[1:]
            yield separator + line
            separator = b","
        yield b'],"annotations":['
        separator = b""
        for number, (part, line) in enumerate(parts.raw_lines(f"coco-boxes/{split}"), start=1):
            reference, body = line.split(b"\t", 1)
            image_id = int(reference) + (first_of_part.get(part, 0) if self.crops else 0)
            yield separator + b'{"id":%d,"image_id":%d,' % (number, image_id) + body[1:]
            separator = b","
        yield b"]}"


class AttributeProjection(Projection):
    """Crop of S → attribute A of that region: the crop and the region's value."""

    def __init__(self, export: Export) -> None:
        super().__init__(export)
        self.type_slug = self.stage.input_type.slug
        self.attribute = self.stage.output_attribute.name
        angle = self.stage.input_type.attributes.filter(kind=AttributeDef.Kind.ANGLE).first()
        self.angle = angle.name if angle is not None else None

    def item(self, row: Row, part: PartWriter) -> Iterator[tuple[str, bytes]]:
        yield from super().item(row, part)
        crops = _Crops(self.stage, row)
        hf = self.format == "hf_imagefolder"
        for region in regions_of(row.annotation, self.type_slug):
            attributes = region.get("attributes") or {}
            if self.attribute not in attributes:
                part.count(row.split, row.category_key, unlabeled=1)
                continue
            box = crops.box(region)
            name = f"{row.item_id}_{region.get('id', '')}.png"
            path = f"{row.split}/{name}" if hf else f"crops/{row.split}/{name}"
            line = {
                "file_name": name if hf else path,
                "text": attributes[self.attribute],
                "item": row.item_id,
                "region": region.get("id", ""),
                "split": row.split,
                "box": list(box),
            }
            if self.angle is not None:
                line["angle"] = attributes.get(self.angle)
            part.line(f"hf/{row.split}" if hf else "labels", line)
            part.count(row.split, row.category_key, images=1, annotations=1)
            yield path, crops.png(box)

    def members(self, parts: PartSet) -> Iterator[tuple]:
        if self.format == "hf_imagefolder":
            yield from self.hf_members(parts)
            return
        yield "labels.jsonl", parts.stream("labels")
        yield from parts.files("crops/")


def projection_for(export: Export) -> Projection:
    if export.stage.output_kind == Stage.Output.ATTRIBUTE:
        return AttributeProjection(export)
    return BoxesProjection(export)


def _image_sha256(row: Row) -> str:
    """The upright image's hash: the item's when the upright image is the original."""
    if row.image == row.original:
        return row.sha256
    digest = hashlib.sha256()
    for chunk in file_chunks(row.image):
        digest.update(chunk)
    return digest.hexdigest()
