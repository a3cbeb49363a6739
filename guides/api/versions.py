"""The API of guides and their versions: guides, the draft, its preview, publishing,
versions, comparing two of them, and attachments.

What the caller may not read is a 404 (another dataset's guide, a draft for a trainer is
not there at all); readable but not theirs to change is a 403. A stale draft save or publish
is a 409 whose ``error.current`` holds the text saved meanwhile, so nothing typed is lost.
"""

from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.schema import ErrorOut
from datasets.policy import datasets_visible_to
from guides import policy, services
from guides.models import Attachment, Guide, GuideVersion
from guides.selectors.versions import version_compare, version_for, version_list

# --- serializers ------------------------------------------------------------------------


class GuideOut(serializers.ModelSerializer):
    dataset_name = serializers.CharField(source="dataset.name")
    latest_version = serializers.SerializerMethodField()

    class Meta:
        model = Guide
        fields = ["id", "dataset", "dataset_name", "task_kind_id", "title", "latest_version"]

    def get_latest_version(self, guide: Guide) -> int | None:
        """The number of the newest published version; null before the first."""
        if hasattr(guide, "latest_number"):  # annotated by the list
            return guide.latest_number
        return guide.versions.order_by("-number").values_list("number", flat=True).first()


class GuideIn(serializers.Serializer):
    dataset = serializers.IntegerField(help_text="The dataset's id.")
    task_kind_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A task kind of the dataset (labeling's id) for a per-kind guide; "
        "leave it out for the dataset's own guide.",
    )
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )


class GuideDraftOut(serializers.Serializer):
    body = serializers.CharField(source="draft_body")
    revision = serializers.IntegerField(source="draft_revision")
    title = serializers.CharField()
    saved_at = serializers.DateTimeField(source="draft_saved_at")
    saved_by = serializers.CharField(source="draft_saved_by.username", default=None)


class GuideDraftIn(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)
    revision = serializers.IntegerField(
        min_value=1, help_text="The revision the text was edited from (from GET)."
    )
    title = serializers.CharField(required=False, max_length=200)


class GuidePreviewIn(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)


class GuidePreviewOut(serializers.Serializer):
    html = serializers.CharField(help_text="Sanitized HTML with the math typeset by KaTeX.")
    sections = serializers.ListField(child=serializers.DictField())
    formulas = serializers.IntegerField()
    formula_errors = serializers.ListField(child=serializers.DictField())


class GuidePublishIn(serializers.Serializer):
    revision = serializers.IntegerField(min_value=1, help_text="The draft revision to publish.")
    change_note = serializers.CharField(allow_blank=True, trim_whitespace=False)
    minor = serializers.BooleanField(
        default=False, help_text="A typo fix: annotators need not acknowledge it again."
    )
    drop_links = serializers.BooleanField(
        default=False,
        help_text="Publish even though sections that questions, FAQ entries or examples "
        "link to are gone (after a 409 anchors_dropped named them).",
    )


class GuideVersionOut(serializers.ModelSerializer):
    published_by = serializers.CharField(source="published_by.username", default=None)

    class Meta:
        model = GuideVersion
        fields = [
            "id",
            "guide",
            "number",
            "change_note",
            "minor",
            "pass_score",
            "published_by",
            "published_at",
        ]


class GuideVersionDetailOut(GuideVersionOut):
    url = serializers.SerializerMethodField()

    class Meta(GuideVersionOut.Meta):
        fields = [*GuideVersionOut.Meta.fields, "body", "html", "sections", "url"]

    def get_url(self, version: GuideVersion) -> str:
        """The version's page."""
        return reverse("guides:version-detail", args=[version.guide_id, version.number])


class GuideDiffPieceOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["same", "added", "removed"])
    text = serializers.CharField()


class GuideDiffRowOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["same", "added", "removed", "changed"])
    left = serializers.CharField(allow_null=True)
    right = serializers.CharField(allow_null=True)
    left_number = serializers.IntegerField(allow_null=True)
    right_number = serializers.IntegerField(allow_null=True)
    left_pieces = GuideDiffPieceOut(many=True)
    right_pieces = GuideDiffPieceOut(many=True)


class GuideCompareOut(serializers.Serializer):
    a = serializers.IntegerField()
    b = serializers.IntegerField()
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    changed = serializers.IntegerField()
    rows = GuideDiffRowOut(many=True)


class GuideAttachmentOut(serializers.ModelSerializer):
    markdown = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "width", "height", "uploaded_at", "markdown", "url"]

    def get_markdown(self, attachment: Attachment) -> str:
        """What to write in the guide to show it."""
        return f"![{attachment.name}](attachment:{attachment.pk})"

    def get_url(self, attachment: Attachment) -> str:
        return reverse("guides:attachment-file", args=[attachment.guide_id, attachment.pk])


class GuideAttachmentIn(serializers.Serializer):
    file = serializers.FileField(help_text="A JPEG, PNG or WebP image; SVG is refused.")


# --- helpers ----------------------------------------------------------------------------


def _guide(request, guide_id: int) -> Guide:
    policy.require(policy.can_view_guides(request.user))
    return policy.guide_for(request.user, guide_id)


def _editable(request, guide_id: int) -> Guide:
    guide = _guide(request, guide_id)
    policy.require(policy.can_edit_guides(request.user))
    return guide


def _draft_guide(request, guide_id: int) -> Guide:
    guide = _guide(request, guide_id)
    policy.require(policy.can_read_drafts(request.user))
    return guide


_STALE = OpenApiResponse(
    ErrorOut, description="The draft was saved meanwhile: `error.current` has its text."
)

# --- views ------------------------------------------------------------------------------


class GuideListApi(ListAPIView):
    serializer_class = GuideOut

    @extend_schema(summary="Guides you may read, with their newest published version")
    def get(self, request, *args, **kwargs):
        policy.require(policy.can_view_guides(request.user))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (
            policy.guides_visible_to(self.request.user)
            .select_related("dataset")
            .annotate(latest_number=Max("versions__number"))
        )

    @extend_schema(
        request=GuideIn,
        responses={201: GuideOut, 409: ErrorOut},
        summary="Create a guide of a dataset (or of one task kind of it) with an empty draft",
    )
    def post(self, request):
        policy.require(policy.can_view_guides(request.user))
        policy.require(policy.can_edit_guides(request.user))
        data = GuideIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        dataset = datasets_visible_to(request.user).filter(pk=values["dataset"]).first()
        if dataset is None:
            message = _("No such dataset.")
            raise DomainError(message, fields={"dataset": message})
        guide = services.guide_create(
            dataset=dataset,
            title=values["title"],
            task_kind_id=values["task_kind_id"],
            body=values["body"],
            by=request.user,
        )
        return Response(GuideOut(guide).data, status=status.HTTP_201_CREATED)


class GuideDetailApi(APIView):
    @extend_schema(responses=GuideOut, summary="One guide")
    def get(self, request, guide_id: int):
        return Response(GuideOut(_guide(request, guide_id)).data)

    @extend_schema(
        responses={204: None, 409: ErrorOut},
        summary="Remove a guide never published (a published one is kept: 409)",
    )
    def delete(self, request, guide_id: int):
        services.guide_delete(guide=_editable(request, guide_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DraftApi(APIView):
    @extend_schema(responses=GuideDraftOut, summary="The guide's draft and its revision")
    def get(self, request, guide_id: int):
        return Response(GuideDraftOut(_draft_guide(request, guide_id)).data)

    @extend_schema(
        request=GuideDraftIn,
        responses={200: GuideDraftOut, 409: _STALE},
        summary="Save the draft edited from `revision` (a stale revision is a 409)",
    )
    def put(self, request, guide_id: int):
        guide = _editable(request, guide_id)
        data = GuideDraftIn(data=request.data)
        data.is_valid(raise_exception=True)
        guide = services.guide_draft_save(guide=guide, by=request.user, **data.validated_data)
        return Response(GuideDraftOut(guide).data)


class PreviewApi(APIView):
    @extend_schema(
        request=GuidePreviewIn,
        responses=GuidePreviewOut,
        summary="Render a text as it would be published (nothing is saved)",
    )
    def post(self, request, guide_id: int):
        guide = _editable(request, guide_id)
        data = GuidePreviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        rendered = services.guide_preview(guide=guide, body=data.validated_data["body"])
        return Response(
            GuidePreviewOut(
                {
                    "html": rendered.html,
                    "sections": rendered.sections,
                    "formulas": rendered.formulas,
                    "formula_errors": rendered.formula_errors,
                }
            ).data
        )


class PublishApi(APIView):
    @extend_schema(
        request=GuidePublishIn,
        responses={
            201: GuideVersionDetailOut,
            409: OpenApiResponse(
                ErrorOut,
                description="The draft was saved meanwhile (`draft_stale`, with "
                "`error.current`), or sections something links to would be dropped "
                "(`anchors_dropped`, with `error.links`: send `drop_links` to go on).",
            ),
        },
        summary="Publish the draft saved at `revision` as the next version",
    )
    def post(self, request, guide_id: int):
        guide = _editable(request, guide_id)
        data = GuidePublishIn(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.guide_publish(guide=guide, by=request.user, **data.validated_data)
        return Response(GuideVersionDetailOut(version).data, status=status.HTTP_201_CREATED)


class VersionListApi(ListAPIView):
    serializer_class = GuideVersionOut

    @extend_schema(summary="A guide's published versions")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        guide = _guide(self.request, self.kwargs["guide_id"])
        return version_list(guide=guide)


class VersionDetailApi(APIView):
    @extend_schema(
        responses=GuideVersionDetailOut,
        summary="One published version: its text, the HTML stored at publish, its sections",
    )
    def get(self, request, guide_id: int, number: int):
        guide = _guide(request, guide_id)
        version = version_for(user=request.user, guide=guide, number=number)
        return Response(GuideVersionDetailOut(version).data)


def _number(request, key: str) -> int:
    raw = request.query_params.get(key, "")
    try:
        return int(raw)
    except ValueError:
        message = _("Name a version number.")
        raise DomainError(message, fields={key: message}) from None


class CompareApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("a", int, required=True, description="The left version's number."),
            OpenApiParameter("b", int, required=True, description="The right version's number."),
        ],
        responses=GuideCompareOut,
        summary="Two versions side by side: lines added, removed and changed",
    )
    def get(self, request, guide_id: int):
        guide = _guide(request, guide_id)
        a, b = _number(request, "a"), _number(request, "b")
        left = get_object_or_404(guide.versions, number=a)
        right = get_object_or_404(guide.versions, number=b)
        comparison = version_compare(left=left, right=right)
        return Response(
            GuideCompareOut(
                {
                    "a": a,
                    "b": b,
                    "added": comparison.added,
                    "removed": comparison.removed,
                    "changed": comparison.changed,
                    "rows": comparison.rows,
                }
            ).data
        )


class AttachmentListApi(ListAPIView):
    serializer_class = GuideAttachmentOut
    parser_classes = [MultiPartParser]

    @extend_schema(summary="A guide's images (planners and reviewers)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        guide = _draft_guide(self.request, self.kwargs["guide_id"])
        return guide.attachments.all()

    @extend_schema(
        request={"multipart/form-data": GuideAttachmentIn},
        responses={201: GuideAttachmentOut},
        summary="Upload an image for the guide (JPEG, PNG or WebP; metadata stripped)",
    )
    def post(self, request, guide_id: int):
        guide = _editable(request, guide_id)
        data = GuideAttachmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        attachment = services.attachment_upload(
            guide=guide, file=upload, name=upload.name, by=request.user
        )
        return Response(GuideAttachmentOut(attachment).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("guides/", GuideListApi.as_view(), name="guide-list"),
    path("guides/<int:guide_id>/", GuideDetailApi.as_view(), name="guide-detail"),
    path("guides/<int:guide_id>/draft/", DraftApi.as_view(), name="guide-draft"),
    path("guides/<int:guide_id>/preview/", PreviewApi.as_view(), name="guide-preview"),
    path("guides/<int:guide_id>/publish/", PublishApi.as_view(), name="guide-publish"),
    path("guides/<int:guide_id>/versions/", VersionListApi.as_view(), name="version-list"),
    path(
        "guides/<int:guide_id>/versions/<int:number>/",
        VersionDetailApi.as_view(),
        name="version-detail",
    ),
    path("guides/<int:guide_id>/compare/", CompareApi.as_view(), name="version-compare"),
    path("guides/<int:guide_id>/attachments/", AttachmentListApi.as_view(), name="attachment-list"),
]
