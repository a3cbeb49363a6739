"""No metadata leaves with an image: processing, serving by role, the strip job, exports."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image, ImageOps

from accounts.models import Role
from datasets import services
from datasets.models import Item
from tests.factories.datasets import DatasetFactory
from tests.factories.images import icc_profile, image_bytes, located_photo, metadata_in

pytestmark = pytest.mark.django_db

#: (format, EXIF orientation) of each located upload the checks walk.
LOCATED = [("JPEG", 1), ("JPEG", 6), ("PNG", 1), ("WEBP", 1)]
KINDS = ("original", "image", "rendition", "thumbnail")


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def _pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


def _upright_as_before(original: bytes) -> bytes:
    """The decoded pixels of the upright image the worker made before it stripped anything."""
    with Image.open(io.BytesIO(original)) as image:
        turned = image.getexif().get(0x0112, 1) not in (0, 1) or image.format == "HEIF"
        if not turned:
            return _pixels(original)
        upright = ImageOps.exif_transpose(image)
        buffer = io.BytesIO()
        if image.format in {"PNG", "WEBP"}:
            upright.save(buffer, format="PNG")
        else:
            upright.convert("RGB").save(buffer, format="JPEG", quality=95)
    return _pixels(buffer.getvalue())


def _located_item(dataset, image_format="JPEG", orientation=1, seed=1, **options) -> Item:
    content = located_photo(seed, image_format=image_format, orientation=orientation, **options)
    item, _created = services.item_register(dataset=dataset, file=content, name="phone.jpg")
    return services.item_process(item_id=item.pk)


def _as_stored_before(item: Item) -> Item:
    """The item as the worker left it before stripping: the original serves as the upright
    image (and rendition) when no turn was needed, and the thumbnail keeps the comment
    Pillow copied from a JPEG original."""
    fields = {"stripped": False}
    if ".stripped." in item.image.name:
        default_storage.delete(item.image.name)
        fields["image"] = item.original.name
        if item.rendition.name == item.image.name:
            fields["rendition"] = item.original.name
    with Image.open(io.BytesIO(_read(item.thumbnail.name))) as thumbnail:
        buffer = io.BytesIO()
        thumbnail.save(buffer, format="JPEG", quality=80, comment=b"taken at home")
    default_storage.delete(item.thumbnail.name)
    default_storage.save(item.thumbnail.name, ContentFile(buffer.getvalue()))
    Item.objects.filter(pk=item.pk).update(**fields)
    item.refresh_from_db()
    return item


def _client(make_user, role: str) -> Client:
    client = Client()
    client.force_login(make_user(role))
    return client


def _served(client, item: Item, kind: str):
    return client.get(f"/datasets/{item.dataset_id}/items/{item.pk}/file/{kind}/")


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


# processing --------------------------------------------------------------------------------


@pytest.mark.parametrize(("image_format", "orientation"), LOCATED)
def test_the_worker_makes_every_file_but_the_original_without_metadata(image_format, orientation):
    item = _located_item(DatasetFactory(), image_format, orientation)
    original = _read(item.original.name)

    assert item.stripped and item.image.name != item.original.name
    for name in (item.image.name, item.rendition.name, item.thumbnail.name):
        assert metadata_in(_read(name)) == set(), name
    assert _pixels(_read(item.image.name)) == _upright_as_before(original)
    assert {"gps", "exif", "xmp"} <= metadata_in(original)


@pytest.mark.parametrize(("image_format", "orientation"), LOCATED)
def test_the_icc_profile_stays_in_every_file(image_format, orientation):
    item = _located_item(DatasetFactory(), image_format, orientation)

    for name in (item.image.name, item.thumbnail.name):
        with Image.open(io.BytesIO(_read(name))) as image:
            assert image.info.get("icc_profile") == icc_profile(), name


def test_an_upright_jpeg_with_metadata_gets_a_stripped_copy_of_the_same_pixel_data():
    item = _located_item(DatasetFactory(), "JPEG", 1)
    original, image = _read(item.original.name), _read(item.image.name)

    assert item.image.name.endswith(f"{item.sha256}.stripped.jpg")
    assert item.rendition.name == item.image.name  # small: the image serves as the rendition
    assert image[-200:] == original[-200:]  # the scan is copied, not encoded again
    assert _pixels(image) == _pixels(original)


def test_a_large_photo_gets_a_rendition_without_metadata():
    item = _located_item(DatasetFactory(), "JPEG", 6, size=(2600, 1200))

    assert item.rendition.name.endswith(".screen.jpg")
    assert metadata_in(_read(item.rendition.name)) == set()


def test_a_photo_without_metadata_keeps_its_original_as_the_image():
    item, _created = services.item_register(dataset=DatasetFactory(), file=image_bytes(2))
    item = services.item_process(item_id=item.pk)

    assert item.stripped and item.image.name == item.original.name


def test_a_heic_photo_becomes_a_jpeg_without_metadata():
    item = _located_item(DatasetFactory(), "HEIF", 1)
    original = _read(item.original.name)

    assert item.image.name.endswith(".upright.jpg")
    assert metadata_in(_read(item.image.name)) == set()
    assert {"gps", "xmp"} <= metadata_in(original)
    assert _pixels(_read(item.image.name)) == _upright_as_before(original)


def test_a_jpeg_the_parser_cannot_follow_is_stored_as_lossless_png_of_its_pixels():
    located = located_photo(3, image_format="JPEG")
    at = located.index(b"\xff\xdb")  # stray bytes before a table: libjpeg skips them
    damaged = located[:at] + b"\x00\x00" + located[at:]
    item, _created = services.item_register(dataset=DatasetFactory(), file=damaged)

    item = services.item_process(item_id=item.pk)

    assert item.image.name.endswith(".stripped.png")
    assert metadata_in(_read(item.image.name)) == set()
    assert _pixels(_read(item.image.name)) == _pixels(damaged)


# serving -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
@pytest.mark.parametrize(("image_format", "orientation"), LOCATED)
def test_other_roles_get_no_metadata_in_any_file(make_user, role, image_format, orientation):
    item = _located_item(DatasetFactory(), image_format, orientation)
    client = _client(make_user, role)

    bodies = {kind: _body(_served(client, item, kind)) for kind in KINDS}

    assert {kind: metadata_in(body) for kind, body in bodies.items()} == dict.fromkeys(KINDS, set())
    assert bodies["original"] == bodies["image"]  # the original's place is the stripped image
    assert _pixels(bodies["image"]) == _upright_as_before(_read(item.original.name))


def test_planners_get_the_original_with_its_metadata(make_user):
    item = _located_item(DatasetFactory(), "JPEG", 1)
    planner = _client(make_user, Role.PLANNER)

    response = _served(planner, item, "original")

    assert _body(response) == _read(item.original.name)
    assert "gps" in metadata_in(_read(item.original.name))
    assert metadata_in(_body(_served(planner, item, "image"))) == set()


def test_other_roles_get_nothing_of_an_item_not_yet_stripped(make_user):
    item = _as_stored_before(_located_item(DatasetFactory(), "JPEG", 1))
    reviewer, planner = _client(make_user, Role.REVIEWER), _client(make_user, Role.PLANNER)

    assert [_served(reviewer, item, kind).status_code for kind in KINDS] == [404] * 4
    assert [_served(planner, item, kind).status_code for kind in KINDS] == [200] * 4


def test_the_item_page_offers_other_roles_the_image_not_the_original(make_user):
    item = _located_item(DatasetFactory(), "JPEG", 1)
    url = f"/datasets/{item.dataset_id}/items/{item.pk}/"

    reviewer = _client(make_user, Role.REVIEWER).get(url).content.decode()
    planner = _client(make_user, Role.PLANNER).get(url).content.decode()

    assert f"/items/{item.pk}/file/original/" not in reviewer
    assert f'href="/datasets/{item.dataset_id}/items/{item.pk}/file/image/" download' in reviewer
    assert f"/items/{item.pk}/file/original/" in planner
