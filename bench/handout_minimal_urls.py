"""A minimal Django + DRF annotator loop on the app's own tables: the claim (the same
``UPDATE … FOR UPDATE SKIP LOCKED`` statement), a versioned save and a submit that claims
the next task — and nothing else (no policy, no validation, no history, no coverage).
It is the ceiling the app's loop is measured against in bench_handout.py."""

import json

from django.db import connection, transaction
from django.urls import path
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.views import APIView

_CLAIM = (
    "UPDATE labeling_task SET status = 'leased', annotator_id = %s, "
    "lease_expires_at = now() + interval '30 minutes' WHERE id = ("
    "SELECT t.id FROM labeling_task t WHERE t.batch_id = %s AND t.status = 'open' "
    "AND NOT EXISTS (SELECT 1 FROM labeling_taskskip s WHERE s.task_id = t.id "
    "AND s.annotator_id = %s) ORDER BY t.order_key, t.id LIMIT 1 FOR UPDATE SKIP LOCKED) "
    "RETURNING id, item_id"
)


def _next(cursor, user_id: int, batch_id: int) -> dict | None:
    cursor.execute(
        "SELECT id, item_id FROM labeling_task WHERE annotator_id = %s AND status = 'leased'",
        [user_id],
    )
    row = cursor.fetchone()
    if row is None:
        cursor.execute(_CLAIM, [user_id, batch_id, user_id])
        row = cursor.fetchone()
    return {"id": row[0], "item": row[1], "version": 0} if row else None


def _save(cursor, task_id: int, user_id: int, document, version: int) -> int | None:
    """The new version, or None when the task is not the user's or the version is old."""
    cursor.execute(
        "SELECT a.version FROM labeling_task t LEFT JOIN labeling_annotation a "
        "ON a.task_id = t.id WHERE t.id = %s AND t.annotator_id = %s AND t.status = 'leased' "
        "FOR UPDATE OF t",
        [task_id, user_id],
    )
    row = cursor.fetchone()
    if row is None or (row[0] or 0) != version:
        return None
    cursor.execute(
        "INSERT INTO labeling_annotation (task_id, document, version, author_id, "
        "guide_versions, saved_at) VALUES (%s, %s, %s, %s, '[]', %s) ON CONFLICT (task_id) "
        "DO UPDATE SET document = EXCLUDED.document, version = EXCLUDED.version, "
        "saved_at = EXCLUDED.saved_at",
        [task_id, json.dumps(document), version + 1, user_id, timezone.now()],
    )
    return version + 1


class NextApi(APIView):
    def post(self, request):
        with transaction.atomic(), connection.cursor() as cursor:
            task = _next(cursor, request.user.pk, int(request.data["batch"]))
        return Response({"state": "task" if task else "empty", "task": task})


class SaveApi(APIView):
    def put(self, request, task_id: int):
        with transaction.atomic(), connection.cursor() as cursor:
            version = _save(
                cursor,
                task_id,
                request.user.pk,
                request.data["annotation"],
                request.data["version"],
            )
        if version is None:
            return Response({"error": "stale"}, status=409)
        return Response({"task": task_id, "version": version})


class SubmitApi(APIView):
    def post(self, request, task_id: int):
        user_id = request.user.pk
        with transaction.atomic(), connection.cursor() as cursor:
            version = _save(
                cursor, task_id, user_id, request.data["annotation"], request.data["version"]
            )
            if version is None:
                return Response({"error": "stale"}, status=409)
            cursor.execute(
                "UPDATE labeling_task SET status = 'submitted', submitted_at = now() WHERE id = %s",
                [task_id],
            )
            task = None
            if request.data.get("next", True):
                task = _next(cursor, user_id, int(request.data["batch"]))
        state = "task" if task else "empty"
        return Response(
            {"task": {"id": task_id, "version": version}, "next": {"state": state, "task": task}}
        )


urlpatterns = [
    path("api/v1/tasks/next/", NextApi.as_view()),
    path("api/v1/tasks/<int:task_id>/annotation/", SaveApi.as_view()),
    path("api/v1/tasks/<int:task_id>/submit/", SubmitApi.as_view()),
]
