"""/healthz checks database, broker, storage and a worker for real."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("celery")]


def test_healthz_is_green_with_a_worker(celery_worker):
    response = Client().get("/healthz")

    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "storage", "worker"}


def test_healthz_is_503_and_names_the_worker_when_none_answers(transactional_db):
    from config.celery import app

    # A worker stopped by an earlier test may have answered a ping after its timeout; drain
    # such late replies so only a live worker could make this green.
    app.control.ping(timeout=1.0)

    response = Client().get("/healthz")

    body = response.json()
    assert response.status_code == 503, body  # names the worker that answered
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
