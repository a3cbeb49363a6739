"""Reads of ground truth: what the accepted labels of a dataset hold."""

from django.db import connection

from datasets.models import AttributeDef, Dataset, GroundTruthVersion, Item


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


def ground_truth_latex_changes(*, item: Item) -> dict[int, list[dict]]:
    """Per version number (from 2), the LaTeX it changed against the version before:
    ``[{"region", "attribute", "before", "after"}]`` in region order, ``before`` None where
    the formula was added, ``after`` None where it was removed. The attributes are those the
    label schema types as LaTeX. Two queries, whatever the number of versions."""
    latex = set(
        AttributeDef.objects.filter(
            region_type__dataset_id=item.dataset_id, kind=AttributeDef.Kind.LATEX
        ).values_list("region_type__slug", "name")
    )
    changes: dict[int, list[dict]] = {}
    previous: dict[tuple[str, str], str] | None = None
    for number, annotation in item.truth_versions.order_by("number").values_list(
        "number", "annotation"
    ):
        current: dict[tuple[str, str], str] = {}
        regions = annotation.get("regions") if isinstance(annotation, dict) else None
        for region in regions if isinstance(regions, list) else ():
            if not isinstance(region, dict):
                continue
            attributes = region.get("attributes") or {}
            for kind, name in sorted(latex):
                if region.get("type") == kind and attributes.get(name):
                    current[(str(region.get("id", "")), name)] = str(attributes[name])
        if previous is not None:
            changes[number] = [
                {
                    "region": region,
                    "attribute": name,
                    "before": previous.get((region, name)),
                    "after": current.get((region, name)),
                }
                for region, name in dict.fromkeys([*previous, *current])
                if previous.get((region, name)) != current.get((region, name))
            ]
        previous = current
    return changes
