from django.urls import path

from datasets import api

app_name = "datasets-api"

urlpatterns = [
    path("datasets/", api.DatasetListApi.as_view(), name="dataset-list"),
    path("datasets/<int:dataset_id>/", api.DatasetDetailApi.as_view(), name="dataset-detail"),
    path("datasets/<int:dataset_id>/axes/", api.AxisListApi.as_view(), name="axis-list"),
    path(
        "datasets/<int:dataset_id>/categories/", api.CategoryListApi.as_view(), name="category-list"
    ),
    path(
        "datasets/<int:dataset_id>/categories/<int:category_id>/",
        api.CategoryDetailApi.as_view(),
        name="category-detail",
    ),
    path(
        "datasets/<int:dataset_id>/spec-history/", api.SpecHistoryApi.as_view(), name="spec-history"
    ),
]
