"""Reads of exports."""

from django.db.models import QuerySet

from datasets.models import Dataset
from exports.models import Export


def export_list(*, dataset: Dataset) -> QuerySet[Export]:
    """The dataset's exports, newest first, with what their rows show."""
    return (
        Export.objects.filter(dataset=dataset).select_related("stage", "created_by").order_by("-id")
    )
