"""The vendors app's REST API, mounted under /api/v1/ by config/urls.py."""

from django.urls import path

from vendors.api import companies, statements

app_name = "vendors-api"

urlpatterns: list = [
    path("vendors/", companies.VendorListApi.as_view(), name="vendor-list"),
    path("vendors/<int:vendor_id>/", companies.VendorDetailApi.as_view(), name="vendor-detail"),
    path("vendors/<int:vendor_id>/close/", companies.VendorCloseApi.as_view(), name="vendor-close"),
    path("vendors/<int:vendor_id>/members/", companies.MemberListApi.as_view(), name="member-list"),
    path(
        "vendors/<int:vendor_id>/members/<int:member_id>/",
        companies.MemberDetailApi.as_view(),
        name="member-detail",
    ),
    path("vendors/<int:vendor_id>/invites/", companies.InviteListApi.as_view(), name="invite-list"),
    path(
        "vendors/<int:vendor_id>/invites/<int:invite_id>/",
        companies.InviteDetailApi.as_view(),
        name="invite-detail",
    ),
]

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
