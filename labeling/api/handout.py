"""The annotator's loop over the API: next task, read, draft save, submit (answering the
next task), heartbeat, release, skip, reopen, history, and the task's images.

Every task is found through the labeling policy: a task another annotator holds, one of
another vendor, or one never leased to the asker is a 404; a task that was theirs but is
no longer (lease expired and went to someone else, cancelled, submitted) is a 409 saying so.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.files import FileApiView, stored_file_response
from datasets import selectors as dataset_selectors
from datasets.models import Item
from labeling import policy, selectors, services
from labeling.models import Task

#: The names a task's images go by in its URL → the item file each serves.
IMAGE_KINDS = {"screen": "rendition", "full": "image", "thumbnail": "thumbnail"}


class NextIn(serializers.Serializer):
    batch = serializers.IntegerField(required=False, allow_null=True, default=None)
    task_kind = serializers.IntegerField(required=False, allow_null=True, default=None)


class SaveIn(serializers.Serializer):
    annotation = serializers.JSONField()
    version = serializers.JSONField(required=False, allow_null=True, default=None)


class SubmitIn(SaveIn):
    next = serializers.BooleanField(required=False, default=True)


class SkipIn(serializers.Serializer):
    reason = serializers.CharField(max_length=40)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    next = serializers.BooleanField(required=False, default=True)


# --- what the answers look like (the OpenAPI page; the bodies are built as plain dicts) ---


class KindOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    types = serializers.ListField(child=serializers.CharField(), help_text="Region types it edits.")
    attributes = serializers.ListField(child=serializers.DictField(), help_text="{type, name}")


class TaskItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class TaskOut(serializers.Serializer):
    id = serializers.IntegerField()
    batch = serializers.IntegerField()
    dataset = serializers.IntegerField()
    task_kind = KindOut()
    status = serializers.CharField()
    status_label = serializers.CharField()
    lease_expires_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(help_text="0 before the first save; send it back.")
    annotation = serializers.JSONField(help_text="The canonical annotation.")
    locked_types = serializers.ListField(
        child=serializers.CharField(), help_text="Types present that this kind may not change."
    )
    item = TaskItemOut()
    images = serializers.DictField(child=serializers.CharField(), help_text="screen, full, …")
    skip_reasons = serializers.ListField(child=serializers.DictField(), help_text="{code, label}")
    limits = serializers.DictField(child=serializers.IntegerField())


class NeedOut(serializers.Serializer):
    guide = serializers.IntegerField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    reason = serializers.ChoiceField(choices=["acknowledge", "quiz"])
    url = serializers.CharField()
    message = serializers.CharField()


class NextOut(serializers.Serializer):
    state = serializers.ChoiceField(choices=["task", "guide", "empty"])
    task = TaskOut(allow_null=True)
    message = serializers.CharField(allow_blank=True)
    needs = NeedOut(many=True, required=False)


class SavedOut(serializers.Serializer):
    task = serializers.IntegerField()
    version = serializers.IntegerField()
    saved_at = serializers.DateTimeField()
    annotation = serializers.JSONField()


class SubmittedTaskOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    version = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()
    active_seconds = serializers.IntegerField()


class SubmittedOut(serializers.Serializer):
    task = SubmittedTaskOut()
    next = NextOut(allow_null=True)


class LeaseOut(serializers.Serializer):
    task = serializers.IntegerField()
    lease_expires_at = serializers.DateTimeField()
    active_seconds = serializers.IntegerField()


class LeftOut(serializers.Serializer):
    task = serializers.IntegerField()
    status = serializers.CharField()
    next = NextOut(allow_null=True, required=False)


class HistoryOut(serializers.Serializer):
    task = serializers.IntegerField()
    history = serializers.ListField(child=serializers.DictField())


def _valid(serializer_class, request):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _image_urls(task: Task) -> dict:
    return {name: reverse("labeling-api:task-image", args=[task.pk, name]) for name in IMAGE_KINDS}


def task_out(task: Task) -> dict:
    """A task as the tool reads it: its annotation and version, the image, the kind's types
    and attributes (the rest is locked), the lease, the skip reasons and the limits."""
    body = selectors.task_payload(task=task)
    body["images"] = _image_urls(task)
    return body


def next_out(found: services.Next) -> dict:
    body = {"state": found.state, "task": None, "message": found.message}
    if found.task is not None:
        body["task"] = task_out(found.task)
    if found.needs:
        body["needs"] = [
            {
                "guide": need.version.guide_id,
                "title": need.version.guide.title,
                "version": need.version.number,
                "reason": need.reason,
                "url": need.url,
                "message": need.message,
            }
            for need in found.needs
        ]
    return body


def _version_from(request, body_version):
    """The version a save is based on: the body's ``version``, else ``If-Match``."""
    if body_version is not None:
        return body_version
    header = request.headers.get("If-Match", "").strip()
    if header.startswith("W/"):
        header = header[2:]
    return header.strip('"') if header else None


def _with_etag(response: Response, version: int) -> Response:
    response["ETag"] = f'"{version}"'
    return response


class TaskNextApi(APIView):
    @extend_schema(
        request=NextIn,
        responses=NextOut,
        summary="The next task: the one held, else a new claim; or the guides to read first",
    )
    def post(self, request):
        policy.require(policy.can_label(request.user))
        fields = _valid(NextIn, request)
        batch = None
        if fields["batch"] is not None:
            batch = get_object_or_404(policy.batches_claimable_by(request.user), pk=fields["batch"])
        found = services.task_claim_next(
            annotator=request.user, batch=batch, task_kind_id=fields["task_kind"]
        )
        return Response(next_out(found))


class TaskDetailApi(APIView):
    @extend_schema(responses=TaskOut, summary="A task with its annotation")
    def get(self, request, task_id: int):
        task = get_object_or_404(
            policy.tasks_readable_by(request.user).select_related("batch", "task_kind"),
            pk=task_id,
        )
        body = task_out(task)
        return _with_etag(Response(body), body["version"])


def _valid_held(serializer_class, request, task_id: int) -> dict:
    """The body of a request on a task, checked; a body refused on a task the asker may not
    work on is that task's 404 first, so the refusal tells nothing about it."""
    data = serializer_class(data=request.data)
    if not data.is_valid():
        _workable(request, task_id)
        raise serializers.ValidationError(data.errors)
    return data.validated_data


def _held(request, task_id: int) -> Task:
    """The task an annotator saves, submits, beats, releases or skips: the service reads it
    with its lock and asks the policy then (404 unless they held it), so the request
    reads it once (this is the id alone). Anyone else goes through ``_workable``."""
    if not policy.can_label(request.user):
        return _workable(request, task_id)
    return Task(pk=task_id)


def _workable(request, task_id: int) -> Task:
    """The task an annotator works on (404 unless they held it); anyone else who may see
    it may not work on it (403), and one who may not see it gets 404."""
    if not policy.can_label(request.user):
        get_object_or_404(policy.tasks_readable_by(request.user), pk=task_id)
        policy.require(False)
    return get_object_or_404(
        policy.tasks_workable_by(request.user).select_related("batch", "task_kind"), pk=task_id
    )


class TaskAnnotationApi(APIView):
    @extend_schema(
        request=SaveIn,
        responses=SavedOut,
        summary="Save a draft (structure checked only), based on a version; 409 when stale",
    )
    def put(self, request, task_id: int):
        task = _held(request, task_id)
        fields = _valid_held(SaveIn, request, task_id)
        annotation = services.annotation_save(
            task=task,
            annotator=request.user,
            document=fields["annotation"],
            version=_version_from(request, fields["version"]),
        )
        body = {
            "task": task.pk,
            "version": annotation.version,
            "saved_at": annotation.saved_at,
            "annotation": annotation.document,
        }
        return _with_etag(Response(body), annotation.version)


class TaskSubmitApi(APIView):
    @extend_schema(
        request=SubmitIn,
        responses=SubmittedOut,
        summary="Submit (everything checked); answers the next task, claimed at once",
    )
    def post(self, request, task_id: int):
        task = _held(request, task_id)
        fields = _valid_held(SubmitIn, request, task_id)
        task = services.task_submit(
            task=task,
            annotator=request.user,
            document=fields["annotation"],
            version=_version_from(request, fields["version"]),
        )
        body = {
            "task": {
                "id": task.pk,
                "status": task.status,
                "version": task.annotation_version,
                "submitted_at": task.submitted_at,
                "active_seconds": task.active_seconds,
            },
            "next": None,
        }
        if fields["next"]:
            found = services.task_claim_next(annotator=request.user, known_free=True)
            body["next"] = next_out(found)
        return Response(body)


class TaskHeartbeatApi(APIView):
    @extend_schema(
        request=OpenApiTypes.OBJECT,  # nothing is read: send no body, or {}
        responses=LeaseOut,
        summary="The tool is open on the task: the lease runs on, active time counts",
    )
    def post(self, request, task_id: int):
        task = services.task_heartbeat(task=_held(request, task_id), annotator=request.user)
        return Response(
            {
                "task": task.pk,
                "lease_expires_at": task.lease_expires_at,
                "active_seconds": getattr(task, "lease_active_seconds", 0),
            }
        )


class TaskReleaseApi(APIView):
    @extend_schema(
        request=OpenApiTypes.OBJECT,  # nothing is read: send no body, or {}
        responses=LeftOut,
        summary="Give the task back",
    )
    def post(self, request, task_id: int):
        task = services.task_release(task=_held(request, task_id), annotator=request.user)
        return Response({"task": task.pk, "status": task.status})


class TaskSkipApi(APIView):
    @extend_schema(
        request=SkipIn,
        responses=LeftOut,
        summary="Skip the task with a reason (never handed to you again); answers the next",
    )
    def post(self, request, task_id: int):
        task = _held(request, task_id)
        fields = _valid_held(SkipIn, request, task_id)
        task = services.task_skip(
            task=task, annotator=request.user, reason=fields["reason"], note=fields["note"]
        )
        body = {"task": task.pk, "status": task.status, "next": None}
        if fields["next"]:
            body["next"] = next_out(services.task_claim_next(annotator=request.user))
        return Response(body)


class TaskReopenApi(APIView):
    @extend_schema(
        request=OpenApiTypes.OBJECT,  # nothing is read: send no body, or {}
        responses=TaskOut,
        summary="Take back a task you submitted, until its batch is submitted",
    )
    def post(self, request, task_id: int):
        task = services.task_reopen(task=_workable(request, task_id), annotator=request.user)
        task = Task.objects.select_related("batch", "task_kind").get(pk=task.pk)
        return Response(task_out(task))


class TaskHistoryApi(APIView):
    @extend_schema(responses=HistoryOut, summary="The annotation's history")
    def get(self, request, task_id: int):
        task = get_object_or_404(policy.tasks_readable_by(request.user), pk=task_id)
        return Response({"task": task.pk, "history": selectors.task_history(task=task)})


class TaskImageApi(FileApiView):
    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY}, summary="A task's image")
    def get(self, request, task_id: int, kind: str):
        task = get_object_or_404(policy.tasks_readable_by(request.user), pk=task_id)
        if kind not in IMAGE_KINDS:
            raise DomainError(
                _("A task's image is one of: %(kinds)s.") % {"kinds": ", ".join(IMAGE_KINDS)},
                code="unknown_file_kind",
                status=404,
            )
        item = Item.objects.select_related("dataset").get(pk=task.item_id)
        file = dataset_selectors.item_file(item=item, kind=IMAGE_KINDS[kind], user=request.user)
        return stored_file_response(request, file)
