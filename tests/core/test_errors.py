"""Every 4xx from the API has one shape; the unexpected stays a 500."""

import pytest
from rest_framework.test import APIClient

from core.errors import api_exception_handler, flatten_detail
from datasets.models import Dataset

pytestmark = pytest.mark.django_db


def _assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_missing_required_field_names_the_field(planner_client):
    response = planner_client.post("/api/v1/datasets/", {"description": "x"}, format="json")

    error = _assert_error_shape(response, 400, "invalid")
    assert "name" in error["fields"]
    assert Dataset.objects.count() == 0


def test_malformed_json_is_a_400_parse_error(planner_client):
    response = planner_client.post(
        "/api/v1/datasets/", "{not json", content_type="application/json"
    )

    _assert_error_shape(response, 400, "parse_error")


def test_domain_error_keeps_its_code_and_saved_data(planner_client):
    planner_client.post("/api/v1/datasets/", {"name": "Formulas"}, format="json")

    response = planner_client.post("/api/v1/datasets/", {"name": "formulas"}, format="json")

    error = _assert_error_shape(response, 400, "duplicate_name")
    assert error["fields"] == {"name": "This name is taken."}
    assert list(Dataset.objects.values_list("name", flat=True)) == ["Formulas"]


def test_anonymous_request_is_401_with_error_shape():
    response = APIClient().get("/api/v1/datasets/")

    _assert_error_shape(response, 401, "not_authenticated")


def test_unknown_object_is_404_with_error_shape(planner_client):
    response = planner_client.get("/api/v1/datasets/999999/")

    _assert_error_shape(response, 404, "not_found")


def test_unknown_api_url_is_404_with_error_shape(planner_client):
    response = planner_client.get("/api/v1/no-such-thing/")

    _assert_error_shape(response, 404, "not_found")


def test_wrong_method_is_405_with_error_shape(planner_client):
    response = planner_client.put("/api/v1/me/", {}, format="json")

    _assert_error_shape(response, 405, "method_not_allowed")


def test_nested_field_errors_flatten_to_dotted_paths():
    detail = {"regions": [{}, {"bbox": ["Outside the image."]}], "name": ["Required."]}

    assert flatten_detail(detail) == {"regions.1.bbox": "Outside the image.", "name": "Required."}


def test_unexpected_exception_is_not_turned_into_a_4xx():
    assert api_exception_handler(RuntimeError("boom"), {}) is None


def test_unexpected_exception_in_a_view_is_a_500(planner_client, monkeypatch):
    from datasets import selectors

    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "dataset_list", explode)
    planner_client.raise_request_exception = False

    response = planner_client.get("/api/v1/datasets/")

    assert response.status_code == 500
