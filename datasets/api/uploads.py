"""Uploads through the API: many files in one request, or one zip a worker unpacks."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.parsers import ClientNameMultiPartParser, client_file_name
from core.schema import ErrorOut
from datasets import policy, selectors, services
from datasets.models import Upload, UploadEntry


def item_file_url(item, kind: str) -> str:
    return reverse("datasets:item-file", args=[item.dataset_id, item.pk, kind])


class UploadEntryOut(serializers.ModelSerializer):
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
            return item_file_url(entry.item, "thumbnail")
        return None


class UploadOut(serializers.ModelSerializer):
    status = serializers.ChoiceField(
        choices=Upload.Status.choices,
        read_only=True,
        help_text="receiving while a request registers its files; unpacking while a worker "
        "unpacks a zip; then done, or failed with `error`. `finished_at` says when it ended.",
    )
    entries_total = serializers.IntegerField(
        read_only=True,
        help_text="Files sent, or the files in the zip (known once unpacking starts).",
    )
    created_by = serializers.CharField(source="created_by.username", default=None)
    entries_done = serializers.IntegerField(read_only=True, default=0)
    added = serializers.IntegerField(read_only=True, default=0)
    duplicates = serializers.IntegerField(read_only=True, default=0)
    refused = serializers.IntegerField(read_only=True, default=0)
    processed = serializers.IntegerField(
        read_only=True, default=0, help_text="Added items whose thumbnail and rendition are made."
    )

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


class UploadResultOut(UploadOut):
    entries = serializers.SerializerMethodField()

    class Meta(UploadOut.Meta):
        fields = [*UploadOut.Meta.fields, "entries"]

    def get_entries(self, upload) -> list[dict]:
        return UploadEntryOut(self.context["entries"], many=True).data


class UploadIn(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="Image files (JPEG, PNG, WebP, HEIC).",
    )
    archive = serializers.FileField(
        required=False, help_text="One zip; folder names may carry categories."
    )
    categories = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text='Categories for every file: "axis=category" (or a slug unique across axes); '
        "repeat the field or separate them by commas.",
    )
    upload = serializers.IntegerField(
        required=False, help_text="Add these files to an earlier upload of this dataset."
    )


class UploadListApi(ListAPIView):
    serializer_class = UploadOut
    parser_classes = [ClientNameMultiPartParser, FormParser]

    @extend_schema(summary="The dataset's uploads, newest first, with their outcomes")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.upload_list(
            dataset=policy.dataset_for(self.request.user, self.kwargs["dataset_id"])
        )

    @extend_schema(
        request={"multipart/form-data": UploadIn},
        responses={201: UploadResultOut, 202: UploadOut, 400: ErrorOut, 413: ErrorOut},
        summary="Upload images, or a zip of them",
        description=(
            "Send `files` (one or many) to register them now: each gets an entry saying "
            "whether it was added, was a duplicate or was refused and why; the valid files "
            "are kept and the upload is `done`. If every file is refused the answer is 400 "
            "and nothing is kept. A file name is checked as the client sent it: control or "
            "text-direction characters, a backslash, a folder, `..` or more than 255 "
            "characters refuse the file. Send one `archive` (a zip) instead: its central "
            "directory is checked at once (entries, declared sizes: 400 naming the limit), "
            "then a worker unpacks it: the answer is 202 and the upload shows progress "
            "until it is `done` or `failed`.\n\n"
            "A worker then decodes every added file and makes its thumbnail and rendition. "
            "A file it cannot decode is removed and its entry turns to `refused` with the "
            "reason, so **a file's final outcome is read from the upload's entries** "
            "(`GET …/uploads/{upload_id}/entries/`), not from this answer. A body over "
            "`DATA_UPLOAD_MAX_MEMORY_SIZE` besides its files is a 413."
        ),
    )
    def post(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        policy.require(policy.can_edit_dataset(request.user, dataset))
        files = request.FILES.getlist("files")
        archive = request.FILES.get("archive")
        if bool(files) == bool(archive):
            raise DomainError(
                _("Send image files or one zip archive, not both and not neither."),
                code="nothing_to_upload",
                fields={"files": _("Files or an archive are required.")},
            )
        pairs = [part for value in request.data.getlist("categories") for part in value.split(",")]
        categories = services.categories_resolve(dataset=dataset, pairs=pairs)
        if archive is not None:
            upload = services.upload_archive_receive(
                dataset=dataset,
                archive=archive,
                name=client_file_name(archive),
                categories=categories,
                by=request.user,
            )
            upload = selectors.upload_detail(dataset=dataset, upload_id=upload.pk)
            return Response(UploadOut(upload).data, status=status.HTTP_202_ACCEPTED)
        earlier = None
        if request.data.get("upload"):
            earlier = dataset.uploads.filter(
                pk=request.data["upload"], kind=Upload.Kind.FILES
            ).first()
            if earlier is None:
                raise DomainError(
                    _("This dataset has no file upload %(id)s.") % {"id": request.data["upload"]},
                    code="unknown_upload",
                    fields={"upload": _("No such upload.")},
                )
        upload, entries = services.upload_files(
            dataset=dataset,
            files=[(client_file_name(file), file) for file in files],
            categories=categories,
            by=request.user,
            upload=earlier,
        )
        upload = selectors.upload_detail(dataset=dataset, upload_id=upload.pk)
        return Response(
            UploadResultOut(upload, context={"entries": entries}).data,
            status=status.HTTP_201_CREATED,
        )


class UploadDetailApi(APIView):
    @extend_schema(responses=UploadOut, summary="One upload: its progress and outcomes")
    def get(self, request, dataset_id: int, upload_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        upload = selectors.upload_detail(dataset=dataset, upload_id=upload_id)
        if upload is None:
            raise DomainError(_("Not found."), code="not_found", status=404)
        return Response(UploadOut(upload).data)


class UploadEntryListApi(ListAPIView):
    serializer_class = UploadEntryOut

    @extend_schema(
        summary="What became of each file of an upload, and the worker's progress on it",
        description=(
            "Each file's final outcome: `added` (and `processing` until the worker made its "
            "thumbnail), `duplicate`, or `refused` with a `code` and a `message`, including "
            "files the worker refused after the upload answered."
        ),
        parameters=[
            OpenApiParameter("outcome", enum=UploadEntry.Outcome.values, required=False),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        dataset = policy.dataset_for(self.request.user, self.kwargs["dataset_id"])
        upload = get_object_or_404(dataset.uploads, pk=self.kwargs["upload_id"])
        entries = selectors.upload_entry_list(upload=upload)
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
