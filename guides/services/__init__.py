"""The guides app's writes (and the gate the hand-out reads)."""

from guides.services.attachments import attachment_upload
from guides.services.demo import (
    DEMO_GUIDE_TITLE,
    demo_guide_ensure,
    demo_questions_ensure,
    demo_readers_ensure,
)
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
    guide_need,
    guide_versions_current,
    published_version,
    required_version,
)
from guides.services.questions import (
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
from guides.services.quiz import (
    quiz_attempt_submit,
    quiz_pass_score_set,
    quiz_question_add,
    quiz_question_delete,
)
from guides.services.versions import (
    anchor_links,
    attachment_urls,
    guide_create,
    guide_delete,
    guide_draft_save,
    guide_preview,
    guide_publish,
)

__all__ = [
    "DEMO_GUIDE_TITLE",
    "demo_guide_ensure",
    "demo_questions_ensure",
    "demo_readers_ensure",
    "annotation_read",
    "attachment_upload",
    "example_create",
    "example_delete",
    "example_move",
    "example_update",
    "examples_reorder",
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
    "guide_delete",
    "guide_draft_save",
    "guide_gate",
    "guide_need",
    "guide_preview",
    "guide_publish",
    "guide_versions_current",
    "published_version",
    "quiz_attempt_submit",
    "quiz_pass_score_set",
    "quiz_question_add",
    "quiz_question_delete",
    "required_version",
]
