"""Quizzes: the planner writes the draft's multiple-choice questions and pass score (copied
into the next version by ``guide_publish``); an annotator submits answers to a published
version's quiz, which are scored and recorded as a ``QuizAttempt``.

The right choice (``QuizQuestion.correct``) is read here and by the planner's editor only:
nothing that shows a quiz to its takers carries it before an attempt is submitted.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from guides.models import Example, Guide, GuideVersion, QuizAttempt, QuizQuestion

PROMPT_LIMIT = 500
CHOICE_LIMIT = 300
CHOICES_MIN, CHOICES_MAX = 2, 8


def _prompt_check(prompt) -> str:
    prompt = (prompt or "").strip() if isinstance(prompt, str) else ""
    if not prompt:
        message = _("Write the question.")
        raise DomainError(message, fields={"prompt": message})
    if len(prompt) > PROMPT_LIMIT:
        message = _("A question is limited to %(limit)s characters.") % {"limit": PROMPT_LIMIT}
        raise DomainError(message, fields={"prompt": message})
    return prompt


def _choices_check(choices) -> list[str]:
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        message = _("The choices must be a list of texts.")
        raise DomainError(message, fields={"choices": message})
    choices = [choice.strip() for choice in choices if choice.strip()]
    if not CHOICES_MIN <= len(choices) <= CHOICES_MAX:
        message = _("Give between %(low)s and %(high)s choices.") % {
            "low": CHOICES_MIN,
            "high": CHOICES_MAX,
        }
        raise DomainError(message, fields={"choices": message})
    if any(len(choice) > CHOICE_LIMIT for choice in choices):
        message = _("A choice is limited to %(limit)s characters.") % {"limit": CHOICE_LIMIT}
        raise DomainError(message, fields={"choices": message})
    if len(set(choices)) != len(choices):
        message = _("Two choices say the same thing.")
        raise DomainError(message, fields={"choices": message})
    return choices


def _correct_check(correct, choices: list[str]) -> int:
    if (
        isinstance(correct, bool)
        or not isinstance(correct, int)
        or not (0 <= correct < len(choices))
    ):
        message = _("Say which of the %(count)s choices is right.") % {"count": len(choices)}
        raise DomainError(message, fields={"correct": message})
    return correct


def _example_check(guide: Guide, example_id) -> Example | None:
    if example_id in (None, ""):
        return None
    example = guide.examples.filter(pk=example_id).first() if isinstance(example_id, int) else None
    if example is None:
        message = _("Choose one of this guide's examples.")
        raise DomainError(message, fields={"example": message})
    return example


@transaction.atomic
def quiz_question_add(
    *,
    guide: Guide,
    prompt: str,
    choices: list[str],
    correct: int,
    example_id: int | None = None,
    by: User | None = None,
) -> QuizQuestion:
    """A new question at the end of the draft's quiz. ``correct`` is the index of the right
    choice (0 = the first); ``example_id`` one of the guide's examples, shown with it."""
    prompt = _prompt_check(prompt)
    choices = _choices_check(choices)
    correct = _correct_check(correct, choices)
    example = _example_check(guide, example_id)
    last = guide.quiz_questions.filter(version__isnull=True).order_by("-position").first()
    return QuizQuestion.objects.create(
        guide=guide,
        version=None,
        example=example,
        prompt=prompt,
        choices=choices,
        correct=correct,
        position=(last.position + 1) if last else 0,
    )


@transaction.atomic
def quiz_question_delete(*, question: QuizQuestion, by: User | None = None) -> None:
    """Remove a question from the draft's quiz; a published version's questions stay. The
    last one gone, the next version has no quiz."""
    if question.version_id is not None:
        raise DomainError(
            _("A published version's quiz cannot be changed."), code="published", status=409
        )
    guide = question.guide
    question.delete()
    if not guide.quiz_questions.filter(version__isnull=True).exists():
        Guide.objects.filter(pk=guide.pk).update(draft_pass_score=None)


@transaction.atomic
def quiz_pass_score_set(*, guide: Guide, pass_score: int | None, by: User | None = None) -> Guide:
    """The score (1–100 %) the next version's quiz needs; None = the next version has no
    quiz. A quiz needs at least one question."""
    if pass_score is not None:
        if isinstance(pass_score, bool) or not isinstance(pass_score, int):
            pass_score = -1
        if not 1 <= pass_score <= 100:
            message = _("The pass score is a percentage from 1 to 100.")
            raise DomainError(message, fields={"pass_score": message})
        if not guide.quiz_questions.filter(version__isnull=True).exists():
            message = _("Write the quiz's questions before setting its pass score.")
            raise DomainError(message, code="quiz_empty", fields={"pass_score": message})
    guide.draft_pass_score = pass_score
    guide.save(update_fields=["draft_pass_score"])
    return guide


def _answer_of(answers: dict, question: QuizQuestion):
    value = answers.get(str(question.pk), answers.get(question.pk))
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value < len(question.choices) else None


@transaction.atomic
def quiz_attempt_submit(*, version: GuideVersion, user: User, answers: dict) -> QuizAttempt:
    """Score ``answers`` (``{question id: index of the chosen choice}``) against the
    version's quiz and record the attempt. Every question must be answered; a refused
    attempt records nothing. Attempts may be repeated: the gate asks for one that passed."""
    if version.pk is None:
        raise DomainError(_("Only a published version has a quiz."), code="not_published")
    questions = list(version.quiz_questions.order_by("position", "pk"))
    if version.pass_score is None or not questions:
        raise DomainError(_("This version has no quiz."), code="no_quiz")
    if not isinstance(answers, dict):
        message = _("Send the answers as {question id: choice}.")
        raise DomainError(message, fields={"answers": message})
    chosen = {question.pk: _answer_of(answers, question) for question in questions}
    missing = {
        f"answers.{pk}": _("Choose one answer.") for pk, value in chosen.items() if value is None
    }
    if missing:
        raise DomainError(
            _("Answer every question (%(count)s left).") % {"count": len(missing)},
            code="unanswered",
            fields=missing,
        )
    right = sum(1 for question in questions if chosen[question.pk] == question.correct)
    score = round(100 * right / len(questions))
    return QuizAttempt.objects.create(
        version=version,
        user=user,
        answers={str(pk): value for pk, value in chosen.items()},
        score=score,
        passed=score >= version.pass_score,
    )
