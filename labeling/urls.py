from django.urls import path

from labeling import views
from labeling.views import batches, kinds

app_name = "labeling"

urlpatterns = [
    path("tasks/", views.my_tasks, name="tasks"),
    path("review/", views.review_queue, name="review"),
    path("datasets/<int:dataset_id>/kinds/", kinds.kind_list, name="kind-list"),
    path("datasets/<int:dataset_id>/batches/", batches.batch_list, name="batch-list"),
    path("datasets/<int:dataset_id>/batches/new/", batches.batch_new, name="batch-new"),
    path("batches/<int:batch_id>/", batches.batch_detail, name="batch-detail"),
    path("batches/<int:batch_id>/cancel/", batches.batch_cancel, name="batch-cancel"),
]
