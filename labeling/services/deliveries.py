"""Annotations delivered as a file, by vendors that label in their own tools.

A vendor's manager uploads one file for a batch: JSON lines, one task a line,
``{"task": 17, "annotation": {…canonical…}, "version": 2}`` (``version`` optional). The
file is stored as sent and a worker reads it (``delivery_run``). Each line is read strictly
(``core.parsers.json_loads_strict``: no NaN, no key given twice), must name a task of the
batch, and only once in the file, and is submitted through the very save a submit in the
tool makes (``annotating.task_deliver``: the same validation, the same history, the same
coverage move), with the uploader as its author. Each line is one transaction together
with its outcome and the delivery's progress, so a refused line changes nothing but its
report, and a worker that dies mid-file is followed (the sweep, ``deliveries_sweep``) by one
that carries on after the last line recorded, repeating none.

Limits: the file ``DELIVERY_MAX_BYTES`` (larger is a 413 naming it), one line
``DELIVERY_MAX_LINE_BYTES`` (a longer line is refused as that line; the rest goes on).
"""

import logging
import uuid
from functools import partial

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from core.parsers import StrictJsonError, json_loads_strict
from core.tasks import JobStopped, stale_before, stale_requeue, stale_rows
from core.tasks import Lease as JobLease
from datasets.services import file_name_shown
from labeling.models import Batch, Delivery, DeliveryLine, Task
from labeling.policy import WORKING
from labeling.services.annotating import task_deliver

logger = logging.getLogger(__name__)

#: The keys a delivered line may have.
LINE_KEYS = ("task", "annotation", "version")
#: How much of an over-long line is read at a time while skipping it.
_SKIP_CHUNK = 64 * 1024
ACCEPTED, REFUSED = DeliveryLine.Outcome.ACCEPTED, DeliveryLine.Outcome.REFUSED


def _too_large(size: int) -> DomainError:
    return DomainError(
        _("The file is %(size)s bytes; a delivery may be at most %(limit)s bytes.")
        % {"size": size, "limit": settings.DELIVERY_MAX_BYTES},
        code="delivery_too_large",
        status=413,
        fields={"file": _("At most %(limit)s bytes.") % {"limit": settings.DELIVERY_MAX_BYTES}},
    )


def delivery_size_check(declared: int) -> None:
    """Refuse (413) a request whose declared body could not hold a file within the limit,
    before its body is read (a multipart body carries its file and a little more)."""
    if declared > settings.DELIVERY_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise _too_large(declared)


def delivery_create(*, batch: Batch, file, name: str, by: User) -> Delivery:
    """Store a delivered file for ``batch`` and queue the worker that reads it. Refused
    whole when larger than ``DELIVERY_MAX_BYTES`` (413), empty, or when the batch is no
    longer being worked on (409); its lines are checked by the worker, one by one."""
    size = file.size
    if size > settings.DELIVERY_MAX_BYTES:
        raise _too_large(size)
    if not size:
        message = _("The file is empty: send one JSON line per task.")
        raise DomainError(message, code="empty_delivery", fields={"file": message})
    if batch.status not in WORKING:
        raise DomainError(
            _("The batch is %(status)s; its tasks can no longer be delivered.")
            % {"status": batch.get_status_display().lower()},
            code="batch_not_working",
            status=409,
        )
    file.seek(0)
    stored = default_storage.save(f"deliveries/{batch.pk}/{uuid.uuid4().hex}.jsonl", File(file))
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                batch=batch,
                file=stored,
                file_name=file_name_shown(name or "delivery.jsonl", limit=255),
                size=size,
                language=translation.get_language() or settings.LANGUAGE_CODE,
                created_by=by,
            )
            from labeling.tasks import delivery_run_task

            transaction.on_commit(partial(delivery_run_task.delay, delivery.pk))
    except BaseException:
        default_storage.delete(stored)
        raise
    return delivery


# --- the worker's reading -------------------------------------------------------------------


def _line_read(stored) -> tuple[bytes, int, bool] | None:
    """The next line without its line break, the bytes it took in the file, and whether it
    was longer than ``DELIVERY_MAX_LINE_BYTES`` (then only its start is kept, the rest is
    skipped); None at the end of the file."""
    limit = settings.DELIVERY_MAX_LINE_BYTES
    line = stored.readline(limit + 1)
    if not line:
        return None
    taken = len(line)
    if line.endswith(b"\n") or len(line) <= limit:
        return line.rstrip(b"\r\n"), taken, False
    while True:  # longer than the limit: skip to its end, keeping nothing
        rest = stored.readline(_SKIP_CHUNK)
        taken += len(rest)
        if not rest or rest.endswith(b"\n"):
            return line[:200], taken, True


def _line_refused(message: str, field: str | None = None, code: str = "bad_line") -> DomainError:
    return DomainError(message, code=code, fields={field: message} if field else None)


def _line_parse(raw: bytes, number: int) -> dict:
    """The line's task id, annotation and version, or a ``DomainError`` naming what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _line_refused(_("The line is not UTF-8 text."), code="bad_json") from None
    if number == 1:
        text = text.removeprefix("\ufeff")  # a byte order mark some editors write
    try:
        data = json_loads_strict(text)
    except StrictJsonError as error:
        message = str(error)
        if error.syntax:
            message = _("The line is not JSON: %(error)s") % {"error": error.syntax}
        raise _line_refused(message, code="bad_json") from None
    shape = _('A line is one JSON object: {"task": id, "annotation": {…}, "version": n}.')
    if not isinstance(data, dict):
        raise _line_refused(shape)
    unknown = sorted(key for key in data if key not in LINE_KEYS)
    if unknown:
        raise _line_refused(
            _("A line has only “task”, “annotation” and “version”; not %(keys)s.")
            % {"keys": ", ".join(f"“{key}”" for key in unknown)},
            unknown[0],
        )
    task = data.get("task")
    if isinstance(task, bool) or not isinstance(task, int) or task <= 0:
        raise _line_refused(_("Say which task the line is for: its id."), "task")
    if "annotation" not in data:
        raise _line_refused(_("The line has no annotation."), "annotation")
    return data


def _line_outcome(delivery: Delivery, number: int, raw: bytes, too_long: bool, seen: set) -> dict:
    """What the line comes to: its task submitted, or the reason it was refused."""
    line = {"number": number, "task_ref": None}
    try:
        if too_long:
            limit = settings.DELIVERY_MAX_LINE_BYTES
            raise _line_refused(
                _("The line is longer than %(limit)s bytes.") % {"limit": limit},
                code="line_too_long",
            )
        data = _line_parse(raw, number)
        line["task_ref"] = ref = data["task"]
        if ref in seen:
            raise _line_refused(
                _("Task %(id)s is named by an earlier line of this file.") % {"id": ref},
                "task",
                code="duplicate_task",
            )
        seen.add(ref)
        task = Task.objects.filter(batch_id=delivery.batch_id, pk=ref).first()
        if task is None:
            raise _line_refused(
                _("Task %(id)s is not a task of this batch.") % {"id": ref},
                "task",
                code="unknown_task",
            )
        task = task_deliver(
            task=task,
            by=delivery.created_by,
            document=data["annotation"],
            version=data.get("version"),
        )
    except DomainError as error:
        fields = {str(key): str(value) for key, value in error.fields.items()}
        return {**line, "outcome": REFUSED, "code": error.code, "message": error.message,
                "fields": fields}  # fmt: skip
    return {**line, "outcome": ACCEPTED, "version": task.annotation_version}


def _line_record(delivery: Delivery, line: dict | None, position: int, number: int) -> None:
    """The line's outcome and the delivery's progress (``position`` bytes, ``number``
    lines read), written together: both or neither."""
    counts = {}
    if line is not None:
        DeliveryLine.objects.create(delivery=delivery, **line)
        counts = {line["outcome"]: F(line["outcome"]) + 1}
    Delivery.objects.filter(pk=delivery.pk).update(position=position, lines_read=number, **counts)


def _finish(delivery: Delivery, status: str, error: str = "") -> Delivery:
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.RUNNING).update(
        status=status, error=error, finished_at=timezone.now()
    )
    delivery.refresh_from_db()
    return delivery


def delivery_run(*, delivery_id: int) -> Delivery:
    """The worker's step: read the delivered file from where the last worker stopped, line
    by line, submitting each good line's task and recording each line's outcome. A file
    that cannot be read, or anything unexpected, ends the delivery failed with its reason;
    the lines recorded before stay as they are."""
    lease = JobLease.claim(Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.RUNNING))
    delivery = Delivery.objects.select_related("batch", "created_by").get(pk=delivery_id)
    if lease is None:  # finished, or a live worker is on it
        return delivery
    seen = set(delivery.lines.exclude(task_ref=None).values_list("task_ref", flat=True))
    position, number = delivery.position, delivery.lines_read
    try:
        with (
            translation.override(delivery.language or settings.LANGUAGE_CODE),
            default_storage.open(delivery.file.name, "rb") as stored,
        ):
            stored.seek(position)
            while (read := _line_read(stored)) is not None:
                raw, taken, too_long = read
                position, number = position + taken, number + 1
                with transaction.atomic():
                    line = None
                    if too_long or raw.strip():  # a blank line is no task's
                        line = _line_outcome(delivery, number, raw, too_long, seen)
                    _line_record(delivery, line, position, number)
                lease.beat()
    except JobStopped:  # no longer running (failed meanwhile), or another worker took it
        delivery.refresh_from_db()
        return delivery
    except OSError as error:
        logger.warning("delivery %s: the file cannot be read: %s", delivery.pk, error)
        return _finish(
            delivery,
            Delivery.Status.FAILED,
            _("The delivered file cannot be read (%(error)s).") % {"error": str(error)},
        )
    except Exception as error:  # recorded for people; the worker's log has the trace
        logger.exception("delivery %s stopped at line %s", delivery.pk, number)
        return _finish(
            delivery,
            Delivery.Status.FAILED,
            _("Stopped at line %(number)s (%(error)s); the lines before it were recorded.")
            % {"number": number, "error": error.__class__.__name__},
        )
    return _finish(delivery, Delivery.Status.DONE)


def _give_up(rows, message: str) -> None:
    rows.update(status=Delivery.Status.FAILED, error=message, finished_at=timezone.now())


def deliveries_sweep() -> int:
    """Beat's: queue again the deliveries whose worker died or whose message was lost
    (``core.tasks``' heartbeat lease); how many."""
    from labeling.tasks import delivery_run_task

    stale = Delivery.objects.filter(stale_rows(stale_before()), status=Delivery.Status.RUNNING)
    return stale_requeue(stale, send=delivery_run_task.delay, give_up=_give_up)
