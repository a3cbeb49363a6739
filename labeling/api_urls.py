"""The labeling app's REST API, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from labeling.api import photos

app_name = "labeling-api"

urlpatterns: list = [
    # collection contracts: a vendor's photos (helper F)
    path(
        "contracts/<int:contract_id>/photos/",
        photos.PhotoListApi.as_view(),
        name="photo-list",
    ),
    path(
        "contracts/<int:contract_id>/photos/review/",
        photos.PhotoReviewApi.as_view(),
        name="photo-review",
    ),
    path(
        "contracts/<int:contract_id>/photos/uploads/<int:upload_id>/",
        photos.PhotoUploadDetailApi.as_view(),
        name="photo-upload-detail",
    ),
    path(
        "contracts/<int:contract_id>/photos/uploads/<int:upload_id>/entries/",
        photos.PhotoUploadEntryListApi.as_view(),
        name="photo-upload-entries",
    ),
]
