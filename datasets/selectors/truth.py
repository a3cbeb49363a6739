"""Reads of ground truth: what the accepted labels of a dataset hold."""

from django.db import connection

from datasets.models import Dataset, GroundTruthVersion


def ground_truth_versions_using(
    *, dataset: Dataset, type_slug: str, attribute: str | None = None
) -> int:
    """How many ground-truth versions of the dataset, old ones included, hold a region of
    this type (carrying ``attribute``, when given): what a schema change must not strand."""
    versions = GroundTruthVersion.objects.filter(item__dataset=dataset)
    if connection.features.supports_json_field_contains:
        versions = versions.filter(annotation__regions__contains=[{"type": type_slug}])

    def uses(region) -> bool:
        if not isinstance(region, dict) or region.get("type") != type_slug:
            return False
        attributes = region.get("attributes")
        return attribute is None or (isinstance(attributes, dict) and attribute in attributes)

    count = 0
    for annotation in versions.values_list("annotation", flat=True).iterator():
        regions = annotation.get("regions") if isinstance(annotation, dict) else None
        count += any(uses(region) for region in regions) if isinstance(regions, list) else 0
    return count
