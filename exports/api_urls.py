"""The exports API, mounted by config/urls.py in the ``datasets-api`` namespace (its names
are unchanged since exports moved out of the datasets app)."""

from django.urls import path

from exports import api

urlpatterns = [
    path("datasets/<int:dataset_id>/exports/", api.ExportListApi.as_view(), name="export-list"),
    path(
        "datasets/<int:dataset_id>/exports/<int:export_id>/",
        api.ExportDetailApi.as_view(),
        name="export-detail",
    ),
    path(
        "datasets/<int:dataset_id>/exports/<int:export_id>/retry/",
        api.ExportRetryApi.as_view(),
        name="export-retry",
    ),
    path(
        "datasets/<int:dataset_id>/exports/<int:export_id>/download/",
        api.ExportDownloadApi.as_view(),
        name="export-download",
    ),
]
