"""The vendors app's REST API, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from vendors.api import statements

app_name = "vendors-api"

urlpatterns: list = []

# --- statements (helper E) ---
urlpatterns += [
    path(
        "vendors/<int:vendor_id>/statements/",
        statements.StatementListApi.as_view(),
        name="statement-list",
    ),
    path(
        "statements/<int:statement_id>/",
        statements.StatementDetailApi.as_view(),
        name="statement-detail",
    ),
    path(
        "statements/<int:statement_id>/close/",
        statements.StatementCloseApi.as_view(),
        name="statement-close",
    ),
]
