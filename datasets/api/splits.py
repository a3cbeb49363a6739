"""Splits through the API: the runs so far, a new stratified run, freezing the test split."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from datasets import policy, services
from datasets.api.coverage import SplitCountsOut
from datasets.models import SplitRun
from datasets.selectors import split_summary
from datasets.services.splits import DEFAULT_RATIOS, SEED_MAX


class SplitRunOut(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = SplitRun
        fields = [
            "id",
            "seed",
            "ratios",
            "scope",
            "status",
            "counts",
            "error",
            "created_by",
            "created_at",
            "finished_at",
        ]


class SplitsOut(serializers.Serializer):
    test_frozen_at = serializers.DateTimeField(allow_null=True)
    counts = SplitCountsOut(help_text="Items per split now.")
    runs = SplitRunOut(many=True, help_text="The newest 50 runs, newest first.")


class SplitAssignIn(serializers.Serializer):
    ratios = serializers.JSONField(
        required=False,
        help_text=f"Share of each split, adding up to 1; default {DEFAULT_RATIOS}.",
    )
    seed = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=SEED_MAX,
        help_text="Same seed, same items: same assignment. Left out: one is drawn and recorded.",
    )
    scope = serializers.CharField(
        required=False,
        default="unassigned",
        help_text="unassigned (items without a split), all (every item not frozen) or "
        "extend_test (items without a split, the frozen test split taking its share too).",
    )


class SplitListApi(APIView):
    @extend_schema(responses=SplitsOut, summary="Items per split and the split runs so far")
    def get(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        return Response(SplitsOut(split_summary(dataset=dataset)).data)

    @extend_schema(
        request=SplitAssignIn,
        responses={202: SplitRunOut},
        summary="Assign splits, stratified by category combination",
        description=(
            "A worker assigns the splits; the answer is 202 with the run, whose `status` "
            "becomes `done` (with its counts) or `failed`. Follow it in `GET …/splits/`."
        ),
    )
    def post(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        data = SplitAssignIn(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.split_assign_request(
            dataset=dataset,
            ratios=data.validated_data.get("ratios"),
            seed=data.validated_data.get("seed"),
            scope=data.validated_data["scope"],
            by=request.user,
        )
        return Response(SplitRunOut(run).data, status=status.HTTP_202_ACCEPTED)


class SplitFreezeIn(serializers.Serializer):
    confirm = serializers.BooleanField(
        help_text="Must be true: freezing cannot be undone; test items never move again."
    )

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                _("Confirm that the test split is to be frozen; it cannot be undone.")
            )
        return value


class SplitFreezeApi(APIView):
    @extend_schema(
        request=SplitFreezeIn,
        responses=SplitsOut,
        summary="Freeze the test split: its items never move again",
    )
    def post(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        SplitFreezeIn(data=request.data).is_valid(raise_exception=True)
        dataset = services.split_test_freeze(dataset=dataset, by=request.user)
        return Response(SplitsOut(split_summary(dataset=dataset)).data)
