"""Items through the API: browse with filters, read one with its history, set categories."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.schema import ErrorOut
from datasets import policy, selectors, services
from datasets.models import CategoryChange, GroundTruthVersion, Item, ItemEvent, Split
from datasets.services.categories import INLINE_LIMIT

#: Query parameters that page a list rather than filter it.
PAGING = ("cursor", "page_size", "format")
#: Items one bulk request may name by id; larger selections go by filter.
BULK_IDS_MAX = 10_000


def item_file_url(item: Item, kind: str) -> str:
    return reverse("datasets:item-file", args=[item.dataset_id, item.pk, kind])


class ItemOut(serializers.ModelSerializer):
    # A plain string in the schema: an enum named "status" would collide with the upload's.
    status = serializers.CharField(
        read_only=True, help_text="One of: " + ", ".join(Item.Status.values) + "."
    )
    categories = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()
    rendition = serializers.SerializerMethodField()
    image = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = [
            "id",
            "sha256",
            "width",
            "height",
            "status",
            "split",
            "processing",
            "categories",
            "original_name",
            "created_at",
            "thumbnail",
            "rendition",
            "image",
        ]

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_categories(self, item: Item) -> dict[str, str]:
        """The item's category per axis: ``{"capture": "shadow"}``."""
        return selectors.item_categories(item)

    def get_thumbnail(self, item: Item) -> str:
        return item_file_url(item, "thumbnail")

    def get_rendition(self, item: Item) -> str:
        return item_file_url(item, "rendition")

    def get_image(self, item: Item) -> str:
        return item_file_url(item, "image")


class ItemEventOut(serializers.ModelSerializer):
    """One line of history: ``kind`` and ``params`` say what happened; ``summary`` is the
    line in the request's language."""

    by = serializers.CharField(source="by.username", default=None)
    summary = serializers.CharField(read_only=True)

    class Meta:
        model = ItemEvent
        fields = ["at", "by", "kind", "params", "summary"]


class GroundTruthVersionOut(serializers.ModelSerializer):
    """One version's provenance (``datasets.services.truth`` names each field)."""

    version = serializers.IntegerField(source="number")
    accepted_by = serializers.CharField(source="accepted_by.username", default=None)

    class Meta:
        model = GroundTruthVersion
        fields = [
            "version",
            "source",
            "source_ref",
            "task_id",
            "annotation_id",
            "annotation_version",
            "guide_version_ids",
            "spec_version",
            "types",
            "base_version",
            "accepted_by",
            "accepted_at",
        ]


class GroundTruthOut(GroundTruthVersionOut):
    """The current version: its provenance and annotation."""

    class Meta(GroundTruthVersionOut.Meta):
        fields = ["annotation", *GroundTruthVersionOut.Meta.fields]


class ItemDetailOut(ItemOut):
    original = serializers.SerializerMethodField()
    upload = serializers.IntegerField(source="upload_id", allow_null=True)
    events = ItemEventOut(many=True, read_only=True)
    ground_truth = serializers.SerializerMethodField()
    ground_truth_versions = GroundTruthVersionOut(
        source="truth_versions", many=True, read_only=True
    )

    class Meta(ItemOut.Meta):
        fields = [
            *ItemOut.Meta.fields,
            "original",
            "upload",
            "events",
            "ground_truth",
            "ground_truth_versions",
        ]

    def get_original(self, item: Item) -> str:
        return item_file_url(item, "original")

    @extend_schema_field(GroundTruthOut(allow_null=True))
    def get_ground_truth(self, item: Item) -> dict | None:
        truth = item.ground_truth
        return GroundTruthOut(truth).data if truth is not None else None


class CategoryChangesField(serializers.DictField):
    child = serializers.CharField(allow_null=True, allow_blank=True, max_length=50)


class ItemChangeIn(serializers.Serializer):
    categories = CategoryChangesField(
        help_text='Per axis, the category to set or null to clear: {"capture": "shadow"}.'
    )


class ItemCategoriesBulkIn(serializers.Serializer):
    filters = serializers.DictField(
        required=False, help_text="The same filters as the item list, as an object."
    )
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=BULK_IDS_MAX,
        help_text="Item ids, instead of filters.",
    )
    set = CategoryChangesField(
        help_text='Per axis, the category to set or null to clear: {"capture": "shadow"}.'
    )


class ItemCategoriesBulkOut(serializers.Serializer):
    changed = serializers.IntegerField(help_text="Items whose categories changed.")


FILTER_PARAMETERS = [
    OpenApiParameter(
        "category",
        str,
        many=True,
        description='"axis=slug", "axis=" (no category on the axis) or a category id; '
        "repeat it: AND across axes, OR within one.",
    ),
    OpenApiParameter("status", enum=Item.Status.values, many=True),
    OpenApiParameter(
        "split", enum=[value for value in Split.values if value] + ["unassigned"], many=True
    ),
    OpenApiParameter("processing", enum=Item.Processing.values, many=True),
    OpenApiParameter("uploaded_after", str, description="ISO 8601; created at or after."),
    OpenApiParameter("uploaded_before", str, description="ISO 8601; created before."),
    OpenApiParameter("upload", int, description="Items of one upload."),
]


class ItemListApi(ListAPIView):
    serializer_class = ItemOut

    @extend_schema(
        summary="The dataset's items, newest first, filtered and cursor-paged",
        parameters=FILTER_PARAMETERS,
        responses={200: ItemOut(many=True), 400: ErrorOut},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        dataset = policy.dataset_for(self.request.user, self.kwargs["dataset_id"])
        filters = selectors.filter_params(self.request.query_params, ignore=PAGING)
        return selectors.item_list(dataset=dataset, filters=filters)


class ItemDetailApi(APIView):
    def _item(self, request, dataset_id: int, item_id: int) -> Item:
        dataset = policy.dataset_for(request.user, dataset_id)
        item = selectors.item_detail(dataset=dataset, item_id=item_id)
        if item is None:
            raise DomainError(_("Not found."), code="not_found", status=404)
        return item

    @extend_schema(
        responses=ItemDetailOut, summary="One item with its history and ground truth, if any"
    )
    def get(self, request, dataset_id: int, item_id: int):
        return Response(ItemDetailOut(self._item(request, dataset_id, item_id)).data)

    @extend_schema(
        request=ItemChangeIn,
        responses={200: ItemDetailOut, 400: ErrorOut},
        summary="Set or clear the item's category per axis",
    )
    def patch(self, request, dataset_id: int, item_id: int):
        item = self._item(request, dataset_id, item_id)
        policy.require(policy.can_edit_dataset(request.user, item.dataset))
        data = ItemChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.item_categories_set(
            item=item, changes=data.validated_data["categories"], by=request.user
        )
        return Response(ItemDetailOut(self._item(request, dataset_id, item_id)).data)


class CategoryChangeOut(serializers.ModelSerializer):
    class Meta:
        model = CategoryChange
        fields = ["id", "status", "total", "done", "changed", "error", "created_at", "finished_at"]


class ItemCategoriesBulkApi(APIView):
    @extend_schema(
        request=ItemCategoriesBulkIn,
        responses={200: CategoryChangeOut, 202: CategoryChangeOut, 400: ErrorOut},
        summary="Set or clear a category on every item of a selection",
        description=(
            "Select items by `filters` (the item list's filters, as an object) or by `items` "
            "(ids), not both. Every item of the selection gets the categories of `set`. Up to "
            f"{INLINE_LIMIT} items change at once (200, `changed` counts them); a larger "
            "selection is changed by a worker (202): follow `done` of `total` at "
            "`…/items/categories/{change_id}/`. An unknown axis or category changes nothing."
        ),
    )
    def post(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        data = ItemCategoriesBulkIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if ("filters" in fields) == ("items" in fields):
            raise DomainError(
                _("Select the items by filters or by ids, not both and not neither."),
                code="no_selection",
                fields={"items": _("Give filters or item ids.")},
            )
        if "items" in fields:
            ids = set(fields["items"])
            known = set(dataset.items.filter(pk__in=ids).values_list("pk", flat=True))
            if unknown := sorted(ids - known):
                raise DomainError(
                    _("This dataset has no item %(ids)s.")
                    % {"ids": ", ".join(str(pk) for pk in unknown[:10])},
                    code="unknown_item",
                    fields={"items": _("Unknown item ids.")},
                )
            selection = {"items": sorted(ids)}
        else:
            filters = selectors.filter_params(fields["filters"])
            selectors.item_list(dataset=dataset, filters=filters)  # bad filters: 400 now
            selection = {"filters": filters}
        change = services.category_change_request(
            dataset=dataset, selection=selection, changes=fields["set"], by=request.user
        )
        done = change.status != CategoryChange.Status.RUNNING
        return Response(
            CategoryChangeOut(change).data,
            status=status.HTTP_200_OK if done else status.HTTP_202_ACCEPTED,
        )


class CategoryChangeDetailApi(APIView):
    @extend_schema(responses=CategoryChangeOut, summary="How far a category change has come")
    def get(self, request, dataset_id: int, change_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        change = get_object_or_404(dataset.category_changes, pk=change_id)
        return Response(CategoryChangeOut(change).data)
