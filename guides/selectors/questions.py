"""Reads about questions and the FAQ: the planners' inbox, a guide's questions, the FAQ and
its search, and the question notices of the page shell.

How the FAQ search finds Korean words (``faq_search``): every entry keeps ``search_text``,
its question and answer in one NFKC, case-folded text (``services.search_text_of``), and the
query is normalised the same way; an entry matches when its text contains the query as a
substring (``LIKE '%query%'``), so 그림자 finds "그림자가 진 수식" whatever the word's
endings. The same ORM filter runs on both databases; what differs is how it is found:

- PostgreSQL: a GIN index on ``(guide_id, search_text gin_trgm_ops)`` (pg_trgm with
  btree_gin, migration 0002_questions_faq_search) answers a guide's ``LIKE`` for queries of
  3 or more characters. pg_trgm
  makes trigrams of the characters the database's ctype calls alphanumeric: under
  ``C.UTF-8`` or any UTF-8 locale Hangul syllables count (``show_trgm('그림자')`` gives four
  trigrams), under the plain ``C`` ctype they do not and the index has nothing to offer
  (the query stays right, PostgreSQL rechecks every row, but slow). We rely on a UTF-8
  ctype, as every Groundwork database is created; tests/guides/test_faq_search.py checks
  ``show_trgm`` on the test database. A query under 3 characters has no trigram: the same
  filter then runs as a plain substring scan of the guide's entries.
- SQLite (the embedded default): the same ``LIKE`` over ``search_text`` without an index (a
  guide's FAQ is hundreds of entries, not millions). SQLite's ``LIKE`` folds only ASCII case,
  which is why the text and the query are case-folded before they meet.
"""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from guides import policy
from guides.models import FaqEntry, Guide, Question
from guides.services.questions import search_text_of
from vendors.policy import vendor_of

#: The query length from which pg_trgm's index can help.
TRIGRAM_MIN = 3
FAQ_SEARCH_LIMIT = 50


def with_asked(questions: QuerySet[Question]) -> QuerySet[Question]:
    """Annotate ``asked``: the asker plus every "me too" (merged askers moved onto it)."""
    return questions.annotate(asked=Count("me_too", distinct=True) + 1)


def asked_count(question: Question) -> int:
    """Everyone who asked: the asker and each "me too" (merged askers included)."""
    return 1 + question.me_too.count()


def inbox_list(
    *,
    visible: QuerySet[Question],
    dataset_id: int | None = None,
    guide_id: int | None = None,
    order: str = "age",
) -> QuerySet[Question]:
    """The open questions, oldest first (``order="age"``) or most asked first
    (``order="asked"``, then oldest), optionally of one dataset or one guide."""
    questions = visible.filter(status=Question.Status.OPEN)
    if dataset_id is not None:
        questions = questions.filter(guide__dataset_id=dataset_id)
    if guide_id is not None:
        questions = questions.filter(guide_id=guide_id)
    questions = with_asked(questions).select_related(
        "guide", "guide__dataset", "vendor", "asked_by"
    )
    if order == "asked":
        return questions.order_by("-asked", "asked_at", "pk")
    return questions.order_by("asked_at", "pk")


def guide_question_list(*, visible: QuerySet[Question], guide: Guide) -> QuerySet[Question]:
    """A guide's questions as ``visible`` allows, newest first."""
    return (
        with_asked(visible.filter(guide=guide))
        .select_related("vendor", "asked_by", "merged_into", "decision")
        .order_by("-asked_at", "-pk")
    )


def faq_list(*, guide: Guide) -> QuerySet[FaqEntry]:
    """A guide's FAQ, newest first."""
    return FaqEntry.objects.filter(guide=guide).order_by("-published_at", "-pk")


def faq_search(*, guide: Guide, query: str, limit: int = FAQ_SEARCH_LIMIT) -> QuerySet[FaqEntry]:
    """The guide's FAQ entries whose question or answer contains ``query`` (see the module's
    docstring for how PostgreSQL and SQLite find them). An empty query is the whole FAQ."""
    needle = search_text_of(query or "")
    entries = faq_list(guide=guide)
    if needle:
        entries = entries.filter(search_text__contains=needle)
    return entries[:limit]


def question_notices(user) -> list[dict]:
    """Unanswered questions (planners); new answers to their vendor's questions (a vendor's
    annotators and managers): answers no member of the vendor has opened since they were
    given (``Question.answer_seen_at``)."""
    if policy.can_answer(user):
        count = policy.questions_visible_to(user).filter(status=Question.Status.OPEN).count()
        if not count:
            return []
        return [
            {"label": _("Unanswered questions"), "url": reverse("guides:inbox"), "count": count}
        ]
    if vendor_of(user) is None:
        return []
    answered = policy.questions_visible_to(user).filter(
        Q(answer_seen_at__isnull=True) | Q(answer_seen_at__lt=F("answered_at")),
        answered_at__isnull=False,
    )
    count = answered.count()
    if not count:
        return []
    first = answered.order_by("-answered_at").first()
    label = _("New answers to your questions")
    url = reverse("guides:question-detail", args=[first.guide_id, first.pk])
    return [{"label": label, "url": url, "count": count}]


def question_status_text(question: Question) -> str:
    return {
        Question.Status.OPEN: _("Open"),
        Question.Status.ANSWERED: _("Answered"),
        Question.Status.MERGED: _("Merged"),
        Question.Status.DECISION: _("Sent to the service owner"),
    }[question.status]
