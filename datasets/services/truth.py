"""Ground truth: the accepted annotation of an item, written by one service only."""

from django.db import transaction

from datasets.models import GroundTruth, Item


@transaction.atomic
def ground_truth_record(
    *, item: Item, annotation: dict, source: str, source_ref: str = ""
) -> GroundTruth:
    """The one way ground truth is written: review, imports and the generator all call it."""
    truth, _created = GroundTruth.objects.update_or_create(
        item=item,
        defaults={"annotation": annotation, "source": source, "source_ref": source_ref},
    )
    return truth
