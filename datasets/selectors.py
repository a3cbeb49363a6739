from django.db.models import QuerySet

from datasets.models import Dataset


def dataset_list(*, visible: QuerySet[Dataset]) -> QuerySet[Dataset]:
    return visible.select_related("created_by").order_by("-id")
