from django.urls import path

from vendors import views
from vendors.views import companies, statements

app_name = "vendors"

urlpatterns = [
    path("", views.vendor_home, name="home"),
    # Companies, members and invites; the sign-up link.
    path("new/", companies.vendor_new, name="vendor-new"),
    path("join/<str:key>/", companies.join, name="join"),
    path("<int:vendor_id>/", companies.vendor_detail, name="vendor-detail"),
    path("<int:vendor_id>/edit/", companies.vendor_edit, name="vendor-edit"),
    path("<int:vendor_id>/close/", companies.vendor_close, name="vendor-close"),
    path("<int:vendor_id>/invites/", companies.invite_new, name="invite-new"),
    path(
        "<int:vendor_id>/invites/<int:invite_id>/revoke/",
        companies.invite_revoke,
        name="invite-revoke",
    ),
    path(
        "<int:vendor_id>/members/<int:member_id>/deactivate/",
        companies.member_deactivate,
        name="member-deactivate",
    ),
]

# --- statements (helper E) ---
urlpatterns += [
    path("<int:vendor_id>/statements/", statements.statement_list_page, name="statement-list"),
    path(
        "statements/<int:statement_id>/",
        statements.statement_detail_page,
        name="statement-detail",
    ),
    path("statements/<int:statement_id>/csv/", statements.statement_csv, name="statement-csv"),
    path(
        "statements/<int:statement_id>/close/",
        statements.statement_close_page,
        name="statement-close",
    ),
]
