"""The labeling app's REST API, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from labeling.api import contracts, photos

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
]
