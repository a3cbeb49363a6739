"""Ground truth: the accepted annotation of an item, written by one service only."""

from django.db import transaction
from django.utils.translation import gettext as _

from datasets.models import GroundTruth, Item, ItemEvent
from datasets.services.items import item_status_set


@transaction.atomic
def ground_truth_record(
    *, item: Item, annotation: dict, source: str, source_ref: str = ""
) -> GroundTruth:
    """The one way ground truth is written: review, imports and the generator all call it.

    The item counts as accepted from then on.
    """
    truth, _created = GroundTruth.objects.update_or_create(
        item=item,
        defaults={"annotation": annotation, "source": source, "source_ref": source_ref},
    )
    item_status_set(item=item, status=Item.Status.ACCEPTED)
    ItemEvent.objects.create(
        item=item,
        kind="ground_truth",
        summary=_("Ground truth recorded (%(source)s).") % {"source": truth.get_source_display()},
    )
    return truth
