from django.conf import settings
from rest_framework import serializers

from accounts.models import ApiToken, User


class MeOut(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "is_staff",
            "language",
            "time_zone",
        ]


class MeIn(serializers.Serializer):
    """What a user changes of their own: any of these, each optional."""

    language = serializers.ChoiceField(choices=settings.LANGUAGES, allow_blank=True, required=False)
    time_zone = serializers.CharField(
        max_length=64,
        allow_blank=True,
        required=False,
        help_text="An IANA time zone name (Asia/Seoul); empty for the site's. Your days "
        "(today's figures) are counted in it.",
    )


class TokenOut(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"]


class TokenCreateIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)


class TokenCreatedOut(TokenOut):
    key = serializers.CharField(help_text="The token itself. Shown once; store it now.")

    class Meta(TokenOut.Meta):
        fields = [*TokenOut.Meta.fields, "key"]
