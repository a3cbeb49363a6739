"""Writes of the datasets app, one module per subject."""

from datasets.services.annotations import annotation_validate, schema_at
from datasets.services.attributes import attribute_create, attribute_delete, attribute_update
from datasets.services.categories import (
    category_change_request,
    category_change_run,
    item_categories_set,
    items_categories_bulk_set,
)
from datasets.services.coverage import (
    category_key_for,
    coverage_collected,
    coverage_deltas_apply,
    coverage_move,
    coverage_recount,
    stratum_of,
)
from datasets.services.decisions import decision_answer, decision_create
from datasets.services.demo import (
    DEMO_PHOTOS,
    demo_dataset_ensure,
    demo_photos_ensure,
    demo_pipeline_ensure,
    demo_schema_ensure,
    demo_splits_ensure,
)
from datasets.services.items import (
    IMAGE_FORMATS,
    file_name_check,
    file_name_shown,
    image_sniff,
    item_refuse,
    item_register,
    item_status_set,
    items_collected_review,
    items_set_aside_record,
    items_status_move,
)
from datasets.services.metadata import (
    file_without_metadata,
    item_metadata_strip,
    metadata_strip_request,
    metadata_strip_run,
)
from datasets.services.recovery import items_requeue, jobs_sweep
from datasets.services.renditions import StoreFailed, item_process
from datasets.services.schema import (
    region_type_create,
    region_type_delete,
    region_type_update,
)
from datasets.services.spec import dataset_create, dataset_update
from datasets.services.splits import (
    item_split_set,
    split_assign,
    split_assign_request,
    split_run_execute,
    split_test_freeze,
)
from datasets.services.stages import (
    EXPORT_FORMATS,
    stage_create,
    stage_delete,
    stage_move,
    stage_update,
)
from datasets.services.taxonomy import (
    CATEGORY_FIELDS,
    axis_create,
    axis_delete,
    axis_update,
    category_create,
    category_delete,
    category_update,
    cell_quota_delete,
    cell_quota_set,
)
from datasets.services.truth import ground_truth_record, truth_types_key
from datasets.services.uploads import (
    categories_resolve,
    upload_archive_receive,
    upload_files,
    upload_unpack,
)

__all__ = [
    "items_requeue",
    "jobs_sweep",
    "DEMO_PHOTOS",
    "demo_dataset_ensure",
    "demo_photos_ensure",
    "demo_pipeline_ensure",
    "demo_schema_ensure",
    "demo_splits_ensure",
    "category_change_request",
    "category_change_run",
    "item_categories_set",
    "items_categories_bulk_set",
    "item_split_set",
    "split_assign",
    "split_assign_request",
    "split_run_execute",
    "split_test_freeze",
    "CATEGORY_FIELDS",
    "IMAGE_FORMATS",
    "categories_resolve",
    "category_key_for",
    "coverage_collected",
    "coverage_deltas_apply",
    "coverage_move",
    "coverage_recount",
    "file_name_check",
    "file_name_shown",
    "image_sniff",
    "StoreFailed",
    "item_process",
    "item_refuse",
    "item_status_set",
    "items_collected_review",
    "items_set_aside_record",
    "items_status_move",
    "file_without_metadata",
    "item_metadata_strip",
    "metadata_strip_request",
    "metadata_strip_run",
    "stratum_of",
    "upload_archive_receive",
    "upload_files",
    "upload_unpack",
    "axis_create",
    "axis_delete",
    "axis_update",
    "category_create",
    "category_delete",
    "category_update",
    "dataset_create",
    "dataset_update",
    "cell_quota_delete",
    "cell_quota_set",
    "decision_answer",
    "decision_create",
    "ground_truth_record",
    "truth_types_key",
    "item_register",
    "EXPORT_FORMATS",
    "stage_create",
    "stage_delete",
    "stage_move",
    "stage_update",
    "annotation_validate",
    "schema_at",
    "attribute_create",
    "attribute_delete",
    "attribute_update",
    "region_type_create",
    "region_type_delete",
    "region_type_update",
]
