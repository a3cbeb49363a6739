"""Writes of items: images coming in, stored under server-chosen names."""

import hashlib
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import DomainError
from datasets.models import Category, Dataset, Item, ItemCategory

IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}


def _decoded(content: bytes) -> tuple[Image.Image, str]:
    try:
        image = Image.open(io.BytesIO(content))
        image_format = image.format
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise DomainError(
            _("The file is not an image Groundwork can read."), code="not_an_image"
        ) from error
    if image_format not in IMAGE_FORMATS:
        raise DomainError(_("Images must be JPEG, PNG or WebP."), code="unsupported_format")
    return ImageOps.exif_transpose(image), image_format


@transaction.atomic
def item_register(
    *, dataset: Dataset, content: bytes, categories: list[Category] = ()
) -> tuple[Item, bool]:
    """Store one image under a server-chosen name; the same content twice is one item."""
    digest = hashlib.sha256(content).hexdigest()
    existing = dataset.items.filter(sha256=digest).first()
    if existing is not None:
        return existing, False
    image, image_format = _decoded(content)
    extension = IMAGE_FORMATS[image_format][0]
    name = default_storage.save(
        f"items/{dataset.pk}/{digest[:2]}/{digest}.{extension}", ContentFile(content)
    )
    try:
        with transaction.atomic():
            item = Item.objects.create(
                dataset=dataset, sha256=digest, image=name, width=image.width, height=image.height
            )
            ItemCategory.objects.bulk_create(
                ItemCategory(item=item, category=category, axis_id=category.axis_id)
                for category in categories
            )
    except Exception:
        default_storage.delete(name)  # a refused write leaves no orphan file
        raise
    return item, True
