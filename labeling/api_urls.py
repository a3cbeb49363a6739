"""The labeling app's REST API, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from labeling.api import batches, kinds

app_name = "labeling-api"

urlpatterns: list = [
    path(
        "datasets/<int:dataset_id>/task-kinds/",
        kinds.TaskKindListApi.as_view(),
        name="task-kind-list",
    ),
    path(
        "datasets/<int:dataset_id>/task-kinds/<int:kind_id>/",
        kinds.TaskKindDetailApi.as_view(),
        name="task-kind-detail",
    ),
    path(
        "datasets/<int:dataset_id>/batches/",
        batches.BatchListApi.as_view(),
        name="batch-list",
    ),
    path(
        "datasets/<int:dataset_id>/batches/preview/",
        batches.BatchPreviewApi.as_view(),
        name="batch-preview",
    ),
    path("batches/<int:batch_id>/", batches.BatchDetailApi.as_view(), name="batch-detail"),
    path("batches/<int:batch_id>/cancel/", batches.BatchCancelApi.as_view(), name="batch-cancel"),
]
