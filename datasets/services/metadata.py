"""Item files without metadata: the stripped copy the worker makes of an original.

A photo's EXIF, XMP and text chunks can say where and when it was taken. The original keeps
them (planners may download it); every other file of an item — the upright image, the
rendition, the thumbnail — is stripped at the container level (``datasets.imagemeta``), so
decoded pixels, and every crop made from them, stay the same. ``item_process`` strips new
items.
"""

import io
import logging
from pathlib import PurePosixPath

from PIL import Image

from datasets.imagemeta import MetadataError, metadata_strip

logger = logging.getLogger(__name__)

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
