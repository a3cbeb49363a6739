"""The label schema through the API: region types, their attributes, and annotation checks.

Planners change the schema (each change is a spec version); in-house readers read it; vendors
see no dataset, so every URL here is a 404 for them.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.schema import ErrorOut
from datasets import policy, selectors, services
from datasets.models import AttributeDef, RegionType


class AttributeOut(serializers.ModelSerializer):
    class Meta:
        model = AttributeDef
        fields = ["id", "name", "kind", "required", "choices"]


class RegionTypeOut(serializers.ModelSerializer):
    parents = serializers.SerializerMethodField()
    attributes = AttributeOut(many=True, read_only=True)

    class Meta:
        model = RegionType
        fields = ["id", "slug", "name", "top_level", "parents", "attributes"]

    def get_parents(self, region_type: RegionType) -> list[str]:
        """Slugs of the types a region of this type may nest in."""
        return sorted(parent.slug for parent in region_type.parents.all())


class RegionTypeIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=50)
    top_level = serializers.BooleanField(required=False, default=True)
    parents = serializers.ListField(
        child=serializers.SlugField(max_length=50),
        required=False,
        default=list,
        help_text="Slugs of the types a region of this type may nest in.",
    )


class RegionTypeChangeIn(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    top_level = serializers.BooleanField(required=False)
    parents = serializers.ListField(
        child=serializers.SlugField(max_length=50),
        required=False,
        help_text="Slugs of the types a region of this type may nest in.",
    )


class AttributeIn(serializers.Serializer):
    name = serializers.SlugField(max_length=50)
    kind = serializers.ChoiceField(choices=AttributeDef.Kind.choices)
    required = serializers.BooleanField(required=False, default=False)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )


class AttributeChangeIn(serializers.Serializer):
    name = serializers.SlugField(max_length=50, required=False)
    kind = serializers.ChoiceField(choices=AttributeDef.Kind.choices, required=False)
    required = serializers.BooleanField(required=False)
    choices = serializers.ListField(child=serializers.CharField(max_length=100), required=False)


class AnnotationValidateIn(serializers.Serializer):
    annotation = serializers.JSONField(help_text="The canonical annotation (see DESIGN.md).")
    width = serializers.IntegerField(min_value=1, help_text="Image width in pixels.")
    height = serializers.IntegerField(min_value=1, help_text="Image height in pixels.")


class AnnotationOut(serializers.Serializer):
    regions = serializers.ListField(child=serializers.DictField())
    categories = serializers.DictField(child=serializers.CharField())


def _editable(request, dataset_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    return dataset


def _type_out(region_type: RegionType) -> dict:
    fresh = selectors.region_type_list(dataset=region_type.dataset).get(pk=region_type.pk)
    return RegionTypeOut(fresh).data


class SchemaApi(APIView):
    @extend_schema(
        responses=RegionTypeOut(many=True),
        summary="The label schema: region types with where they nest and their attributes",
    )
    def get(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        types = selectors.region_type_list(dataset=dataset)
        return Response(RegionTypeOut(types, many=True).data)


class RegionTypeListApi(APIView):
    @extend_schema(request=RegionTypeIn, responses={201: RegionTypeOut}, summary="Add a type")
    def post(self, request, dataset_id: int):
        dataset = _editable(request, dataset_id)
        data = RegionTypeIn(data=request.data)
        data.is_valid(raise_exception=True)
        region_type = services.region_type_create(
            dataset=dataset, by=request.user, **data.validated_data
        )
        return Response(_type_out(region_type), status=status.HTTP_201_CREATED)


class RegionTypeDetailApi(APIView):
    def _region_type(self, request, dataset_id: int, type_id: int) -> RegionType:
        dataset = policy.dataset_for(request.user, dataset_id)
        region_type = get_object_or_404(dataset.region_types, pk=type_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        return region_type

    @extend_schema(
        request=RegionTypeChangeIn,
        responses=RegionTypeOut,
        summary="Rename a type or change where it may sit (kept in the spec history)",
    )
    def patch(self, request, dataset_id: int, type_id: int):
        region_type = self._region_type(request, dataset_id, type_id)
        data = RegionTypeChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        region_type = services.region_type_update(
            region_type=region_type, by=request.user, **data.validated_data
        )
        return Response(_type_out(region_type))

    @extend_schema(
        request=None,
        responses={204: None, 409: ErrorOut},
        summary="Delete a type no stage uses and no ground truth holds",
    )
    def delete(self, request, dataset_id: int, type_id: int):
        region_type = self._region_type(request, dataset_id, type_id)
        services.region_type_delete(region_type=region_type, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttributeListApi(APIView):
    @extend_schema(
        request=AttributeIn, responses={201: AttributeOut}, summary="Add an attribute to a type"
    )
    def post(self, request, dataset_id: int, type_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        region_type = get_object_or_404(dataset.region_types, pk=type_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        data = AttributeIn(data=request.data)
        data.is_valid(raise_exception=True)
        attribute = services.attribute_create(
            region_type=region_type, by=request.user, **data.validated_data
        )
        return Response(AttributeOut(attribute).data, status=status.HTTP_201_CREATED)


class AttributeDetailApi(APIView):
    def _attribute(self, request, dataset_id: int, attr_id: int) -> AttributeDef:
        dataset = policy.dataset_for(request.user, dataset_id)
        attribute = get_object_or_404(
            AttributeDef.objects.select_related("region_type__dataset").filter(
                region_type__dataset=dataset
            ),
            pk=attr_id,
        )
        policy.require(policy.can_edit_dataset(request.user, dataset))
        return attribute

    @extend_schema(
        request=AttributeChangeIn,
        responses=AttributeOut,
        summary="Change an attribute (kept in the spec history)",
    )
    def patch(self, request, dataset_id: int, attr_id: int):
        attribute = self._attribute(request, dataset_id, attr_id)
        data = AttributeChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        attribute = services.attribute_update(
            attribute=attribute, by=request.user, **data.validated_data
        )
        return Response(AttributeOut(attribute).data)

    @extend_schema(
        request=None,
        responses={204: None, 409: ErrorOut},
        summary="Delete an attribute no stage outputs and no ground truth carries",
    )
    def delete(self, request, dataset_id: int, attr_id: int):
        attribute = self._attribute(request, dataset_id, attr_id)
        services.attribute_delete(attribute=attribute, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnnotationValidateApi(APIView):
    @extend_schema(
        request=AnnotationValidateIn,
        responses=AnnotationOut,
        summary="Check an annotation against the schema and image size; get it normalised",
    )
    def post(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        data = AnnotationValidateIn(data=request.data)
        data.is_valid(raise_exception=True)
        annotation = services.annotation_validate(dataset=dataset, **data.validated_data)
        return Response(annotation)
