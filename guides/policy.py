"""Who may read and write work guides, and see questions and their answers.

- Planners write guides, publish versions, answer questions; they and reviewers read
  everything, drafts included.
- A vendor's annotators and managers read the guides of datasets their vendor holds a
  current contract on (``vendors.policy.datasets_contracted_by``), published versions only,
  and nothing else: another dataset's guide is a 404.
- Trainers read published versions of every guide (so they know what the labels mean).
- The FAQ never names who asked; a question itself, its private answer and its pinned image
  are seen by its asker's vendor and the planners (and reviewers read the questions).
"""

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from core.permissions import require
from guides.models import Guide, GuideVersion, Question, QuizAttempt
from vendors.policy import datasets_contracted_by, is_in_house, vendor_of

__all__ = [
    "require",
    "can_view_guides",
    "can_edit_guides",
    "guides_visible_to",
    "guide_for",
    "versions_visible_to",
    "can_read_drafts",
    "can_acknowledge",
    "can_ask",
    "can_answer",
    "questions_visible_to",
    "can_see_pinned_image",
    "can_see_asker",
    "can_see_acknowledgements",
    "acknowledgement_vendor_scope",
    "attempts_visible_to",
    "gate_datasets_for",
]


def can_view_guides(user: User) -> bool:
    readers = (Role.PLANNER, Role.REVIEWER, Role.TRAINER, Role.ANNOTATOR, Role.VENDOR_MANAGER)
    return user.is_authenticated and (user.is_staff or user.has_role(*readers))


def can_edit_guides(user: User) -> bool:
    """Create guides, edit drafts, publish, attach images, place examples, write quizzes."""
    return user.is_authenticated and (user.is_staff or user.has_role(Role.PLANNER))


def can_read_drafts(user: User) -> bool:
    return is_in_house(user)


def guides_visible_to(user: User) -> QuerySet[Guide]:
    """The guides ``user`` may open: all for the in-house team, those with a published
    version for trainers, those of their vendor's contracted datasets for vendor members."""
    if is_in_house(user):
        return Guide.objects.all()
    if not user.is_authenticated:
        return Guide.objects.none()
    published = Exists(GuideVersion.objects.filter(guide=OuterRef("pk")))
    if user.has_role(Role.TRAINER):
        return Guide.objects.filter(published)
    vendor = vendor_of(user)
    if vendor is None:
        return Guide.objects.none()
    return Guide.objects.filter(published, dataset__in=datasets_contracted_by(vendor))


def guide_for(user: User, guide_id: int) -> Guide:
    """The guide if ``user`` may open it; otherwise a 404, whether it exists or not."""
    return get_object_or_404(guides_visible_to(user).select_related("dataset"), pk=guide_id)


def versions_visible_to(user: User) -> QuerySet[GuideVersion]:
    return GuideVersion.objects.filter(guide__in=guides_visible_to(user))


def can_acknowledge(user: User) -> bool:
    """A vendor's annotators (and its managers, who read what their people follow)
    acknowledge the versions they label under and take their quizzes."""
    return (
        user.is_authenticated
        and user.has_role(Role.ANNOTATOR, Role.VENDOR_MANAGER)
        and vendor_of(user) is not None
    )


def can_ask(user: User, guide: Guide) -> bool:
    """A vendor's members ask about the guides they read."""
    return vendor_of(user) is not None and guides_visible_to(user).filter(pk=guide.pk).exists()


def can_answer(user: User) -> bool:
    """Planners answer, merge, publish to the FAQ, promote into the guide, and turn a
    question into a requirement decision."""
    return can_edit_guides(user)


def questions_visible_to(user: User) -> QuerySet[Question]:
    """Every question for the in-house team; a vendor's members their own vendor's."""
    if is_in_house(user):
        return Question.objects.all()
    vendor = vendor_of(user)
    if vendor is None:
        return Question.objects.none()
    return Question.objects.filter(vendor=vendor, guide__in=guides_visible_to(user))


def can_see_pinned_image(user: User, question: Question) -> bool:
    """A question's crop: the planners and the asker's own vendor."""
    if can_edit_guides(user):
        return True
    vendor = vendor_of(user)
    return vendor is not None and question.vendor_id == vendor.pk


def can_see_asker(user: User, question: Question) -> bool:
    """Who asked: the planners and the asker's own vendor; never in the FAQ."""
    return can_see_pinned_image(user, question)


def can_see_acknowledgements(user: User) -> bool:
    """Who acknowledged which version and quiz scores: planners (every vendor) and vendor
    managers (their own vendor's people)."""
    return can_edit_guides(user) or (
        user.is_authenticated and user.has_role(Role.VENDOR_MANAGER) and vendor_of(user) is not None
    )


def acknowledgement_vendor_scope(user: User):
    """The vendor whose people ``user`` sees in acknowledgement lists; None = every vendor."""
    return None if can_edit_guides(user) else vendor_of(user)


def attempts_visible_to(user: User) -> QuerySet[QuizAttempt]:
    """Quiz attempts: every one for planners; a vendor manager's own vendor's people's; an
    annotator their own. Nobody else sees any (another vendor's is a 404)."""
    if can_edit_guides(user):
        return QuizAttempt.objects.all()
    vendor = vendor_of(user)
    if vendor is None:
        return QuizAttempt.objects.none()
    readable = QuizAttempt.objects.filter(version__in=versions_visible_to(user))
    if user.has_role(Role.VENDOR_MANAGER):
        return readable.filter(user__in=vendor.members.values("user_id"))
    return readable.filter(user=user)


def gate_datasets_for(user: User) -> QuerySet:
    """The datasets (``dataset_id`` rows) whose gate ``user`` may ask about: those their
    vendor holds a current contract on; none for anybody else."""
    vendor = vendor_of(user)
    if vendor is None:
        return Guide.objects.none().values("dataset_id")
    return datasets_contracted_by(vendor)
