"""/healthz: database, broker, storage and a worker, each checked for real."""

import time
import uuid

from celery import current_app
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def _broker() -> str:
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return conn.transport.driver_name


def _storage() -> str:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != b"ok":
                raise OSError("storage returned other bytes than were written")
    finally:
        default_storage.delete(name)
    return type(storages["default"]).__name__


def _worker() -> str:
    # Redis delivers broadcasts by pub/sub, so one ping can be lost: ask twice before saying no.
    for _attempt in range(2):
        replies = current_app.control.ping(timeout=2.0, limit=1)
        if replies:
            return next(iter(replies[0]))
    raise RuntimeError("no Celery worker answered two pings within 2 s each")


CHECKS = {"database": _database, "broker": _broker, "storage": _storage, "worker": _worker}


@never_cache
@require_safe
def healthz(request):
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            results[name] = {"ok": True, "detail": check()}
        except Exception as error:  # noqa: BLE001 - a health check reports every failure
            results[name] = {"ok": False, "detail": f"{type(error).__name__}: {error}"}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    healthy = all(result["ok"] for result in results.values())
    body = {"status": "ok" if healthy else "down", "checks": results}
    return JsonResponse(body, status=200 if healthy else 503)
