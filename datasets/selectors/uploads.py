"""Reads of uploads: each with how its entries ended and how far the worker is."""

from django.db.models import Count, Q, QuerySet

from datasets.models import Dataset, Item, Upload, UploadEntry


def upload_list(*, dataset: Dataset) -> QuerySet[Upload]:
    return _upload_counts(dataset.uploads.select_related("created_by")).order_by("-id")


def _upload_counts(uploads: QuerySet[Upload]) -> QuerySet[Upload]:
    """Each upload with how its entries ended and how far the worker is, in the same query."""
    outcome = UploadEntry.Outcome
    return uploads.annotate(
        entries_done=Count("entries"),
        added=Count("entries", filter=Q(entries__outcome=outcome.ADDED)),
        duplicates=Count("entries", filter=Q(entries__outcome=outcome.DUPLICATE)),
        refused=Count("entries", filter=Q(entries__outcome=outcome.REFUSED)),
        processed=Count(
            "entries",
            filter=Q(
                entries__outcome=outcome.ADDED, entries__item__processing=Item.Processing.READY
            ),
        ),
    )


def upload_detail(*, dataset: Dataset, upload_id: int) -> Upload | None:
    return _upload_counts(dataset.uploads.filter(pk=upload_id)).first()


def upload_entry_list(*, upload: Upload) -> QuerySet[UploadEntry]:
    return upload.entries.select_related("item")
