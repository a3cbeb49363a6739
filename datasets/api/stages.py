"""The model pipeline over the API: stages, their input and output by slug, their requirements.

Region types are named by slug (``"input_type": "formula"``) and the output attribute by its
name on the type that carries it (``"output_attribute": "latex"``): the input type when the
stage outputs an attribute, the output type when its boxes carry one.
"""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from datasets import policy, selectors, services
from datasets.api.spec import decision_in
from datasets.models import Dataset, Stage
from datasets.selectors import REQUIREMENT_FIELDS
from datasets.serializers import DecisionRefOut
from datasets.services.stages import EXPORT_FORMATS

ALL_FORMATS = sorted({name for names in EXPORT_FORMATS.values() for name in names})


class StageOut(serializers.ModelSerializer):
    input_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    output_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    output_attribute = serializers.SlugRelatedField(slug_field="name", read_only=True)
    export_formats = serializers.SerializerMethodField()
    decision = DecisionRefOut(read_only=True, allow_null=True)

    class Meta:
        model = Stage
        fields = [
            "id",
            "name",
            "slug",
            "position",
            "input_kind",
            "input_type",
            "padding",
            "padding_unit",
            "output_kind",
            "output_type",
            "output_attribute",
            "export_formats",
            *REQUIREMENT_FIELDS,
            "decision",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(ALL_FORMATS)))
    def get_export_formats(self, stage: Stage) -> list[str]:
        return list(stage.export_formats)


class StageIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=50)
    input_kind = serializers.ChoiceField(Stage.Input.choices)
    input_type = serializers.SlugField(required=False, allow_null=True, default=None)
    padding = serializers.FloatField(required=False, default=0)
    padding_unit = serializers.ChoiceField(
        Stage.PaddingUnit.choices, required=False, default=Stage.PaddingUnit.PIXELS
    )
    output_kind = serializers.ChoiceField(Stage.Output.choices)
    output_type = serializers.SlugField(required=False, allow_null=True, default=None)
    output_attribute = serializers.SlugField(required=False, allow_null=True, default=None)
    export_formats = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, default=list
    )
    latency_ms = serializers.IntegerField(required=False, allow_null=True)
    latency_offline = serializers.CharField(max_length=200, required=False, allow_blank=True)
    latency_online = serializers.CharField(max_length=200, required=False, allow_blank=True)
    metric = serializers.CharField(max_length=100, required=False, allow_blank=True)
    metric_target = serializers.FloatField(required=False, allow_null=True)
    online_measure = serializers.CharField(max_length=200, required=False, allow_blank=True)
    qps_target = serializers.FloatField(required=False, allow_null=True)
    serving = serializers.ChoiceField(Stage.Serving.choices, required=False, allow_blank=True)
    hardware_notes = serializers.CharField(required=False, allow_blank=True)
    budget = serializers.CharField(max_length=200, required=False, allow_blank=True)
    decision = serializers.IntegerField(required=False, allow_null=True, default=None)


class StageChangeIn(StageIn):
    """Any field of a stage; ``position`` (0 is first) moves it in the pipeline."""

    position = serializers.IntegerField(required=False, min_value=0)


def _resolve(dataset: Dataset, fields: dict, stage: Stage | None = None) -> dict:
    """Replace slugs and ids in validated data by the schema parts and decision they name."""
    for field in ("input_type", "output_type"):
        if fields.get(field) is not None:
            fields[field] = selectors.region_type_get(
                dataset=dataset, slug=fields[field], field=field
            )
    if fields.get("output_attribute") is not None:
        # An attribute output is an attribute of the input region; boxes may carry one of theirs.
        output_kind = fields.get("output_kind", stage.output_kind if stage else None)
        owner = "input_type" if output_kind == Stage.Output.ATTRIBUTE else "output_type"
        region_type = fields.get(owner, getattr(stage, owner) if stage else None)
        fields["output_attribute"] = (
            selectors.attribute_get(
                region_type=region_type, name=fields["output_attribute"], field="output_attribute"
            )
            if region_type is not None
            else None  # the service says which region type the stage lacks
        )
    decision_in(dataset, fields)
    return fields


class StageListApi(APIView):
    @extend_schema(
        responses=StageOut(many=True),
        summary="The model pipeline: each stage's input, output and requirements, in order",
    )
    def get(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        return Response(StageOut(selectors.stage_list(dataset=dataset), many=True).data)

    @extend_schema(request=StageIn, responses={201: StageOut}, summary="Add a stage at the end")
    def post(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        data = StageIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = _resolve(dataset, dict(data.validated_data))
        stage = services.stage_create(dataset=dataset, by=request.user, **fields)
        return Response(StageOut(stage).data, status=status.HTTP_201_CREATED)


class StageDetailApi(APIView):
    def _stage(self, request, dataset_id: int, stage_id: int) -> Stage:
        dataset = policy.dataset_for(request.user, dataset_id)
        return get_object_or_404(selectors.stage_list(dataset=dataset), pk=stage_id)

    @extend_schema(responses=StageOut, summary="One stage")
    def get(self, request, dataset_id: int, stage_id: int):
        return Response(StageOut(self._stage(request, dataset_id, stage_id)).data)

    @extend_schema(
        request=StageChangeIn(partial=True),
        responses=StageOut,
        summary="Change or move a stage (kept in the spec history)",
    )
    def patch(self, request, dataset_id: int, stage_id: int):
        stage = self._stage(request, dataset_id, stage_id)
        policy.require(policy.can_edit_dataset(request.user, stage.dataset))
        data = StageChangeIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = _resolve(stage.dataset, dict(data.validated_data), stage)
        position = fields.pop("position", None)
        with transaction.atomic():  # a refused move keeps the other changes out too
            if fields:
                stage = services.stage_update(stage=stage, by=request.user, **fields)
            if position is not None:
                stage = services.stage_move(stage=stage, position=position, by=request.user)
        return Response(StageOut(selectors.stage_list(dataset=stage.dataset).get(pk=stage.pk)).data)

    @extend_schema(request=None, responses={204: None}, summary="Remove a stage")
    def delete(self, request, dataset_id: int, stage_id: int):
        stage = self._stage(request, dataset_id, stage_id)
        policy.require(policy.can_edit_dataset(request.user, stage.dataset))
        services.stage_delete(stage=stage, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
