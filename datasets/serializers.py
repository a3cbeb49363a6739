from rest_framework import serializers

from datasets.models import Dataset


class DatasetOut(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = Dataset
        fields = [
            "id",
            "name",
            "requirement",
            "description",
            "spec_version",
            "created_by",
            "created_at",
            "updated_at",
        ]


class DatasetIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    requirement = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
