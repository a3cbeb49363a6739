from django.urls import path

from datasets.views import spec

app_name = "datasets"

urlpatterns = [
    path("", spec.dataset_list, name="list"),
    path("<int:dataset_id>/", spec.dataset_detail, name="detail"),
]
