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
        ]


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
