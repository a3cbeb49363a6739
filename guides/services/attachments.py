"""A guide's images: uploaded files kept as attachments, the only images a guide may show.

An attachment is checked by its content, never by its name: JPEG, PNG or WebP only; SVG
(which can carry scripts) and anything else are refused with a 400 naming the problem. What
a photo says about where and on what it was taken goes (``datasets.services
.file_without_metadata``); a photo turned by its EXIF orientation is turned upright first,
since dropping the EXIF drops the orientation with it. The stored name is the server's.
"""

from __future__ import annotations

import io
import uuid
from typing import IO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.models import User
from core.errors import DomainError
from datasets.services import file_without_metadata
from guides.models import Attachment, Guide

#: Decoded format → (stored extension, Content-Type).
ATTACHMENT_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_PIXELS = 40_000_000
NAME_LIMIT = 255
_EXIF_ORIENTATION = 0x0112


def _refusal(field: str, message: str, code: str = "not_an_image") -> DomainError:
    return DomainError(message, code=code, fields={field: message})


def _looks_like_svg(head: bytes, name: str = "") -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    by_name = name.lower().endswith((".svg", ".svgz"))
    return by_name or (
        text.startswith(b"<") and (b"<svg" in head.lower() or text.startswith(b"<?xml"))
    )


def image_check(data: bytes, *, field: str = "file", name: str = "") -> tuple[str, int, int]:
    """(format, width, height) of an image a guide may show, or a 400 naming ``field``."""
    if not data:
        raise _refusal(field, _("The file is empty."))
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise _refusal(
            field,
            _("An image is limited to %(limit)s bytes; this one has %(size)s.")
            % {"limit": ATTACHMENT_MAX_BYTES, "size": len(data)},
            code="file_too_large",
        )
    if _looks_like_svg(data[:1024], name):
        raise _refusal(
            field,
            _("SVG images are refused: they can carry scripts. Send JPEG, PNG or WebP."),
            code="svg_refused",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format, (width, height) = image.format, image.size
            if width * height > ATTACHMENT_MAX_PIXELS:
                raise Image.DecompressionBombError
            image.verify()
    except (Image.DecompressionBombError, UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refusal(
            field, _("This is not a JPEG, PNG or WebP image Groundwork can read.")
        ) from None
    if image_format not in ATTACHMENT_FORMATS:
        raise _refusal(
            field,
            _("%(format)s images are not accepted; send JPEG, PNG or WebP.")
            % {"format": image_format},
        )
    return image_format, width, height


def _upright(data: bytes) -> tuple[bytes, str, int, int] | None:
    """A photo its EXIF says to turn, turned and stored as a lossless PNG; None if upright."""
    with Image.open(io.BytesIO(data)) as image:
        if image.getexif().get(_EXIF_ORIENTATION, 1) in (1, None):
            return None
        turned = ImageOps.exif_transpose(image)
        if turned.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            turned = turned.convert("RGB")
        buffer = io.BytesIO()
        turned.save(buffer, format="PNG")
        return buffer.getvalue(), "PNG", turned.width, turned.height


@transaction.atomic
def attachment_upload(*, guide: Guide, file: IO[bytes], name: str, by: User | None) -> Attachment:
    """Keep an uploaded image of ``guide``, upright and without its metadata, under a
    server-chosen name (a 400 naming ``file`` otherwise; nothing stored)."""
    data = file.read(ATTACHMENT_MAX_BYTES + 1)
    image_format, width, height = image_check(data, field="file", name=name or "")
    turned = _upright(data)
    if turned is not None:
        data, image_format, width, height = turned
    extension, content_type = ATTACHMENT_FORMATS[image_format]
    without = file_without_metadata(data, name=f"upload.{extension}")
    if without is not None:
        stored_name, data = without
        extension = stored_name.rsplit(".", 1)[-1]
        content_type = dict(ATTACHMENT_FORMATS.values())[extension]
    attachment = Attachment(
        guide=guide,
        name=(name or "").strip()[:NAME_LIMIT] or f"image.{extension}",
        content_type=content_type,
        width=width,
        height=height,
        uploaded_by=by,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment
