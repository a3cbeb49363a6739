from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import views
from config.catalog import javascript_catalog
from core.health import healthz

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("datasets.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    path("accounts/", include("accounts.urls")),
    path("datasets/", include("datasets.urls")),
    path("guides/", include("guides.urls")),
    path("vendors/", include("vendors.urls")),
    path("labeling/", include("labeling.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

handler404 = "core.errors.not_found"
