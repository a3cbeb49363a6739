"""Item files without metadata: the copy the worker makes, and the job for items stored before.

A photo's EXIF, XMP and text chunks can say where and when it was taken. The original keeps
them (planners may download it); every other file of an item — the upright image, the
rendition, the thumbnail — is stripped at the container level (``datasets.imagemeta``), so
decoded pixels, and every crop made from them, stay the same. ``item_process`` strips new
items; ``metadata_strip_run`` strips the items stored before it did, item by item, each
under its row lock, and records its progress on a ``MetadataStrip`` row.
"""

import io
import logging
from functools import partial
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from accounts.models import User
from core.tasks import JobStopped, Lease
from datasets.imagemeta import MetadataError, metadata_strip
from datasets.models import Dataset, Item, ItemEvent, JobStatus, MetadataStrip

logger = logging.getLogger(__name__)

#: Items the job checks between two progress writes.
STRIP_BATCH = 100
#: Items named in a job's error when their files could not be read.
PROBLEMS_SHOWN = 20
_FILE_FIELDS = ("image", "rendition", "thumbnail")
#: Modes a PNG stores as they are; any other is stored as RGB.
_PNG_MODES = ("1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA")


def stripped_name(name: str, suffix: str | None = None) -> str:
    """Where a file's stripped copy is stored: ``….thumb.jpg`` → ``….thumb.stripped.jpg``."""
    path = PurePosixPath(name)
    return str(path.with_name(f"{path.stem}.stripped{suffix or path.suffix}"))


def _lossless_png(data: bytes) -> bytes:
    """The decoded pixels as a PNG, with the ICC profile when the mode is kept."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        kept = image.mode in _PNG_MODES
        picture = image if kept else image.convert("RGB")
        buffer = io.BytesIO()
        profile = image.info.get("icc_profile") if kept else None
        picture.save(buffer, format="PNG", icc_profile=profile or None)
    return metadata_strip(buffer.getvalue()).data


def file_without_metadata(data: bytes, *, name: str) -> tuple[str, bytes] | None:
    """The name and bytes to store ``name``'s stripped copy under; None when it has nothing.

    The copy differs from the file only in its container: the pixel data is the same bytes.
    A file the parser cannot follow but Pillow decodes becomes a lossless PNG of its decoded
    pixels: the pixels stay, the container goes. One Pillow cannot decode raises OSError.
    """
    try:
        stripped = metadata_strip(data)
    except MetadataError as error:
        logger.warning("%s: %s; storing its decoded pixels as PNG", name, error)
        return stripped_name(name, ".png"), _lossless_png(data)
    if not stripped.changed:
        return None
    return stripped_name(name), stripped.data


def _delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def item_metadata_strip(*, item_id: int) -> bool:
    """Strip the metadata from a ready item's files; True when a file changed. Idempotent.

    The original stays as uploaded; a file that was the original gets a stripped copy of its
    own, a derived file (a rendition, a thumbnail, an upright image) is replaced by its
    stripped copy and removed after the commit. The item's row is locked throughout, so two
    runs never strip one item twice. A file that cannot be read raises OSError and changes
    nothing.
    """
    written: list[str] = []
    try:
        with transaction.atomic():
            item = (
                Item.objects.select_for_update()
                .filter(pk=item_id, processing=Item.Processing.READY)
                .first()
            )
            if item is None or item.stripped:
                return False
            names = {field: getattr(item, field).name for field in _FILE_FIELDS}
            copies: dict[str, str] = {}
            for name in dict.fromkeys(name for name in names.values() if name):
                with default_storage.open(name, "rb") as handle:
                    copy = file_without_metadata(handle.read(), name=name)
                if copy is None:
                    continue
                target, content = copy
                if default_storage.exists(target):  # left by a run stopped before its commit
                    default_storage.delete(target)
                copies[name] = default_storage.save(target, ContentFile(content))
                written.append(copies[name])
            fields = {field: copies[name] for field, name in names.items() if name in copies}
            Item.objects.filter(pk=item.pk).update(stripped=True, **fields)
            if fields:
                ItemEvent.objects.create(
                    item=item,
                    kind=ItemEvent.Kind.STRIPPED,
                )
                replaced = [name for name in copies if name != item.original.name]
                transaction.on_commit(partial(_delete, replaced))
    except BaseException:
        _delete(written)  # a refused or interrupted strip leaves no orphan file
        raise
    return bool(fields)


def _pending(dataset_id: int | None) -> QuerySet[Item]:
    items = Item.objects.filter(processing=Item.Processing.READY, stripped=False)
    return items.filter(dataset_id=dataset_id) if dataset_id is not None else items


@transaction.atomic
def metadata_strip_request(*, dataset: Dataset | None = None, by: User | None) -> MetadataStrip:
    """Queue the job that strips the files of stored items (of one dataset, or of all)."""
    strip = MetadataStrip.objects.create(
        dataset=dataset,
        total=_pending(dataset.pk if dataset is not None else None).count(),
        created_by=by,
    )
    from datasets.tasks import metadata_strip_task

    transaction.on_commit(partial(metadata_strip_task.delay, strip.pk))
    return strip


def _finish(strip: MetadataStrip, status: str, error: str = "") -> MetadataStrip:
    MetadataStrip.objects.filter(pk=strip.pk, status=MetadataStrip.Status.RUNNING).update(
        status=status, error=error, finished_at=timezone.now()
    )
    strip.refresh_from_db()
    return strip


def metadata_strip_run(*, strip_id: int) -> MetadataStrip:
    """The worker's step: strip every pending item, recording progress. Running it again
    (after a killed worker) continues with what is still pending.

    An item whose files cannot be read is left as it is — still hidden from roles other
    than planners — and named in the error; the job goes on and ends failed. Anything
    else unexpected stops the job, failed, with its reason.
    """
    lease = Lease.claim(MetadataStrip.objects.filter(pk=strip_id, status=JobStatus.RUNNING))
    strip = MetadataStrip.objects.get(pk=strip_id)
    if lease is None:  # finished, or a live worker is on it
        return strip
    pending = _pending(strip.dataset_id).order_by("id").values_list("id", flat=True)
    MetadataStrip.objects.filter(pk=strip.pk).update(total=pending.count(), done=0, changed=0)
    problems: list[str] = []
    last = 0
    try:
        while batch := list(pending.filter(pk__gt=last)[:STRIP_BATCH]):
            changed = 0
            for item_id in batch:
                try:
                    changed += item_metadata_strip(item_id=item_id)
                except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
                    logger.warning("metadata strip %s: item %s: %s", strip.pk, item_id, error)
                    problems.append(
                        _("item %(id)s (%(error)s)")
                        % {"id": item_id, "error": str(error) or repr(error)}
                    )
            last = batch[-1]
            MetadataStrip.objects.filter(pk=strip.pk).update(
                done=F("done") + len(batch), changed=F("changed") + changed
            )
            lease.beat()
    except JobStopped:  # cancelled meanwhile: what is stripped stays stripped
        strip.refresh_from_db()
        return strip
    except Exception as error:  # recorded for the operator; the worker's log has the trace
        logger.exception("metadata strip %s failed", strip.pk)
        strip.refresh_from_db()
        return _finish(
            strip,
            MetadataStrip.Status.FAILED,
            _("Stopped after %(done)s of %(total)s items: %(error)s")
            % {"done": strip.done, "total": strip.total, "error": str(error) or repr(error)},
        )
    if problems:
        shown = "; ".join(problems[:PROBLEMS_SHOWN])
        if len(problems) > PROBLEMS_SHOWN:
            shown += "; …"
        return _finish(
            strip,
            MetadataStrip.Status.FAILED,
            _(
                "%(count)s items could not be read and still carry their metadata; other "
                "roles do not see their files: %(items)s"
            )
            % {"count": len(problems), "items": shown},
        )
    return _finish(strip, MetadataStrip.Status.DONE)
