"""The demo dataset's work guide: version 1 published, with formulas and examples of both
kinds. Used by ``manage.py seed_demo``; running it again changes nothing.

Good examples are demo items shown with their ground truth; bad ones are the same kind of
item drawn with an edited annotation (a box cut short, a cut formula not marked
``truncated``). Photos the demo has not generated yet (``seed_demo --photos 0``) give no
examples; a later run with photos adds them, once each (matched by caption).
"""

from __future__ import annotations

import copy

from django.db import transaction

from accounts.models import User
from datasets.models import Dataset, Item
from guides.models import Guide, GuideVersion, Question
from guides.services.examples import example_create
from guides.services.gate import acknowledgement_record
from guides.services.questions import faq_publish, question_answer, question_ask, question_me_too
from guides.services.versions import guide_create, guide_publish

DEMO_GUIDE_TITLE = "Formula boxes: the labeling guide"
DEMO_GUIDE_BODY = r"""# Formula boxes {#formulas}

Box **every** formula on the page, printed or handwritten, and type its LaTeX. Two formulas
on one line are two boxes: $a_1 + b_1$ and $c_1$ are separate when a gap or a word stands
between them.

- The box touches the outermost ink of the formula: exponents, limits and roots included.
- Type what is written, not what is meant: a student's $2x+3=7$ stays $2x+3=7$, even when
  the next line says $x=3$.
- Fractions are `\frac{…}{…}`; write $\frac{a+b}{2}$, never `a+b/2`.

## Shadows {#shadows}

A shadow across a formula changes nothing: still box the whole formula, dark part and light
part together. Do not stop the box where the shadow begins.

$$
\int_0^1 x^2\,dx = \frac{1}{3}
$$

## Cut at the edge {#cut-at-the-edge}

When the photo cuts a formula at its edge, box what is visible, up to the edge, and set
`truncated`. Type only the LaTeX you can read: for $\sqrt{b^2-4ac}$ cut after the $4$, type
`\sqrt{b^2-4`.

## Handwriting {#handwriting}

Handwritten formulas are boxed like printed ones and marked `handwritten`. When a letter is
ambiguous (is it $x$ or $\times$?), read the formula around it; if it stays ambiguous, ask a
question from this guide instead of guessing.

$$
\sum_{k=1}^{n} k = \frac{n(n+1)}{2}
$$

## Whiteout and corrections {#corrections}

Label the formula as it reads after the correction. Struck-out ink is not part of the
formula, but stays inside the box when the box must cross it.

| Case | Box | LaTeX |
|:-----|:----|:------|
| Shadow | the whole formula | everything |
| Cut at the edge | up to the edge, `truncated` | what is visible |
| Correction | the corrected formula | after the correction |
"""
DEMO_CHANGE_NOTE = "First version: formulas, shadows, cut formulas, handwriting, corrections."


def _item_with_truth(dataset: Dataset, axis: str, category: str) -> Item | None:
    """The first demo item of a category whose ground truth holds a formula."""
    return (
        Item.objects.filter(
            dataset=dataset,
            ground_truth__isnull=False,
            categories__axis__slug=axis,
            categories__slug=category,
            truth_types__contains=",formula,",
        )
        .select_related("ground_truth")
        .order_by("pk")
        .first()
    )


def _formulas(item: Item) -> list[dict]:
    return [r for r in item.ground_truth.annotation.get("regions", []) if r["type"] == "formula"]


def _cut_short(item: Item) -> dict:
    """The item's formula boxes, the first one stopping halfway (where a shadow begins)."""
    regions = copy.deepcopy(_formulas(item))
    x, y, width, height = regions[0]["bbox"]
    regions[0]["bbox"] = [x, y, round(width / 2, 1), height]
    return {"regions": regions}


def _not_marked_truncated(item: Item) -> dict:
    """The item's formula boxes with ``truncated`` taken off every one of them."""
    regions = copy.deepcopy(_formulas(item))
    for region in regions:
        region["attributes"].pop("truncated", None)
    return {"regions": regions}


#: (verdict, caption, section, axis, category, edit of the truth or None for the truth).
DEMO_EXAMPLES = [
    ("good", "Still box the whole formula, shadow and all.", "shadows", "capture", "shadow", None),
    ("bad", "The box stops where the shadow begins.", "shadows", "capture", "shadow", _cut_short),
    (
        "good",
        "Box what is visible, up to the edge, and set truncated.",
        "cut-at-the-edge",
        "capture",
        "cropped",
        None,
    ),
    (
        "bad",
        "A cut formula without truncated.",
        "cut-at-the-edge",
        "capture",
        "cropped",
        _not_marked_truncated,
    ),
    (
        "good",
        "Handwritten, boxed like print.",
        "handwriting",
        "writing",
        "handwritten",
        None,
    ),
]


def _examples_ensure(guide: Guide, planner: User) -> None:
    have = set(guide.examples.values_list("caption", flat=True))
    for verdict, caption, anchor, axis, category, edit in DEMO_EXAMPLES:
        if caption in have:
            continue
        item = _item_with_truth(guide.dataset, axis, category)
        if item is None or not _formulas(item):
            continue
        example_create(
            guide=guide,
            verdict=verdict,
            caption=caption,
            anchor=anchor,
            item_id=item.pk,
            annotation=edit(item) if edit else None,
            by=planner,
        )


@transaction.atomic
def demo_guide_ensure(*, dataset: Dataset, planner: User) -> GuideVersion:
    """The demo dataset's guide with v1 published and its examples; made once. Returns the
    latest version: the hook the FAQ entry of the demo is added through (its guide is
    ``version.guide``)."""
    guide = Guide.objects.filter(dataset=dataset, task_kind_id__isnull=True).first()
    if guide is None:
        guide = guide_create(
            dataset=dataset, title=DEMO_GUIDE_TITLE, body=DEMO_GUIDE_BODY, by=planner
        )
    _examples_ensure(guide, planner)
    version = guide.versions.order_by("-number").first()
    if version is None:
        version = guide_publish(
            guide=guide,
            change_note=DEMO_CHANGE_NOTE,
            revision=guide.draft_revision,
            by=planner,
        )
    return version


#: The demo's questions: (asker, section, question, planner's answer or None, FAQ wording or
#: None). One answered and in the FAQ (in Korean, so the FAQ's search shows Hangul), one
#: answered privately, one open with a "me too" for the planners' inbox.
DEMO_QUESTIONS = [
    (
        "annotator2",
        "shadows",
        "그림자가 진 수식은 어두운 부분만 상자를 치나요?",
        "아니요. 그림자가 진 수식도 밝은 부분과 어두운 부분을 함께 한 상자로 칩니다.",
        (
            "그림자가 진 수식도 한 상자로 치나요?",
            "네. 그림자가 진 수식도 밝은 부분과 어두운 부분을 함께, 수식 전체를 한 상자로 칩니다.",
        ),
    ),
    (
        "annotator",
        "cut-at-the-edge",
        "A formula is cut by the photo's edge and only the numerator shows. Do I box it?",
        "Box what is visible and set truncated; type only the visible part's LaTeX.",
        None,
    ),
    (
        "annotator",
        "handwriting",
        "A student crossed out a term and wrote another above it. Which one do I type?",
        None,
        None,
    ),
]


@transaction.atomic
def demo_questions_ensure(*, guide: Guide, planner: User) -> int:
    """The demo guide's questions and FAQ entry (``DEMO_QUESTIONS``), made once each, asked
    by the demo vendors' annotators; how many were new."""
    users = {user.username: user for user in User.objects.filter(username__startswith="annotator")}
    made = 0
    for asker, anchor, body, answer, faq in DEMO_QUESTIONS:
        if asker not in users or Question.objects.filter(guide=guide, body=body).exists():
            continue
        question = question_ask(guide=guide, user=users[asker], body=body, anchor=anchor)
        made += 1
        others = [user for name, user in sorted(users.items()) if name != asker]
        if answer is None:
            for user in others:
                question_me_too(question=question, user=user)
            continue
        question = question_answer(question=question, answer=answer, by=planner)
        if faq is not None:
            faq_publish(
                guide=guide,
                question_text=faq[0],
                answer_text=faq[1],
                anchor=anchor,
                source=question,
                by=planner,
            )
    return made


#: The demo annotators who have read the demo guide's current version, so the labeling tool
#: shows them a task at once; the others meet "read the guide first" and its link.
DEMO_READERS = ("annotator3",)


def demo_readers_ensure(*, version: GuideVersion) -> int:
    """``DEMO_READERS`` have acknowledged ``version`` (once each); how many are demo users."""
    readers = list(User.objects.filter(username__in=DEMO_READERS))
    for user in readers:
        acknowledgement_record(version=version, user=user)
    return len(readers)
