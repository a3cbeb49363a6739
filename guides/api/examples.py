"""The API of a guide's examples: list and place them (an item of the dataset, or an
uploaded image), change, reorder and remove them.

Whoever may read the guide reads its examples; another dataset's guide is a 404. Planners
(and staff) write; anyone else who reads them gets a 403. A bad annotation is a 400 whose
``fields`` name each problem under ``annotation.…``; nothing is saved.
"""

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.parsers import ClientNameMultiPartParser, StrictJsonParser, client_file_name
from core.schema import ErrorOut
from guides import policy, selectors, services
from guides.models import Example

# --- serializers ------------------------------------------------------------------------


class ExampleOut(serializers.ModelSerializer):
    image = serializers.SerializerMethodField(help_text="The URL of the image it shows.")
    width = serializers.SerializerMethodField()
    height = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", default=None)
    annotation = serializers.JSONField(
        help_text="The canonical annotation drawn over the image (a snapshot)."
    )

    class Meta:
        model = Example
        fields = [
            "id",
            "guide",
            "verdict",
            "caption",
            "anchor",
            "position",
            "item",
            "attachment",
            "image",
            "width",
            "height",
            "annotation",
            "created_by",
            "created_at",
        ]

    def get_image(self, example: Example) -> str:
        return reverse("guides:example-image", args=[example.guide_id, example.pk])

    def _source(self, example: Example):
        return example.item if example.item_id else example.attachment

    def get_width(self, example: Example) -> int:
        return self._source(example).width

    def get_height(self, example: Example) -> int:
        return self._source(example).height


class ExampleIn(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Example.Verdict.choices)
    caption = serializers.CharField(max_length=500)
    anchor = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="A section's anchor, or empty."
    )
    item = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="An item of the dataset…"
    )
    image = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="…or an uploaded image."
    )
    annotation = serializers.JSONField(
        required=False,
        help_text=(
            "The canonical annotation to draw: an object (JSON body), or a JSON file or text "
            "(multipart). Needed for a bad example and an uploaded image; a good item's "
            "regions are its ground truth's."
        ),
    )


class ExampleChangeIn(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Example.Verdict.choices, required=False)
    caption = serializers.CharField(max_length=500, required=False)
    anchor = serializers.CharField(required=False, allow_blank=True)
    annotation = serializers.JSONField(required=False, help_text="New regions to draw.")


class ExampleOrderIn(serializers.Serializer):
    order = serializers.ListField(
        child=serializers.IntegerField(), help_text="Every example's id, once, in order."
    )


# --- views ------------------------------------------------------------------------------

_PARSERS = [StrictJsonParser, ClientNameMultiPartParser, FormParser]


def _fields_of(request) -> dict:
    """The request's fields but the annotation, which the service reads (a file, text or
    an object) and checks against the dataset's schema."""
    return {key: request.data.get(key) for key in request.data if key != "annotation"}


def _annotation_of(request):
    """The annotation as sent: a file part, or a field (an object in JSON, text in a form)."""
    if "annotation" in request.FILES:
        return request.FILES["annotation"]
    return request.data.get("annotation")


class ExampleListApi(APIView):
    parser_classes = _PARSERS

    @extend_schema(responses=ExampleOut(many=True), summary="A guide's examples, in order")
    def get(self, request, guide_id: int):
        guide = policy.guide_for(request.user, guide_id)
        policy.require(policy.can_view_guides(request.user))
        examples = selectors.example_list(guide).select_related("created_by")
        return Response(ExampleOut(examples, many=True).data)

    @extend_schema(
        request={"application/json": ExampleIn, "multipart/form-data": ExampleIn},
        responses={201: ExampleOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        summary="Place an example: an item of the dataset or an uploaded image",
    )
    def post(self, request, guide_id: int):
        guide = policy.guide_for(request.user, guide_id)
        policy.require(policy.can_edit_guides(request.user))
        data = ExampleIn(data=_fields_of(request))
        data.is_valid(raise_exception=True)
        values = data.validated_data
        image = values["image"]
        example = services.example_create(
            guide=guide,
            verdict=values["verdict"],
            caption=values["caption"],
            anchor=values["anchor"],
            item_id=values["item"],
            image=image,
            image_name=client_file_name(image) if image else "",
            annotation=_annotation_of(request),
            by=request.user,
        )
        return Response(ExampleOut(example).data, status=status.HTTP_201_CREATED)


class ExampleDetailApi(APIView):
    parser_classes = _PARSERS

    def _example(self, request, guide_id: int, example_id: int) -> Example:
        guide = policy.guide_for(request.user, guide_id)
        policy.require(policy.can_view_guides(request.user))
        return get_object_or_404(selectors.example_list(guide), pk=example_id)

    @extend_schema(responses=ExampleOut, summary="One example")
    def get(self, request, guide_id: int, example_id: int):
        return Response(ExampleOut(self._example(request, guide_id, example_id)).data)

    @extend_schema(
        request=ExampleChangeIn,
        responses={200: ExampleOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        summary="Change an example's caption, verdict, section or regions",
    )
    def patch(self, request, guide_id: int, example_id: int):
        example = self._example(request, guide_id, example_id)
        policy.require(policy.can_edit_guides(request.user))
        data = ExampleChangeIn(data=_fields_of(request), partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        given = "annotation" in request.data or "annotation" in request.FILES
        example = services.example_update(
            example=example,
            caption=values.get("caption"),
            verdict=values.get("verdict"),
            anchor=values.get("anchor"),
            annotation=_annotation_of(request) if given else None,
            by=request.user,
        )
        return Response(ExampleOut(example).data)

    @extend_schema(
        request=None,
        responses={204: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
        summary="Remove an example (not one a published quiz asks about)",
    )
    def delete(self, request, guide_id: int, example_id: int):
        example = self._example(request, guide_id, example_id)
        policy.require(policy.can_edit_guides(request.user))
        services.example_delete(example=example)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExampleOrderApi(APIView):
    parser_classes = [StrictJsonParser]

    @extend_schema(
        request=ExampleOrderIn,
        responses={200: ExampleOut(many=True), 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
        summary="Put a guide's examples in a new order",
    )
    def post(self, request, guide_id: int):
        guide = policy.guide_for(request.user, guide_id)
        policy.require(policy.can_edit_guides(request.user))
        data = ExampleOrderIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.examples_reorder(guide=guide, order=data.validated_data["order"])
        return Response(ExampleOut(selectors.example_list(guide), many=True).data)


urlpatterns = [
    path("guides/<int:guide_id>/examples/", ExampleListApi.as_view(), name="example-list"),
    path("guides/<int:guide_id>/examples/order/", ExampleOrderApi.as_view(), name="example-order"),
    path(
        "guides/<int:guide_id>/examples/<int:example_id>/",
        ExampleDetailApi.as_view(),
        name="example-detail",
    ),
]
