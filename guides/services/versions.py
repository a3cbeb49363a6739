"""Guides, their drafts and published versions.

A draft save names the revision it was made from; a stale one (another planner saved
meanwhile) is a 409 carrying the current text and revision, and changes nothing. Publishing
renders the draft (``guides.rendering``), stores the HTML with its sections, copies the
draft's quiz, and records which FAQ answers promoted into the draft it now holds; the change
note lists them. Published versions are never edited.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets.models import Dataset
from guides.models import BODY_LIMIT, FaqEntry, Guide, GuideVersion, Question, QuizQuestion
from guides.rendering import Rendered, guide_render

TITLE_LIMIT = 200
CHANGE_NOTE_LIMIT = 5_000


def _body_check(body: str) -> str:
    if not isinstance(body, str):
        raise DomainError(_("The guide's text must be text."), fields={"body": _("Not text.")})
    if len(body.encode("utf-8")) > BODY_LIMIT:
        message = _("A guide's text is limited to %(limit)s bytes.") % {"limit": BODY_LIMIT}
        raise DomainError(message, code="body_too_long", fields={"body": message})
    return body


def _title_check(title: str) -> str:
    title = (title or "").strip()
    if not title:
        message = _("Give the guide a title.")
        raise DomainError(message, fields={"title": message})
    if len(title) > TITLE_LIMIT:
        message = _("A title is limited to %(limit)s characters.") % {"limit": TITLE_LIMIT}
        raise DomainError(message, fields={"title": message})
    return title


@transaction.atomic
def guide_create(
    *,
    dataset: Dataset,
    title: str,
    task_kind_id: int | None = None,
    body: str = "",
    by: User | None = None,
) -> Guide:
    """A new guide with its first draft. A dataset has one guide of its own and one per task
    kind; a second is a 409 naming the first."""
    title = _title_check(title)
    body = _body_check(body)
    existing = Guide.objects.filter(dataset=dataset, task_kind_id=task_kind_id).first()
    if existing is not None:
        raise DomainError(
            _("This dataset already has that guide: “%(title)s”.") % {"title": existing.title},
            code="guide_exists",
            status=409,
            extra={"guide": existing.pk},
        )
    return Guide.objects.create(
        dataset=dataset,
        task_kind_id=task_kind_id,
        title=title,
        draft_body=body,
        draft_saved_by=by,
        created_by=by,
    )


@transaction.atomic
def guide_delete(*, guide: Guide) -> None:
    """Remove a guide never published (its draft, attachments and examples with it). A
    published guide is kept: labels record its versions, and annotators acknowledged them;
    a 409 says to publish a new version instead."""
    if guide.versions.exists():
        raise DomainError(
            _(
                "“%(title)s” has published versions, which labels and acknowledgements refer "
                "to: it is kept. Publish a new version to change it."
            )
            % {"title": guide.title},
            code="guide_published",
            status=409,
        )
    for attachment in guide.attachments.all():
        attachment.file.delete(save=False)
    guide.delete()


def _stale(guide: Guide) -> DomainError:
    return DomainError(
        _(
            "Someone else saved this draft meanwhile (revision %(revision)s). Your text was "
            "not saved: compare it with theirs, then save again."
        )
        % {"revision": guide.draft_revision},
        code="draft_stale",
        status=409,
        extra={
            "current": {
                "body": guide.draft_body,
                "revision": guide.draft_revision,
                "saved_at": guide.draft_saved_at.isoformat(),
                "saved_by": guide.draft_saved_by.get_full_name() or guide.draft_saved_by.username
                if guide.draft_saved_by
                else "",
            }
        },
    )


@transaction.atomic
def guide_draft_save(
    *,
    guide: Guide,
    body: str,
    revision: int,
    title: str | None = None,
    by: User | None = None,
) -> Guide:
    """Save the draft made from ``revision``; the saved draft has the next revision."""
    body = _body_check(body)
    if title is not None:
        title = _title_check(title)
    guide = (
        Guide.objects.select_for_update(of=("self",))
        .select_related("draft_saved_by")
        .get(pk=guide.pk)
    )
    if revision != guide.draft_revision:
        raise _stale(guide)
    guide.draft_body = body
    if title is not None:
        guide.title = title
    guide.draft_revision += 1
    guide.draft_saved_at = timezone.now()
    guide.draft_saved_by = by
    guide.save(
        update_fields=["draft_body", "title", "draft_revision", "draft_saved_at", "draft_saved_by"]
    )
    return guide


def attachment_urls(guide: Guide) -> dict[str, str]:
    """The URL of each of the guide's attachments, by id: the only images it may show."""
    return {
        str(pk): reverse("guides:attachment-file", args=[guide.pk, pk])
        for pk in guide.attachments.values_list("pk", flat=True)
    }


def guide_preview(*, guide: Guide, body: str) -> Rendered:
    """The draft as it would be published (nothing saved)."""
    return guide_render(_body_check(body), attachment_urls=attachment_urls(guide))


def anchor_links(*, guide: Guide, anchors: set[str]) -> list[dict]:
    """What links to any of ``anchors`` of the guide: questions, FAQ entries, examples.
    ``[{"anchor": …, "kind": "question", "id": …, "text": …}, …]``"""
    if not anchors:
        return []
    links = []
    sources = (
        ("question", Question.objects.filter(guide=guide), "body"),
        ("faq", FaqEntry.objects.filter(guide=guide), "question"),
        ("example", guide.examples.all(), "caption"),
    )
    for kind, queryset, text in sources:
        for pk, anchor, words in queryset.filter(anchor__in=anchors).values_list(
            "pk", "anchor", text
        ):
            links.append({"anchor": anchor, "kind": kind, "id": pk, "text": words[:120]})
    return links


def _change_note(note: str, *, minor: bool, promoted: list[FaqEntry]) -> str:
    lines = [note.strip()]
    if minor:
        lines.append(_("Minor change: no new acknowledgement is needed."))
    if promoted:
        lines.append(_("Answers promoted from the FAQ:"))
        lines.extend(f"- {entry.question.strip()}" for entry in promoted)
    return "\n".join(line for line in lines if line)


@transaction.atomic
def guide_publish(
    *,
    guide: Guide,
    change_note: str,
    revision: int,
    minor: bool = False,
    drop_links: bool = False,
    by: User | None = None,
) -> GuideVersion:
    """Publish the draft saved at ``revision`` as the next version.

    Refused (nothing written): an empty draft or change note; a stale revision (409, as a
    save); ``minor`` for the first version; a draft that drops a section other things link
    to, unless ``drop_links`` (409 naming the links first).
    """
    guide = (
        Guide.objects.select_for_update(of=("self",))
        .select_related("draft_saved_by")
        .get(pk=guide.pk)
    )
    if revision != guide.draft_revision:
        raise _stale(guide)
    note = (change_note or "").strip()
    if not note:
        message = _("Say what changed in this version.")
        raise DomainError(message, fields={"change_note": message})
    if len(note) > CHANGE_NOTE_LIMIT:
        message = _("A change note is limited to %(limit)s characters.") % {
            "limit": CHANGE_NOTE_LIMIT
        }
        raise DomainError(message, fields={"change_note": message})
    if not guide.draft_body.strip():
        raise DomainError(
            _("The draft is empty: write the guide before publishing it."), code="draft_empty"
        )
    latest = guide.versions.order_by("-number").first()
    if minor and latest is None:
        message = _("The first version cannot be minor: annotators must acknowledge it.")
        raise DomainError(message, fields={"minor": message})
    rendered = guide_render(guide.draft_body, attachment_urls=attachment_urls(guide))
    if latest is not None and not drop_links:
        dropped = {s["anchor"] for s in latest.sections} - set(rendered.anchors)
        links = anchor_links(guide=guide, anchors=dropped)
        if links:
            raise DomainError(
                _(
                    "This version drops sections that %(count)s questions, FAQ entries or "
                    "examples link to: %(anchors)s. Keep the anchors, or publish anyway."
                )
                % {"count": len(links), "anchors": ", ".join(sorted({x["anchor"] for x in links}))},
                code="anchors_dropped",
                status=409,
                extra={"links": links},
            )
    promoted = list(
        FaqEntry.objects.select_for_update()
        .filter(guide=guide, promoted_at__isnull=False, promoted_version__isnull=True)
        .order_by("promoted_at", "pk")
    )
    version = GuideVersion.objects.create(
        guide=guide,
        number=(latest.number if latest else 0) + 1,
        body=guide.draft_body,
        html=rendered.html,
        sections=rendered.sections,
        change_note=_change_note(note, minor=minor, promoted=promoted),
        minor=minor,
        pass_score=guide.draft_pass_score,
        published_by=by,
    )
    FaqEntry.objects.filter(pk__in=[entry.pk for entry in promoted]).update(
        promoted_version=version
    )
    if guide.draft_pass_score is not None:
        QuizQuestion.objects.bulk_create(
            QuizQuestion(
                guide=guide,
                version=version,
                example_id=question.example_id,
                prompt=question.prompt,
                choices=question.choices,
                correct=question.correct,
                position=question.position,
            )
            for question in guide.quiz_questions.filter(version__isnull=True)
        )
    return version
