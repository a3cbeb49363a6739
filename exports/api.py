"""Exports through the API: request one (202), follow its progress, download the zip; cancel
a running one (``DELETE``) or retry a failed or cancelled one (a new export, 202)."""

import base64

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.files import FileApiView, StoredFile, stored_file_response
from datasets import selectors as dataset_selectors
from exports import policy, selectors, services
from exports.models import Export


class ExportOut(serializers.ModelSerializer):
    stage = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.CharField(source="created_by.username", default=None)
    download = serializers.SerializerMethodField()
    percent = serializers.IntegerField(
        read_only=True, help_text="Whole percent of the items written; 100 only once done."
    )
    cancelled_by = serializers.CharField(source="cancelled_by.username", default=None)
    retry_of = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The failed or cancelled export this one retries."
    )
    retried_as = serializers.SerializerMethodField(
        help_text="The export that retries this one, once it was retried."
    )

    class Meta:
        model = Export
        fields = [
            "id",
            "stage",
            "splits",
            "format",
            "images",
            "status",
            "total",
            "done",
            "percent",
            "chunks_total",
            "chunks_done",
            "sha256",
            "size",
            "error",
            "download",
            "created_by",
            "created_at",
            "finished_at",
            "cancelled_by",
            "retry_of",
            "retried_as",
        ]

    def get_retried_as(self, export) -> int | None:
        retry = getattr(export, "retried_as", None)  # none yet: the accessor raises
        return retry.pk if retry is not None else None

    def get_download(self, export) -> str | None:
        if export.status != Export.Status.DONE:
            return None
        return reverse("datasets-api:export-download", args=[export.dataset_id, export.pk])


class ExportIn(serializers.Serializer):
    stage = serializers.SlugField(help_text="The slug of the stage whose pairs to export.")
    splits = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Default: train, val, test."
    )
    format = serializers.CharField(required=False, help_text="Default: the stage's first.")
    images = serializers.ChoiceField(choices=Export.Images.choices, required=False)


class ExportListApi(ListAPIView):
    serializer_class = ExportOut

    @extend_schema(summary="The dataset's exports, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        dataset = policy.dataset_for(self.request.user, self.kwargs["dataset_id"])
        return selectors.export_list(dataset=dataset)

    @extend_schema(
        request=ExportIn,
        responses={202: ExportOut},
        summary="Request an export of one stage's pairs",
        description="A worker builds the zip; follow `done` of `total` and `status` at "
        "`…/exports/{export_id}/`, then fetch `download`.",
    )
    def post(self, request, dataset_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        policy.require(policy.can_request_export(request.user, dataset))
        data = ExportIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        stage = dataset_selectors.stage_get(dataset=dataset, slug=fields.pop("stage"))
        export = services.export_request(dataset=dataset, stage=stage, by=request.user, **fields)
        return Response(ExportOut(export).data, status=status.HTTP_202_ACCEPTED)


def _export_for(request, dataset_id: int, export_id: int) -> Export:
    dataset = policy.dataset_for(request.user, dataset_id)
    return get_object_or_404(selectors.export_list(dataset=dataset), pk=export_id)


class ExportDetailApi(APIView):
    @extend_schema(responses=ExportOut, summary="One export: its progress and result")
    def get(self, request, dataset_id: int, export_id: int):
        return Response(ExportOut(_export_for(request, dataset_id, export_id)).data)

    @extend_schema(
        request=None,
        responses=ExportOut,
        summary="Cancel a running export",
        description="The export and its running chunks end `cancelled` and their parts are "
        "removed; a worker still building a chunk stops at its next heartbeat and stores "
        "nothing. The row stays (it is not deleted). The requester and planners may cancel; "
        "a finished export is 409 `export_finished`.",
    )
    def delete(self, request, dataset_id: int, export_id: int):
        export = _export_for(request, dataset_id, export_id)
        policy.require(policy.can_cancel_export(request.user, export))
        export = services.export_cancel(export=export, by=request.user)
        return Response(ExportOut(export).data)


class ExportRetryApi(APIView):
    @extend_schema(
        request=OpenApiTypes.OBJECT,  # nothing is read: a retry repeats the export's request
        responses={202: ExportOut},
        summary="Retry a failed or cancelled export",
        description="Requests a new export with the same stage, splits, format and images "
        "(its `retry_of` names this one; this one's `retried_as` names it), pinned to the "
        "ground truth current now; send no body (or `{}`). The requester and planners may "
        "retry; 409 for a running or done export (`export_not_retryable`) or one already "
        "retried (`export_retried`).",
    )
    def post(self, request, dataset_id: int, export_id: int):
        export = _export_for(request, dataset_id, export_id)
        policy.require(policy.can_retry_export(request.user, export))
        retry = services.export_retry(export=export, by=request.user)
        return Response(ExportOut(retry).data, status=status.HTTP_202_ACCEPTED)


class ExportDownloadApi(FileApiView):
    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            (206, "application/zip"): OpenApiTypes.BINARY,
            302: None,
            304: None,
        },
        summary="Download a finished export",
        description="Streams the zip, permission-checked, with `ETag` (its SHA-256) and byte "
        "ranges (`Range` → 206, to resume); on S3 storage, redirects (302) to a signed URL "
        "valid for `STORAGE_URL_EXPIRE` seconds. Headers (RFC 9530) `Repr-Digest` and, on a "
        "200, `Content-Digest`: `sha-256=:<base64>:`, the same SHA-256 as the export's "
        "`sha256` (hex).",
    )
    def get(self, request, dataset_id: int, export_id: int):
        dataset = policy.dataset_for(request.user, dataset_id)
        export = get_object_or_404(dataset.exports, pk=export_id)
        if export.status != Export.Status.DONE or not export.file:
            message = _("Export %(id)s is not finished yet.")
            if export.status in (Export.Status.FAILED, Export.Status.CANCELLED):
                message = _("Export %(id)s is %(status)s: there is no zip; retry it to build one.")
            raise DomainError(
                message % {"id": export.pk, "status": export.get_status_display().lower()},
                code="export_not_ready",
                status=409,
            )
        file = StoredFile(
            name=export.file.name,
            content_type="application/zip",
            filename=f"{dataset.pk}-{getattr(export.stage, 'slug', 'stage')}-{export.pk}.zip",
            disposition="attachment",
            etag=export.sha256,
        )
        response = stored_file_response(request, file, storage=export.file.storage)
        # RFC 9530: Repr-Digest is the whole zip's; Content-Digest that of this body, which
        # is the whole zip only in a 200 (a 206 carries a part, a redirect none).
        digest = f"sha-256=:{base64.b64encode(bytes.fromhex(export.sha256)).decode()}:"
        if response.status_code in (200, 206):
            response["Repr-Digest"] = digest
        if response.status_code == 200:
            response["Content-Digest"] = digest
        return response
