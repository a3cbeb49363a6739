from django.urls import path

from labeling import views

app_name = "labeling"

urlpatterns = [
    path("tasks/", views.my_tasks, name="tasks"),
    path("review/", views.review_queue, name="review"),
]
