"""Items made through the real services from located photos, and the files they store."""

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

from datasets import services
from datasets.models import Item
from tests.factories.images import located_photo

#: (format, EXIF orientation) of the located uploads the checks walk.
LOCATED = [("JPEG", 1), ("JPEG", 6), ("PNG", 1), ("WEBP", 1)]


def stored_bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def decoded_pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


def upright_pixels_as_before(original: bytes) -> bytes:
    """The decoded pixels of the upright image the worker made before it stripped anything:
    the original's own when no turn was needed, else the turned picture as it encoded it."""
    with Image.open(io.BytesIO(original)) as image:
        turned = image.getexif().get(0x0112, 1) not in (0, 1) or image.format == "HEIF"
        if not turned:
            return decoded_pixels(original)
        upright = ImageOps.exif_transpose(image)
        buffer = io.BytesIO()
        if image.format in {"PNG", "WEBP"}:
            upright.save(buffer, format="PNG")
        else:
            upright.convert("RGB").save(buffer, format="JPEG", quality=95)
    return decoded_pixels(buffer.getvalue())


def located_item(dataset, image_format="JPEG", orientation=1, seed=1, **options) -> Item:
    """A located photo registered and processed (in this process) as an item of ``dataset``."""
    content = located_photo(seed, image_format=image_format, orientation=orientation, **options)
    item, _created = services.item_register(dataset=dataset, file=content, name="phone.jpg")
    return services.item_process(item_id=item.pk)


def as_stored_before(item: Item) -> Item:
    """The item as the worker left it before it stripped files: the original serves as the
    upright image (and rendition) when no turn was needed, and the thumbnail keeps the
    comment Pillow copied from a JPEG original."""
    fields = {"stripped": False}
    if ".stripped." in item.image.name:
        default_storage.delete(item.image.name)
        fields["image"] = item.original.name
        if item.rendition.name == item.image.name:
            fields["rendition"] = item.original.name
    with Image.open(io.BytesIO(stored_bytes(item.thumbnail.name))) as thumbnail:
        buffer = io.BytesIO()
        thumbnail.save(buffer, format="JPEG", quality=80, comment=b"taken at home")
    default_storage.delete(item.thumbnail.name)
    default_storage.save(item.thumbnail.name, ContentFile(buffer.getvalue()))
    Item.objects.filter(pk=item.pk).update(**fields)
    item.refresh_from_db()
    return item
