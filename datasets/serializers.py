from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from datasets.models import Axis, Category, CellQuota, Dataset, RequirementDecision, SpecChange


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


class DecisionRefOut(serializers.ModelSerializer):
    class Meta:
        model = RequirementDecision
        fields = ["id", "question"]


class CategoryOut(serializers.ModelSerializer):
    axis = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    decision = DecisionRefOut(read_only=True, allow_null=True)
    example = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = [
            "id",
            "axis",
            "name",
            "slug",
            "description",
            "quota_target",
            "decision",
            "example",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_example(self, category: Category) -> str | None:
        """Where the example image is served, or null when the category has none."""
        if not category.example:
            return None
        return reverse("datasets:category-example", args=[category.axis.dataset_id, category.pk])


class AxisOut(serializers.ModelSerializer):
    categories = CategoryOut(many=True, read_only=True)

    class Meta:
        model = Axis
        fields = ["id", "name", "slug", "categories"]


class AxisIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=50)


class AxisChangeIn(serializers.Serializer):
    name = serializers.CharField(
        max_length=100, required=False, help_text="The name people read; the slug stays."
    )


class CategoryIn(serializers.Serializer):
    axis = serializers.SlugField(help_text="The slug of the axis this category belongs to.")
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=50)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    quota_target = serializers.IntegerField(min_value=0, required=False, default=0)
    decision = serializers.IntegerField(
        required=False, allow_null=True, help_text="The id of the decision this comes from."
    )


class CategoryChangeIn(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    quota_target = serializers.IntegerField(min_value=0, required=False)
    decision = serializers.IntegerField(
        required=False, allow_null=True, help_text="The id of the decision; null unlinks it."
    )


class SpecChangeOut(serializers.ModelSerializer):
    changed_by = serializers.CharField(source="changed_by.username", default=None)
    summary = serializers.CharField(
        read_only=True, help_text="What happened, told in the language of the request."
    )
    change = serializers.JSONField(
        read_only=True, help_text="What happened: the event under kind, and its parameters."
    )

    class Meta:
        model = SpecChange
        fields = ["version", "changed_by", "changed_at", "summary", "change"]


class SpecEntryOut(serializers.Serializer):
    kind = serializers.CharField(help_text="axis, category, cell, region_type or stage")
    key = serializers.CharField(
        help_text="capture, capture=shadow or capture=shadow × writing=hand"
    )
    before = serializers.DictField(required=False, help_text="Old values (removed, changed).")
    after = serializers.DictField(required=False, help_text="New values (added, changed).")


class SpecCompareOut(serializers.Serializer):
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    added = SpecEntryOut(many=True)
    removed = SpecEntryOut(many=True)
    changed = SpecEntryOut(many=True)
    changes = SpecChangeOut(many=True)


class SpecCompareIn(serializers.Serializer):
    """``?from=N&to=M``: the two spec versions to compare (``from`` is a Python keyword)."""

    def get_fields(self):
        return {
            "from": serializers.IntegerField(help_text="The older spec version."),
            "to": serializers.IntegerField(help_text="The newer spec version."),
        }


class DecisionOut(serializers.ModelSerializer):
    asked_by = serializers.CharField(source="asked_by.username", default=None)
    is_open = serializers.BooleanField(read_only=True)
    categories = serializers.SerializerMethodField()
    cell_quotas = serializers.SerializerMethodField()

    class Meta:
        model = RequirementDecision
        fields = [
            "id",
            "question",
            "answer",
            "answered_by",
            "answered_at",
            "asked_by",
            "asked_at",
            "is_open",
            "categories",
            "cell_quotas",
        ]

    def get_categories(self, decision: RequirementDecision) -> list[str]:
        """What this decision decided: categories as ``axis=slug``."""
        return [f"{c.axis.slug}={c.slug}" for c in decision.categories.all()]

    def get_cell_quotas(self, decision: RequirementDecision) -> list[int]:
        """What this decision decided: ids of cell quotas."""
        return [cell.pk for cell in decision.cell_quotas.all()]


class DecisionIn(serializers.Serializer):
    question = serializers.CharField()


class DecisionAnswerIn(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True, trim_whitespace=True)
    answered_by = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class CellQuotaOut(serializers.ModelSerializer):
    first = serializers.SerializerMethodField()
    second = serializers.SerializerMethodField()
    decision = DecisionRefOut(read_only=True, allow_null=True)

    class Meta:
        model = CellQuota
        fields = ["id", "first", "second", "quota_target", "decision"]

    def get_first(self, cell: CellQuota) -> str:
        return f"{cell.first.axis.slug}={cell.first.slug}"

    def get_second(self, cell: CellQuota) -> str:
        return f"{cell.second.axis.slug}={cell.second.slug}"


class CellQuotaIn(serializers.Serializer):
    first = serializers.CharField(help_text="A category as axis=slug.")
    second = serializers.CharField(help_text="A category of another axis, as axis=slug.")
    quota_target = serializers.IntegerField(min_value=0)
    decision = serializers.IntegerField(required=False, allow_null=True)
