"""The labeling app's REST API, mounted under /api/v1/ by config/urls.py."""

app_name = "labeling-api"

urlpatterns: list = []
