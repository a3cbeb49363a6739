"""Writes of the datasets app, one module per subject."""

from datasets.services.items import IMAGE_FORMATS, item_register
from datasets.services.spec import (
    CATEGORY_FIELDS,
    axis_create,
    category_create,
    category_delete,
    category_update,
    dataset_create,
    dataset_update,
)
from datasets.services.truth import ground_truth_record

__all__ = [
    "CATEGORY_FIELDS",
    "IMAGE_FORMATS",
    "axis_create",
    "category_create",
    "category_delete",
    "category_update",
    "dataset_create",
    "dataset_update",
    "ground_truth_record",
    "item_register",
]
