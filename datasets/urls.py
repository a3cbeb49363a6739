from django.urls import path

from datasets.api import files
from datasets.views import coverage, schema, spec, stages, taxonomy, uploads
from datasets.views import items as item_views

app_name = "datasets"

urlpatterns = [
    path("", spec.dataset_list, name="list"),
    path("<int:dataset_id>/", spec.dataset_detail, name="detail"),
    path("new/", spec.dataset_new, name="new"),
    path("<int:dataset_id>/edit/", spec.dataset_edit, name="edit"),
    path("<int:dataset_id>/history/", spec.spec_history_page, name="history"),
    path("<int:dataset_id>/decisions/", spec.decisions_page, name="decisions"),
    path(
        "<int:dataset_id>/decisions/<int:decision_id>/answer/",
        spec.decision_answer,
        name="decision-answer",
    ),
    path("<int:dataset_id>/axes/new/", spec.axis_new, name="axis-new"),
    path("<int:dataset_id>/axes/<int:axis_id>/edit/", taxonomy.axis_edit, name="axis-edit"),
    path("<int:dataset_id>/axes/<int:axis_id>/remove/", taxonomy.axis_remove, name="axis-remove"),
    path("<int:dataset_id>/categories/new/", spec.category_new, name="category-new"),
    path(
        "<int:dataset_id>/categories/<int:category_id>/edit/",
        taxonomy.category_edit,
        name="category-edit",
    ),
    path(
        "<int:dataset_id>/categories/<int:category_id>/remove/",
        taxonomy.category_remove,
        name="category-remove",
    ),
    path("<int:dataset_id>/cells/new/", spec.cell_quota_new, name="cell-new"),
    path(
        "<int:dataset_id>/cells/<int:cell_id>/remove/", spec.cell_quota_remove, name="cell-remove"
    ),
    path(
        "<int:dataset_id>/categories/<int:category_id>/example/",
        spec.category_example,
        name="category-example",
    ),
    path("<int:dataset_id>/schema/", schema.schema_page, name="schema"),
    path("<int:dataset_id>/schema/types/new/", schema.region_type_new, name="region-type-new"),
    path("<int:dataset_id>/schema/attributes/new/", schema.attribute_new, name="attribute-new"),
    path(
        "<int:dataset_id>/schema/types/<int:type_id>/edit/",
        schema.region_type_edit,
        name="region-type-edit",
    ),
    path(
        "<int:dataset_id>/schema/types/<int:type_id>/remove/",
        schema.region_type_remove,
        name="region-type-remove",
    ),
    path(
        "<int:dataset_id>/schema/attributes/<int:attr_id>/edit/",
        schema.attribute_edit,
        name="attribute-edit",
    ),
    path(
        "<int:dataset_id>/schema/attributes/<int:attr_id>/remove/",
        schema.attribute_remove,
        name="attribute-remove",
    ),
    path("<int:dataset_id>/stages/", stages.stages_page, name="stages"),
    path("<int:dataset_id>/stages/<int:stage_id>/edit/", stages.stage_edit, name="stage-edit"),
    path(
        "<int:dataset_id>/stages/<int:stage_id>/remove/", stages.stage_remove, name="stage-remove"
    ),
    path("<int:dataset_id>/stages/<int:stage_id>/move/", stages.stage_move, name="stage-move"),
    path("<int:dataset_id>/upload/", uploads.upload_page, name="upload"),
    path(
        "<int:dataset_id>/items/<int:item_id>/file/<str:kind>/",
        files.ItemFileApi.as_view(),
        name="item-file",
    ),
    path("<int:dataset_id>/coverage/", coverage.coverage_page, name="coverage"),
    path("<int:dataset_id>/coverage.csv", coverage.coverage_csv, name="coverage-csv"),
    path("<int:dataset_id>/items/", item_views.item_list_page, name="items"),
    path(
        "<int:dataset_id>/items/categories/",
        item_views.item_categories_bulk,
        name="item-categories-bulk",
    ),
    path("<int:dataset_id>/items/<int:item_id>/", item_views.item_detail_page, name="item-detail"),
    path(
        "<int:dataset_id>/items/<int:item_id>/categories/",
        item_views.item_categories_edit,
        name="item-categories",
    ),
]
