"""The worker's step for an item: full decode, upright image, screen rendition, thumbnail.

None of the files it makes carries the original's metadata (only its ICC profile), so the
item is marked stripped with them. A file that does not decode is refused with its reason
(``item_refuse``).
"""

import contextlib
import io
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageMode, ImageOps, PngImagePlugin

from datasets.imagemeta import metadata_strip
from datasets.models import Item, ItemEvent
from datasets.services.items import file_refusal, item_folder, item_refuse
from datasets.services.metadata import file_without_metadata

RENDITION_SIDE = 2048
THUMBNAIL_SIDE = 320
_ORIENTATION = 0x0112

logger = logging.getLogger(__name__)


def draft_scale(width: int, height: int) -> int:
    """The largest JPEG DCT reduction that keeps the long side near the rendition size."""
    for scale in (8, 4, 2):
        if max(width, height) // scale >= RENDITION_SIDE * 7 // 8:
            return scale
    return 1


def _profile(icc_profile: bytes | None, source_mode: str, mode: str) -> bytes | None:
    """The source's ICC profile when it still describes the pixels saved in ``mode``."""

    def family(name: str) -> str:  # a grey, CMYK or Lab profile does not fit RGB pixels
        if name in ("CMYK", "LAB", "YCbCr", "HSV"):
            return name
        return "L" if ImageMode.getmode(name).basemode == "L" else "RGB"

    return icc_profile if icc_profile and family(source_mode) == family(mode) else None


def _save(
    image: Image.Image, name: str, image_format: str, *, profile, made: list[str], **options
) -> str:
    """Encode and store a file made from the original: its ICC profile, no other metadata.

    Pillow copies a JPEG's comment from the source image; the encoded file is stripped.
    The stored name is added to ``made``, so a failure later can remove it.
    """
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, icc_profile=profile, **options)
    made.append(_store(name, metadata_strip(buffer.getvalue()).data))
    return made[-1]


class StoreFailed(Exception):
    """Storing a file made from the original failed: the storage's fault, not the photo's,
    so the item is kept and its step fails (to be run again), never refused."""


def _store(name: str, data: bytes) -> str:
    """Store a file made from the original under its own name, replacing what a killed
    earlier run of the same item left there (never a second file beside it)."""
    try:
        if default_storage.exists(name):
            default_storage.delete(name)
        return default_storage.save(name, ContentFile(data))
    except OSError as error:
        raise StoreFailed(name) from error


def decode_problem(error: BaseException) -> tuple[str, str]:
    """What is wrong with an image that failed to decode: (code, sentence for people).

    A file cut short is "truncated"; a PNG whose text chunk expands past what Pillow reads,
    a picture over the pixel limit and a decode that runs out of time are each named; any
    other failure says what the decoder reported.
    """
    text = str(error)
    if isinstance(error, Image.DecompressionBombError):
        return "too_many_pixels", _(
            "the image has more pixels than the limit of %(limit)s once decoded."
        ) % {"limit": settings.ITEM_MAX_PIXELS}
    if isinstance(error, SoftTimeLimitExceeded):
        return "decode_timeout", _("the image took too long to decode.")
    if isinstance(error, ValueError) and ("MAX_TEXT_CHUNK" in text or "text chunks" in text):
        return "oversized_metadata", _(
            "the image carries a text (metadata) chunk larger than the %(limit)s bytes "
            "Groundwork reads."
        ) % {"limit": PngImagePlugin.MAX_TEXT_CHUNK}
    if isinstance(error, (OSError, EOFError)) and "truncated" in text:
        return "damaged_image", _("the image is truncated: its data ends before the picture.")
    return "damaged_image", _("the image is damaged and cannot be decoded (%(error)s).") % {
        "error": text[:200] or error.__class__.__name__
    }


def _renditions(item: Item, data: bytes, made: list[str]) -> dict:
    """Decode the original fully and make the upright image, rendition and thumbnail.

    The upright image carries no metadata: a turned or converted picture is encoded anew;
    one already upright is the original, or its copy stripped at the container level (the
    same pixel data) when the original carries any.
    """
    folder = item_folder(item.dataset_id, item.sha256)
    with Image.open(io.BytesIO(data)) as image:
        image_format = image.format
        if image.width * image.height > settings.ITEM_MAX_PIXELS:
            raise Image.DecompressionBombError("over ITEM_MAX_PIXELS")
        orientation = image.getexif().get(_ORIENTATION, 1)
        upright_needed = orientation not in (0, 1) or image_format == "HEIF"
        icc_profile = image.info.get("icc_profile")
        fields = {}
        if image_format == "JPEG" and not upright_needed:
            scale = draft_scale(image.width, image.height)
            if scale > 1:
                image.draft("RGB", (image.width // scale, image.height // scale))
            image.load()  # a truncated or damaged file fails here
            screen = image
            fields.update(width=image.width * scale, height=image.height * scale)
        else:
            image.load()
            upright = ImageOps.exif_transpose(image)
            fields.update(width=upright.width, height=upright.height)
            if upright_needed:
                lossless = image_format in {"PNG", "WEBP"}
                kept = upright if lossless else upright.convert("RGB")
                fields["image"] = _save(
                    kept,
                    f"{folder}.upright.{'png' if lossless else 'jpg'}",
                    "PNG" if lossless else "JPEG",
                    profile=_profile(icc_profile, image.mode, kept.mode),
                    made=made,
                    **({} if lossless else {"quality": 95}),
                )
            screen = upright
        source_mode = image.mode
        if "image" not in fields:
            copy = file_without_metadata(data, name=item.original.name)
            if copy is not None:
                made.append(_store(copy[0], copy[1]))
                fields["image"] = made[-1]
        screen = screen.convert("RGB")
        profile = _profile(icc_profile, source_mode, "RGB")
        long_side = max(fields["width"], fields["height"])
        if long_side > RENDITION_SIDE:
            screen.thumbnail((RENDITION_SIDE, RENDITION_SIDE), Image.Resampling.BILINEAR)
            fields["rendition"] = _save(
                screen, f"{folder}.screen.jpg", "JPEG", profile=profile, made=made, quality=85
            )
        thumbnail = screen.copy()
        thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.BILINEAR)
        fields["thumbnail"] = _save(
            thumbnail, f"{folder}.thumb.jpg", "JPEG", profile=profile, made=made, quality=80
        )
    return fields


def _files_make(item: Item) -> Item | None:
    """Make the item's files and mark it ready; None when the file is refused (removed)."""
    with default_storage.open(item.original.name, "rb") as source:
        data = source.read()
    made: list[str] = []
    try:
        fields = _renditions(item, data, made)
    except StoreFailed:
        for name in made:
            default_storage.delete(name)
        raise
    except Exception as error:  # noqa: BLE001 - whatever the decoder raised, the file is wrong
        logger.info("item %s refused by the worker: %r", item.pk, error)
        for name in made:
            default_storage.delete(name)
        refusal = file_refusal(item.original_name or item.sha256[:12], *decode_problem(error))
        item_refuse(item=item, code=refusal.code, message=refusal.message)
        return None
    fields.setdefault("rendition", fields.get("image", item.image.name))
    with transaction.atomic():
        updated = Item.objects.filter(pk=item.pk, processing=Item.Processing.QUEUED).update(
            processing=Item.Processing.READY, stripped=True, **fields
        )
        if updated:
            ItemEvent.objects.create(item=item, kind=ItemEvent.Kind.PROCESSED)
    return item


def _processing_lock(item: Item):
    """Hold the item's row while its files are made, so two processes given the same item
    (the worker and an in-process call, or a message delivered twice) never write the same
    names at once; the second waits for the row and finds the item ready. On SQLite, whose worker
    runs one step at a time, there is nothing to hold (a transaction there would take the
    whole database's write lock for the decode)."""
    if connection.vendor != "postgresql":
        return contextlib.nullcontext(True)
    return _row_locked(item)


@contextlib.contextmanager
def _row_locked(item: Item):
    with transaction.atomic():
        yield (
            Item.objects.select_for_update()
            .filter(pk=item.pk, processing=Item.Processing.QUEUED)
            .values_list("pk", flat=True)
            .first()
            is not None
        )


def item_process(*, item_id: int) -> Item | None:
    """The worker's step: full decode, upright image, rendition and thumbnail. Idempotent.

    None of the files it makes carries the original's metadata, so the item is marked
    stripped with them. An item another process is making the files of is left to it: this
    waits for that process and returns the item as it made it.
    """
    item = Item.objects.filter(pk=item_id).first()
    if item is None or item.processing != Item.Processing.QUEUED:
        return item
    # taken: the sweep queues it again if this worker dies before it is ready (this waits
    # while another process holds the row, and then finds it ready)
    Item.objects.filter(pk=item.pk).update(processing_at=timezone.now())
    with _processing_lock(item) as mine:
        if not mine:
            item.refresh_from_db()
            return item
        if _files_make(item) is None:
            return None
    item.refresh_from_db()
    return item
