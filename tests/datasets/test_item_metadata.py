"""No metadata leaves with an image: processing, serving by role, the strip job."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from PIL import Image

from accounts.models import Role
from datasets import services
from datasets.models import Item, MetadataStrip
from tests.factories.datasets import DatasetFactory
from tests.factories.images import icc_profile, image_bytes, located_photo, metadata_in
from tests.factories.items import (
    LOCATED,
    as_stored_before,
    decoded_pixels,
    located_item,
    stored_bytes,
    upright_pixels_as_before,
)

pytestmark = pytest.mark.django_db

KINDS = ("original", "image", "rendition", "thumbnail")


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
    item = located_item(DatasetFactory(), image_format, orientation)
    original = stored_bytes(item.original.name)

    assert item.stripped and item.image.name != item.original.name
    for name in (item.image.name, item.rendition.name, item.thumbnail.name):
        assert metadata_in(stored_bytes(name)) == set(), name
    assert decoded_pixels(stored_bytes(item.image.name)) == upright_pixels_as_before(original)
    assert {"gps", "exif", "xmp"} <= metadata_in(original)


@pytest.mark.parametrize(("image_format", "orientation"), LOCATED)
def test_the_icc_profile_stays_in_every_file(image_format, orientation):
    item = located_item(DatasetFactory(), image_format, orientation)

    for name in (item.image.name, item.thumbnail.name):
        with Image.open(io.BytesIO(stored_bytes(name))) as image:
            assert image.info.get("icc_profile") == icc_profile(), name


def test_an_upright_jpeg_with_metadata_gets_a_stripped_copy_of_the_same_pixel_data():
    item = located_item(DatasetFactory(), "JPEG", 1)
    original, image = stored_bytes(item.original.name), stored_bytes(item.image.name)

    assert item.image.name.endswith(f"{item.sha256}.stripped.jpg")
    assert item.rendition.name == item.image.name  # small: the image serves as the rendition
    assert image[-200:] == original[-200:]  # the scan is copied, not encoded again
    assert decoded_pixels(image) == decoded_pixels(original)


def test_a_large_photo_gets_a_rendition_without_metadata():
    item = located_item(DatasetFactory(), "JPEG", 6, size=(2600, 1200))

    assert item.rendition.name.endswith(".screen.jpg")
    assert metadata_in(stored_bytes(item.rendition.name)) == set()


def test_a_photo_without_metadata_keeps_its_original_as_the_image():
    item, _created = services.item_register(dataset=DatasetFactory(), file=image_bytes(2))
    item = services.item_process(item_id=item.pk)

    assert item.stripped and item.image.name == item.original.name


def test_a_heic_photo_becomes_a_jpeg_without_metadata():
    item = located_item(DatasetFactory(), "HEIF", 1)
    original = stored_bytes(item.original.name)

    assert item.image.name.endswith(".upright.jpg")
    assert metadata_in(stored_bytes(item.image.name)) == set()
    assert {"gps", "xmp"} <= metadata_in(original)
    assert decoded_pixels(stored_bytes(item.image.name)) == upright_pixels_as_before(original)


def test_a_jpeg_the_parser_cannot_follow_is_stored_as_lossless_png_of_itsdecoded_pixels():
    located = located_photo(3, image_format="JPEG")
    at = located.index(b"\xff\xdb")  # stray bytes before a table: libjpeg skips them
    damaged = located[:at] + b"\x00\x00" + located[at:]
    item, _created = services.item_register(dataset=DatasetFactory(), file=damaged)

    item = services.item_process(item_id=item.pk)

    assert item.image.name.endswith(".stripped.png")
    assert metadata_in(stored_bytes(item.image.name)) == set()
    assert decoded_pixels(stored_bytes(item.image.name)) == decoded_pixels(damaged)


# serving -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
@pytest.mark.parametrize(("image_format", "orientation"), LOCATED)
def test_other_roles_get_no_metadata_in_any_file(make_user, role, image_format, orientation):
    item = located_item(DatasetFactory(), image_format, orientation)
    client = _client(make_user, role)

    bodies = {kind: _body(_served(client, item, kind)) for kind in KINDS}

    assert {kind: metadata_in(body) for kind, body in bodies.items()} == dict.fromkeys(KINDS, set())
    assert bodies["original"] == bodies["image"]  # the original's place is the stripped image
    assert decoded_pixels(bodies["image"]) == upright_pixels_as_before(
        stored_bytes(item.original.name)
    )


def test_planners_get_the_original_with_its_metadata(make_user):
    item = located_item(DatasetFactory(), "JPEG", 1)
    planner = _client(make_user, Role.PLANNER)

    response = _served(planner, item, "original")

    assert _body(response) == stored_bytes(item.original.name)
    assert "gps" in metadata_in(stored_bytes(item.original.name))
    assert metadata_in(_body(_served(planner, item, "image"))) == set()


def test_other_roles_get_nothing_of_an_item_not_yet_stripped(make_user):
    item = as_stored_before(located_item(DatasetFactory(), "JPEG", 1))
    reviewer, planner = _client(make_user, Role.REVIEWER), _client(make_user, Role.PLANNER)

    assert [_served(reviewer, item, kind).status_code for kind in KINDS] == [404] * 4
    assert [_served(planner, item, kind).status_code for kind in KINDS] == [200] * 4


def test_the_item_page_offers_other_roles_the_image_not_the_original(make_user):
    item = located_item(DatasetFactory(), "JPEG", 1)
    url = f"/datasets/{item.dataset_id}/items/{item.pk}/"

    reviewer = _client(make_user, Role.REVIEWER).get(url).content.decode()
    planner = _client(make_user, Role.PLANNER).get(url).content.decode()

    assert f"/items/{item.pk}/file/original/" not in reviewer
    assert f'href="/datasets/{item.dataset_id}/items/{item.pk}/file/image/" download' in reviewer
    assert f"/items/{item.pk}/file/original/" in planner


# the strip job -----------------------------------------------------------------------------


def _stored_before(dataset) -> list[Item]:
    return [
        as_stored_before(located_item(dataset, image_format, orientation, seed=seed))
        for seed, (image_format, orientation) in enumerate(LOCATED)
    ]


def test_the_job_strips_items_stored_before_and_keeps_their_pixels_and_originals(
    django_capture_on_commit_callbacks,
):
    dataset = DatasetFactory()
    items = _stored_before(dataset)
    originals = {item.pk: stored_bytes(item.original.name) for item in items}
    old_thumbnails = [item.thumbnail.name for item in items]
    assert all("taken at home" in metadata_in(stored_bytes(name)) for name in old_thumbnails)

    strip = services.metadata_strip_request(dataset=dataset, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        strip = services.metadata_strip_run(strip_id=strip.pk)

    assert (strip.status, strip.total, strip.done, strip.changed) == ("done", 4, 4, 4)
    for item in Item.objects.filter(pk__in=originals):
        assert item.stripped
        for name in (item.image.name, item.rendition.name, item.thumbnail.name):
            assert metadata_in(stored_bytes(name)) == set(), name
        assert decoded_pixels(stored_bytes(item.image.name)) == upright_pixels_as_before(
            originals[item.pk]
        )
        assert stored_bytes(item.original.name) == originals[item.pk]
        assert item.events.filter(kind="stripped").exists()
    assert not any(default_storage.exists(name) for name in old_thumbnails)


def test_running_the_job_twice_changes_nothing_the_second_time():
    dataset = DatasetFactory()
    _stored_before(dataset)
    services.metadata_strip_run(
        strip_id=services.metadata_strip_request(dataset=dataset, by=None).pk
    )
    files = {item.pk: (item.image.name, item.thumbnail.name) for item in dataset.items.all()}

    again = services.metadata_strip_run(
        strip_id=services.metadata_strip_request(dataset=dataset, by=None).pk
    )
    rerun = services.metadata_strip_run(strip_id=again.pk)

    assert (again.status, again.total, again.changed) == ("done", 0, 0)
    assert rerun == again
    assert {item.pk: (item.image.name, item.thumbnail.name) for item in dataset.items.all()} == (
        files
    )


def test_the_job_strips_one_dataset_only_when_asked():
    chosen, other = DatasetFactory(), DatasetFactory()
    as_stored_before(located_item(chosen, seed=1))
    untouched = as_stored_before(located_item(other, seed=2))

    services.metadata_strip_run(
        strip_id=services.metadata_strip_request(dataset=chosen, by=None).pk
    )

    assert chosen.items.get().stripped
    untouched.refresh_from_db()
    assert not untouched.stripped and untouched.image.name == untouched.original.name


def test_an_item_whose_file_is_missing_fails_the_job_by_name_and_the_rest_is_stripped():
    dataset = DatasetFactory()
    broken, *others = _stored_before(dataset)
    default_storage.delete(broken.original.name)

    strip = services.metadata_strip_run(
        strip_id=services.metadata_strip_request(dataset=dataset, by=None).pk
    )

    assert (strip.status, strip.done, strip.changed) == ("failed", 4, 3)
    assert strip.error.startswith("1 items could not be read")
    assert f"item {broken.pk} (" in strip.error
    assert all(Item.objects.get(pk=item.pk).stripped for item in others)
    assert not Item.objects.get(pk=broken.pk).stripped


def test_the_command_strips_in_its_own_process_and_reports(capsys):
    dataset = DatasetFactory()
    _stored_before(dataset)

    call_command("strip_metadata", "--dataset", str(dataset.pk), "--here")

    strip = MetadataStrip.objects.get()
    assert (strip.status, strip.dataset_id, strip.changed) == ("done", dataset.pk, 4)
    assert "4 of 4 items checked, 4 had metadata removed" in capsys.readouterr().out
    assert all(item.stripped for item in dataset.items.all())


def test_the_command_refuses_an_unknown_dataset():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No dataset 999999"):
        call_command("strip_metadata", "--dataset", "999999", "--here")

    assert not MetadataStrip.objects.exists()
