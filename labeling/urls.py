from django.urls import path

from labeling import views
from labeling.views import portal

app_name = "labeling"

urlpatterns = [
    path("tasks/", views.my_tasks, name="tasks"),
    path("review/", views.review_queue, name="review"),
    path("portal/", portal.portal, name="portal"),
]
