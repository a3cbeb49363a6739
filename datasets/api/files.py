"""An item's files for every role its dataset's policy lets see them: sessions and tokens."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from core.files import FileApiView, stored_file_response
from core.schema import ErrorOut
from datasets import policy, selectors


class ItemFileApi(FileApiView):
    @extend_schema(
        summary="One of an item's files: the original, upright image, rendition or thumbnail",
        description=(
            "The bytes, typed by the format the server decoded (`nosniff`, sandboxed), with an "
            "`ETag` (`If-None-Match` → 304) and single byte ranges (`Range` → 206; outside "
            "the file → 416). On S3 storage, a 302 to a signed URL that lives "
            "`STORAGE_URL_EXPIRE` seconds. A rendition or thumbnail not made yet is served "
            "by the next larger file. Works with a session or an API token; the image URLs "
            "of the items API and the `download` paths of an export's `files.jsonl` are this."
        ),
        parameters=[OpenApiParameter("kind", enum=selectors.FILE_KINDS, location="path")],
        responses={
            (200, "image/*"): OpenApiTypes.BINARY,
            (206, "image/*"): OpenApiTypes.BINARY,
            302: OpenApiResponse(description="On S3: the signed URL, in `Location`."),
            304: OpenApiResponse(description="Not modified since the `ETag` given."),
            416: ErrorOut,
        },
    )
    def get(self, request, dataset_id: int, item_id: int, kind: str):
        dataset = policy.dataset_for(request.user, dataset_id)
        item = get_object_or_404(dataset.items, pk=item_id)
        file = selectors.item_file(item=item, kind=kind, user=request.user)
        return stored_file_response(request, file)
