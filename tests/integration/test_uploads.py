"""Uploads through a real worker on Redis: the request answers at once, the worker finishes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from datasets import services
from datasets.models import Item, Upload, UploadEntry
from tests.conftest import until
from tests.factories.datasets import DatasetFactory
from tests.factories.images import image_bytes, png_with_text_chunk, zip_bytes, zip_encrypting

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("celery")]


def test_a_worker_makes_thumbnails_and_unpacks_a_zip(celery_worker, planner_client):
    dataset = DatasetFactory()
    axis = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    services.category_create(axis=axis, name="Shadow", slug="shadow", by=None)
    url = f"/api/v1/datasets/{dataset.id}/uploads/"

    files = planner_client.post(
        url,
        {"files": [SimpleUploadedFile("a.jpg", image_bytes(1, size=(3000, 2000)))]},
        format="multipart",
    )
    archive = planner_client.post(
        url,
        {
            "archive": SimpleUploadedFile(
                "b.zip", zip_bytes([("shadow/b.jpg", image_bytes(2)), ("c.png", b"nope")])
            )
        },
        format="multipart",
    )

    assert files.status_code == 201 and archive.status_code == 202
    assert until(lambda: Upload.objects.get(pk=archive.json()["id"]).status == "done")
    assert until(lambda: not Item.objects.filter(processing="queued").exists())
    big = Item.objects.get(original_name="a.jpg")
    assert big.processing == "ready" and big.rendition.name.endswith(".screen.jpg")
    assert big.thumbnail.storage.exists(big.thumbnail.name)
    progress = planner_client.get(f"{url}{archive.json()['id']}/").json()
    assert (progress["added"], progress["refused"], progress["processed"]) == (1, 1, 1)
    files_upload = planner_client.get(f"{url}{files.json()['id']}/").json()
    assert (files_upload["status"], files_upload["processed"]) == ("done", 1)


def test_a_worker_ends_an_awkward_zip_done_and_names_each_refusal(
    celery_worker, planner_client, media_root
):
    dataset = DatasetFactory()
    url = f"/api/v1/datasets/{dataset.id}/uploads/"
    archive = zip_encrypting(
        [
            ("a.jpg", image_bytes(1)),
            ("secret.jpg", image_bytes(2)),
            ("notes.png", png_with_text_chunk(64 << 20)),
        ],
        encrypted=("secret.jpg",),
    )

    response = planner_client.post(
        url, {"archive": SimpleUploadedFile("awkward.zip", archive)}, format="multipart"
    )

    assert response.status_code == 202
    upload_id = response.json()["id"]
    assert until(lambda: Upload.objects.get(pk=upload_id).status == "done")
    assert until(lambda: not Item.objects.filter(processing="queued").exists())
    upload = planner_client.get(f"{url}{upload_id}/").json()
    assert (upload["added"], upload["refused"], upload["processed"]) == (1, 2, 1)
    assert upload["finished_at"] is not None
    codes = dict(UploadEntry.objects.values_list("name", "code"))
    assert codes == {
        "a.jpg": "",
        "secret.jpg": "encrypted_entry",
        "notes.png": "oversized_metadata",
    }
    assert not any(path.suffix == ".zip" for path in media_root.rglob("*"))


def _files_match_items(media_root) -> bool:
    """Every stored item file belongs to an item: a killed run left no second copy."""
    stored = {str(path.relative_to(media_root)) for path in (media_root / "items").rglob("*.*")}
    named = {
        field.name
        for item in Item.objects.all()
        for field in (item.original, item.image, item.rendition, item.thumbnail)
        if field
    }
    return stored == named


def test_an_unpack_whose_worker_was_killed_is_finished_by_the_next_within_a_minute(
    sweeping_workers, planner_client, media_root
):
    dataset = DatasetFactory()
    names = [f"photo-{seed:03}.jpg" for seed in range(150)]
    archive = zip_bytes([(name, image_bytes(seed)) for seed, name in enumerate(names)])
    first = sweeping_workers("killed")

    response = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/uploads/",
        {"archive": SimpleUploadedFile("many.zip", archive)},
        format="multipart",
    )
    upload = Upload.objects.get(pk=response.json()["id"])
    started = until(lambda: upload.entries.count() >= 5, timeout=60, step=0.01)
    first.kill()
    assert started and Upload.objects.get(pk=upload.pk).status == "unpacking"

    sweeping_workers("next")

    assert until(lambda: Upload.objects.get(pk=upload.pk).status != "unpacking", timeout=60)
    upload.refresh_from_db()
    assert upload.status == "done", upload.error
    assert sorted(upload.entries.values_list("name", flat=True)) == names  # each once
    assert Item.objects.filter(dataset=dataset).count() == len(names)
    assert not upload.archive


def test_processing_whose_worker_was_killed_is_finished_by_the_next_within_a_minute(
    sweeping_workers, media_root
):
    dataset = DatasetFactory()
    first = sweeping_workers("killed")
    photos = 24  # enough that the worker is mid-way, however fast the machine
    for seed in range(photos):
        services.item_register(
            dataset=dataset, file=image_bytes(seed, size=(4000, 3000)), name=f"{seed}.jpg"
        )
    queued = Item.objects.filter(dataset=dataset, processing="queued")
    started = until(lambda: queued.count() <= photos - 2, timeout=60, step=0.01)
    first.kill()  # with its two pool processes inside the next photos' decode
    assert started and queued.exists()

    sweeping_workers("next")

    assert until(lambda: not queued.exists(), timeout=60)
    assert Item.objects.filter(dataset=dataset, processing="ready").count() == photos
    assert _files_match_items(media_root)
