"""The acknowledgement gate the hand-out asks before giving an annotator a new task.

For a dataset and a task kind, the guides that apply are the dataset's own and the task
kind's. Each has a *required* version: its latest version that is not minor (a minor publish
needs no new acknowledgement). An annotator passes when, for every applicable guide, they
acknowledged the required version or a later one (and passed its quiz, where the version has
one; a pass on a later version counts). A task already leased keeps the versions it was leased under
(``guide_versions_current`` is what a lease records).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from guides.models import Acknowledgement, Guide, GuideVersion, QuizAttempt


@dataclass(frozen=True)
class GateNeed:
    """What stands between an annotator and a new task: a version to acknowledge (or whose
    quiz to pass)."""

    version: GuideVersion
    reason: str  # "acknowledge" | "quiz"

    @property
    def url(self) -> str:
        return reverse("guides:version-detail", args=[self.version.guide_id, self.version.number])

    @property
    def message(self) -> str:
        values = {"title": self.version.guide.title, "number": self.version.number}
        if self.reason == "quiz":
            return _("Pass the quiz of “%(title)s” v%(number)s first.") % values
        return _("Read and acknowledge “%(title)s” v%(number)s first.") % values


def required_version(guide: Guide) -> GuideVersion | None:
    """The version an annotator must have acknowledged: the latest that is not minor."""
    return guide.versions.filter(minor=False).order_by("-number").first()


def _latest_sql(*, required: bool) -> str:
    """Each applicable guide (the dataset's own, then the task kind's) with its latest
    version — ``required``: its latest that is not minor — as id, number and pass score.
    Plain SQL: the hand-out asks on every save and claim, and building the query through
    the ORM cost several times its run."""
    guide, version = Guide._meta.db_table, GuideVersion._meta.db_table
    minor = " AND NOT v.minor" if required else ""

    def pick(column: str) -> str:
        return (
            f"(SELECT v.{column} FROM {version} v WHERE v.guide_id = g.id{minor} "  # noqa: S608
            "ORDER BY v.number DESC LIMIT 1)"
        )

    return (
        f"SELECT g.id, {pick('id')}, {pick('number')}, {pick('pass_score')} "  # noqa: S608
        f"FROM {guide} g WHERE g.dataset_id = %s "
        "AND (g.task_kind_id IS NULL OR g.task_kind_id = %s) ORDER BY g.task_kind_id, g.id"
    )


def _latest(dataset_id: int, task_kind_id: int | None, *, required: bool) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(_latest_sql(required=required), [dataset_id, task_kind_id])
        return [row for row in cursor.fetchall() if row[1] is not None]


def guide_versions_current(*, dataset_id: int, task_kind_id: int | None = None) -> list[int]:
    """The ids of the latest published version of each applicable guide: what a task leased
    now is labeled under. One query however many guides apply."""
    return [row[1] for row in _latest(dataset_id, task_kind_id, required=False)]


def guide_need(*, user: User, guide: Guide) -> GateNeed | None:
    """What ``user`` must still do for one guide: acknowledge its required version (or a
    later one), then pass that version's quiz (a pass on a later version counts); None = done.
    A minor version adds no quiz of its own: it needs what its major version needed."""
    required = required_version(guide)
    if required is None:
        return None
    later = GuideVersion.objects.filter(guide=guide, number__gte=required.number)
    if not Acknowledgement.objects.filter(user=user, version__in=later).exists():
        return GateNeed(version=required, reason="acknowledge")
    if required.pass_score is not None and not (
        QuizAttempt.objects.filter(user=user, version__in=later, passed=True).exists()
    ):
        return GateNeed(version=required, reason="quiz")
    return None


def guide_gate(*, user: User, dataset_id: int, task_kind_id: int | None = None) -> list[GateNeed]:
    """What ``user`` must still do before a new task of this dataset and kind; [] = go.

    Asked on every claim, so it reads in three queries however many guides apply: each
    guide's required version, then the user's acknowledgements and quiz passes of those
    guides; ``guide_need`` says the same for one guide."""
    guides = _latest(dataset_id, task_kind_id, required=True)
    if not guides:
        return []
    ids = [guide for guide, *_rest in guides]
    acknowledged = set(
        Acknowledgement.objects.filter(user=user, version__guide_id__in=ids).values_list(
            "version__guide_id", "version__number"
        )
    )
    passed = set()
    if any(pass_score is not None for *_rest, pass_score in guides):
        passed = set(
            QuizAttempt.objects.filter(
                user=user, version__guide_id__in=ids, passed=True
            ).values_list("version__guide_id", "version__number")
        )
    needs = []
    for guide, version_id, number, pass_score in guides:
        if not any(g == guide and n >= number for g, n in acknowledged):
            reason = "acknowledge"
        elif pass_score is not None and not any(g == guide and n >= number for g, n in passed):
            reason = "quiz"
        else:
            continue
        version = GuideVersion.objects.select_related("guide").get(pk=version_id)
        needs.append(GateNeed(version=version, reason=reason))
    return needs


def _not_published() -> DomainError:
    return DomainError(_("Only a published version can be acknowledged."), code="not_published")


def published_version(*, guide: Guide, number) -> GuideVersion:
    """The published version ``number`` of ``guide``, for an acknowledgement: any other
    number (the draft's next one, none, not a number) is a 400."""
    if isinstance(number, str) and number.strip().isdigit():
        number = int(number)
    if isinstance(number, bool) or not isinstance(number, int):
        raise _not_published()
    version = guide.versions.filter(number=number).first()
    if version is None:
        raise _not_published()
    return version


def acknowledgement_record(*, version: GuideVersion | None, user: User) -> Acknowledgement:
    """``user`` read ``version``. Acknowledging twice is harmless; an unpublished version
    (``None``: the draft) is a 400."""
    if version is None or version.pk is None:
        raise _not_published()
    try:
        with transaction.atomic():
            return Acknowledgement.objects.create(version=version, user=user)
    except IntegrityError:
        return Acknowledgement.objects.get(version=version, user=user)
