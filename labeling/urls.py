from django.urls import path

from labeling import views
from labeling.views import contracts

app_name = "labeling"

urlpatterns = [
    path("tasks/", views.my_tasks, name="tasks"),
    path("review/", views.review_queue, name="review"),
]

# --- contracts (helper B) ----------------------------------------------------------------
urlpatterns += [
    path("contracts/", contracts.contract_list, name="contract-list"),
    path("contracts/new/", contracts.contract_new, name="contract-new"),
    path("contracts/<int:contract_id>/", contracts.contract_detail, name="contract-detail"),
    path("contracts/<int:contract_id>/edit/", contracts.contract_edit, name="contract-edit"),
    path("contracts/<int:contract_id>/price/", contracts.contract_price, name="contract-price"),
    path("contracts/<int:contract_id>/close/", contracts.contract_close, name="contract-close"),
]
