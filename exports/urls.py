"""The exports page. config/urls.py mounts these in the ``datasets`` namespace, where its name
(``datasets:exports``) was before exports had an app of their own."""

from django.urls import path

from exports import views

urlpatterns = [
    path("<int:dataset_id>/exports/", views.exports_page, name="exports"),
    path(
        "<int:dataset_id>/exports/<int:export_id>/cancel/",
        views.export_cancel,
        name="export-cancel",
    ),
    path(
        "<int:dataset_id>/exports/<int:export_id>/retry/",
        views.export_retry,
        name="export-retry",
    ),
]
