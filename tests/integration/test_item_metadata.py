"""Located photos through a real worker: uploaded, processed, served and exported clean."""

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accounts.models import Role
from datasets import services
from datasets.models import Dataset, GroundTruthVersion, Item, MetadataStrip
from tests.conftest import until
from tests.factories.images import located_photo, metadata_in
from tests.factories.items import decoded_pixels, upright_pixels_as_before

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("celery")]

#: (file name, format, EXIF orientation) of the phone's uploads.
UPLOADS = [
    ("upright.jpg", "JPEG", 1),
    ("turned.jpg", "JPEG", 6),
    ("notes.png", "PNG", 1),
    ("shared.webp", "WEBP", 1),
]
KINDS = ("original", "image", "rendition", "thumbnail")
FORMULA = {
    "regions": [
        {
            "id": "r1",
            "type": "formula",
            "bbox": [4.0, 4.0, 30.0, 30.0],
            "attributes": {"latex": "x+1"},
            "parent": None,
        }
    ],
    "categories": {},
}


@pytest.fixture
def demo(celery_worker):
    """The demo, seeded once the worker runs (starting it purges the queue)."""
    call_command("seed_demo", photos=2)
    return Dataset.objects.get(name="Math formula photos")


@pytest.fixture
def uploaded(demo, planner_client):
    """The four located photos, uploaded by a planner and processed by the worker."""
    contents = {
        name: located_photo(seed, image_format=image_format, orientation=orientation)
        for seed, (name, image_format, orientation) in enumerate(UPLOADS, start=20)
    }
    response = planner_client.post(
        f"/api/v1/datasets/{demo.id}/uploads/",
        {"files": [SimpleUploadedFile(name, content) for name, content in contents.items()]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert until(lambda: not demo.items.filter(processing="queued").exists(), timeout=90)
    return {name: demo.items.get(original_name=name) for name in contents}, contents


def _body(client, item: Item, kind: str) -> bytes:
    response = client.get(f"/datasets/{item.dataset_id}/items/{item.pk}/file/{kind}/")
    assert response.status_code == 200, (item.original_name, kind)
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
def test_every_file_another_role_is_served_carries_no_metadata(uploaded, client_for, role):
    items, contents = uploaded
    client = client_for(role)

    for name, item in items.items():
        bodies = {kind: _body(client, item, kind) for kind in KINDS}

        assert item.processing == "ready" and item.stripped, name
        assert {kind: metadata_in(body) for kind, body in bodies.items()} == dict.fromkeys(
            KINDS, set()
        ), name
        assert decoded_pixels(bodies["image"]) == upright_pixels_as_before(contents[name]), name


def test_the_planner_still_downloads_each_original_with_its_metadata(uploaded, planner_client):
    items, contents = uploaded

    for name, item in items.items():
        original = _body(planner_client, item, "original")

        assert original == contents[name]
        assert {"exif", "gps", "xmp"} <= metadata_in(original), name


def test_an_export_with_images_built_by_the_worker_carries_no_metadata(uploaded, client_for):
    items, contents = uploaded
    for item in items.values():
        services.ground_truth_record(
            item=item, annotation=FORMULA, source=GroundTruthVersion.Source.IMPORT
        )
        services.item_split_set(item=item, split="train", by=None)
    trainer = client_for(Role.TRAINER)
    url = f"/api/v1/datasets/{uploaded[0]['upright.jpg'].dataset_id}/exports/"

    answer = trainer.post(
        url, {"stage": "formula-detection", "splits": ["train"], "images": "include"}, format="json"
    )
    export_id = answer.json()["id"]
    assert until(
        lambda: trainer.get(f"{url}{export_id}/").json()["status"] != "running", timeout=90
    )
    download = trainer.get(f"{url}{export_id}/download/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))

    assert answer.status_code == 202, answer.json()
    assert trainer.get(f"{url}{export_id}/").json()["status"] == "done"
    for name, item in items.items():
        (member,) = [m for m in archive.namelist() if m.startswith(f"images/train/{item.pk}.")]
        picture = archive.read(member)
        assert metadata_in(picture) == set(), name
        assert decoded_pixels(picture) == upright_pixels_as_before(contents[name]), name


def test_the_command_strips_items_stored_before_through_the_worker(uploaded, client_for):
    items, contents = uploaded
    item = items["upright.jpg"]
    default_storage.delete(item.image.name)  # stored before: the original was the image
    Item.objects.filter(pk=item.pk).update(
        image=item.original.name, rendition=item.original.name, stripped=False
    )
    reviewer = client_for(Role.REVIEWER)
    hidden = reviewer.get(f"/datasets/{item.dataset_id}/items/{item.pk}/file/image/")

    call_command("strip_metadata", "--wait")

    strip = MetadataStrip.objects.get()
    assert hidden.status_code == 404
    assert (strip.status, strip.total, strip.done, strip.changed) == ("done", 1, 1, 1)
    served = _body(reviewer, Item.objects.get(pk=item.pk), "image")
    assert metadata_in(served) == set()
    assert decoded_pixels(served) == decoded_pixels(contents["upright.jpg"])
