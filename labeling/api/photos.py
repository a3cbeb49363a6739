"""Collection contracts through the API: a vendor's photos, uploaded and then accepted or
rejected one by one. The contract is found through ``vendors.policy``: another vendor's
contract, and every item that is not one of the contract's photos, is a 404; a labeling
contract lists no photos and takes none (400)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.files import FileApiView, stored_file_response
from core.parsers import ClientNameMultiPartParser, StrictJsonParser, client_file_name
from core.schema import ErrorOut
from datasets import selectors as dataset_selectors
from datasets import services as dataset_services
from datasets.models import Item, Upload, UploadEntry
from labeling import photo_selectors, policy, services
from vendors.models import Contract
from vendors.policy import contracts_visible_to


def contract_for(user, contract_id: int) -> Contract:
    """A contract the user sees; another vendor's is a 404. A labeling contract has no
    photos, and taking photos for one is a 400 (``photos_upload``)."""
    return get_object_or_404(contracts_visible_to(user).select_related("dataset"), pk=contract_id)


def photo_file_url(item: Item, kind: str) -> str:
    return reverse("labeling:photo-file", args=[item.contract_id, item.pk, kind])


class PhotoOut(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(
        help_text="pending (awaiting acceptance), accepted or rejected."
    )
    categories = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()
    uploaded_by = serializers.CharField(source="upload.created_by.username", default=None)

    class Meta:
        model = Item
        fields = [
            "id",
            "status",
            "categories",
            "original_name",
            "width",
            "height",
            "processing",
            "uploaded_by",
            "created_at",
            "thumbnail",
        ]

    def get_status(self, item: Item) -> str:
        return photo_selectors.photo_status(item)

    def get_categories(self, item: Item) -> dict[str, str]:
        """The photo's category per axis: ``{"capture": "shadow"}``."""
        names = self.context["categories"]
        found = [names[int(pk)] for pk in item.category_key.split(".") if pk and int(pk) in names]
        return {category.axis.slug: category.slug for category in found}

    def get_thumbnail(self, item: Item) -> str:
        return photo_file_url(item, "thumbnail")


class PhotoEntryOut(serializers.ModelSerializer):
    item = serializers.IntegerField(source="item_id", allow_null=True)
    processing = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = UploadEntry
        fields = ["id", "name", "outcome", "code", "message", "item", "processing", "thumbnail"]

    def get_processing(self, entry) -> str | None:
        return entry.item.processing if entry.item_id else None

    def get_thumbnail(self, entry) -> str | None:
        if entry.item_id and entry.item.thumbnail:
            return photo_file_url(entry.item, "thumbnail")
        return None


class PhotoUploadOut(serializers.ModelSerializer):
    """An upload of photos, in the shape of the datasets upload API (the page's script reads
    both)."""

    status = serializers.CharField(read_only=True, help_text="receiving, done or failed.")
    created_by = serializers.CharField(source="created_by.username", default=None)
    entries_done = serializers.IntegerField(read_only=True, default=0)
    added = serializers.IntegerField(read_only=True, default=0)
    duplicates = serializers.IntegerField(read_only=True, default=0)
    refused = serializers.IntegerField(read_only=True, default=0)
    processed = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Upload
        fields = [
            "id",
            "kind",
            "status",
            "archive_name",
            "categories",
            "entries_total",
            "entries_done",
            "added",
            "duplicates",
            "refused",
            "processed",
            "error",
            "created_by",
            "created_at",
            "finished_at",
        ]


class PhotoUploadResultOut(PhotoUploadOut):
    entries = serializers.SerializerMethodField()

    class Meta(PhotoUploadOut.Meta):
        fields = [*PhotoUploadOut.Meta.fields, "entries"]

    def get_entries(self, upload) -> list[dict]:
        return PhotoEntryOut(self.context["entries"], many=True).data


class PhotoUploadIn(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(), help_text="Photos (JPEG, PNG, WebP, HEIC)."
    )
    categories = serializers.ListField(
        child=serializers.CharField(),
        help_text='The photos\' categories, "axis=category", each named by a quota of the '
        "contract; repeat the field or separate them by commas.",
    )
    upload = serializers.IntegerField(
        required=False, help_text="Add these photos to an earlier upload of this contract."
    )


class PhotoReviewIn(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=1000,
        help_text="Ids of the contract's photos awaiting acceptance.",
    )
    accept = serializers.BooleanField(help_text="true accepts (and pays) them, false rejects.")


class PhotoReviewOut(serializers.Serializer):
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()
    items = PhotoOut(many=True)


def _upload_of(contract: Contract, upload_id) -> Upload | None:
    if not str(upload_id).isdigit() or len(str(upload_id)) > 18:
        return None
    return Upload.objects.filter(
        pk=int(upload_id), contract_id=contract.pk, kind=Upload.Kind.FILES
    ).first()


class PhotoListApi(ListAPIView):
    serializer_class = PhotoOut
    parser_classes = [ClientNameMultiPartParser, FormParser]

    @extend_schema(
        summary="A collection contract's photos, newest first",
        parameters=[
            OpenApiParameter("status", enum=photo_selectors.PHOTO_STATUSES, required=False)
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["categories"] = photo_selectors.photo_categories(contract=self.contract)
        return context

    def get_queryset(self):
        self.contract = contract_for(self.request.user, self.kwargs["contract_id"])
        wanted = self.request.query_params.get("status")
        if wanted and wanted not in photo_selectors.PHOTO_STATUSES:
            raise DomainError(
                _("“%(value)s” is not a photo status.") % {"value": wanted},
                code="bad_filter",
                fields={"status": _("One of pending, accepted, rejected.")},
            )
        return photo_selectors.photo_list(contract=self.contract, status=wanted or None)

    @extend_schema(
        request={"multipart/form-data": PhotoUploadIn},
        responses={201: PhotoUploadResultOut, 400: ErrorOut, 403: ErrorOut, 413: ErrorOut},
        summary="Upload photos into the contract's categories",
        description=(
            "The contract's vendor's members (and planners) send `files` with `categories` "
            "named by the contract's quotas. Each file gets an entry as on the dataset "
            "upload: added (awaiting acceptance), or refused and why; a photo already in "
            "the dataset, whatever its status, is refused as a duplicate. Refused whole, "
            "with the numbers, beyond a category's quota (photos accepted and awaiting "
            "acceptance), the contract's quantity or budget, or when the contract is "
            "closed or outside its dates."
        ),
    )
    def post(self, request, contract_id: int):
        contract = contract_for(request.user, contract_id)
        policy.require(policy.can_upload_photos(request.user, contract))
        files = request.FILES.getlist("files")
        if not files:
            raise DomainError(
                _("Send at least one photo."),
                code="nothing_to_upload",
                fields={"files": _("Files are required.")},
            )
        pairs = [part for value in request.data.getlist("categories") for part in value.split(",")]
        categories = dataset_services.categories_resolve(dataset=contract.dataset, pairs=pairs)
        earlier = None
        if request.data.get("upload"):
            earlier = _upload_of(contract, request.data["upload"])
            if earlier is None:
                raise DomainError(
                    _("This contract has no upload %(id)s.") % {"id": request.data["upload"]},
                    code="unknown_upload",
                    fields={"upload": _("No such upload.")},
                )
        upload, entries = services.photos_upload(
            contract=contract,
            files=[(client_file_name(file), file) for file in files],
            categories=categories,
            by=request.user,
            upload=earlier,
        )
        upload = dataset_selectors.upload_detail(dataset=contract.dataset, upload_id=upload.pk)
        return Response(
            PhotoUploadResultOut(upload, context={"entries": entries}).data,
            status=status.HTTP_201_CREATED,
        )


class PhotoUploadDetailApi(APIView):
    @extend_schema(responses=PhotoUploadOut, summary="One upload of the contract's photos")
    def get(self, request, contract_id: int, upload_id: int):
        contract = contract_for(request.user, contract_id)
        if _upload_of(contract, upload_id) is None:
            raise DomainError(_("Not found."), code="not_found", status=404)
        upload = dataset_selectors.upload_detail(dataset=contract.dataset, upload_id=upload_id)
        return Response(PhotoUploadOut(upload).data)


class PhotoUploadEntryListApi(ListAPIView):
    serializer_class = PhotoEntryOut

    @extend_schema(
        summary="What became of each photo of an upload",
        parameters=[
            OpenApiParameter("outcome", enum=UploadEntry.Outcome.values, required=False),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        contract = contract_for(self.request.user, self.kwargs["contract_id"])
        upload = _upload_of(contract, self.kwargs["upload_id"])
        if upload is None:
            raise DomainError(_("Not found."), code="not_found", status=404)
        entries = dataset_selectors.upload_entry_list(upload=upload)
        outcome = self.request.query_params.get("outcome")
        if outcome:
            if outcome not in UploadEntry.Outcome.values:
                raise DomainError(
                    _("“%(value)s” is not an outcome.") % {"value": outcome},
                    code="bad_filter",
                    fields={"outcome": _("One of added, duplicate, refused.")},
                )
            entries = entries.filter(outcome=outcome)
        return entries


class PhotoReviewApi(APIView):
    parser_classes = [StrictJsonParser]

    @extend_schema(
        request=PhotoReviewIn,
        responses={200: PhotoReviewOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
        summary="Accept or reject photos awaiting acceptance",
        description=(
            "Planners and reviewers. Each accepted photo is paid once, as one unit at the "
            "price in effect now, on the contract's ledger, and counts toward coverage from "
            "now on; a rejected one is kept, never paid, counted or exported. Photos not "
            "awaiting acceptance are a 409, nothing changed."
        ),
    )
    def post(self, request, contract_id: int):
        contract = contract_for(request.user, contract_id)
        policy.require(policy.can_review_photos(request.user))
        data = PhotoReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        accept = data.validated_data["accept"]
        reviewed = services.photos_review(
            contract=contract, items=data.validated_data["items"], accept=accept, by=request.user
        )
        context = {"categories": photo_selectors.photo_categories(contract=contract)}
        return Response(
            {
                "accepted": len(reviewed) if accept else 0,
                "rejected": 0 if accept else len(reviewed),
                "items": PhotoOut(reviewed, many=True, context=context).data,
            }
        )


class PhotoFileApi(FileApiView):
    @extend_schema(
        summary="A collected photo's file, for those who see its contract",
        description=(
            "As the item-file API of datasets: a vendor's members get the files of their "
            "own contract's photos (without metadata) and nothing of any other item."
        ),
        parameters=[OpenApiParameter("kind", enum=dataset_selectors.FILE_KINDS, location="path")],
        responses={
            (200, "image/*"): OpenApiTypes.BINARY,
            302: OpenApiResponse(description="On S3: the signed URL, in `Location`."),
            304: OpenApiResponse(description="Not modified since the `ETag` given."),
        },
    )
    def get(self, request, contract_id: int, item_id: int, kind: str):
        contract = contract_for(request.user, contract_id)
        item = get_object_or_404(
            policy.photos_visible_to(request.user).select_related("dataset"),
            pk=item_id,
            contract_id=contract.pk,
        )
        file = dataset_selectors.item_file(item=item, kind=kind, user=request.user)
        return stored_file_response(request, file)
