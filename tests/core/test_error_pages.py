"""With DEBUG off a user meets the app's own error pages, and the API its one JSON shape."""

import json

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import translation

from accounts.models import Role
from core.errors import server_error

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_the_apps_own_404_page(client_for):
    response = client_for(Role.PLANNER).get("/no-such-page/")

    assert response.status_code == 404
    assert [t.name for t in response.templates][:2] == ["404.html", "base.html"]
    assert "There is nothing here" in response.content.decode()


def test_a_page_the_role_may_not_open_is_the_apps_own_403_page(client_for):
    response = client_for(Role.ANNOTATOR).get("/datasets/")

    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    assert "Your role may not open this page." in response.content.decode()


def test_the_404_page_speaks_the_readers_language():
    response = Client(headers={"accept-language": "ko"}).get("/no-such-page/")

    assert response.status_code == 404
    assert '<html lang="ko">' in response.content.decode()
    assert "찾을 수 없음" in response.content.decode()


def test_a_server_error_on_a_page_is_a_page_that_needs_no_database():
    with connection.execute_wrapper(_refuse_queries), translation.override("en"):
        response = server_error(RequestFactory().get("/datasets/"))

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def _refuse_queries(execute, sql, params, many, context):
    raise RuntimeError(f"the 500 page queried the database: {sql}")


def test_a_server_error_in_the_api_is_json_in_the_one_shape():
    response = server_error(RequestFactory().get("/api/v1/datasets/"))

    assert response.status_code == 500
    error = json.loads(response.content)["error"]
    assert error["code"] == "server_error"
    assert set(error) == {"code", "message", "fields"}
