from django.db.models import Count, QuerySet

from datasets.models import Axis, Category, Dataset, SpecChange


def dataset_list(*, visible: QuerySet[Dataset]) -> QuerySet[Dataset]:
    return visible.select_related("created_by").order_by("-id")


def category_coverage(*, dataset: Dataset) -> QuerySet[Category]:
    """Every category of the dataset with its collected count, in one grouped query."""
    return (
        Category.objects.filter(axis__dataset=dataset)
        .select_related("axis")
        .annotate(collected=Count("itemcategory"))
        .order_by("axis__position", "axis_id", "position", "id")
    )


def axis_list(*, dataset: Dataset) -> QuerySet[Axis]:
    return dataset.axes.prefetch_related("categories").order_by("position", "id")


def spec_history(*, dataset: Dataset) -> QuerySet[SpecChange]:
    return dataset.spec_changes.select_related("changed_by").order_by("-version")


def coverage_rows(*, dataset: Dataset) -> list[dict]:
    """Each category with its collected count and percent of target (capped at 100)."""
    return [
        {
            "category": category,
            "percent": min(100, round(100 * category.collected / category.quota_target))
            if category.quota_target
            else 0,
        }
        for category in category_coverage(dataset=dataset)
    ]
