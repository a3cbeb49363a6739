from django.urls import path

from datasets.api import coverage, schema, spec, splits, stages, uploads
from datasets.api import items as item_api

app_name = "datasets-api"

urlpatterns = [
    path("datasets/", spec.DatasetListApi.as_view(), name="dataset-list"),
    path("datasets/<int:dataset_id>/", spec.DatasetDetailApi.as_view(), name="dataset-detail"),
    path("datasets/<int:dataset_id>/axes/", spec.AxisListApi.as_view(), name="axis-list"),
    path(
        "datasets/<int:dataset_id>/axes/<int:axis_id>/",
        spec.AxisDetailApi.as_view(),
        name="axis-detail",
    ),
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
    path(
        "datasets/<int:dataset_id>/spec-history/compare/",
        spec.SpecCompareApi.as_view(),
        name="spec-compare",
    ),
    path(
        "datasets/<int:dataset_id>/decisions/",
        spec.DecisionListApi.as_view(),
        name="decision-list",
    ),
    path(
        "datasets/<int:dataset_id>/decisions/<int:decision_id>/",
        spec.DecisionDetailApi.as_view(),
        name="decision-detail",
    ),
    path(
        "datasets/<int:dataset_id>/cell-quotas/",
        spec.CellQuotaListApi.as_view(),
        name="cell-quota-list",
    ),
    path(
        "datasets/<int:dataset_id>/cell-quotas/<int:cell_id>/",
        spec.CellQuotaDetailApi.as_view(),
        name="cell-quota-detail",
    ),
    path("datasets/<int:dataset_id>/stages/", stages.StageListApi.as_view(), name="stage-list"),
    path(
        "datasets/<int:dataset_id>/stages/<int:stage_id>/",
        stages.StageDetailApi.as_view(),
        name="stage-detail",
    ),
    path("datasets/<int:dataset_id>/schema/", schema.SchemaApi.as_view(), name="schema"),
    path(
        "datasets/<int:dataset_id>/schema/types/",
        schema.RegionTypeListApi.as_view(),
        name="region-type-list",
    ),
    path(
        "datasets/<int:dataset_id>/schema/types/<int:type_id>/",
        schema.RegionTypeDetailApi.as_view(),
        name="region-type-detail",
    ),
    path(
        "datasets/<int:dataset_id>/schema/types/<int:type_id>/attributes/",
        schema.AttributeListApi.as_view(),
        name="attribute-list",
    ),
    path(
        "datasets/<int:dataset_id>/schema/attributes/<int:attr_id>/",
        schema.AttributeDetailApi.as_view(),
        name="attribute-detail",
    ),
    path(
        "datasets/<int:dataset_id>/schema/validate/",
        schema.AnnotationValidateApi.as_view(),
        name="schema-validate",
    ),
    path("datasets/<int:dataset_id>/uploads/", uploads.UploadListApi.as_view(), name="upload-list"),
    path(
        "datasets/<int:dataset_id>/uploads/<int:upload_id>/",
        uploads.UploadDetailApi.as_view(),
        name="upload-detail",
    ),
    path(
        "datasets/<int:dataset_id>/uploads/<int:upload_id>/entries/",
        uploads.UploadEntryListApi.as_view(),
        name="upload-entry-list",
    ),
    path(
        "datasets/<int:dataset_id>/coverage/",
        coverage.CoverageApi.as_view(),
        name="coverage",
    ),
    path("datasets/<int:dataset_id>/splits/", splits.SplitListApi.as_view(), name="split-list"),
    path(
        "datasets/<int:dataset_id>/splits/freeze/",
        splits.SplitFreezeApi.as_view(),
        name="split-freeze",
    ),
    path("datasets/<int:dataset_id>/items/", item_api.ItemListApi.as_view(), name="item-list"),
    path(
        "datasets/<int:dataset_id>/items/categories/",
        item_api.ItemCategoriesBulkApi.as_view(),
        name="item-categories-bulk",
    ),
    path(
        "datasets/<int:dataset_id>/items/categories/<int:change_id>/",
        item_api.CategoryChangeDetailApi.as_view(),
        name="category-change-detail",
    ),
    path(
        "datasets/<int:dataset_id>/items/<int:item_id>/",
        item_api.ItemDetailApi.as_view(),
        name="item-detail",
    ),
]
