"""A guide's images: uploaded once, stored without metadata, shown only by the guide.

Only JPEG, PNG and WebP are taken, judged by their content (Pillow), never by the name; an
SVG is refused by name (it can carry scripts). What a photo says about where and on what it
was taken is stripped (``datasets.services.file_without_metadata``) before the file is stored.
"""

from __future__ import annotations

import io
import os
from typing import IO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from accounts.models import User
from core.errors import DomainError
from datasets.services import file_without_metadata
from guides.models import Attachment, Guide

#: An attachment's own limit, in bytes.
ATTACHMENT_LIMIT = 10 * 1024 * 1024
#: Pillow's format → (Content-Type, extension of the stored name).
ATTACHMENT_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
_MAX_PIXELS = 40_000_000


def _refusal(message: str, code: str) -> DomainError:
    return DomainError(message, code=code, fields={"file": message})


def _looks_like_svg(name: str, head: bytes) -> bool:
    start = head.lstrip()[:256].lower()
    return name.lower().endswith((".svg", ".svgz")) or (
        start.startswith(b"<") and (b"<svg" in head[:4096].lower() or start.startswith(b"<?xml"))
    )


@transaction.atomic
def attachment_upload(*, guide: Guide, file: IO[bytes], name: str, by: User | None) -> Attachment:
    """Store an image for ``guide`` (a 400 naming the problem otherwise; nothing stored)."""
    data = file.read(ATTACHMENT_LIMIT + 1)
    if not data:
        raise _refusal(_("The file is empty."), "empty_file")
    if len(data) > ATTACHMENT_LIMIT:
        raise _refusal(
            _("An image is limited to %(limit)s bytes.") % {"limit": ATTACHMENT_LIMIT},
            "file_too_large",
        )
    if _looks_like_svg(name, data):
        raise _refusal(
            _("SVG images are refused: they can carry scripts. Send JPEG, PNG or WebP."),
            "svg_refused",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format, (width, height) = image.format, image.size
            if width * height > _MAX_PIXELS:
                raise _refusal(
                    _("The image has more pixels than a guide shows."), "too_many_pixels"
                )
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refusal(
            _("The file is not a JPEG, PNG or WebP image, whatever its name says."), "not_an_image"
        ) from None
    if image_format not in ATTACHMENT_FORMATS:
        raise _refusal(
            _("%(format)s images are not accepted; send JPEG, PNG or WebP.")
            % {"format": image_format},
            "unsupported_format",
        )
    content_type, extension = ATTACHMENT_FORMATS[image_format]
    try:
        copy = file_without_metadata(data, name=f"upload.{extension}")
    except OSError:
        raise _refusal(
            _("The file is not a JPEG, PNG or WebP image, whatever its name says."), "not_an_image"
        ) from None
    if copy is not None:
        stored_name, data = copy
        if stored_name.lower().endswith(".png") and extension != "png":
            content_type, extension = ATTACHMENT_FORMATS["PNG"]  # its pixels, re-encoded
    stem = os.path.splitext(os.path.basename(name or ""))[0][:200] or "image"
    return Attachment.objects.create(
        guide=guide,
        name=f"{stem}.{extension}",
        file=ContentFile(data, name=f"guide{guide.pk}.{extension}"),
        content_type=content_type,
        width=width,
        height=height,
        uploaded_by=by,
    )
