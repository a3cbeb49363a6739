"""The labeling tool's page: the annotator's own task opens; anyone else's is a 404 page."""

import pytest

from tests.factories.labeling import make_shop

pytestmark = pytest.mark.django_db


def _held_by_first(shop) -> int:
    response = shop.clients[0].post("/api/v1/tasks/next/", {}, format="json")
    return response.json()["task"]["id"]


def test_the_tool_opens_the_task_its_annotator_holds():
    shop = make_shop(annotators=2)
    task_id = _held_by_first(shop)

    response = shop.clients[0].get(f"/labeling/work/?task={task_id}")

    assert response.status_code == 200
    assert response.context["config"]["task"] == task_id


def test_another_annotators_task_is_a_404_page_not_the_tool():
    shop = make_shop(annotators=2)
    task_id = _held_by_first(shop)

    response = shop.clients[1].get(f"/labeling/work/?task={task_id}")

    assert response.status_code == 404
    assert b'id="work"' not in response.content


def test_a_task_that_is_not_a_number_is_a_404():
    shop = make_shop(annotators=1)

    assert shop.clients[0].get("/labeling/work/?task=abc").status_code == 404


def test_the_tool_runs_under_a_strict_content_security_policy():
    shop = make_shop(annotators=1)
    task_id = _held_by_first(shop)

    response = shop.clients[0].get(f"/labeling/work/?task={task_id}")

    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["style-src-attr"] == "'unsafe-inline'"  # KaTeX's glyph sizes
    assert b"<script>" not in response.content and b"onchange=" not in response.content


def test_with_s3_storage_the_photos_may_come_from_the_bucket(settings):
    from core.csp import strict_policy

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "core.storage.TypedS3Storage",
            "OPTIONS": {"endpoint_url": "https://s3.example.net:9000/"},
        },
    }

    assert "connect-src 'self' https://s3.example.net:9000;" in strict_policy()
