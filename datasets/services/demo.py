"""The demo dataset: the "Math formula photos" taxonomy and generated photos with their truth.

Used by ``manage.py seed_demo``; the ground truth is recorded as the generator's, until
review makes accepted labels the real ground truth.
"""

import io
import time

from django.db import transaction

from accounts.models import User
from datasets import services
from datasets.models import UNCOUNTED_STATUSES, Category, Dataset, GroundTruthVersion, Item
from synth import CAPTURES, WRITINGS, category_for, generate_photo

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
    demo_schema_ensure(dataset=dataset, planner=planner)
    return dataset


#: The demo's label schema: slug → (name, top level, parents, attributes (name, kind, required)).
#: ``truncated`` marks a formula cut at the image edge, as the generator's truth does;
#: ``angle`` how far a formula written at a slant is turned (degrees clockwise, 0 = level).
SCHEMA = {
    "formula": (
        "Formula",
        True,
        (),
        (
            ("latex", "latex", True),
            ("handwritten", "boolean", False),
            ("truncated", "boolean", False),
            ("angle", "angle", False),
        ),
    ),
    "char": ("Character", False, ("formula",), (("symbol", "text", True),)),
}


def demo_schema_ensure(*, dataset: Dataset, planner: User) -> None:
    """Create the demo's region types and attributes if missing; leave existing ones alone
    (an older demo dataset gains the attributes added since, once)."""
    for slug, (name, top_level, parents, attributes) in SCHEMA.items():
        region_type = dataset.region_types.filter(slug=slug).first() or services.region_type_create(
            dataset=dataset, name=name, slug=slug, top_level=top_level, parents=parents, by=planner
        )
        for attribute, kind, required in attributes:
            if not region_type.attributes.filter(name=attribute).exists():
                services.attribute_create(
                    region_type=region_type,
                    name=attribute,
                    kind=kind,
                    required=required,
                    by=planner,
                )


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


#: Of the demo's photos, the first get the generator's whole truth (formulas and their
#: characters), the next only its formula boxes (so the character pass has work), and the
#: rest none (so the formula pass has work: photos still to be labeled).
DEMO_FULL_TRUTH = 120
DEMO_FORMULA_TRUTH = 45


def _demo_truth(index: int, regions: list[dict], *, full: int, formulas: int) -> list[dict] | None:
    if index < full:
        return regions
    if index < full + formulas:
        return [region for region in regions if region["type"] == "formula"]
    return None


def demo_photos_ensure(
    *,
    dataset: Dataset,
    count: int = DEMO_PHOTOS,
    full: int = DEMO_FULL_TRUTH,
    formulas: int = DEMO_FORMULA_TRUTH,
) -> int:
    """Generate the demo photos into the dataset; photos already there are skipped.

    The first ``full`` get the generator's whole truth, the next ``formulas`` only its
    formula boxes and the rest none, so the demo's two labeling passes both have items to
    cut (210 photos: 120, 45 and 45, each share spread over every category).
    """
    categories = {
        (category.axis.slug, category.slug): category
        for category in Category.objects.filter(axis__dataset=dataset).select_related("axis")
    }
    done = set(dataset.items.values_list("original_name", flat=True))
    added = 0
    for index in range(count):
        source_ref = f"synth seed={DEMO_SEED} index={index}"
        name = f"demo-{index:05d}.jpg"
        if name in done:
            continue
        capture, writing = category_for(index=index)
        image, truth = generate_photo(
            seed=DEMO_SEED, index=index, capture=capture, writing=writing, size=DEMO_SIZE, fast=True
        )
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        chosen = [categories[(axis, slug)] for axis, slug in truth["categories"].items()]
        regions = _demo_truth(index, truth["regions"], full=full, formulas=formulas)
        with transaction.atomic():
            item, created = services.item_register(
                dataset=dataset, file=buffer.getvalue(), name=name, categories=chosen
            )
            if regions is not None and item.ground_truth_id is None:
                services.ground_truth_record(
                    item=item,
                    annotation={"regions": regions, "categories": truth["categories"]},
                    source=GroundTruthVersion.Source.GENERATOR,
                    source_ref=source_ref,
                )
        if created:
            # processed here rather than by the worker, so the demo's batches can be cut
            # from them at once (the worker's queued step then finds them done)
            _processed(item)
        added += created
    return added


def _processed(item: Item, *, wait_seconds: float = 60) -> None:
    """Process ``item`` here, or wait for the worker that took it first to finish it."""
    processed = services.item_process(item_id=item.pk)
    deadline = time.monotonic() + wait_seconds
    while processed is not None and processed.processing == Item.Processing.QUEUED:
        if time.monotonic() > deadline:
            raise RuntimeError(f"a worker took photo {item.pk} and did not finish it")
        time.sleep(0.1)
        processed = services.item_process(item_id=item.pk)


def demo_splits_ensure(*, dataset: Dataset, planner: User) -> None:
    """Give new generated demo photos a split: 80/10/10, stratified, with the demo's seed
    (photos a vendor collected wait for the planner's next split run)."""
    unsplit = dataset.items.filter(split="", contract_id=None)
    if unsplit.exclude(status__in=UNCOUNTED_STATUSES).exists():
        services.split_assign(dataset=dataset, seed=DEMO_SEED, by=planner)


#: The demo's pipeline: slug → name, input, output, export formats and model requirements.
PIPELINE = {
    "formula-detection": {
        "name": "Formula detection",
        "input": ("image", None, 0, "px"),
        "output": ("boxes", "formula", None),
        "export_formats": ["coco", "yolo", "hf_imagefolder"],
        "latency_ms": 150,
        "latency_offline": "image in → boxes out",
        "latency_online": "photo taken → boxes on screen (1000 ms)",
        "metric": "mAP@0.5",
        "metric_target": 0.9,
        "online_measure": "share of photos where the user redraws a box",
        "qps_target": 50,
        "serving": "gpu_server",
    },
    "formula-recognition": {
        "name": "Formula recognition",
        "input": ("crop", "formula", 8, "px"),
        "output": ("attribute", None, "latex"),
        "export_formats": ["jsonl_crops", "hf_imagefolder"],
        "metric": "exact match",
        "metric_target": 0.85,
        "online_measure": "share of results the user corrects",
        "serving": "gpu_server",
    },
    "char-detection": {
        "name": "Char detection",
        "input": ("crop", "formula", 0, "px"),
        "output": ("boxes", "char", None),
        "export_formats": ["coco"],
    },
    "char-recognition": {
        "name": "Char recognition",
        "input": ("crop", "char", 10, "percent"),
        "output": ("attribute", None, "symbol"),
        "export_formats": ["jsonl_crops"],
        "serving": "mobile",
    },
}


def demo_pipeline_ensure(*, dataset: Dataset, planner: User) -> None:
    """Create the demo's four stages if missing; skipped until the label schema has its types."""
    types = {region_type.slug: region_type for region_type in dataset.region_types.all()}
    if not {"formula", "char"} <= set(types):
        return
    for slug, spec in PIPELINE.items():
        if dataset.stages.filter(slug=slug).exists():
            continue
        fields = dict(spec)
        input_kind, input_slug, padding, padding_unit = fields.pop("input")
        output_kind, output_slug, attribute_name = fields.pop("output")
        input_type = types.get(input_slug)
        attribute = (
            input_type.attributes.filter(name=attribute_name).first() if attribute_name else None
        )
        if attribute_name and attribute is None:
            continue  # the schema lacks the attribute; the stage waits for it
        services.stage_create(
            dataset=dataset,
            slug=slug,
            input_kind=input_kind,
            input_type=input_type,
            padding=padding,
            padding_unit=padding_unit,
            output_kind=output_kind,
            output_type=types.get(output_slug),
            output_attribute=attribute,
            by=planner,
            **fields,
        )
