"""A file written through Django's storage API reads back byte-identical: disk and S3."""

import os

import boto3
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
