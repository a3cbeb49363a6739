from django.db.models import Count, QuerySet

from datasets.models import Category, Dataset


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
