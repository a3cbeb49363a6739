"""What a chunk reads of each pinned ground-truth version, and the geometry every projection
shares: regions of a type in id order, a region's padded crop box, an image's path."""

import json
import math
from datetime import datetime
from pathlib import PurePosixPath
from typing import NamedTuple

import orjson
from django.db.models import TextField
from django.db.models.functions import Cast

from datasets.models import Stage


class Row(NamedTuple):
    """One exported item and the ground-truth version the plan pinned, as a chunk reads it."""

    item_id: int
    split: str
    width: int
    height: int
    image: str
    original: str
    sha256: str
    category_key: str
    annotation: dict
    version: int
    source: str
    source_ref: str
    task_id: int | None
    annotation_id: int | None
    annotation_version: int | None
    guide_version_ids: list
    spec_version: int
    accepted_by: int | None
    accepted_at: datetime


#: What a chunk reads of each ``GroundTruthVersion`` it names, in ``Row``'s order; the two
#: ``_json`` columns are the JSON fields as text (``ROW_JSON``), which ``row_of`` parses.
ROW_FIELDS = (
    "item_id",
    "item__split",
    "item__width",
    "item__height",
    "item__image",
    "item__original",
    "item__sha256",
    "item__category_key",
    "annotation_json",
    "number",
    "source",
    "source_ref",
    "task_id",
    "annotation_id",
    "annotation_version",
    "guide_version_ids_json",
    "spec_version",
    "accepted_by_id",
    "accepted_at",
)
#: JSON fields read as text and parsed by orjson: the JSON field's own decoding (the
#: standard library's) is a tenth of a detection chunk's time.
ROW_JSON = {
    "annotation_json": Cast("annotation", TextField()),
    "guide_version_ids_json": Cast("guide_version_ids", TextField()),
}
_JSON_AT = [ROW_FIELDS.index(name) for name in ROW_JSON]


def _json(text: str):
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # e.g. an integer past 64 bits, which orjson refuses
        return json.loads(text)


def row_of(values: tuple) -> Row:
    """A ``Row`` from the values of ``ROW_FIELDS``."""
    values = list(values)
    for at in _JSON_AT:
        values[at] = _json(values[at])
    return Row(*values)


def _region_order(region: dict) -> tuple:
    """Region ids in natural order: r2 before r10."""
    region_id = str(region.get("id", ""))
    return (len(region_id), region_id)


def regions_of(annotation: dict, type_slug: str, parent: str | None = None) -> list[dict]:
    """The regions of one type (inside ``parent`` when given), in region id order."""
    regions = [
        region
        for region in annotation.get("regions", ())
        if region.get("type") == type_slug and (parent is None or region.get("parent") == parent)
    ]
    return sorted(regions, key=_region_order)


def crop_box(bbox, *, padding: float, unit: str, width: int, height: int) -> tuple[int, ...]:
    """(left, top, right, bottom) of a region's crop: padded, whole pixels, inside the image."""
    x, y, w, h = (float(value) for value in bbox)
    if unit == Stage.PaddingUnit.PERCENT:
        pad_x, pad_y = w * padding / 100, h * padding / 100
    else:
        pad_x = pad_y = float(padding)
    left = max(0, math.floor(x - pad_x))
    top = max(0, math.floor(y - pad_y))
    right = min(width, math.ceil(x + w + pad_x))
    bottom = min(height, math.ceil(y + h + pad_y))
    return left, top, max(right, left + 1), max(bottom, top + 1)


def image_path(folder: str, name: str, image_name: str) -> str:
    extension = PurePosixPath(image_name).suffix.lower() or ".jpg"
    return f"{folder}/{name}{extension}"
