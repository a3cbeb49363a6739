"""Reads of ground truth: what the accepted labels of a dataset hold."""

from collections.abc import Iterator

from django.db import connection

from datasets.models import Dataset, Item


def ground_truth_regions(*, dataset: Dataset, type_slug: str) -> Iterator[dict]:
    """Regions of one type in the dataset's current ground truth (a JSON query on
    PostgreSQL); older versions keep what they hold."""
    truths = Item.objects.filter(dataset=dataset, ground_truth__isnull=False)
    if connection.features.supports_json_field_contains:
        truths = truths.filter(ground_truth__annotation__regions__contains=[{"type": type_slug}])
    for annotation in truths.values_list("ground_truth__annotation", flat=True).iterator():
        regions = annotation.get("regions") if isinstance(annotation, dict) else None
        for region in regions if isinstance(regions, list) else ():
            if isinstance(region, dict) and region.get("type") == type_slug:
                yield region
