"""The stored-file response: typed, sandboxed, cached privately, conditional and ranged."""

import json
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import Http404
from django.test import RequestFactory

from core.files import StoredFile, stored_file_response

PAYLOAD = os.urandom(200_000)


@pytest.fixture
def storage(tmp_path):
    return FileSystemStorage(location=tmp_path)


@pytest.fixture
def stored(storage) -> StoredFile:
    name = storage.save("items/1/ab/abcd.jpg", ContentFile(PAYLOAD))
    return StoredFile(name=name, content_type="image/jpeg", filename="item-1-original.jpg")


def _get(storage, file, **headers):
    request = RequestFactory().get("/file/", **headers)
    return stored_file_response(request, file, storage=storage)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_whole_file_is_served_typed_sandboxed_and_privately_cached(storage, stored):
    response = _get(storage, stored)

    assert response.status_code == 200
    assert _body(response) == PAYLOAD
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Length"] == str(len(PAYLOAD))
    assert response["Content-Disposition"] == 'inline; filename="item-1-original.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"].startswith('"') and len(response["ETag"]) > 10


def test_an_attachment_keeps_a_non_ascii_name_encoded(storage, stored):
    file = StoredFile(
        name=stored.name,
        content_type="application/zip",
        filename="수식.zip",
        disposition="attachment",
    )

    response = _get(storage, file)

    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%EC%88%98%EC%8B%9D.zip"


def test_the_same_etag_answers_304_without_a_body(storage, stored):
    etag = _get(storage, stored)["ETag"]

    response = _get(storage, stored, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "private, max-age=3600"


@pytest.mark.parametrize("header", ['"other", {etag}', "W/{etag}", "*"])
def test_if_none_match_lists_weak_tags_and_star_match_too(storage, stored, header):
    etag = _get(storage, stored)["ETag"]

    response = _get(storage, stored, HTTP_IF_NONE_MATCH=header.format(etag=etag))

    assert response.status_code == 304


def test_another_etag_gets_the_file(storage, stored):
    response = _get(storage, stored, HTTP_IF_NONE_MATCH='"not-this-one"')

    assert response.status_code == 200
    assert _body(response) == PAYLOAD


def test_a_changed_file_gets_a_new_etag(storage, stored):
    before = _get(storage, stored)["ETag"]
    path = storage.path(stored.name)
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 1_000_000))

    assert _get(storage, stored)["ETag"] != before


def test_a_known_content_hash_is_the_etag(storage, stored):
    file = StoredFile(
        name=stored.name, content_type="image/jpeg", filename="a.jpg", etag="cafe" * 16
    )

    response = _get(storage, file, HTTP_IF_NONE_MATCH=f'"{"cafe" * 16}"')

    assert response.status_code == 304
    assert response["ETag"] == f'"{"cafe" * 16}"'


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=10-19", 10, 19),
        ("bytes=0-0", 0, 0),
        ("bytes=199990-", 199_990, 199_999),
        ("bytes=-25", 199_975, 199_999),
        ("bytes=150000-999999", 150_000, 199_999),  # past the end: clipped to it
        ("bytes=-999999", 0, 199_999),
    ],
)
def test_a_byte_range_answers_206_with_exactly_those_bytes(storage, stored, header, start, end):
    response = _get(storage, stored, HTTP_RANGE=header)

    assert response.status_code == 206
    assert _body(response) == PAYLOAD[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(PAYLOAD)}"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_two_ranges_read_back_to_back_give_the_whole_file(storage, stored):
    first = _body(_get(storage, stored, HTTP_RANGE="bytes=0-99999"))
    rest = _body(_get(storage, stored, HTTP_RANGE="bytes=100000-"))

    assert first + rest == PAYLOAD


@pytest.mark.parametrize("header", ["bytes=200000-", "bytes=500000-600000", "bytes=-0"])
def test_a_range_outside_the_file_is_416_in_the_error_shape(storage, stored, header):
    response = _get(storage, stored, HTTP_RANGE=header)

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(PAYLOAD)}"
    assert json.loads(response.content)["error"]["code"] == "range_not_satisfiable"


@pytest.mark.parametrize(
    "header", ["bytes=20-10", "bytes=0-1,5-6", "items=0-5", "bytes=abc", "bytes=-"]
)
def test_a_malformed_or_multiple_range_is_ignored_and_the_file_sent(storage, stored, header):
    response = _get(storage, stored, HTTP_RANGE=header)

    assert response.status_code == 200
    assert _body(response) == PAYLOAD


def test_if_range_with_a_stale_etag_sends_the_whole_new_file(storage, stored):
    etag = _get(storage, stored)["ETag"]

    fresh = _get(storage, stored, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)
    stale = _get(storage, stored, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"old"')

    assert fresh.status_code == 206 and _body(fresh) == PAYLOAD[:10]
    assert stale.status_code == 200 and _body(stale) == PAYLOAD


def test_a_missing_stored_file_is_404(storage):
    file = StoredFile(name="items/gone.jpg", content_type="image/jpeg", filename="gone.jpg")

    with pytest.raises(Http404):
        _get(storage, file)


def test_an_empty_name_is_404(storage):
    with pytest.raises(Http404):
        _get(storage, StoredFile(name="", content_type="image/jpeg", filename="x.jpg"))
