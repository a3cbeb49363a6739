"""The worker steps that build an export, each a Celery task and each safe to run again:

1. ``export_plan`` pins what the export reads: the exact (item, ground-truth version) list
   current in the requested splits, by item id, written into chunks of
   ``EXPORT_CHUNK_ITEMS``; then it queues one task per chunk;
2. ``export_chunk_build`` builds one chunk's part (crops encoded, lines written) from the
   versions its chunk names, and no other: a version recorded, or committed, after the plan
   is in no chunk, whatever its id. Workers build chunks in parallel; the step that
   finishes the last chunk queues the join;
3. ``export_join`` streams the parts, in chunk order, into the final zip with its manifest,
   stored under ``exports/<dataset id>/<export id>.zip`` only once complete, and removes
   the parts.

The zip does not depend on the chunking: the same pinned versions and stage give the same bytes
whether one worker or ten built it, and a step run again after a killed worker rebuilds its
file from the start. ``export_build`` runs the three steps in this process, one after the
other (tests, the shell).
"""

import logging
import math
import os
import posixpath
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, transaction
from django.db.models import F, Lookup
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from core.tasks import JobStopped, Lease
from datasets.models import Category, GroundTruthVersion, Item, JobStatus
from datasets.selectors import spec_snapshot, stage_record
from exports.archive import MemberHashes, zip_store
from exports.manifest import category_counts, manifest_chunks
from exports.models import Export, ExportChunk
from exports.parts import (
    COUNTED,
    PartSet,
    PartWriter,
    counts_add,
    empty_counts,
    part_folder,
)
from exports.projections import projection_for
from exports.rows import ROW_FIELDS, ROW_JSON, Row, row_of

logger = logging.getLogger(__name__)

#: Progress is written at most this often (seconds) by each chunk.
PROGRESS_SECONDS = 0.5


def _head(export: Export) -> dict:
    dataset, stage = export.dataset, export.stage
    return {
        "dataset": {"id": dataset.pk, "name": dataset.name},
        "spec_version": dataset.spec_version,
        "spec_snapshot": spec_snapshot(dataset),
        "stage": stage_record(stage),
        "request": {"splits": export.splits, "format": export.format, "images": export.images},
    }


def _current(export: Export):
    """The export's items that have ground truth; ``ground_truth_id`` is the current version."""
    return Item.objects.filter(
        dataset_id=export.dataset_id, split__in=export.splits, ground_truth__isnull=False
    )


def export_fail(export_id: int, message: str) -> None:
    """End a running export failed with a message its requester reads, and remove its
    parts: a failed export is never joined."""
    Export.objects.filter(pk=export_id, status=Export.Status.RUNNING).update(
        status=Export.Status.FAILED, error=message, finished_at=timezone.now()
    )
    parts_remove(export_id)


def _running(export_id: int):
    """The export as rows that match only while it runs: what its plan and join lease."""
    return Export.objects.filter(pk=export_id, status=Export.Status.RUNNING)


def _chunk_running(chunk_id: int):
    """The chunk while it and its export run: a cancelled export stops its chunks."""
    return ExportChunk.objects.filter(
        pk=chunk_id, status=ExportChunk.Status.RUNNING, export__status=Export.Status.RUNNING
    )


def _export(export_id: int) -> Export:
    return Export.objects.select_related(
        "dataset", "stage__input_type", "stage__output_type", "stage__output_attribute"
    ).get(pk=export_id)


#: Chunks an export is cut into, at least, when that leaves each over ``SMALLEST_CHUNK``
#: items: enough for the workers to share a small export and to even out at the end.
CHUNKS_AT_LEAST = 16
SMALLEST_CHUNK = 500


def chunk_size(total: int) -> int:
    """Items per chunk: ``EXPORT_CHUNK_ITEMS`` at most, smaller for small exports."""
    wanted = max(SMALLEST_CHUNK, math.ceil(total / CHUNKS_AT_LEAST))
    return max(1, min(settings.EXPORT_CHUNK_ITEMS, wanted))


#: Chunks the plan writes in one statement.
_CHUNKS_PER_INSERT = 20


def _chunks_pin(export: Export) -> int:
    """Write the export's chunks, each naming the versions it reads; returns the item count.

    One query streams the (item, current version) pairs by item id; chunk sizes come from a
    count taken first (sizes only: what the stream read is what is pinned).
    """
    size = chunk_size(_current(export).count())
    pairs = _current(export).order_by("id").values_list("id", "ground_truth_id")
    batch: list[ExportChunk] = []
    versions: list[int] = []
    first = last = index = count = 0

    def cut() -> None:
        nonlocal index, versions
        batch.append(
            ExportChunk(
                export=export, index=index, first_item=first, last_item=last, versions=versions
            )
        )
        index, versions = index + 1, []
        if len(batch) >= _CHUNKS_PER_INSERT:
            ExportChunk.objects.bulk_create(batch)
            batch.clear()

    for last, version_id in pairs.iterator(chunk_size=10_000):
        if not versions:
            first = last
        versions.append(version_id)
        count += 1
        if len(versions) == size:
            cut()
    if versions:
        cut()
    ExportChunk.objects.bulk_create(batch)
    Export.objects.filter(pk=export.pk).update(
        total=count, done=0, chunks_total=index, chunks_done=0
    )
    return count


def export_plan(*, export_id: int, dispatch: bool = True) -> list[int]:
    """Pin the export's ground-truth versions into chunks and queue them; returns the chunk
    ids to build.

    Run again (a redelivered task), it keeps the chunks it made and queues those not done;
    while another worker plans the export it does nothing.
    """
    lease = Lease.claim(_running(export_id))
    if lease is None:
        return []
    try:
        export = _export(export_id)
        with transaction.atomic():
            # held while the chunks are pinned (one transaction, so no heartbeat shows):
            # on PostgreSQL the sweep passes over a row a live plan holds
            # and locked, so a cancel waits for the chunks and then cancels them too
            locked = Export.objects.select_for_update().filter(pk=export_id).first()
            if locked is None or locked.status != Export.Status.RUNNING:
                return []
            if not export.chunks.exists():
                _chunks_pin(export)
            pending = list(
                export.chunks.exclude(status=ExportChunk.Status.DONE).values_list("pk", flat=True)
            )
            if dispatch:
                from exports.tasks import export_chunk_task, export_join_task

                for chunk_id in pending:
                    transaction.on_commit(partial(export_chunk_task.delay, chunk_id))
                if not pending:  # nothing to cut (no ground truth) or every chunk already built
                    transaction.on_commit(partial(export_join_task.delay, export_id))
    except Exception as error:  # recorded for the requester; the worker's log has the trace
        logger.exception("export %s: plan failed", export_id)
        export_fail(
            export_id, _("The export could not be planned: %(error)s") % {"error": _said(error)}
        )
        return []
    lease.release()
    return pending


def _said(error: Exception) -> str:
    return str(error) or repr(error)


class _Progress:
    """Items done, added to the chunk and the export at most every ``PROGRESS_SECONDS``;
    the chunk's heartbeat goes with it (``JobStopped`` when the export stopped running)."""

    def __init__(self, chunk: ExportChunk, lease: Lease) -> None:
        self.chunk, self.lease, self.pending, self.last = chunk, lease, 0, time.monotonic()

    def advance(self) -> None:
        self.pending += 1
        if time.monotonic() - self.last >= PROGRESS_SECONDS:
            self.flush()
        self.lease.beat()

    def flush(self) -> None:
        if self.pending:
            with transaction.atomic():
                ExportChunk.objects.filter(pk=self.chunk.pk).update(done=F("done") + self.pending)
                Export.objects.filter(pk=self.chunk.export_id).update(done=F("done") + self.pending)
        self.pending, self.last = 0, time.monotonic()

    def restart(self) -> None:
        """Forget what an earlier, killed run of this chunk had counted."""
        with transaction.atomic():
            chunk = ExportChunk.objects.select_for_update().get(pk=self.chunk.pk)
            if chunk.done:
                Export.objects.filter(pk=chunk.export_id).update(
                    done=Greatest(F("done") - chunk.done, 0)
                )
                ExportChunk.objects.filter(pk=chunk.pk).update(done=0)


class _AnyOf(Lookup):
    """``column = ANY(%s)`` with the ids as one array parameter (PostgreSQL): a chunk's
    thousands of ids do not become as many placeholders to write and parse."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [list(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def _pinned(versions: list[int]):
    if connection.vendor == "postgresql":
        return GroundTruthVersion.objects.filter(_AnyOf(F("pk"), versions))
    return GroundTruthVersion.objects.filter(pk__in=versions)


#: Pinned versions read by one query: fetched whole (a server-side cursor would plan for its
#: first rows, and a nested loop over thousands of ids costs more than it saves), so
#: memory is bounded by this, not by the chunk's size.
_PINNED_PER_QUERY = 2000


def _rows(export: Export, chunk: ExportChunk) -> Iterator[Row]:
    """The versions the chunk names, by item id: the list is in item order, so each slice's
    rows follow the slice before. An item moved out of the export's splits since the plan
    is left out rather than written under a split nobody asked for. The item range (the
    chunk's own bounds: it removes nothing) keeps PostgreSQL from scanning the dataset."""
    for start in range(0, len(chunk.versions), _PINNED_PER_QUERY):
        rows = (
            _pinned(chunk.versions[start : start + _PINNED_PER_QUERY])
            .filter(
                item_id__gte=chunk.first_item,
                item_id__lte=chunk.last_item,
                item__split__in=export.splits,
            )
            .annotate(**ROW_JSON)
            .order_by("item_id")
            .values_list(*ROW_FIELDS)
        )
        for values in rows:
            yield row_of(values)


@contextmanager
def _building(kind: int, key: int) -> Iterator[bool]:
    """Whether this process may build (kind, key): no other live worker is building it.

    A PostgreSQL session lock, released when the build ends or its worker's connection dies,
    so a task delivered twice is built once and a killed worker's temporaries can be swept.
    SQLite has no such lock: there the heartbeat lease (``core.tasks.Lease``) alone keeps
    a second delivery from building a chunk a live worker is building.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [kind, key])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [kind, key])


_CHUNK_LOCK, _JOIN_LOCK = 7301, 7302


def export_chunk_build(*, chunk_id: int, dispatch: bool = True) -> ExportChunk:
    """Build one chunk's part; the run that completes the export's last chunk queues the join."""
    with _building(_CHUNK_LOCK, chunk_id) as free:
        chunk = ExportChunk.objects.get(pk=chunk_id)
        if not free:  # another worker is building this chunk
            return chunk
        return _chunk_build(chunk, dispatch=dispatch)


def _chunk_build(chunk: ExportChunk, *, dispatch: bool) -> ExportChunk:
    lease = Lease.claim(_chunk_running(chunk.pk))
    if lease is None:  # done, its export stopped, or a live worker is building it
        return chunk
    name = f"exports/{chunk.export.dataset_id}/{chunk.export_id}/part-{chunk.index:05d}.zip"
    stored = ""
    try:
        export = _export(chunk.export_id)
        progress = _Progress(chunk, lease)
        progress.restart()
        projection = projection_for(export)
        with part_folder() as folder:
            writer = PartWriter(folder=Path(folder))

            def made():
                for row in _rows(export, chunk):
                    yield from projection.item(row, writer)
                    progress.advance()

            stored, _sha256, _size, _hashes = zip_store(name, writer.members(made()))
        progress.flush()
        lease.beat(force=True)
    except JobStopped:  # the export was cancelled or failed meanwhile: stop, files removed
        logger.info("export %s chunk %s: stopped, the export no longer runs", *_of(chunk))
        if stored and not _is_done(ExportChunk, chunk.pk):  # this run's part, never recorded
            default_storage.delete(stored)
        _parts_remove_unless_running(chunk.export_id)
        chunk.refresh_from_db()
        return chunk
    except Exception as error:  # recorded for the requester; the worker's log has the trace
        if not _running(chunk.export_id).exists():
            logger.info("export %s chunk %s stopped: no longer running", *_of(chunk))
            parts_remove(chunk.export_id)  # cancelled meanwhile: nothing to report, nothing kept
            chunk.refresh_from_db()
            return chunk
        logger.exception("export %s chunk %s failed", *_of(chunk))
        message = chunk_failure(chunk, _said(error))
        running = ExportChunk.objects.filter(pk=chunk.pk, status=ExportChunk.Status.RUNNING)
        running.update(status=ExportChunk.Status.FAILED)  # a cancelled chunk stays cancelled
        export_fail(chunk.export_id, message)
        chunk.refresh_from_db()
        return chunk
    with transaction.atomic():
        # the export first, in the order a cancel locks them: its status decides
        locked = Export.objects.select_for_update().get(pk=export.pk)
        flipped = ExportChunk.objects.filter(pk=chunk.pk, status=ExportChunk.Status.RUNNING).update(
            status=ExportChunk.Status.DONE, file=stored, counts=writer.counts
        )
        if not flipped and not _is_done(ExportChunk, chunk.pk):  # cancelled meanwhile
            transaction.on_commit(partial(default_storage.delete, stored))
        elif locked.status != Export.Status.RUNNING:  # failed or cancelled meanwhile
            transaction.on_commit(partial(parts_remove, export.pk))
        if flipped:
            locked.chunks_done += 1
            locked.save(update_fields=["chunks_done"])
            running = locked.status == Export.Status.RUNNING
            if dispatch and running and locked.chunks_done >= locked.chunks_total:
                from exports.tasks import export_join_task

                transaction.on_commit(partial(export_join_task.delay, export.pk))
    chunk.refresh_from_db()
    return chunk


def chunk_failure(chunk: ExportChunk, error: str) -> str:
    """What the requester reads when a chunk failed: which chunk, its items, and why."""
    return _("Chunk %(index)s (items %(first)s–%(last)s): %(error)s") % {
        "index": chunk.index,
        "first": chunk.first_item,
        "last": chunk.last_item,
        "error": error,
    }


def _is_done(model, pk: int) -> bool:
    """Whether another run finished the row: then the file it stored under the same name is
    that run's, and stays."""
    return model.objects.filter(pk=pk, status=JobStatus.DONE).exists()


def _of(chunk: ExportChunk) -> tuple[int, int]:
    return chunk.export_id, chunk.index


def parts_remove(export_id: int) -> None:
    """Delete the stored parts of an export that will never be joined (or just was), and
    their folder when storage has folders."""
    folders = set()
    for chunk in ExportChunk.objects.filter(export_id=export_id).exclude(file=""):
        default_storage.delete(chunk.file)
        folders.add(posixpath.dirname(chunk.file))
    ExportChunk.objects.filter(export_id=export_id).update(file="")
    if isinstance(default_storage, FileSystemStorage):
        for folder in folders:
            with suppress(OSError):  # not empty (a build running again): the sweep's then
                os.rmdir(default_storage.path(folder))


def _parts_remove_unless_running(export_id: int) -> None:
    if not _running(export_id).exists():
        parts_remove(export_id)


def parts_orphaned_remove() -> int:
    """Remove the parts of exports that no longer run (cancelled, failed, or done by a
    worker that died before it removed them); returns how many exports had some."""
    orphaned = (
        ExportChunk.objects.exclude(file="")
        .exclude(export__status=Export.Status.RUNNING)
        .values_list("export_id", flat=True)
        .distinct()
    )
    exports = list(orphaned)
    for export_id in exports:
        parts_remove(export_id)
    return len(exports)


def _category_names(dataset_id: int) -> dict[int, str]:
    rows = Category.objects.filter(axis__dataset_id=dataset_id).values_list(
        "pk", "axis__slug", "slug"
    )
    return {pk: f"{axis}/{slug}" for pk, axis, slug in rows}


def export_join(*, export_id: int) -> Export:
    """Join the built parts into the export's zip, store it and record its hash.

    Waits (returns) while a chunk is still being built; does nothing to a finished export.
    """
    with _building(_JOIN_LOCK, export_id) as free:
        export = _export(export_id)
        if not free or export.status != Export.Status.RUNNING:
            return export
        if export.chunks.exclude(status=ExportChunk.Status.DONE).exists():
            return export
        lease = Lease.claim(_running(export_id))
        if lease is None:  # another worker is joining it
            return export
        return _join_and_record(export, lease)


def _join_and_record(export: Export, lease: Lease) -> Export:
    chunks = list(export.chunks.order_by("index"))
    try:
        stored, sha256, size, counts = _join(export, chunks, lease)
    except JobStopped:
        logger.info("export %s: join stopped, the export no longer runs", export.pk)
        _parts_remove_unless_running(export.pk)
        export.refresh_from_db()
        return export
    except Exception as error:  # recorded for the requester; the worker's log has the trace
        logger.exception("export %s failed", export.pk)
        export_fail(
            export.pk, _("The export could not be joined: %(error)s") % {"error": _said(error)}
        )
        export.refresh_from_db()
        return export
    finished = Export.objects.filter(pk=export.pk, status=Export.Status.RUNNING).update(
        status=Export.Status.DONE,
        file=stored,
        sha256=sha256,
        size=size,
        total=counts,
        done=counts,
        error="",
        finished_at=timezone.now(),
    )
    if not finished and not _is_done(Export, export.pk):  # cancelled while joining
        default_storage.delete(stored)
    parts_remove(export.pk)
    export.refresh_from_db()
    return export


def _join(export: Export, chunks: list[ExportChunk], lease: Lease) -> tuple[str, str, int, int]:
    projection = projection_for(export)
    parts = PartSet([chunk.file for chunk in chunks])
    totals = empty_counts()
    for chunk in chunks:
        counts_add(totals, chunk.counts)
    splits = {
        split: totals["splits"].get(split, dict.fromkeys(COUNTED, 0)) for split in export.splits
    }
    counts = {
        "splits": splits,
        "total": {key: sum(numbers[key] for numbers in splits.values()) for key in COUNTED},
        "categories": category_counts(totals["categories"], _category_names(export.dataset_id)),
    }
    head = _head(export)
    hashes = MemberHashes()

    def members():
        yield from projection.members(parts)
        yield (
            "manifest.json",
            manifest_chunks(
                head=head, counts=counts, hashes=hashes, provenance=parts.stream("provenance")
            ),
        )

    name = f"exports/{export.dataset_id}/{export.pk}.zip"
    stored, sha256, size, _hashes = zip_store(name, _beating(members(), lease), hashes)
    return stored, sha256, size, counts["total"]["items"]


def _beating(members: Iterator[tuple], lease: Lease) -> Iterator[tuple]:
    """The members, the lease's heartbeat written as their bytes stream by."""

    def beat_through(chunks):
        for chunk in chunks:
            lease.beat()
            yield chunk

    for name, chunks, *rest in members:
        yield (name, beat_through(chunks), *rest)


def export_build(*, export_id: int) -> Export:
    """Every step in this process, one after the other; the same zip the workers make."""
    for chunk_id in export_plan(export_id=export_id, dispatch=False):
        export_chunk_build(chunk_id=chunk_id, dispatch=False)
    return export_join(export_id=export_id)
