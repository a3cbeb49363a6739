"""Reads of exports."""

from django.db.models import QuerySet

from datasets.models import Dataset, Stage
from datasets.services import EXPORT_FORMATS
from exports.models import Export


def export_list(*, dataset: Dataset) -> QuerySet[Export]:
    """The dataset's exports, newest first, with what their rows show."""
    return (
        Export.objects.filter(dataset=dataset)
        .select_related("stage", "created_by", "cancelled_by", "retried_as")
        .order_by("-id")
    )


def stage_export_formats(stage: Stage) -> list[str]:
    """The formats a stage is exported in: those its planner chose, else all of its kind."""
    offered = EXPORT_FORMATS.get(stage.output_kind, ())
    chosen = [name for name in stage.export_formats if name in offered]
    return chosen or list(offered)
