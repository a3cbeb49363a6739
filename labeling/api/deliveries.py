"""A batch's annotations delivered as a file, by vendors that label in their own tools: the
upload, its progress, and what became of each line.

The batch is found through the labeling policy (another vendor's is a 404); only the
managers of the batch's vendor deliver, and they and the in-house team read (403 for the
rest who see the batch)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.pagination import IdCursorPagination
from core.parsers import ClientNameMultiPartParser, client_file_name
from core.schema import ErrorOut
from labeling import policy, selectors, services
from labeling.models import Batch, Delivery, DeliveryLine

#: Where a delivery stands, as the API and the pages say it.
DELIVERY_STATES = ["queued", "running", "done", "failed"]


class DeliveryOut(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    delivered_by = serializers.CharField(source="created_by.username", default=None)
    percent = serializers.IntegerField(help_text="Whole percent of the file read.")
    lines = serializers.IntegerField(source="lines_read", help_text="Lines read so far.")

    class Meta:
        model = Delivery
        fields = ["id", "batch", "file_name", "size", "status", "error", "percent", "lines",
                  "accepted", "refused", "delivered_by", "created_at", "finished_at"]  # fmt: skip

    @extend_schema_field(serializers.ChoiceField(choices=DELIVERY_STATES))
    def get_status(self, delivery: Delivery) -> str:
        return delivery.state


class DeliveryLineOut(serializers.ModelSerializer):
    task = serializers.IntegerField(source="task_ref", allow_null=True)
    fields = serializers.DictField(
        child=serializers.CharField(), help_text='What is wrong where, e.g. "regions.r2.bbox".'
    )

    class Meta:
        model = DeliveryLine
        fields = ["number", "task", "outcome", "code", "message", "fields", "version"]


class DeliveryIn(serializers.Serializer):
    file = serializers.FileField(
        help_text='JSON lines, one task a line: {"task": id, "annotation": {…}, "version": n}.'
    )


def _batch(request, batch_id: int) -> Batch:
    return get_object_or_404(
        policy.batches_visible_to(request.user).select_related("vendor"), pk=batch_id
    )


def _delivery(request, delivery_id: int) -> Delivery:
    """The delivery, if the user may read its batch's deliveries: 404 when they do not see
    the batch, 403 when they see it but not its deliveries."""
    delivery = get_object_or_404(
        policy.deliveries_visible_to(request.user).select_related("batch", "created_by"),
        pk=delivery_id,
    )
    policy.require(policy.can_read_deliveries(request.user, delivery.batch))
    return delivery


class BatchDeliveryListApi(APIView):
    parser_classes = [ClientNameMultiPartParser, FormParser]

    @extend_schema(responses=DeliveryOut(many=True), summary="A batch's deliveries, newest first")
    def get(self, request, batch_id: int):
        batch = _batch(request, batch_id)
        policy.require(policy.can_read_deliveries(request.user, batch))
        deliveries = selectors.delivery_list(deliveries=batch.deliveries.all())
        return Response(DeliveryOut(deliveries, many=True).data)

    @extend_schema(
        request={"multipart/form-data": DeliveryIn},
        responses={202: DeliveryOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 413: ErrorOut},
        summary="Deliver the batch's annotations as a file of JSON lines",
        description=(
            "The managers of the batch's vendor send `file`: JSON lines in the canonical "
            'format, one task a line, `{"task": 17, "annotation": {…}, "version": 2}` '
            "(`version` optional: when given it must be the task's current annotation "
            "version). The answer is 202: a worker checks each line as a submit in the tool "
            "is checked and submits the good lines' tasks; the delivery shows its progress "
            "and counts until it is `done`, and each line's outcome is read from "
            "`GET /api/v1/deliveries/{id}/lines/`. A file over `DELIVERY_MAX_BYTES` is a "
            "413; a line over `DELIVERY_MAX_LINE_BYTES` is refused as that line."
        ),
    )
    def post(self, request, batch_id: int):
        batch = _batch(request, batch_id)
        policy.require(policy.can_deliver(request.user, batch))
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        services.delivery_size_check(declared)  # before the body is read
        file = request.FILES.get("file")
        if file is None:
            message = _("Send the file of JSON lines as “file”.")
            raise DomainError(message, code="nothing_to_deliver", fields={"file": message})
        delivery = services.delivery_create(
            batch=batch, file=file, name=client_file_name(file), by=request.user
        )
        return Response(DeliveryOut(delivery).data, status=status.HTTP_202_ACCEPTED)


class DeliveryDetailApi(APIView):
    @extend_schema(responses=DeliveryOut, summary="One delivery: its progress and counts")
    def get(self, request, delivery_id: int):
        return Response(DeliveryOut(_delivery(request, delivery_id)).data)


class LinePagination(IdCursorPagination):
    ordering = "number"


class DeliveryLineListApi(ListAPIView):
    serializer_class = DeliveryLineOut
    pagination_class = LinePagination

    @extend_schema(
        summary="What became of each line of a delivery, in file order",
        description=(
            "`accepted` (the task was submitted; `version` is its annotation's) or `refused` "
            "with a `code`, a `message` and the `fields` it names (`regions.r2.bbox`, …). "
            "Blank lines are not reported."
        ),
        parameters=[OpenApiParameter("outcome", enum=DeliveryLine.Outcome.values, required=False)],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        delivery = _delivery(self.request, self.kwargs["delivery_id"])
        outcome = self.request.query_params.get("outcome")
        if outcome and outcome not in DeliveryLine.Outcome.values:
            raise DomainError(
                _("“%(value)s” is not an outcome.") % {"value": outcome},
                code="bad_filter",
                fields={"outcome": _("One of accepted, refused.")},
            )
        return selectors.delivery_line_list(delivery=delivery, outcome=outcome or None)
