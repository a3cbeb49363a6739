from django.urls import path

from labeling import views
from labeling.api import photos as photo_api
from labeling.views import (
    batches,
    contracts,
    deliveries,
    kinds,
    photos,
    portal,
    skipped,
    work,
)

app_name = "labeling"

urlpatterns = [
    path("tasks/", views.my_tasks, name="tasks"),
    path("work/", work.work, name="work"),
    path("review/", views.review_queue, name="review"),
    # collection contracts: a vendor's photos (helper F)
    path("contracts/<int:contract_id>/photos/", photos.photos_page, name="photos"),
    path(
        "contracts/<int:contract_id>/photos/review/",
        photos.photos_review_page,
        name="photos-review",
    ),
    path(
        "contracts/<int:contract_id>/photos/<int:item_id>/file/<str:kind>/",
        photo_api.PhotoFileApi.as_view(),
        name="photo-file",
    ),
]

# --- contracts (helper B) ----------------------------------------------------------------
urlpatterns += [
    path("contracts/", contracts.contract_list, name="contract-list"),
    path("contracts/new/", contracts.contract_new, name="contract-new"),
    path("contracts/<int:contract_id>/", contracts.contract_detail, name="contract-detail"),
    path("contracts/<int:contract_id>/edit/", contracts.contract_edit, name="contract-edit"),
    path("contracts/<int:contract_id>/price/", contracts.contract_price, name="contract-price"),
    path("contracts/<int:contract_id>/close/", contracts.contract_close, name="contract-close"),
    path("portal/", portal.portal, name="portal"),
    path("datasets/<int:dataset_id>/kinds/", kinds.kind_list, name="kind-list"),
    path("datasets/<int:dataset_id>/batches/", batches.batch_list, name="batch-list"),
    path("datasets/<int:dataset_id>/batches/new/", batches.batch_new, name="batch-new"),
    path("batches/<int:batch_id>/", batches.batch_detail, name="batch-detail"),
    path("batches/<int:batch_id>/cancel/", batches.batch_cancel, name="batch-cancel"),
    path("batches/<int:batch_id>/skipped/", skipped.batch_skipped, name="batch-skipped"),
    path(
        "batches/<int:batch_id>/deliveries/",
        deliveries.delivery_upload,
        name="delivery-upload",
    ),
    path("deliveries/<int:delivery_id>/", deliveries.delivery_detail, name="delivery-detail"),
]
