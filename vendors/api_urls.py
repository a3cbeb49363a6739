"""The vendors app's REST API, mounted under /api/v1/ by config/urls.py."""

app_name = "vendors-api"

urlpatterns: list = []
