"""The guides app's writes (and the gate the hand-out reads)."""

from guides.services.gate import (
    GateNeed,
    acknowledgement_record,
    guide_gate,
    guide_versions_current,
    guides_applying,
    required_version,
)
from guides.services.questions import (
    asked_count,
    draft_with_quote,
    faq_promote,
    faq_publish,
    question_answer,
    question_ask,
    question_me_too,
    question_merge,
    question_to_decision,
    search_text_of,
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
    "asked_count",
    "draft_with_quote",
    "faq_promote",
    "faq_publish",
    "question_answer",
    "question_ask",
    "question_me_too",
    "question_merge",
    "question_to_decision",
    "search_text_of",
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
