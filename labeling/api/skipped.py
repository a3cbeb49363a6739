"""A batch's tasks every active annotator skipped: list them with their reasons, settle them.

Reading is for the in-house team and the batch's vendor's managers; settling (remove, or
mark unusable) is the planners'. The batch's annotators get 403, anyone else 404.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.schema import ErrorOut
from labeling import policy, selectors, services
from labeling.api.batches import BatchOut
from labeling.models import Batch
from labeling.services.skipped import SETTLE_ACTIONS


class SkipOut(serializers.Serializer):
    reason = serializers.CharField(help_text="The reason's code.")
    reason_label = serializers.CharField(help_text="The reason in the reader's language.")
    note = serializers.CharField(allow_blank=True)
    annotator = serializers.CharField(help_text="Who skipped it, by name.")
    at = serializers.DateTimeField()


class SkippedItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    category_key = serializers.CharField(allow_blank=True)


class SkippedTaskOut(serializers.Serializer):
    id = serializers.IntegerField()
    item = SkippedItemOut()
    thumbnail = serializers.CharField(help_text="The task's thumbnail URL.")
    skips = SkipOut(many=True)


class SettleIn(serializers.Serializer):
    task_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=1000)
    action = serializers.ChoiceField(choices=sorted(SETTLE_ACTIONS))


class SettleOut(serializers.Serializer):
    action = serializers.CharField()
    settled = serializers.ListField(child=serializers.IntegerField())
    batch = BatchOut()


def _batch(request, batch_id: int) -> Batch:
    batches = policy.batches_visible_to(request.user).select_related(
        "task_kind", "vendor", "contract"
    )
    return get_object_or_404(batches, pk=batch_id)


def skipped_rows(batch: Batch) -> list[dict]:
    """The batch's tasks skipped by all, each with its thumbnail URL (the labeling policy's
    task image)."""
    return [
        {**row, "thumbnail": reverse("labeling-api:task-image", args=[row["id"], "thumbnail"])}
        for row in selectors.tasks_skipped_by_all(batch=batch)
    ]


class BatchSkippedApi(APIView):
    @extend_schema(
        responses=SkippedTaskOut(many=True),
        summary="A batch's tasks every active annotator skipped, with their reasons",
    )
    def get(self, request, batch_id: int):
        batch = _batch(request, batch_id)
        policy.require(policy.can_read_skipped(request.user, batch))
        return Response(SkippedTaskOut(skipped_rows(batch), many=True).data)

    @extend_schema(
        request=SettleIn,
        responses={200: SettleOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
        summary="Remove tasks every annotator skipped, or mark them unusable",
    )
    def post(self, request, batch_id: int):
        batch = _batch(request, batch_id)
        policy.require(policy.can_settle_skipped(request.user, batch))
        data = SettleIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        settled = services.skipped_tasks_settle(
            batch=batch, task_ids=fields["task_ids"], action=fields["action"], by=request.user
        )
        batch = _batch(request, batch.pk)
        return Response(
            {"action": fields["action"], "settled": settled, "batch": BatchOut(batch).data}
        )
