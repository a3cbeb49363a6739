"""Annotators' questions about a guide, the planners' answers, the FAQ, and what an answer
becomes: a quoted passage of the guide draft, or a requirement decision of the dataset spec.

- A question names the section it is about (an anchor of the latest version) and may be
  pinned to an item of the guide's dataset, a region id and a crop; the crop is decoded and
  stored without its metadata, like every upload.
- "Me too" counts once per user; merging a duplicate moves its asker and its me-toos onto
  the question it is merged into, so the survivor counts everyone who asked.
- An answer is private: it is written on the question (and on the questions merged into
  it), which only the asker's vendor and the in-house team read. Publishing to the FAQ is a
  separate, explicit step in wording the planner gives, so one vendor's wording never
  reaches another unreviewed.
- Promoting a FAQ entry quotes it into the guide draft through ``guide_draft_save`` (the
  draft's revision moves on) and stamps ``promoted_at``; the next ``guide_publish`` lists it
  in its change note.
"""

from __future__ import annotations

import io
import re
import unicodedata

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from PIL import Image, UnidentifiedImageError

from accounts.models import User
from core.errors import DomainError
from datasets import services as dataset_services
from datasets.models import Item
from guides.models import QUESTION_LIMIT, FaqEntry, Guide, MeToo, Question
from guides.rendering import ANCHOR_AT_END
from guides.services.versions import guide_draft_save
from vendors.policy import vendor_of

#: A crop's own limits: its bytes, read before decoding, and its pixels, read from its header
#: before any decoding (a region of the largest photo fits; a small file that claims more is
#: a decompression bomb).
CROP_LIMIT = 5_000_000
CROP_MAX_PIXELS = 25_000_000
_CROP_FORMATS = {"PNG", "JPEG", "WEBP"}
_SPACE = re.compile(r"\s+")


def search_text_of(*parts: str) -> str:
    """The one normalised form the FAQ search compares: NFKC, case-folded, spaces collapsed
    (so a query typed with full-width letters or another case still matches)."""
    text = " ".join(parts)
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _text(value, *, field: str, empty: str, limit: int = QUESTION_LIMIT) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DomainError(empty, code="empty", fields={field: empty})
    if len(value) > limit:
        message = _("This text is limited to %(limit)s characters.") % {"limit": limit}
        raise DomainError(message, code="too_long", fields={field: message})
    return value.strip()


def _anchor(guide: Guide, anchor: str) -> str:
    anchor = (anchor or "").strip()
    if not anchor:
        return ""
    latest = guide.versions.order_by("-number").first()
    anchors = {section["anchor"] for section in (latest.sections if latest else [])}
    if anchor not in anchors:
        message = _("The guide has no section “%(anchor)s”.") % {"anchor": anchor}
        raise DomainError(message, code="unknown_section", fields={"anchor": message})
    return anchor


def _crop_file(crop) -> ContentFile:
    """The uploaded crop as a stored image without metadata; anything else is a 400."""
    data = crop.read(CROP_LIMIT + 1)
    if len(data) > CROP_LIMIT:
        message = _("A crop is limited to %(limit)s bytes.") % {"limit": CROP_LIMIT}
        raise DomainError(message, code="crop_too_large", fields={"crop": message})
    refused = _("The crop must be a PNG, JPEG or WebP image.")
    too_large = _("A crop is limited to %(limit)s pixels.") % {"limit": CROP_MAX_PIXELS}
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            if width * height > CROP_MAX_PIXELS:
                raise Image.DecompressionBombError
            image.verify()
    except Image.DecompressionBombError:
        raise DomainError(too_large, code="crop_too_large", fields={"crop": too_large}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(refused, code="crop_not_image", fields={"crop": refused}) from None
    if kind not in _CROP_FORMATS:
        raise DomainError(refused, code="crop_not_image", fields={"crop": refused})
    name = f"crop.{'jpg' if kind == 'JPEG' else kind.lower()}"
    try:
        stripped = dataset_services.file_without_metadata(data, name=name)
    except OSError:
        raise DomainError(refused, code="crop_not_image", fields={"crop": refused}) from None
    if stripped is not None:
        name, data = stripped
    return ContentFile(data, name=name.rsplit("/", 1)[-1])


@transaction.atomic
def question_ask(
    *,
    guide: Guide,
    user: User,
    body: str,
    anchor: str = "",
    item_id: int | None = None,
    region_id: str = "",
    crop=None,
) -> Question:
    """A vendor member's question about ``guide`` (the caller checked ``can_ask``)."""
    body = _text(body, field="body", empty=_("Write your question."))
    anchor = _anchor(guide, anchor)
    item = None
    if item_id is not None:
        item = Item.objects.filter(pk=item_id, dataset_id=guide.dataset_id).first()
        if item is None:
            message = _("Item %(id)s is not in this guide's dataset.") % {"id": item_id}
            raise DomainError(message, code="unknown_item", fields={"item": message})
    region_id = (region_id or "").strip()
    if len(region_id) > 64:
        message = _("A region id is limited to %(limit)s characters.") % {"limit": 64}
        raise DomainError(message, fields={"region_id": message})
    question = Question(
        guide=guide,
        version=guide.versions.order_by("-number").first(),
        anchor=anchor,
        body=body,
        asked_by=user,
        vendor=vendor_of(user),
        item=item,
        region_id=region_id,
    )
    if crop is not None:
        question.crop = _crop_file(crop)
    question.save()
    return question


def _open(question: Question) -> None:
    if question.status != Question.Status.OPEN:
        raise DomainError(_("This question is no longer open."), code="question_closed", status=409)


@transaction.atomic
def question_me_too(*, question: Question, user: User) -> Question:
    """``user`` has the same question; counted once however often they say so."""
    _open(question)
    if question.asked_by_id != user.pk:
        MeToo.objects.get_or_create(question=question, user=user)
    return question


@transaction.atomic
def question_merge(*, question: Question, into: Question, by: User | None = None) -> Question:
    """``question`` duplicates ``into``: its asker and its me-toos count on ``into`` from now
    on, and whatever ``into`` is answered reaches ``question``'s asker too."""
    if into.pk == question.pk or into.guide_id != question.guide_id:
        message = _("Merge into another question of the same guide.")
        raise DomainError(message, code="merge_target", fields={"into": message})
    _open(question)
    if into.status == Question.Status.MERGED:
        message = _("That question was itself merged: merge into the one it went to.")
        raise DomainError(message, code="merge_target", fields={"into": message})
    askers = set(question.me_too.values_list("user_id", flat=True)) | set(
        question.merged.values_list("asked_by_id", flat=True)
    )
    askers.add(question.asked_by_id)
    askers.discard(None)
    askers.discard(into.asked_by_id)
    present = set(into.me_too.values_list("user_id", flat=True))
    MeToo.objects.bulk_create(
        MeToo(question=into, user_id=user_id) for user_id in sorted(askers - present)
    )
    question.merged.update(merged_into=into)
    question.status = Question.Status.MERGED
    question.merged_into = into
    question.save(update_fields=["status", "merged_into"])
    if into.answered_at is not None:
        Question.objects.filter(pk=question.pk).update(
            answer=into.answer, answered_by=into.answered_by, answered_at=into.answered_at
        )
    return question


@transaction.atomic
def question_answer(*, question: Question, answer: str, by: User | None = None) -> Question:
    """A private answer: the asker's vendor (and the askers of merged duplicates) read it on
    their question; answering again replaces it."""
    answer = _text(answer, field="answer", empty=_("Write the answer."))
    if question.status == Question.Status.MERGED:
        raise DomainError(
            _("This question was merged: answer the question it was merged into."),
            code="question_merged",
            status=409,
        )
    now = timezone.now()
    question.answer = answer
    question.answered_by = by
    question.answered_at = now
    if question.status == Question.Status.OPEN:
        question.status = Question.Status.ANSWERED
    question.save(update_fields=["answer", "answered_by", "answered_at", "status"])
    question.merged.update(answer=answer, answered_by=by, answered_at=now)
    return question


@transaction.atomic
def faq_publish(
    *,
    guide: Guide,
    question_text: str,
    answer_text: str,
    anchor: str = "",
    source: Question | None = None,
    by: User | None = None,
) -> FaqEntry:
    """A FAQ entry in the planner's own wording, for every annotator of the dataset; it never
    records who asked (``source`` links the planner back to the question)."""
    question_text = _text(question_text, field="question", empty=_("Write the question."))
    answer_text = _text(answer_text, field="answer", empty=_("Write the answer."))
    anchor = _anchor(guide, anchor)
    if source is not None and source.guide_id != guide.pk:
        raise DomainError(_("That question is about another guide."), code="unknown_question")
    return FaqEntry.objects.create(
        guide=guide,
        source=source,
        anchor=anchor,
        question=question_text,
        answer=answer_text,
        search_text=search_text_of(question_text, answer_text),
        published_by=by,
    )


def _quoted(entry: FaqEntry) -> list[str]:
    """The entry as a Markdown blockquote: question, then answer. Anchors inside it are
    dropped, so a quote never adds a section."""

    def lines(label: str, text: str) -> list[str]:
        text = ANCHOR_AT_END.sub("", text.strip()) if "{#" in text else text.strip()
        rows = text.splitlines() or [""]
        first = f"> **{label}** {rows[0]}".rstrip()
        return [first, *(f"> {row}".rstrip() for row in rows[1:])]

    return [*lines(_("Question:"), entry.question), ">", *lines(_("Answer:"), entry.answer)]


def _section_end(body: str, anchor: str) -> int | None:
    """The line before which a quote lands in the section ``anchor``: the next top-level
    heading of the same or a higher level, else the end. None when no heading has it."""
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    headings = [
        (int(token.tag[1]), token.map[0], tokens[index + 1].content)
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.level == 0 and token.map
    ]
    for position, (level, _line, text) in enumerate(headings):
        match = ANCHOR_AT_END.search(text)
        if match and match.group(1) == anchor:
            for later_level, later_line, _text in headings[position + 1 :]:
                if later_level <= level:
                    return later_line
            return len(body.splitlines())
    return None


def draft_with_quote(body: str, entry: FaqEntry) -> str:
    """``body`` with ``entry`` quoted at the end of its section (or of the text when the
    draft has no such section any more)."""
    lines = body.splitlines()
    at = _section_end(body, entry.anchor) if entry.anchor else None
    if at is None:
        at = len(lines)
    before = lines[:at]
    while before and not before[-1].strip():
        before.pop()
    after = lines[at:]
    block = [*before, "", *_quoted(entry), ""]
    if after:
        block.append("")
        block.extend(after)
    return "\n".join(block).strip("\n") + "\n"


@transaction.atomic
def faq_promote(*, entry: FaqEntry, by: User | None = None) -> FaqEntry:
    """Quote ``entry`` into its guide's draft in one step; refused when already promoted."""
    entry = FaqEntry.objects.select_for_update().select_related("guide").get(pk=entry.pk)
    if entry.promoted_at is not None:
        raise DomainError(
            _("This answer is already in the guide's draft."), code="already_promoted", status=409
        )
    guide = Guide.objects.get(pk=entry.guide_id)
    guide_draft_save(
        guide=guide,
        body=draft_with_quote(guide.draft_body, entry),
        revision=guide.draft_revision,
        by=by,
    )
    entry.promoted_at = timezone.now()
    entry.save(update_fields=["promoted_at"])
    return entry


@transaction.atomic
def question_to_decision(*, question: Question, by: User | None = None) -> Question:
    """Put the question to the service's owner as a requirement decision of the dataset
    spec (through datasets' own service); the question and the decision link each other."""
    question = (
        Question.objects.select_for_update(of=("self",)).select_related("guide").get(pk=question.pk)
    )
    if question.decision_id is not None:
        raise DomainError(
            _("This question is already a requirement decision."),
            code="already_decision",
            status=409,
        )
    if question.status == Question.Status.MERGED:
        raise DomainError(
            _("This question was merged: send the question it was merged into."),
            code="question_merged",
            status=409,
        )
    decision = dataset_services.decision_create(
        dataset=question.guide.dataset,
        question=question.body,
        by=by,
        source_url=reverse("guides:question-detail", args=[question.guide_id, question.pk]),
        source_label=_("Question %(id)s on the guide “%(title)s”")
        % {"id": question.pk, "title": question.guide.title},
    )
    Question.objects.filter(pk=question.pk).update(
        decision=decision, status=Question.Status.DECISION
    )
    question.refresh_from_db()
    return question


__all__ = [
    "draft_with_quote",
    "faq_promote",
    "faq_publish",
    "question_answer",
    "question_ask",
    "question_me_too",
    "question_merge",
    "question_to_decision",
    "search_text_of",
]
