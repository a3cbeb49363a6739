from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

import datasets.api_urls
import datasets.urls
import exports.api_urls
import exports.urls
from config import views
from config.catalog import javascript_catalog
from core.health import healthz

# Exports have an app of their own but keep the paths and URL names they had in datasets.
dataset_pages = (datasets.urls.urlpatterns + exports.urls.urlpatterns, "datasets")
dataset_api = (datasets.api_urls.urlpatterns + exports.api_urls.urlpatterns, "datasets-api")

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include(dataset_api)),
    path("", include("vendors.api_urls")),
    path("", include("guides.api_urls")),
    path("", include("labeling.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    path("accounts/", include("accounts.urls")),
    path("datasets/", include(dataset_pages)),
    path("guides/", include("guides.urls")),
    path("vendors/", include("vendors.urls")),
    path("labeling/", include("labeling.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.not_found"
handler500 = "core.errors.server_error"
