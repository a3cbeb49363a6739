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
