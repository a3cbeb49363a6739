"""Downloads with a token alone: the zip (resumable) and every file it points at."""

import base64
import hashlib
import io
import zipfile

import orjson
import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import Role
from datasets import services as dataset_services
from datasets.models import Dataset
from exports import services as export_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference_export():
    call_command("seed_demo", photos=6)
    dataset = Dataset.objects.get(name="Math formula photos")
    for item_id in dataset.items.values_list("id", flat=True):
        dataset_services.item_process(item_id=item_id)  # the worker's step: files stripped
    stage = dataset.stages.get(slug="formula-detection")
    export = export_services.export_request(
        dataset=dataset, stage=stage, splits=["train", "val", "test"], images="reference", by=None
    )
    return export_services.export_build(export_id=export.pk)


def _token_client(make_user, role=Role.TRAINER) -> tuple[APIClient, str]:
    issued = account_services.token_create(user=make_user(role), name="training job")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    return client, issued


def _download_url(export) -> str:
    return f"/api/v1/datasets/{export.dataset_id}/exports/{export.pk}/download/"


def _zip(client, export) -> zipfile.ZipFile:
    response = client.get(_download_url(export))
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_a_token_alone_downloads_every_file_a_reference_export_points_at(
    make_user, reference_export
):
    client, _issued = _token_client(make_user)
    archive = _zip(client, reference_export)
    manifest = orjson.loads(archive.read("manifest.json"))
    listing = archive.read("files.jsonl")
    files = [orjson.loads(line) for line in listing.splitlines()]

    fetched = {entry["item"]: client.get(entry["download"]) for entry in files}

    assert manifest["members"]["files.jsonl"]["sha256"] == hashlib.sha256(listing).hexdigest()
    assert len(files) == 6
    for entry in files:
        response = fetched[entry["item"]]
        assert response.status_code == 200, entry
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == entry["sha256"], entry


def test_a_revoked_token_downloads_neither_the_zip_nor_its_files(make_user, reference_export):
    client, issued = _token_client(make_user)
    entry = orjson.loads(_zip(client, reference_export).read("files.jsonl").splitlines()[0])
    account_services.token_revoke(token=issued.token)

    answers = [client.get(_download_url(reference_export)), client.get(entry["download"])]

    assert [answer.status_code for answer in answers] == [401, 401]
    assert {answer.json()["error"]["code"] for answer in answers} == {"authentication_failed"}


@pytest.mark.parametrize("role", [Role.VENDOR_MANAGER, Role.ANNOTATOR])
def test_a_vendor_roles_token_gets_404_for_the_zip_and_its_files(make_user, reference_export, role):
    trainer, _issued = _token_client(make_user)
    entry = orjson.loads(_zip(trainer, reference_export).read("files.jsonl").splitlines()[0])
    vendor, _issued = _token_client(make_user, role)

    answers = [vendor.get(_download_url(reference_export)), vendor.get(entry["download"])]

    assert [answer.status_code for answer in answers] == [404, 404]


def test_the_zip_resumes_by_range_and_revalidates_by_its_hash(make_user, reference_export):
    client, _issued = _token_client(make_user)
    size = reference_export.size

    head = client.get(_download_url(reference_export), HTTP_RANGE="bytes=0-999")
    tail = client.get(
        _download_url(reference_export),
        HTTP_RANGE="bytes=1000-",
        HTTP_IF_RANGE=f'"{reference_export.sha256}"',
    )
    again = client.get(
        _download_url(reference_export), HTTP_IF_NONE_MATCH=f'"{reference_export.sha256}"'
    )

    assert (head.status_code, tail.status_code, again.status_code) == (206, 206, 304)
    assert tail["Content-Range"] == f"bytes 1000-{size - 1}/{size}"
    body = b"".join(head.streaming_content) + b"".join(tail.streaming_content)
    assert hashlib.sha256(body).hexdigest() == reference_export.sha256
    digest = base64.b64encode(bytes.fromhex(reference_export.sha256)).decode()
    assert head["Repr-Digest"] == f"sha-256=:{digest}:"  # the whole zip's, on a part too
    assert "Content-Digest" not in head  # a part's own digest is not the zip's
    assert head["Content-Disposition"].startswith("attachment; filename=")


def test_a_whole_download_carries_its_content_digest(make_user, reference_export):
    client, _issued = _token_client(make_user)

    response = client.get(_download_url(reference_export))
    body = b"".join(response.streaming_content)

    expected = base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert response.status_code == 200
    assert response["Content-Digest"] == f"sha-256=:{expected}:"
    assert response["Repr-Digest"] == f"sha-256=:{expected}:"
    assert hashlib.sha256(body).hexdigest() == reference_export.sha256
