"""The guides app's writes (and the gate the hand-out reads)."""

from guides.services.attachments import attachment_upload
from guides.services.demo import DEMO_GUIDE_TITLE, demo_guide_ensure
from guides.services.examples import (
    annotation_read,
    example_create,
    example_delete,
    example_move,
    example_update,
    examples_reorder,
)
from guides.services.gate import (
    GateNeed,
    acknowledgement_record,
    guide_gate,
    guide_versions_current,
    guides_applying,
    required_version,
)
from guides.services.versions import (
    anchor_links,
    attachment_urls,
    guide_create,
    guide_draft_save,
    guide_preview,
    guide_publish,
)

__all__ = [
    "DEMO_GUIDE_TITLE",
    "demo_guide_ensure",
    "annotation_read",
    "attachment_upload",
    "example_create",
    "example_delete",
    "example_move",
    "example_update",
    "examples_reorder",
    "GateNeed",
    "acknowledgement_record",
    "anchor_links",
    "attachment_urls",
    "guide_create",
    "guide_draft_save",
    "guide_gate",
    "guide_preview",
    "guide_publish",
    "guide_versions_current",
    "guides_applying",
    "required_version",
]
