"""A file written through Django's storage API reads back byte-identical: disk and S3."""

import hashlib
import io
import os
import time
import urllib.request
import zipfile
from urllib.parse import parse_qs, urlsplit

import boto3
import orjson
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

pytestmark = pytest.mark.integration

PAYLOAD = os.urandom(256 * 1024) + "한글 ✓".encode()


def _round_trip(storage) -> bytes:
    name = storage.save("items/round-trip.bin", ContentFile(PAYLOAD))
    try:
        with storage.open(name, "rb") as handle:
            return handle.read()
    finally:
        storage.delete(name)


def test_local_storage_round_trip(tmp_path):
    assert _round_trip(FileSystemStorage(location=tmp_path)) == PAYLOAD


@pytest.fixture
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_s3_storage_round_trip_on_an_s3_api_server(s3_server):
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    boto3.client(
        "s3", endpoint_url=s3_server, region_name="us-east-1", **credentials
    ).create_bucket(Bucket="groundwork")
    storage = S3Storage(
        bucket_name="groundwork",
        endpoint_url=s3_server,
        access_key="test",
        secret_key="test",
        region_name="us-east-1",
        default_acl=None,
    )

    assert _round_trip(storage) == PAYLOAD


@pytest.fixture
def s3_default_storage(s3_server, settings):
    """Django's default storage on a bucket of the S3 API server."""
    boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket="groundwork")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "core.storage.TypedS3Storage",
            "OPTIONS": {
                "bucket_name": "groundwork",
                "endpoint_url": s3_server,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "default_acl": None,
                "querystring_expire": 60,
            },
        },
    }
    return s3_server


def _fetch(url: str) -> tuple[bytes, dict]:
    """GET a signed URL the way a browser follows a redirect: nothing but the URL."""
    with urllib.request.urlopen(url, timeout=30) as fetched:
        return fetched.read(), {key.lower(): value for key, value in fetched.headers.items()}


def _lifetime(url: str) -> float:
    """Seconds a signed URL has left: SigV4 says so, SigV2 gives the moment it expires."""
    query = parse_qs(urlsplit(url).query)
    if "X-Amz-Expires" in query:
        return float(query["X-Amz-Expires"][0])
    return float(query["Expires"][0]) - time.time()


def _object_headers(s3_server: str, name: str) -> dict:
    head = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).head_object(Bucket="groundwork", Key=name)
    return {"type": head["ContentType"], "disposition": head.get("ContentDisposition")}


def _token_client(make_user, role: str = "trainer"):
    from rest_framework.test import APIClient

    from accounts import services as account_services

    issued = account_services.token_create(user=make_user(role), name="training job")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    return client


@pytest.mark.django_db
def test_an_uploaded_photo_is_stored_processed_and_served_from_s3(
    s3_default_storage, planner_client
):
    from datasets import services
    from datasets.models import Item
    from tests.factories.datasets import DatasetFactory
    from tests.factories.images import image_bytes

    dataset = DatasetFactory()
    content = image_bytes(3, size=(2600, 1200), orientation=6)

    item, _created = services.item_register(dataset=dataset, file=content, name="phone.jpg")
    services.item_process(item_id=item.id)
    item = Item.objects.get(pk=item.pk)
    served = planner_client.get(f"/datasets/{dataset.id}/items/{item.id}/file/rendition/")
    body, headers = _fetch(served["Location"])

    assert (item.processing, item.width, item.height) == ("ready", 1200, 2600)
    assert item.image.name.endswith(".upright.jpg") and item.rendition.name.endswith(".screen.jpg")
    assert served.status_code == 302
    assert headers["content-type"] == "image/jpeg"
    assert body[:2] == b"\xff\xd8"
    with item.original.open("rb") as original:
        assert original.read() == content


@pytest.mark.django_db
def test_an_item_file_on_s3_is_a_short_lived_signed_url_carrying_its_headers(
    s3_default_storage, make_user
):
    from datasets import services
    from tests.factories.datasets import DatasetFactory
    from tests.factories.images import image_bytes

    dataset = DatasetFactory()
    content = image_bytes(5, size=(2600, 1200), orientation=6)
    item, _created = services.item_register(dataset=dataset, file=content, name="phone.jpg")
    item = services.item_process(item_id=item.id)
    client = _token_client(make_user)

    answers = {
        kind: client.get(f"/datasets/{dataset.id}/items/{item.id}/file/{kind}/")
        for kind in ("original", "image", "rendition", "thumbnail")
    }
    fetched = {kind: _fetch(answer["Location"]) for kind, answer in answers.items()}

    for kind, answer in answers.items():
        served = "image" if kind == "original" else kind  # the original is the planners' alone
        assert answer.status_code == 302, kind
        assert answer["Location"].startswith(s3_default_storage)
        assert 50 < _lifetime(answer["Location"]) <= 60  # STORAGE_URL_EXPIRE: minutes at most
        assert answer["Cache-Control"] == "private, no-store"
        body, headers = fetched[kind]
        with getattr(item, served).open("rb") as stored:
            assert body == stored.read()
        assert headers["content-type"] == "image/jpeg"
        assert headers["content-disposition"] == f'inline; filename="item-{item.id}-{served}.jpg"'
        assert headers["cache-control"] == "private, max-age=3600"
        assert _object_headers(s3_default_storage, getattr(item, kind).name) == {
            "type": "image/jpeg",
            "disposition": "inline",
        }
    assert hashlib.sha256(fetched["original"][0]).hexdigest() != item.sha256


@pytest.mark.django_db
def test_on_s3_a_token_alone_fetches_every_file_a_reference_export_points_at(
    s3_default_storage, make_user
):
    from django.core.management import call_command

    from datasets import services
    from datasets.models import Dataset
    from exports import services as export_services

    call_command("seed_demo", photos=4)
    dataset = Dataset.objects.get(name="Math formula photos")
    for item_id in dataset.items.values_list("id", flat=True):
        services.item_process(item_id=item_id)  # the worker's step: files stripped
    stage = dataset.stages.get(slug="formula-detection")
    export = export_services.export_request(
        dataset=dataset, stage=stage, splits=["train", "val", "test"], images="reference", by=None
    )
    export = export_services.export_build(export_id=export.pk)
    client = _token_client(make_user)

    answer = client.get(f"/api/v1/datasets/{dataset.id}/exports/{export.pk}/download/")
    archive = zipfile.ZipFile(io.BytesIO(_fetch(answer["Location"])[0]))
    files = [orjson.loads(line) for line in archive.read("files.jsonl").splitlines()]
    redirects = [client.get(entry["download"]) for entry in files]

    assert len(files) == 4
    assert [redirect.status_code for redirect in redirects] == [302] * 4
    for entry, redirect in zip(files, redirects, strict=True):
        body, _headers = _fetch(redirect["Location"])
        assert hashlib.sha256(body).hexdigest() == entry["sha256"], entry


@pytest.mark.django_db
def test_an_export_on_s3_is_built_from_parts_and_downloaded_through_a_signed_url(
    s3_default_storage, settings, client_for
):
    from django.core.management import call_command

    from datasets.models import Dataset
    from exports import services as export_services

    settings.EXPORT_CHUNK_ITEMS = 2
    call_command("seed_demo", photos=5)
    dataset = Dataset.objects.get(name="Math formula photos")
    stage = dataset.stages.get(slug="formula-recognition")
    export = export_services.export_request(dataset=dataset, stage=stage, by=None)
    export = export_services.export_build(export_id=export.pk)
    trainer = client_for("trainer")

    answer = trainer.get(f"/api/v1/datasets/{dataset.id}/exports/{export.pk}/download/")
    body, headers = _fetch(answer["Location"])

    assert (export.status, export.chunks_total) == ("done", 3), export.error
    assert answer.status_code == 302 and "Signature=" in answer["Location"]
    assert answer["Location"].startswith(s3_default_storage)
    assert "Content-Digest" not in answer  # a redirect carries no body to digest
    assert hashlib.sha256(body).hexdigest() == export.sha256
    assert headers["content-disposition"] == (
        f'attachment; filename="{dataset.pk}-formula-recognition-{export.pk}.zip"'
    )
    assert headers["content-type"] == "application/zip"
    assert _object_headers(s3_default_storage, export.file.name) == {
        "type": "application/zip",
        "disposition": f'attachment; filename="{export.pk}.zip"',
    }
    assert "labels.jsonl" in zipfile.ZipFile(io.BytesIO(body)).namelist()


@pytest.mark.django_db
def test_located_photos_on_s3_reach_other_roles_stripped_and_planners_whole(
    s3_default_storage, client_for
):
    from accounts.models import Role
    from datasets import services
    from datasets.models import Item
    from tests.factories.datasets import DatasetFactory
    from tests.factories.images import located_photo, metadata_in

    dataset = DatasetFactory()
    contents = [located_photo(seed, image_format=kind) for seed, kind in enumerate(["JPEG", "PNG"])]
    reviewer, planner = client_for(Role.REVIEWER), client_for(Role.PLANNER)

    for content in contents:
        item, _created = services.item_register(dataset=dataset, file=content)
        item = services.item_process(item_id=item.pk)
        url = f"/datasets/{dataset.id}/items/{item.id}/file/"
        served = {
            kind: _fetch(reviewer.get(f"{url}{kind}/")["Location"])[0]
            for kind in ("original", "image", "thumbnail")
        }

        assert item.image.name.startswith("items/") and ".stripped." in item.image.name
        assert [metadata_in(body) for body in served.values()] == [set(), set(), set()]
        assert _fetch(planner.get(f"{url}original/")["Location"])[0] == content
        with item.original.open("rb") as original:
            assert original.read() == content
    assert Item.objects.filter(dataset=dataset, stripped=True).count() == 2


@pytest.mark.django_db
def test_the_strip_job_strips_items_stored_before_on_s3(
    s3_default_storage, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from datasets import services
    from datasets.models import Item
    from tests.factories.datasets import DatasetFactory
    from tests.factories.images import located_photo, metadata_in

    dataset = DatasetFactory()
    content = located_photo(5, image_format="WEBP")
    item, _created = services.item_register(dataset=dataset, file=content)
    item = services.item_process(item_id=item.pk)
    default_storage.delete(item.image.name)  # stored before: the original was the image
    Item.objects.filter(pk=item.pk).update(
        image=item.original.name, rendition=item.original.name, stripped=False
    )

    strip = services.metadata_strip_request(dataset=dataset, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        strip = services.metadata_strip_run(strip_id=strip.pk)

    item.refresh_from_db()
    assert (strip.status, strip.changed) == ("done", 1)
    assert item.stripped and item.image.name.endswith(".stripped.webp")
    with default_storage.open(item.image.name, "rb") as image:
        assert metadata_in(image.read()) == set()
    with default_storage.open(item.original.name, "rb") as original:
        assert original.read() == content
