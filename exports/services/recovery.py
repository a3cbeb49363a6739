"""Exports whose worker died: the sweep that queues their steps again, and the temporaries a
killed worker left behind.

Each step holds a heartbeat lease (``core.tasks.Lease``): the plan and the join on the
export's row, each chunk on its own. The sweep (Celery beat) queues again

- a chunk a worker started whose heartbeat went stale (the worker died mid-chunk);
- for an export that shows no life at all (its own lease and every chunk's heartbeat are
  stale or empty): its plan when it has no chunks, its join when every chunk is built, and
  the chunks no worker ever started (their messages were lost with a dead worker).

A chunk waiting behind others in the queue is not queued again while any chunk of its export
is alive. What the sweep queues is harmless twice: a step starts only by claiming its lease,
and PostgreSQL's advisory locks stop a second build besides.
"""

import os
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db.models import Exists, OuterRef, Q

from core.tasks import stale_before, stale_requeue, stale_rows
from exports.models import Export, ExportChunk
from exports.parts import PART_PREFIX
from exports.services.building import chunk_failure, export_fail, parts_orphaned_remove


def _exports_give_up(exports, message: str) -> None:
    for export_id in exports.values_list("pk", flat=True):
        export_fail(export_id, message)


def _chunks_give_up(chunks, message: str) -> None:
    for chunk in list(chunks):
        ExportChunk.objects.filter(pk=chunk.pk).update(status=ExportChunk.Status.FAILED)
        export_fail(chunk.export_id, chunk_failure(chunk, message))


def exports_sweep() -> int:
    """Queue again the steps of running exports whose worker died or whose message was
    lost; remove what killed workers left, and the parts of exports that stopped. Returns
    how many steps were queued."""
    from exports.tasks import export_chunk_task, export_join_task, export_plan_task

    cutoff = stale_before()
    quiet = (
        Export.objects.filter(status=Export.Status.RUNNING)
        .filter(stale_rows(cutoff))
        .exclude(
            Exists(ExportChunk.objects.filter(export=OuterRef("pk"), heartbeat_at__gte=cutoff))
        )
    )
    chunked = Exists(ExportChunk.objects.filter(export=OuterRef("pk")))
    unbuilt = Exists(
        ExportChunk.objects.filter(export=OuterRef("pk")).exclude(status=ExportChunk.Status.DONE)
    )
    queued = stale_requeue(
        quiet.exclude(chunked), send=export_plan_task.delay, give_up=_exports_give_up
    )
    queued += stale_requeue(
        quiet.filter(chunked).exclude(unbuilt),
        send=export_join_task.delay,
        give_up=_exports_give_up,
    )
    chunks = ExportChunk.objects.filter(
        status=ExportChunk.Status.RUNNING, export__status=Export.Status.RUNNING
    ).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, export__in=quiet.values("pk"))
    )
    queued += stale_requeue(chunks, send=export_chunk_task.delay, give_up=_chunks_give_up)
    parts_orphaned_remove()
    temporaries_sweep()
    return queued


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def temporaries_sweep() -> int:
    """Remove what killed workers left: chunk folders (``groundwork-part-<pid>-…``) of
    processes that no longer run, in this machine's temporary directory; and, older than
    ``JOB_STALE_SECONDS``, unfinished zips (``.part``) and empty folders under the export
    storage. Runs when a worker starts and with every sweep. Returns what it removed."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{PART_PREFIX}*-*"):
        pid = folder.name.removeprefix(PART_PREFIX).split("-", 1)[0]
        if folder.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    old = time.time() - settings.JOB_STALE_SECONDS
    leftovers = list(Path(tempfile.gettempdir()).glob(".export-*.part"))
    storage = None
    if isinstance(default_storage, FileSystemStorage):
        storage = Path(default_storage.path("exports"))
        leftovers += storage.rglob(".export-*.part")
    for part in leftovers:
        if _older(part, old):
            part.unlink(missing_ok=True)
            removed += 1
    if storage is not None:  # deepest first, so a folder emptied here goes too
        for folder in sorted(storage.rglob("*"), key=lambda path: -len(path.parts)):
            if folder.is_dir() and _older(folder, old) and not any(folder.iterdir()):
                folder.rmdir()
                removed += 1
    return removed


def _older(path: Path, than: float) -> bool:
    try:
        return path.stat().st_mtime < than
    except FileNotFoundError:
        return False
