"""Coverage through the API: the same numbers as the dashboard and its CSV."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from datasets import policy
from datasets.selectors import coverage_report


class SplitCountsOut(serializers.Serializer):
    train = serializers.IntegerField()
    val = serializers.IntegerField()
    test = serializers.IntegerField()
    unassigned = serializers.IntegerField()


class CoverageRowOut(serializers.Serializer):
    target = serializers.IntegerField(allow_null=True, help_text="Quota target; null for totals.")
    collected = serializers.IntegerField(help_text="Items of every status.")
    new = serializers.IntegerField(help_text="Collected, not yet in labeling.")
    in_labeling = serializers.IntegerField()
    labeled = serializers.IntegerField()
    accepted = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True, help_text="Collected / target × 100.")
    accepted_percent = serializers.FloatField(allow_null=True, help_text="Accepted / target × 100.")
    under_filled = serializers.BooleanField(help_text="Fewer collected than the target.")
    rate = serializers.FloatField(help_text="Items collected a day over the last 14 days.")
    eta = serializers.DateField(
        allow_null=True, help_text="When the target is reached at that rate; null if never."
    )
    splits = SplitCountsOut()
    test_lacking = serializers.BooleanField(
        help_text="Has items, none in test, while the dataset has test items."
    )


class CategoryCoverageOut(CoverageRowOut):
    id = serializers.IntegerField()
    key = serializers.CharField(help_text='"axis=slug"')
    name = serializers.CharField()
    axis = serializers.CharField()


class AxisCoverageOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    categories = CategoryCoverageOut(many=True)


class CellCoverageOut(CoverageRowOut):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField()
    first = serializers.CharField()
    second = serializers.CharField()


class CoverageTotalsOut(CoverageRowOut):
    under_filled_rows = serializers.IntegerField()
    test_lacking_rows = serializers.IntegerField()


class CoverageOut(serializers.Serializer):
    dataset = serializers.IntegerField()
    today = serializers.DateField()
    window_days = serializers.IntegerField()
    has_test = serializers.BooleanField()
    test_frozen_at = serializers.DateTimeField(allow_null=True)
    axes = AxisCoverageOut(many=True)
    cells = CellCoverageOut(many=True)
    totals = CoverageTotalsOut()
    as_of = serializers.DateTimeField(
        help_text="The counters hold every change up to this time; labeling's submits are "
        "folded in every COVERAGE_APPLY_SECONDS (5 s by default)."
    )


class CoverageApi(APIView):
    @extend_schema(
        responses=CoverageOut,
        summary="Coverage per category and cell: targets, status and split counts, rate, ETA",
    )
    def get(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        return Response(CoverageOut(coverage_report(dataset=dataset)).data)
