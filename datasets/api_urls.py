from django.urls import path

from datasets.api import spec

app_name = "datasets-api"

urlpatterns = [
    path("datasets/", spec.DatasetListApi.as_view(), name="dataset-list"),
    path("datasets/<int:dataset_id>/", spec.DatasetDetailApi.as_view(), name="dataset-detail"),
    path("datasets/<int:dataset_id>/axes/", spec.AxisListApi.as_view(), name="axis-list"),
    path(
        "datasets/<int:dataset_id>/categories/",
        spec.CategoryListApi.as_view(),
        name="category-list",
    ),
    path(
        "datasets/<int:dataset_id>/categories/<int:category_id>/",
        spec.CategoryDetailApi.as_view(),
        name="category-detail",
    ),
    path(
        "datasets/<int:dataset_id>/spec-history/",
        spec.SpecHistoryApi.as_view(),
        name="spec-history",
    ),
]
