from django.urls import path

from vendors import views
from vendors.views import statements

app_name = "vendors"

urlpatterns = [path("", views.vendor_home, name="home")]

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
