"""Work guides for tests: a published guide with one of every object a guide URL names.

Tests of the services that make these objects call the services; every other test builds
what it stands on here.
"""

from dataclasses import dataclass

from django.core.files.base import ContentFile

from accounts.models import User
from datasets.models import Dataset
from guides import services
from guides.models import (
    Attachment,
    Example,
    FaqEntry,
    Guide,
    GuideVersion,
    Question,
    QuizQuestion,
)
from tests.factories.images import image_bytes

GUIDE_BODY = """# Formulas {#formulas}

Box every formula, printed or handwritten: $\\frac{a+b}{2}$ and $x_1$ are two.

## Shadows {#shadows}

Still box the whole formula when a shadow falls on it.

$$
\\sqrt{x} + \\overrightarrow{AB}
$$

## Cut at the edge {#edge}

Box what is visible.
"""


def guide_published(
    dataset: Dataset,
    *,
    title: str = "Labeling guide",
    body: str = GUIDE_BODY,
    task_kind_id: int | None = None,
    by: User | None = None,
) -> GuideVersion:
    """A guide of ``dataset`` (or of a task kind of it) with ``body`` published as v1."""
    guide = services.guide_create(
        dataset=dataset, title=title, task_kind_id=task_kind_id, body=body, by=by
    )
    return services.guide_publish(
        guide=guide, change_note="First version.", revision=guide.draft_revision, by=by
    )


def publish(guide: Guide, body: str, *, minor: bool = False, note: str = "Changes.", by=None):
    """Save ``body`` as the draft and publish it as the next version."""
    guide.refresh_from_db()
    guide = services.guide_draft_save(guide=guide, body=body, revision=guide.draft_revision, by=by)
    return services.guide_publish(
        guide=guide, change_note=note, revision=guide.draft_revision, minor=minor, by=by
    )


@dataclass
class FilledGuide:
    """A dataset's guide with v1 published and one object of each kind a guide URL names:
    an attachment, an example, a question asked by the vendor's annotator (with a crop), a
    FAQ entry and a question of the draft's quiz. Fields are named after URL converters
    (``<int:guide_id>``, ``<int:number>``)."""

    guide: Guide
    version: GuideVersion
    attachment: Attachment
    example: Example
    question: Question
    faq: FaqEntry
    quiz_question: QuizQuestion  # a question of the draft's quiz (no pass score yet)

    def has_object(self, converter: str) -> bool:
        return converter == "number" or hasattr(self, converter.removesuffix("_id"))

    def id_of(self, converter: str) -> int:
        if converter == "number":
            return self.version.number
        return getattr(self, converter.removesuffix("_id")).pk


def filled_guide(dataset: Dataset, *, asker: User, vendor, item, by: User | None = None, seed=0):
    version = guide_published(dataset, by=by)
    guide = version.guide
    attachment = Attachment.objects.create(
        guide=guide,
        name="shadow.png",
        file=ContentFile(image_bytes(seed, image_format="PNG"), name="shadow.png"),
        content_type="image/png",
        width=64,
        height=48,
        uploaded_by=by,
    )
    example = Example.objects.create(
        guide=guide,
        verdict=Example.Verdict.GOOD,
        caption="Shadows: still box the whole formula",
        anchor="shadows",
        item=item,
        annotation={"regions": []},
        created_by=by,
    )
    question = Question.objects.create(
        guide=guide,
        version=version,
        anchor="edge",
        body="Must a formula cut at the edge be boxed?",
        asked_by=asker,
        vendor=vendor,
        item=item,
        region_id="r1",
        crop=ContentFile(image_bytes(seed + 3, image_format="PNG"), name="crop.png"),
    )
    faq = FaqEntry.objects.create(
        guide=guide,
        anchor="shadows",
        question="그림자가 진 수식도 상자를 그리나요?",
        answer="Yes: box the whole formula.",
        search_text="그림자가 진 수식도 상자를 그리나요? yes: box the whole formula.",
        published_by=by,
    )
    quiz_question = QuizQuestion.objects.create(
        guide=guide,
        example=example,
        prompt="Is this box right?",
        choices=["Yes", "No: it leaves out the shadowed part"],
        correct=0,
    )
    return FilledGuide(
        guide=guide,
        version=version,
        attachment=attachment,
        example=example,
        question=question,
        faq=faq,
        quiz_question=quiz_question,
    )
