"""The OpenAPI schema documents every endpoint with its request, response and errors."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))

    assert (tmp_path / "s.yml").stat().st_size > 0


def test_every_operation_documents_its_error_responses(planner_client):
    schema = planner_client.get("/api/schema/?format=json").json()

    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) >= 6
    for path, method, operation in operations:
        codes = set(operation["responses"])
        assert {"401", "403", "404"} <= codes, (path, method, codes)
        if method in {"post", "patch", "put"}:
            assert "400" in codes, (path, method)
            assert "requestBody" in operation, (path, method)
        error = operation["responses"]["403"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/ErrorOut"}


def test_api_docs_page_serves_its_assets_locally(planner_client):
    html = planner_client.get("/api/docs/").content.decode()

    assert "swagger-ui" in html
    assert "cdn.jsdelivr.net" not in html


def test_the_description_names_what_the_api_does_today(planner_client):
    description = planner_client.get("/api/schema/?format=json").json()["info"]["description"]

    for subject in ("uploads/", "items/", "schema/", "splits/", "coverage/", "stages/"):
        assert f"`{subject}" in description, subject
    for subject in ("exports/", "download/", "/file/{kind}/", "tokens/", "Token gw_"):
        assert subject in description, subject
    assert "work guides, vendors, labeling" not in description  # not in the API yet
