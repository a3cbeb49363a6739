"""Images in: uploads through the API, checked by content, stored by the server's names."""

import datetime
import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image, ImageChops, ImageOps

from accounts.models import Role
from datasets import services
from datasets.models import CoverageCount, Item, ItemEvent, Upload, UploadEntry
from tests.factories.datasets import DatasetFactory
from tests.factories.images import (
    image_bytes,
    png_claiming,
    png_garbled,
    png_with_text_chunk,
    zip_bytes,
    zip_encrypting,
    zip_understating,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    dataset = DatasetFactory()
    capture = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    writing = services.axis_create(dataset=dataset, name="Writing", slug="writing", by=None)
    for slug in ("clean", "shadow"):
        services.category_create(axis=capture, name=slug.title(), slug=slug, by=None)
    for slug in ("printed", "handwritten"):
        services.category_create(axis=writing, name=slug.title(), slug=slug, by=None)
    return dataset


def _file(name: str, content: bytes, content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _upload(client, dataset, *files, **fields):
    return client.post(
        f"/api/v1/datasets/{dataset.id}/uploads/",
        {"files": list(files), **fields},
        format="multipart",
    )


def _process_all():
    for item_id in Item.objects.filter(processing="queued").values_list("id", flat=True):
        services.item_process(item_id=item_id)


def _stored(media_root) -> list[str]:
    return sorted(
        str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file()
    )


def test_uploaded_images_are_counted_hashed_sized_and_thumbnailed(planner_client, dataset):
    contents = [image_bytes(seed, size=(300 + seed, 200)) for seed in range(3)]

    response = _upload(
        planner_client,
        dataset,
        *[_file(f"IMG_{n}.jpg", content) for n, content in enumerate(contents)],
        categories="capture=shadow,writing=handwritten",
    )
    _process_all()

    body = response.json()
    assert response.status_code == 201, body
    assert (body["added"], body["duplicates"], body["refused"]) == (3, 0, 0)
    items = {item.sha256: item for item in Item.objects.filter(dataset=dataset)}
    for seed, content in enumerate(contents):
        item = items[hashlib.sha256(content).hexdigest()]
        assert (item.width, item.height) == (300 + seed, 200)
        assert item.processing == "ready"
        with item.thumbnail.open("rb") as thumb:
            assert max(Image.open(thumb).size) == 300 + seed  # small images are not enlarged
        assert sorted(item.categories.values_list("slug", flat=True)) == ["handwritten", "shadow"]


def test_the_same_file_twice_is_one_item_reported_as_a_duplicate(planner_client, dataset):
    content = image_bytes(7)

    first = _upload(planner_client, dataset, _file("a.jpg", content))
    second = _upload(planner_client, dataset, _file("copy of a.jpg", content))

    assert first.json()["added"] == 1
    assert second.status_code == 201
    assert second.json()["entries"][0]["outcome"] == "duplicate"
    assert second.json()["entries"][0]["item"] == first.json()["entries"][0]["item"]
    assert Item.objects.filter(dataset=dataset).count() == 1


def test_a_rotated_exif_jpeg_is_stored_upright_and_its_original_kept(planner_client, dataset):
    content = image_bytes(3, size=(120, 80), orientation=6)
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(content))).convert("RGB")

    _upload(planner_client, dataset, _file("turned.jpg", content))
    _process_all()

    item = Item.objects.get(dataset=dataset)
    assert (item.width, item.height) == (80, 120)
    with item.image.open("rb") as stored:
        upright = Image.open(stored).convert("RGB")
    difference = ImageChops.difference(upright, expected)
    assert max(high for _low, high in difference.getextrema()) < 40  # JPEG noise, not a turn
    with item.original.open("rb") as original:
        assert original.read() == content


def test_heic_photos_are_accepted_and_stored_upright_as_jpeg(planner_client, dataset):
    content = image_bytes(5, size=(64, 48), image_format="HEIF")

    response = _upload(planner_client, dataset, _file("IMG_0001.HEIC", content, "image/heic"))
    _process_all()

    assert response.status_code == 201, response.json()
    item = Item.objects.get(dataset=dataset)
    assert item.original.name.endswith(".heic")
    assert item.image.name.endswith(".upright.jpg")
    assert (item.width, item.height) == (64, 48)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("report.jpg", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n", "not_an_image"),
        ("notes.jpg", b"just some text, not a picture\n", "not_an_image"),
        (
            "logo.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
            "not_an_image",
        ),
        ("page.jpg", b"<!doctype html><html><script>alert(1)</script></html>", "not_an_image"),
        ("empty.jpg", b"", "empty_file"),
        ("bomb.png", png_claiming(100_000, 100_000), "too_many_pixels"),
        ("anim.gif", image_bytes(1, image_format="GIF"), "unsupported_format"),
    ],
)
def test_a_bad_file_is_refused_by_name_and_nothing_is_stored(
    planner_client, dataset, media_root, name, content, code
):
    response = _upload(planner_client, dataset, _file(name, content))

    error = response.json()["error"]
    assert response.status_code == 400
    assert error["code"] == code
    assert name in error["message"]
    assert Item.objects.count() == 0
    assert _stored(media_root) == []


def test_an_image_over_the_pixel_limit_is_refused(planner_client, dataset, settings):
    settings.ITEM_MAX_PIXELS = 1000

    response = _upload(planner_client, dataset, _file("big.jpg", image_bytes(1, size=(64, 48))))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_pixels"
    assert "64×48" in response.json()["error"]["message"]


def test_valid_files_of_an_upload_are_kept_when_others_are_refused(planner_client, dataset):
    response = _upload(
        planner_client,
        dataset,
        _file("good.jpg", image_bytes(1)),
        _file("bad.jpg", b"not an image"),
        _file("good2.png", image_bytes(2, image_format="PNG"), "image/png"),
    )

    body = response.json()
    assert response.status_code == 201
    assert (body["added"], body["refused"]) == (2, 1)
    refused = [entry for entry in body["entries"] if entry["outcome"] == "refused"]
    assert refused[0]["name"] == "bad.jpg" and "bad.jpg" in refused[0]["message"]
    assert Item.objects.filter(dataset=dataset).count() == 2


def test_a_truncated_jpeg_is_refused_by_the_worker_and_leaves_nothing(
    planner_client, dataset, media_root, django_capture_on_commit_callbacks
):
    whole = image_bytes(9, size=(800, 600))
    response = _upload(planner_client, dataset, _file("cut.jpg", whole[: len(whole) // 2]))
    assert response.status_code == 201  # the header is fine; the worker finds the damage

    with django_capture_on_commit_callbacks(execute=True):
        _process_all()

    entry = UploadEntry.objects.get()
    assert (entry.outcome, entry.code, entry.item) == ("refused", "damaged_image", None)
    assert "cut.jpg" in entry.message and "truncated" in entry.message
    assert Item.objects.count() == 0
    assert _stored(media_root) == []
    assert sum(CoverageCount.objects.values_list("count", flat=True)) == 0


def test_a_storage_failure_keeps_the_photo_queued_and_refuses_nothing(
    planner_client, dataset, media_root, monkeypatch
):
    _upload(planner_client, dataset, _file("a.jpg", image_bytes(3, size=(800, 600))))
    item = Item.objects.get()

    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:  # the disk is full: its fault, not the photo's
        patched.setattr(FileSystemStorage, "_save", full)
        with pytest.raises(services.StoreFailed):
            services.item_process(item_id=item.pk)

    item.refresh_from_db()
    assert item.processing == Item.Processing.QUEUED  # the step runs again later
    assert UploadEntry.objects.get().outcome != "refused"
    assert services.item_process(item_id=item.pk).processing == Item.Processing.READY


def test_files_are_stored_under_server_names_whatever_the_client_called_them(
    planner_client, dataset
):
    content = image_bytes(4, image_format="PNG")

    _upload(planner_client, dataset, _file("holiday.jpg", content))

    item = Item.objects.get()
    assert item.original.name == f"items/{dataset.id}/{item.sha256[:2]}/{item.sha256}.png"
    assert item.original_name == "holiday.jpg"


def test_files_are_served_with_the_servers_content_type_and_nosniff(planner_client, dataset):
    _upload(planner_client, dataset, _file("photo.jpg", image_bytes(4, image_format="PNG")))
    _process_all()
    item = Item.objects.get()

    responses = {
        kind: planner_client.get(f"/datasets/{dataset.id}/items/{item.id}/file/{kind}/")
        for kind in ("original", "image", "rendition", "thumbnail")
    }

    assert responses["original"]["Content-Type"] == "image/png"
    assert responses["thumbnail"]["Content-Type"] == "image/jpeg"
    for response in responses.values():
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(responses["original"].streaming_content).startswith(b"\x89PNG")


def test_an_unknown_category_is_refused_before_anything_is_stored(planner_client, dataset):
    response = _upload(
        planner_client, dataset, _file("a.jpg", image_bytes(1)), categories="capture=sunset"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_category"
    assert "capture=sunset" in response.json()["error"]["message"]
    assert Item.objects.count() == 0 and Upload.objects.count() == 0


@pytest.mark.parametrize(("role", "status"), [(Role.REVIEWER, 403), (Role.VENDOR_MANAGER, 404)])
def test_only_those_who_may_change_the_dataset_can_upload(client_for, dataset, role, status):
    response = _upload(client_for(role), dataset, _file("a.jpg", image_bytes(1)))

    assert response.status_code == status
    assert Item.objects.count() == 0


def test_uploads_count_in_coverage_and_write_the_items_history(planner_client, dataset):
    _upload(planner_client, dataset, _file("a.jpg", image_bytes(1)), categories="shadow")

    item = Item.objects.get()
    assert CoverageCount.objects.get(category_key=item.category_key, status="new").count == 1
    assert ItemEvent.objects.filter(item=item, kind="uploaded").exists()


# Zip archives -------------------------------------------------------------------------------


def _zip_upload(client, dataset, content: bytes, name="photos.zip", **fields):
    response = client.post(
        f"/api/v1/datasets/{dataset.id}/uploads/",
        {"archive": _file(name, content, "application/zip"), **fields},
        format="multipart",
    )
    if response.status_code == 202:
        services.upload_unpack(upload_id=response.json()["id"])
        _process_all()
    return response


def _outcomes(upload_id: int) -> dict[str, tuple[str, str]]:
    return {
        entry.name: (entry.outcome, entry.code)
        for entry in UploadEntry.objects.filter(upload_id=upload_id)
    }


def test_a_zip_is_unpacked_with_categories_from_its_folders(planner_client, dataset, media_root):
    archive = zip_bytes(
        [
            ("shadow/IMG_0001.jpg", image_bytes(1)),
            ("capture=clean/writing=handwritten/IMG_2.jpg", image_bytes(2)),
            ("IMG_3.jpg", image_bytes(3)),
            ("__MACOSX/._IMG_3.jpg", b"resource fork"),
        ]
    )

    response = _zip_upload(planner_client, dataset, archive, categories="writing=printed")

    assert response.status_code == 202
    upload = Upload.objects.get()
    assert (upload.status, upload.entries_total, upload.archive.name) == ("done", 3, "")
    categories = {
        item.original_name: sorted(
            f"{c.axis.slug}={c.slug}" for c in item.categories.select_related("axis")
        )
        for item in Item.objects.all()
    }
    assert categories == {
        "shadow/IMG_0001.jpg": ["capture=shadow", "writing=printed"],
        "capture=clean/writing=handwritten/IMG_2.jpg": ["capture=clean", "writing=handwritten"],
        "IMG_3.jpg": ["writing=printed"],
    }
    assert not any(path.suffix == ".zip" for path in media_root.rglob("*"))


def test_hostile_zip_entries_are_refused_and_the_good_ones_kept(planner_client, dataset):
    archive = zip_bytes(
        [
            ("good.jpg", image_bytes(1)),
            ("../climb.jpg", image_bytes(2)),
            ("/abs.jpg", image_bytes(3)),
            ("dir\\back.jpg", image_bytes(4)),
            ("twice.jpg", image_bytes(5)),
            ("twice.jpg", image_bytes(6)),
            ("link.jpg", b"/etc/passwd"),
            ("sunset/IMG.jpg", image_bytes(7)),
            ("bomb.jpg", b"\0" * (4 << 20)),
            ("n" * 600 + ".jpg", image_bytes(8)),
        ],
        symlinks=("link.jpg",),
    )

    response = _zip_upload(planner_client, dataset, archive)

    entries = UploadEntry.objects.filter(upload_id=response.json()["id"]).order_by("id")
    assert [e.outcome for e in entries if e.name == "twice.jpg"] == ["added", "refused"]
    outcomes = _outcomes(response.json()["id"])
    assert outcomes["good.jpg"] == ("added", "")
    refused = {name: code for name, (outcome, code) in outcomes.items() if outcome == "refused"}
    assert refused["../climb.jpg"] == "bad_file_name"
    assert refused["/abs.jpg"] == "bad_file_name"
    assert refused["dir\\back.jpg"] == "bad_file_name"
    assert refused["link.jpg"] == "symlink"
    assert refused["sunset/IMG.jpg"] == "unknown_category"
    assert refused["bomb.jpg"] == "zip_bomb"
    assert list(refused.values()).count("repeated_name") == 1
    assert list(refused.values()).count("bad_file_name") == 4  # incl. the 600-character name
    assert Item.objects.count() == 2


def test_a_zip_entry_larger_than_it_declares_is_refused(planner_client, dataset, media_root):
    archive = zip_understating("liar.jpg", image_bytes(1, size=(400, 300)), declared=100)

    response = _zip_upload(planner_client, dataset, archive)

    assert _outcomes(response.json()["id"]) == {"liar.jpg": ("refused", "damaged_entry")}
    assert Item.objects.count() == 0
    assert _stored(media_root) == []


def test_a_file_that_is_not_a_zip_is_refused_and_nothing_is_stored(
    planner_client, dataset, media_root
):
    response = _zip_upload(planner_client, dataset, b"PK but not really a zip")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_a_zip"
    assert Upload.objects.count() == 0 and _stored(media_root) == []


def test_unpacking_twice_adds_nothing_more(planner_client, dataset):
    response = _zip_upload(planner_client, dataset, zip_bytes([("a.jpg", image_bytes(1))]))
    Upload.objects.filter(pk=response.json()["id"]).update(status="unpacking")

    services.upload_unpack(upload_id=response.json()["id"])

    assert UploadEntry.objects.count() == 1 and Item.objects.count() == 1


def test_upload_progress_shows_entries_and_the_workers_progress(planner_client, dataset):
    response = _upload(
        planner_client, dataset, _file("a.jpg", image_bytes(1)), _file("b.jpg", image_bytes(2))
    )
    upload_id = response.json()["id"]
    before = planner_client.get(f"/api/v1/datasets/{dataset.id}/uploads/{upload_id}/").json()

    _process_all()

    after = planner_client.get(f"/api/v1/datasets/{dataset.id}/uploads/{upload_id}/").json()
    entries = planner_client.get(f"/api/v1/datasets/{dataset.id}/uploads/{upload_id}/entries/")
    assert (before["added"], before["processed"]) == (2, 0)
    assert after["processed"] == 2
    assert {entry["processing"] for entry in entries.json()["results"]} == {"ready"}


# How an upload ends ---------------------------------------------------------------------------


def test_a_files_upload_ends_done_with_its_counts(planner_client, dataset):
    response = _upload(
        planner_client,
        dataset,
        _file("a.jpg", image_bytes(1)),
        _file("b.jpg", image_bytes(1)),
        _file("c.jpg", b"not a picture"),
    )
    _process_all()

    detail = planner_client.get(f"/api/v1/datasets/{dataset.id}/uploads/{response.json()['id']}/")
    body = detail.json()
    assert (body["status"], body["entries_total"], body["entries_done"]) == ("done", 3, 3)
    assert (body["added"], body["duplicates"], body["refused"], body["processed"]) == (1, 1, 1, 1)
    assert Upload.objects.get().finished_at is not None
    listed = planner_client.get(f"/api/v1/datasets/{dataset.id}/uploads/").json()["results"]
    assert [(row["id"], row["status"]) for row in listed] == [(body["id"], "done")]


def test_files_joining_an_upload_update_its_counts(planner_client, dataset):
    first = _upload(planner_client, dataset, _file("a.jpg", image_bytes(1)))

    second = _upload(
        planner_client, dataset, _file("b.jpg", image_bytes(2)), upload=first.json()["id"]
    )

    assert second.json()["id"] == first.json()["id"]
    assert (second.json()["status"], second.json()["entries_total"]) == ("done", 2)


def test_a_request_whose_files_are_all_refused_leaves_no_upload_behind(planner_client, dataset):
    response = _upload(
        planner_client, dataset, _file("a.jpg", b"text"), _file("b.jpg", b"more text")
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "all_files_refused"
    assert set(response.json()["error"]["fields"]) == {"a.jpg", "b.jpg"}
    assert Upload.objects.count() == 0 and UploadEntry.objects.count() == 0


def test_refused_files_joining_an_upload_leave_it_as_it_was(planner_client, dataset):
    first = _upload(planner_client, dataset, _file("a.jpg", image_bytes(1)))
    before = Upload.objects.values().get()

    response = _upload(planner_client, dataset, _file("b.jpg", b"text"), upload=first.json()["id"])

    assert response.status_code == 400
    assert Upload.objects.values().get() == before
    assert list(UploadEntry.objects.values_list("name", flat=True)) == ["a.jpg"]


def test_a_refused_file_counted_by_a_parallel_request_is_uncounted(planner_client, dataset):
    """The page sends a request a file: a request of the same upload running beside a refused
    file's counted its entry before that entry was removed; the refusal counts again."""
    first = _upload(planner_client, dataset, _file("a.jpg", image_bytes(1)))
    Upload.objects.update(entries_total=2)  # as the parallel request left it

    response = _upload(planner_client, dataset, _file("b.jpg", b"text"), upload=first.json()["id"])

    assert response.status_code == 400
    assert Upload.objects.get().entries_total == 1


def test_a_zip_upload_ends_done_with_when_it_finished(planner_client, dataset):
    response = _zip_upload(planner_client, dataset, zip_bytes([("a.jpg", image_bytes(1))]))

    upload = Upload.objects.get(pk=response.json()["id"])
    assert (upload.status, upload.entries_total) == ("done", 1)
    assert upload.finished_at is not None


def test_an_encrypted_zip_entry_is_refused_and_the_others_kept(planner_client, dataset, media_root):
    archive = zip_encrypting(
        [("a.jpg", image_bytes(1)), ("secret.jpg", image_bytes(2)), ("b.jpg", image_bytes(3))],
        encrypted=("secret.jpg",),
    )

    response = _zip_upload(planner_client, dataset, archive)

    assert response.json()["entries_total"] == 3  # known from the central directory at once
    upload = Upload.objects.get(pk=response.json()["id"])
    assert (upload.status, upload.archive.name) == ("done", "")
    outcomes = _outcomes(upload.pk)
    assert outcomes["secret.jpg"] == ("refused", "encrypted_entry")
    assert outcomes["a.jpg"] == outcomes["b.jpg"] == ("added", "")
    assert "encrypted" in UploadEntry.objects.get(name="secret.jpg").message
    assert not any(path.suffix == ".zip" for path in media_root.rglob("*"))


def _failing_after(monkeypatch, reads: int, error: BaseException):
    """Let the archive give ``reads`` entries, then fail as the outside world may."""
    real_open = zipfile.ZipFile.open
    calls = []

    def open_entry(self, name, *args, **kwargs):
        calls.append(name)
        if len(calls) > reads:
            raise error
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", open_entry)


def test_an_unexpected_error_ends_unpacking_failed_keeping_earlier_entries(
    planner_client, dataset, media_root, monkeypatch
):
    archive = zip_bytes([("a.jpg", image_bytes(1)), ("b.jpg", image_bytes(2))])
    response = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/uploads/",
        {"archive": _file("photos.zip", archive, "application/zip")},
        format="multipart",
    )
    _failing_after(monkeypatch, 1, MemoryError())

    services.upload_unpack(upload_id=response.json()["id"])

    upload = Upload.objects.get()
    assert upload.status == "failed" and upload.finished_at is not None
    assert "b.jpg" in upload.error and "kept" in upload.error
    assert list(Item.objects.values_list("original_name", flat=True)) == ["a.jpg"]
    assert upload.archive.name == ""
    assert not any(path.suffix == ".zip" for path in media_root.rglob("*"))


def test_unpacking_resumes_after_the_entries_already_recorded(planner_client, dataset, monkeypatch):
    archive = zip_bytes(
        [("a.jpg", image_bytes(1)), ("b.jpg", image_bytes(2)), ("a.jpg", image_bytes(3))]
    )
    response = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/uploads/",
        {"archive": _file("photos.zip", archive, "application/zip")},
        format="multipart",
    )
    upload_id = response.json()["id"]
    with monkeypatch.context() as patch:
        _failing_after(patch, 1, SystemExit("worker killed"))
        with pytest.raises(SystemExit):
            services.upload_unpack(upload_id=upload_id)
    first = list(UploadEntry.objects.values_list("id", "name", "outcome"))
    stale = timezone.now() - datetime.timedelta(hours=1)  # the killed worker's heartbeat went stale
    Upload.objects.filter(pk=upload_id).update(heartbeat_at=stale)

    services.upload_unpack(upload_id=upload_id)

    entries = list(UploadEntry.objects.order_by("id").values_list("id", "name", "outcome"))
    assert len(first) == 1 and entries[:1] == first  # the killed run recorded a.jpg only
    assert [(name, outcome) for _id, name, outcome in entries] == [
        ("a.jpg", "added"),
        ("b.jpg", "added"),
        ("a.jpg", "refused"),  # the repeated name, though a.jpg was already recorded
    ]
    assert Upload.objects.get().status == "done"


@pytest.mark.parametrize(
    "entries",
    [[], [("photos/", b""), ("__MACOSX/._a.jpg", b"fork"), (".DS_Store", b"x")]],
    ids=["empty", "folders-and-litter"],
)
def test_an_archive_without_files_is_refused_saying_so(
    planner_client, dataset, media_root, entries
):
    response = _zip_upload(planner_client, dataset, zip_bytes(entries), name="nothing.zip")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "empty_archive"
    assert "nothing.zip" in error["message"] and "no images" in error["message"]
    assert Upload.objects.count() == 0 and _stored(media_root) == []


@pytest.mark.parametrize(
    ("limits", "entries", "code", "words"),
    [
        pytest.param(
            {"UPLOAD_MAX_ENTRIES": 5},
            [(f"{n}.jpg", b"") for n in range(6)],
            "too_many_entries",
            ["6 entries", "at most 5"],
            id="entries",
        ),
        pytest.param(  # the archive, under the default limit; its end record is ZIP64
            {},
            [(f"{n}.jpg", b"") for n in range(70_000)],
            "too_many_entries",
            ["70000 entries", "at most 50000"],
            id="70000-empty-entries",
        ),
        pytest.param(
            {"ITEM_MAX_BYTES": 1000},
            [("small.jpg", b"x"), ("big.jpg", b"\1" * 2000)],
            "file_too_large",
            ["big.jpg", "2000", "1000"],
            id="one-entry-too-large",
        ),
        pytest.param(
            {"UPLOAD_MAX_DECLARED_BYTES": 3000},
            [(f"{n}.jpg", b"\1" * 1000) for n in range(4)],
            "archive_declares_too_much",
            ["4000", "3000"],
            id="declared-total",
        ),
    ],
)
def test_an_archive_over_a_declared_limit_is_refused_on_arrival(
    planner_client, dataset, media_root, settings, limits, entries, code, words
):
    for name, value in limits.items():
        setattr(settings, name, value)

    response = _zip_upload(planner_client, dataset, zip_bytes(entries), name="photos.zip")

    error = response.json()["error"]
    assert response.status_code == 400
    assert error["code"] == code
    assert all(word in error["message"] for word in ["photos.zip", *words]), error["message"]
    assert Upload.objects.count() == 0 and _stored(media_root) == []


def test_a_png_with_a_huge_text_chunk_is_refused_naming_the_chunk(
    planner_client, dataset, media_root, django_capture_on_commit_callbacks
):
    response = _upload(
        planner_client, dataset, _file("notes.png", png_with_text_chunk(64 << 20), "image/png")
    )
    assert response.status_code == 201  # the header is fine; the worker finds the chunk

    with django_capture_on_commit_callbacks(execute=True):
        _process_all()

    entry = UploadEntry.objects.get()
    assert (entry.outcome, entry.code) == ("refused", "oversized_metadata")
    assert "notes.png" in entry.message and "text" in entry.message
    assert "truncated" not in entry.message
    assert Item.objects.count() == 0 and _stored(media_root) == []


# File names as the client sent them ------------------------------------------------------------

BOUNDARY = "groundwork-test-boundary"


def _multipart(files: list[tuple[str, bytes]]) -> bytes:
    """A multipart body written by hand: the test client would cut the names to basenames."""
    parts = [
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{name}"\r\nContent-Type: image/jpeg\r\n\r\n'
        ).encode()
        + content
        + b"\r\n"
        for name, content in files
    ]
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _post_multipart(client, dataset, files, **headers):
    return client.post(
        f"/api/v1/datasets/{dataset.id}/uploads/",
        data=_multipart(files),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **headers,
    )


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("x" * 296 + ".jpg", "longer than 255 characters"),
        ("IMG\u202egpj.exe.jpg", "control or text-direction characters"),
        ("bell\x07.jpg", "control or text-direction characters"),
        ("holiday/IMG_1.jpg", "folder path"),
        ("holiday/../IMG_1.jpg", "climbs out"),
        ("C:\\photos\\IMG_1.jpg", "backslash"),
    ],
)
def test_a_multipart_file_name_is_refused_as_sent_not_as_django_cleans_it(
    planner_client, dataset, media_root, name, problem
):
    response = _post_multipart(planner_client, dataset, [(name, image_bytes(1))])

    error = response.json()["error"]
    assert response.status_code == 400
    assert error["code"] == "bad_file_name"
    assert problem in error["message"]
    assert name[:20].replace("\u202e", "\\u202e").replace("\x07", "\\x07") in error["message"]
    assert Item.objects.count() == 0 and Upload.objects.count() == 0 and _stored(media_root) == []


@pytest.mark.parametrize("name", ["x." + "a" * 300, "photo.jp\x00g", ".."])
def test_a_large_file_with_an_odd_name_is_refused_by_name_not_a_500(
    planner_client, dataset, settings, name
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000  # spooled to a temporary file named after it

    response = _post_multipart(planner_client, dataset, [(name, image_bytes(1, size=(400, 300)))])

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_file_name"
    assert Upload.objects.count() == 0


def test_a_browser_session_upload_keeps_the_name_as_sent_through_the_csrf_check(make_user, dataset):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.PLANNER))
    client.get(f"/datasets/{dataset.id}/upload/")  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    response = _post_multipart(
        client, dataset, [("x" * 296 + ".jpg", image_bytes(1))], HTTP_X_CSRFTOKEN=token
    )

    assert response.status_code == 400
    assert "longer than 255 characters" in response.json()["error"]["message"]


def test_the_api_docs_say_a_files_final_outcome_is_read_from_the_entries(planner_client):
    schema = planner_client.get("/api/schema/?format=json").json()

    upload = schema["paths"]["/api/v1/datasets/{dataset_id}/uploads/"]["post"]
    assert "final outcome is read from the upload's entries" in upload["description"]
    assert "413" in upload["responses"]


def test_an_image_the_decoder_cannot_finish_is_refused_with_what_it_said(
    planner_client, dataset, media_root, django_capture_on_commit_callbacks
):
    response = _upload(planner_client, dataset, _file("noise.png", png_garbled(), "image/png"))
    assert response.status_code == 201

    with django_capture_on_commit_callbacks(execute=True):
        _process_all()

    entry = UploadEntry.objects.get()
    assert (entry.outcome, entry.code) == ("refused", "damaged_image")
    assert entry.message == (
        "“noise.png”: the image is damaged and cannot be decoded "
        "(broken data stream when reading image file)."
    )
    assert Item.objects.count() == 0 and _stored(media_root) == []
