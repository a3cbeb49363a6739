"""A body over DATA_UPLOAD_MAX_MEMORY_SIZE: a 413 in the one shape (API) or a short page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Role
from datasets.models import Dataset, Upload
from tests.factories.datasets import DatasetFactory
from tests.factories.images import image_bytes

pytestmark = pytest.mark.django_db

LIMIT = 1000


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT


def _assert_too_large(response):
    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "body_too_large",
            "message": f"The request body is larger than the limit of {LIMIT} bytes.",
            "fields": {},
        }
    }


def test_a_json_body_over_the_limit_is_a_413_in_the_error_shape(planner_client):
    response = planner_client.post(
        "/api/v1/datasets/", {"name": "x", "description": "y" * 2 * LIMIT}, format="json"
    )

    _assert_too_large(response)
    assert Dataset.objects.count() == 0


def test_multipart_fields_over_the_limit_are_a_413_in_the_error_shape(planner_client):
    dataset = DatasetFactory()

    response = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/uploads/",
        {"files": [SimpleUploadedFile("a.jpg", image_bytes(1))], "categories": "c" * 2 * LIMIT},
        format="multipart",
    )

    _assert_too_large(response)
    assert Upload.objects.count() == 0


def test_uploaded_files_do_not_count_towards_the_body_limit(planner_client):
    dataset = DatasetFactory()
    content = image_bytes(1, size=(400, 300))
    assert len(content) > LIMIT

    response = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/uploads/",
        {"files": [SimpleUploadedFile("a.jpg", content)]},
        format="multipart",
    )

    assert response.status_code == 201


def test_a_page_form_over_the_limit_is_a_short_413_page_not_the_debug_page(make_user, settings):
    settings.DEBUG = True  # the developer's mode: Django would show its technical page
    client = Client()
    client.force_login(make_user(Role.PLANNER))

    response = client.post("/datasets/new/", {"name": "x", "description": "y" * 2 * LIMIT})

    html = response.content.decode()
    assert response.status_code == 413
    assert f"The request body is larger than the limit of {LIMIT} bytes." in html
    assert "Traceback" not in html and "RequestDataTooBig" not in html
    assert Dataset.objects.count() == 0
