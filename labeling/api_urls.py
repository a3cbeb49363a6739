"""The labeling app's REST API, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from labeling.api import (
    batches,
    contracts,
    deliveries,
    figures,
    handout,
    kinds,
    photos,
    skipped,
    tool,
)

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

# --- contracts (helper B) ----------------------------------------------------------------
urlpatterns += [
    path("contracts/", contracts.ContractListApi.as_view(), name="contract-list"),
    path(
        "contracts/<int:contract_id>/",
        contracts.ContractDetailApi.as_view(),
        name="contract-detail",
    ),
    path(
        "contracts/<int:contract_id>/prices/",
        contracts.ContractPriceListApi.as_view(),
        name="contract-prices",
    ),
    path(
        "contracts/<int:contract_id>/cost/",
        contracts.ContractCostApi.as_view(),
        name="contract-cost",
    ),
    path(
        "contracts/<int:contract_id>/price-suggestion/",
        contracts.ContractPriceSuggestionApi.as_view(),
        name="contract-price-suggestion",
    ),
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
    path(
        "batches/<int:batch_id>/skipped/",
        skipped.BatchSkippedApi.as_view(),
        name="batch-skipped",
    ),
]

# --- the hand-out and the annotator's loop --------------------------------------------------
urlpatterns += [
    path("tasks/next/", handout.TaskNextApi.as_view(), name="task-next"),
    path("tasks/<int:task_id>/", handout.TaskDetailApi.as_view(), name="task-detail"),
    path(
        "tasks/<int:task_id>/annotation/",
        handout.TaskAnnotationApi.as_view(),
        name="task-annotation",
    ),
    path("tasks/<int:task_id>/submit/", handout.TaskSubmitApi.as_view(), name="task-submit"),
    path(
        "tasks/<int:task_id>/heartbeat/",
        handout.TaskHeartbeatApi.as_view(),
        name="task-heartbeat",
    ),
    path("tasks/<int:task_id>/release/", handout.TaskReleaseApi.as_view(), name="task-release"),
    path("tasks/<int:task_id>/skip/", handout.TaskSkipApi.as_view(), name="task-skip"),
    path("tasks/<int:task_id>/reopen/", handout.TaskReopenApi.as_view(), name="task-reopen"),
    path("tasks/<int:task_id>/history/", handout.TaskHistoryApi.as_view(), name="task-history"),
    path("tasks/<int:task_id>/tool/", tool.TaskToolApi.as_view(), name="task-tool"),
    path(
        "tasks/<int:task_id>/image/<str:kind>/",
        handout.TaskImageApi.as_view(),
        name="task-image",
    ),
]

# --- annotations delivered as a file --------------------------------------------------------
urlpatterns += [
    path(
        "batches/<int:batch_id>/deliveries/",
        deliveries.BatchDeliveryListApi.as_view(),
        name="batch-deliveries",
    ),
    path(
        "deliveries/<int:delivery_id>/",
        deliveries.DeliveryDetailApi.as_view(),
        name="delivery-detail",
    ),
    path(
        "deliveries/<int:delivery_id>/lines/",
        deliveries.DeliveryLineListApi.as_view(),
        name="delivery-lines",
    ),
]

# --- the annotators' figures today ----------------------------------------------------------
urlpatterns += [
    path("me/figures/", figures.MyFiguresApi.as_view(), name="my-figures"),
    path(
        "vendors/<int:vendor_id>/annotators/figures/",
        figures.VendorFiguresApi.as_view(),
        name="vendor-annotator-figures",
    ),
]
