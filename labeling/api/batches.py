"""Batches over the API: preview and cut by category need, list, progress, cancel."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from datasets.models import Dataset
from labeling import policy, selectors, services
from labeling.models import Batch, TaskKind
from vendors.models import Contract


class BatchOut(serializers.ModelSerializer):
    task_kind_name = serializers.CharField(source="task_kind.name", read_only=True)
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    contract_name = serializers.CharField(source="contract.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Batch
        fields = ["id", "dataset", "name", "task_kind", "task_kind_name", "vendor", "vendor_name",
                  "contract", "contract_name", "status", "status_label", "need", "seed", "size",
                  "due_on", "created_at", "status_changed_at", "progress"]  # fmt: skip

    def get_progress(self, batch: Batch) -> dict:
        counts = self.context.get("progress")
        if counts is not None:
            return {"statuses": counts.get(batch.pk, {})}
        return selectors.batch_progress(batch=batch)


class PreviewIn(serializers.Serializer):
    task_kind = serializers.IntegerField()
    contract = serializers.IntegerField(required=False, allow_null=True, default=None)
    vendor = serializers.IntegerField(required=False, allow_null=True, default=None)
    need = serializers.DictField(
        child=serializers.IntegerField(min_value=0, allow_null=True), allow_empty=True
    )
    filters = serializers.ListField(
        child=serializers.CharField(max_length=101), required=False, default=list
    )
    seed = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    allow_short = serializers.BooleanField(required=False, default=False)


class CutIn(PreviewIn):
    contract = serializers.IntegerField()
    due_on = serializers.DateField()
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CancelOut(serializers.Serializer):
    cancelled = serializers.IntegerField()
    batch = BatchOut()


def _missing(field: str, message: str) -> DomainError:
    return DomainError(message, code=f"unknown_{field}", fields={field: message})


def _arguments(dataset: Dataset, fields: dict) -> dict:
    """The validated body with the task kind and contract it names (400 when unknown)."""
    kind = TaskKind.objects.filter(pk=fields["task_kind"]).first()
    if kind is None:
        raise _missing(
            "task_kind", _("There is no task kind %(id)s.") % {"id": fields["task_kind"]}
        )
    contract = None
    if fields.get("contract") is not None:
        contract = Contract.objects.filter(pk=fields["contract"]).first()
        if contract is None:
            raise _missing(
                "contract", _("There is no contract %(id)s.") % {"id": fields["contract"]}
            )
        if fields.get("vendor") is not None and contract.vendor_id != fields["vendor"]:
            message = _("Contract “%(name)s” is another vendor's.") % {"name": contract.name}
            raise DomainError(message, code="contract_other_vendor", fields={"contract": message})
    return {
        "dataset": dataset,
        "task_kind": kind,
        "contract": contract,
        "need": fields["need"],
        "filters": fields["filters"],
        "seed": fields["seed"] or None,
        "allow_short": fields["allow_short"],
    }


class BatchListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Batch.Status.values),
            OpenApiParameter("vendor", int),
        ],
        responses=BatchOut(many=True),
        summary="A dataset's batches, newest first",
    )
    def get(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        vendor = request.query_params.get("vendor")
        batches = list(
            selectors.batch_list(
                batches=policy.batches_visible_to(request.user).filter(dataset=dataset),
                status=request.query_params.get("status") or None,
                vendor=int(vendor) if vendor and vendor.isdigit() else None,
            )
        )
        progress = selectors.batch_progress_many([batch.pk for batch in batches])
        return Response(BatchOut(batches, many=True, context={"progress": progress}).data)

    @extend_schema(request=CutIn, responses={201: BatchOut}, summary="Cut a batch by need")
    def post(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        policy.require(policy.can_cut_batches(request.user))
        data = CutIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        batch = services.batch_cut(
            **_arguments(dataset, fields),
            due_on=fields["due_on"],
            name=fields["name"],
            by=request.user,
        )
        return Response(BatchOut(batch).data, status=status.HTTP_201_CREATED)


class BatchPreviewApi(APIView):
    @extend_schema(
        request=PreviewIn,
        responses={200: OpenApiTypes.OBJECT},
        summary="What a cut would take: counts, shortfalls, coverage before → after, cost",
    )
    def post(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        policy.require(policy.can_cut_batches(request.user))
        data = PreviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(services.batch_preview(**_arguments(dataset, data.validated_data)))


def _batch(request, batch_id: int) -> Batch:
    batches = policy.batches_visible_to(request.user).select_related(
        "task_kind", "vendor", "contract"
    )
    return get_object_or_404(batches, pk=batch_id)


class BatchDetailApi(APIView):
    @extend_schema(responses=BatchOut, summary="A batch with its progress per status and category")
    def get(self, request, batch_id: int):
        return Response(BatchOut(_batch(request, batch_id)).data)


class BatchCancelApi(APIView):
    @extend_schema(
        request=OpenApiTypes.OBJECT,  # nothing is read: the batch's open tasks are cancelled
        responses=CancelOut,
        summary="Cancel a batch's untouched tasks",
    )
    def post(self, request, batch_id: int):
        batch = _batch(request, batch_id)
        policy.require(policy.can_cancel_batch(request.user, batch))
        batch, cancelled = services.batch_tasks_cancel(batch=batch, by=request.user)
        batch = _batch(request, batch.pk)
        return Response({"cancelled": cancelled, "batch": BatchOut(batch).data})
