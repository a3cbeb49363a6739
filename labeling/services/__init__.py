"""The labeling app's writes, re-exported: ``from labeling import services``."""

from labeling.services.annotating import (
    annotation_save,
    region_changes,
    task_deliver,
    task_reopen,
    task_submit,
)
from labeling.services.batches import batch_cut, batch_preview, batch_tasks_cancel
from labeling.services.deliveries import (
    deliveries_sweep,
    delivery_create,
    delivery_run,
    delivery_size_check,
)
from labeling.services.demo import demo_vendor_people, demo_vendors_ensure
from labeling.services.handout import (
    Next,
    lease_seconds,
    leases_end,
    leases_sweep,
    task_claim_next,
    task_heartbeat,
    task_held,
    task_release,
    task_skip,
)
from labeling.services.kinds import task_kind_create, task_kind_update
from labeling.services.photos import photos_review, photos_upload
from labeling.services.skipped import skipped_tasks_settle
from labeling.states import batch_move

__all__ = [
    "Next",
    "deliveries_sweep",
    "delivery_create",
    "delivery_run",
    "delivery_size_check",
    "task_deliver",
    "annotation_save",
    "lease_seconds",
    "leases_end",
    "leases_sweep",
    "region_changes",
    "task_claim_next",
    "task_heartbeat",
    "task_held",
    "task_release",
    "task_reopen",
    "task_skip",
    "task_submit",
    "batch_cut",
    "batch_move",
    "batch_preview",
    "batch_tasks_cancel",
    "demo_vendor_people",
    "demo_vendors_ensure",
    "photos_review",
    "photos_upload",
    "skipped_tasks_settle",
    "task_kind_create",
    "task_kind_update",
]
