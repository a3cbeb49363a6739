from rest_framework import serializers

from datasets.models import Axis, Category, Dataset, SpecChange


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


class CategoryOut(serializers.ModelSerializer):
    axis = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Category
        fields = ["id", "axis", "name", "slug", "description", "quota_target"]


class AxisOut(serializers.ModelSerializer):
    categories = CategoryOut(many=True, read_only=True)

    class Meta:
        model = Axis
        fields = ["id", "name", "slug", "categories"]


class AxisIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=50)


class CategoryIn(serializers.Serializer):
    axis = serializers.SlugField(help_text="The slug of the axis this category belongs to.")
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=50)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    quota_target = serializers.IntegerField(min_value=0, required=False, default=0)


class CategoryChangeIn(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    quota_target = serializers.IntegerField(min_value=0, required=False)


class SpecChangeOut(serializers.ModelSerializer):
    changed_by = serializers.CharField(source="changed_by.username", default=None)

    class Meta:
        model = SpecChange
        fields = ["version", "changed_by", "changed_at", "summary", "change"]
