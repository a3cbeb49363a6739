from django.urls import path

from accounts import api

app_name = "accounts-api"

urlpatterns = [
    path("me/", api.MeApi.as_view(), name="me"),
    path("tokens/", api.TokenListApi.as_view(), name="token-list"),
    path("tokens/<int:token_id>/", api.TokenRevokeApi.as_view(), name="token-detail"),
]
