from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policy, services
from accounts.serializers import MeIn, MeOut, TokenCreatedOut, TokenCreateIn, TokenOut


class MeApi(APIView):
    @extend_schema(responses=MeOut, summary="The signed-in user and their role")
    def get(self, request):
        return Response(MeOut(request.user).data)

    @extend_schema(
        request=MeIn,
        responses=MeOut,
        summary="Change your own language or time zone (a field left out stays as it is)",
    )
    def patch(self, request):
        data = MeIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        with transaction.atomic():  # both or neither
            if "language" in fields:
                services.user_set_language(user=request.user, language=fields["language"])
            if "time_zone" in fields:
                services.user_set_time_zone(user=request.user, time_zone=fields["time_zone"])
        return Response(MeOut(request.user).data)


class TokenListApi(ListAPIView):
    serializer_class = TokenOut

    @extend_schema(summary="Your API tokens (never their keys)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        policy.require(policy.can_manage_tokens(self.request.user))
        return policy.tokens_visible_to(self.request.user)

    @extend_schema(
        request=TokenCreateIn,
        responses={201: TokenCreatedOut},
        summary="Create a named API token (its key is returned once)",
    )
    def post(self, request):
        policy.require(policy.can_manage_tokens(request.user))
        data = TokenCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.token_create(user=request.user, name=data.validated_data["name"])
        body = {**TokenOut(issued.token).data, "key": issued.key}
        return Response(body, status=status.HTTP_201_CREATED)


class TokenRevokeApi(APIView):
    @extend_schema(request=None, responses=TokenOut, summary="Revoke one of your API tokens")
    def delete(self, request, token_id: int):
        token = get_object_or_404(policy.tokens_visible_to(request.user), pk=token_id)
        policy.require(policy.can_manage_tokens(request.user))
        return Response(TokenOut(services.token_revoke(token=token)).data)
