"""The demo dataset: the "Math formula photos" taxonomy and generated photos with their truth.

Used by ``manage.py seed_demo``; the ground truth is recorded as the generator's, until
review makes accepted labels the real ground truth.
"""

import io

from django.db import transaction

from accounts.models import User
from datasets import services
from datasets.models import Category, Dataset, GroundTruth
from datasets.synth import CAPTURES, WRITINGS, category_for, generate_photo

DEMO_DATASET = "Math formula photos"
DEMO_REQUIREMENT = (
    "Students photograph a math formula on paper with their phone; the service returns its "
    "LaTeX within a second. Photos come with shadows, highlighter, crumpled or rotated pages, "
    "formulas cut at the edge and whiteout corrections, printed or handwritten."
)
DEMO_SEED = 2026
DEMO_PHOTOS = 210  # 15 per capture × writing cell
DEMO_SIZE = (1024, 768)
AXES = {
    "capture": (
        "Capture condition",
        {capture: 300 if capture == "clean" else 150 for capture in CAPTURES},
    ),
    "writing": ("Writing", {writing: 600 for writing in WRITINGS}),
}


def demo_dataset_ensure(*, planner: User) -> Dataset:
    """Create the demo dataset and its taxonomy if missing; leave an existing one alone."""
    dataset = Dataset.objects.filter(name=DEMO_DATASET).first()
    if dataset is None:
        dataset = services.dataset_create(
            name=DEMO_DATASET, requirement=DEMO_REQUIREMENT, by=planner
        )
    for slug, (name, quotas) in AXES.items():
        axis = dataset.axes.filter(slug=slug).first() or services.axis_create(
            dataset=dataset, name=name, slug=slug, by=planner
        )
        for category_slug, quota in quotas.items():
            if not axis.categories.filter(slug=category_slug).exists():
                services.category_create(
                    axis=axis,
                    name=category_slug.capitalize(),
                    slug=category_slug,
                    quota_target=quota,
                    by=planner,
                )
    if not dataset.decisions.exists():
        _demo_decisions(dataset=dataset, planner=planner)
    return dataset


def _demo_decisions(*, dataset: Dataset, planner: User) -> None:
    """Questions the demo planner put to the service's owner, and what two of them decided."""
    categories = {
        (category.axis.slug, category.slug): category
        for category in Category.objects.filter(axis__dataset=dataset).select_related("axis")
    }
    cut = services.decision_create(
        dataset=dataset, question="Must a formula cut at the image edge be recognised?", by=planner
    )
    services.decision_answer(
        decision=cut,
        answer="Yes: return what is visible; students often crop too tightly.",
        answered_by="Service owner",
        by=planner,
    )
    services.category_update(category=categories[("capture", "cropped")], decision=cut, by=planner)
    shadow = services.decision_create(
        dataset=dataset,
        question="How common are handwritten formulas photographed in shadow?",
        by=planner,
    )
    services.decision_answer(
        decision=shadow,
        answer="Evening homework: about one photo in eight. Test it on its own.",
        answered_by="Service owner",
        by=planner,
    )
    services.cell_quota_set(
        dataset=dataset,
        first=categories[("capture", "shadow")],
        second=categories[("writing", "handwritten")],
        quota_target=75,
        decision=shadow,
        by=planner,
    )
    services.decision_create(
        dataset=dataset,
        question="How complex can formulas be: one line only, or matrices and cases too?",
        by=planner,
    )


def demo_photos_ensure(*, dataset: Dataset, count: int = DEMO_PHOTOS) -> int:
    """Generate the demo photos into the dataset; photos already there are skipped."""
    categories = {
        (category.axis.slug, category.slug): category
        for category in Category.objects.filter(axis__dataset=dataset).select_related("axis")
    }
    done = set(
        GroundTruth.objects.filter(
            item__dataset=dataset, source=GroundTruth.Source.GENERATOR
        ).values_list("source_ref", flat=True)
    )
    added = 0
    for index in range(count):
        source_ref = f"synth seed={DEMO_SEED} index={index}"
        if source_ref in done:
            continue
        capture, writing = category_for(index=index)
        image, truth = generate_photo(
            seed=DEMO_SEED, index=index, capture=capture, writing=writing, size=DEMO_SIZE, fast=True
        )
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        chosen = [categories[(axis, slug)] for axis, slug in truth["categories"].items()]
        annotation = {"regions": truth["regions"], "categories": truth["categories"]}
        with transaction.atomic():
            item, created = services.item_register(
                dataset=dataset, file=buffer.getvalue(), categories=chosen
            )
            services.ground_truth_record(
                item=item,
                annotation=annotation,
                source=GroundTruth.Source.GENERATOR,
                source_ref=source_ref,
            )
        added += created
    return added


def demo_splits_ensure(*, dataset: Dataset, planner: User) -> None:
    """Give new demo photos a split: 80/10/10, stratified, with the demo's seed."""
    if dataset.items.filter(split="").exists():
        services.split_assign(dataset=dataset, seed=DEMO_SEED, by=planner)
