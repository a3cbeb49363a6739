"""Reads about acknowledgements and quizzes: what the page shell tells a vendor's people they
still owe, what one version's actions show its reader, who acknowledged which version per
vendor, and a quiz as its takers see it (never its answer key)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role, User
from guides import policy
from guides.models import Acknowledgement, Guide, GuideVersion, QuizAttempt
from guides.services.gate import guide_need, required_version
from vendors.models import Member, Vendor
from vendors.policy import datasets_contracted_by


def version_notices(user: User) -> list[dict]:
    """The versions ``user`` must still acknowledge (or whose quiz they must pass), one
    notice each: ``[{"label", "url", "count"}]``. For a vendor's annotators and managers."""
    if not policy.can_acknowledge(user):
        return []
    notices = []
    guides = policy.guides_visible_to(user).order_by("dataset_id", "task_kind_id", "pk")
    for guide in guides:
        need = guide_need(user=user, guide=guide)
        if need is None:
            continue
        values = {"title": guide.title, "number": need.version.number}
        if need.reason == "quiz":
            label = _("Quiz to pass: “%(title)s” v%(number)s") % values
            url = reverse("guides:quiz-take", args=[guide.pk, need.version.number])
        else:
            label = _("New guide version: “%(title)s” v%(number)s") % values
            url = need.url
        notices.append({"label": label, "url": url, "count": 0})
    return notices


def base_version(version: GuideVersion) -> GuideVersion:
    """The major version a minor one corrects (itself when it is major)."""
    if not version.minor:
        return version
    found = (
        version.guide.versions.filter(minor=False, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    return found or version


def quiz_questions(version: GuideVersion):
    """A version's quiz questions in order, with their examples."""
    return version.quiz_questions.select_related("example").order_by("position", "pk")


def quiz_for_takers(version: GuideVersion) -> list[dict]:
    """The quiz as its takers see it: prompt, choices and example, never the right one."""
    return [
        {"id": q.pk, "prompt": q.prompt, "choices": list(q.choices), "example": q.example}
        for q in quiz_questions(version)
    ]


def attempt_results(attempt: QuizAttempt) -> list[dict]:
    """A submitted attempt question by question: what was chosen, what was right."""
    rows = []
    for question in quiz_questions(attempt.version):
        chosen = attempt.answers.get(str(question.pk))
        rows.append(
            {
                "id": question.pk,
                "prompt": question.prompt,
                "choices": list(question.choices),
                "example": question.example,
                "chosen": chosen,
                "correct": question.correct,
                "right": chosen == question.correct,
            }
        )
    return rows


def best_attempt(*, user: User, versions) -> QuizAttempt | None:
    return (
        QuizAttempt.objects.filter(user=user, version__in=versions)
        .order_by("-passed", "-score", "-at")
        .first()
    )


@dataclass
class VersionState:
    """What the version page's actions show its reader."""

    version: GuideVersion
    can_acknowledge: bool
    acknowledgement: Acknowledgement | None = None  # of this very version
    covered_by: Acknowledgement | None = None  # a minor version's: its major's (or later)
    has_quiz: bool = False
    attempt: QuizAttempt | None = None  # the best attempt
    quiz_url: str = ""
    board_url: str = ""
    quiz_edit_url: str = ""
    superseded_by: GuideVersion | None = None  # a later major version to acknowledge instead

    @property
    def quiz_passed(self) -> bool:
        return self.attempt is not None and self.attempt.passed


def version_state(*, user: User, version: GuideVersion) -> VersionState:
    state = VersionState(version=version, can_acknowledge=policy.can_acknowledge(user))
    guide_id, number = version.guide_id, version.number
    state.has_quiz = version.pass_score is not None and version.quiz_questions.exists()
    if state.has_quiz:
        state.quiz_url = reverse("guides:quiz-take", args=[guide_id, number])
    if policy.can_see_acknowledgements(user):
        state.board_url = reverse("guides:acknowledgement-board", args=[guide_id])
    if policy.can_edit_guides(user):
        state.quiz_edit_url = reverse("guides:quiz-edit", args=[guide_id])
    if not state.can_acknowledge:
        return state
    required = required_version(version.guide)
    if required is not None and required.number > version.number:
        state.superseded_by = required
    state.acknowledgement = Acknowledgement.objects.filter(user=user, version=version).first()
    if state.acknowledgement is None and version.minor:
        base = base_version(version)
        state.covered_by = (
            Acknowledgement.objects.filter(
                user=user, version__guide_id=guide_id, version__number__gte=base.number
            )
            .select_related("version")
            .order_by("version__number")
            .first()
        )
    if state.has_quiz:
        state.attempt = best_attempt(user=user, versions=[version])
    return state


# --- who acknowledged which version, per vendor -------------------------------------------


@dataclass
class PersonRow:
    user: User
    acknowledgement: Acknowledgement | None  # the latest version they acknowledged
    current: bool  # acknowledged the required version or a later one
    attempt: QuizAttempt | None  # best attempt at the required version's quiz (or later)
    attempts: int = 0


@dataclass
class VendorRow:
    vendor: Vendor
    people: list[PersonRow] = field(default_factory=list)

    @property
    def acknowledged(self) -> int:
        return sum(1 for person in self.people if person.current)


@dataclass
class Board:
    guide: Guide
    required: GuideVersion | None
    vendors: list[VendorRow]


def vendors_working_on(guide: Guide):
    """The vendors holding a current contract on the guide's dataset."""
    contracted = datasets_contracted_by(OuterRef("pk")).filter(dataset_id=guide.dataset_id)
    return Vendor.objects.filter(Exists(contracted)).order_by("name", "pk")


def acknowledgement_board(*, guide: Guide, vendor: Vendor | None = None) -> Board:
    """Per vendor holding a current contract on the dataset (only ``vendor`` when given):
    its annotators, the latest version each acknowledged and when, and their quiz score at
    the version they must have read."""
    required = required_version(guide)
    vendors = vendors_working_on(guide)
    if vendor is not None:
        vendors = vendors.filter(pk=vendor.pk)
    rows = {v.pk: VendorRow(vendor=v) for v in vendors}
    members = (
        Member.objects.filter(
            vendor_id__in=list(rows), user__role=Role.ANNOTATOR, deactivated_at__isnull=True
        )
        .select_related("user")
        .order_by("user__username")
    )
    members = list(members)
    user_ids = [member.user_id for member in members]
    latest: dict[int, Acknowledgement] = {}
    for ack in (
        Acknowledgement.objects.filter(version__guide=guide, user_id__in=user_ids)
        .select_related("version")
        .order_by("version__number", "at")
    ):
        latest[ack.user_id] = ack
    best: dict[int, QuizAttempt] = {}
    counts: dict[int, int] = {}
    if required is not None and required.pass_score is not None:
        attempts = QuizAttempt.objects.filter(
            version__guide=guide, version__number__gte=required.number, user_id__in=user_ids
        ).select_related("version")
        for attempt in attempts.order_by("passed", "score", "at"):
            best[attempt.user_id] = attempt
            counts[attempt.user_id] = counts.get(attempt.user_id, 0) + 1
    for member in members:
        ack = latest.get(member.user_id)
        current = ack is not None and required is not None and ack.version.number >= required.number
        rows[member.vendor_id].people.append(
            PersonRow(
                user=member.user,
                acknowledgement=ack,
                current=current,
                attempt=best.get(member.user_id),
                attempts=counts.get(member.user_id, 0),
            )
        )
    return Board(guide=guide, required=required, vendors=list(rows.values()))


def attempt_list(*, user: User, version: GuideVersion):
    """The attempts at a version's quiz that ``user`` may see, newest first."""
    return (
        policy.attempts_visible_to(user)
        .filter(version=version)
        .select_related("user")
        .order_by("-at", "-pk")
    )


__all__ = [
    "Board",
    "PersonRow",
    "VendorRow",
    "VersionState",
    "acknowledgement_board",
    "attempt_list",
    "attempt_results",
    "base_version",
    "best_attempt",
    "quiz_for_takers",
    "quiz_questions",
    "version_notices",
    "version_state",
    "vendors_working_on",
]
