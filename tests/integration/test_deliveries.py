"""A delivered file read by a real worker on Redis and PostgreSQL."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from labeling.models import Delivery, Task
from tests.conftest import until
from tests.factories.datasets import formula_region
from tests.factories.labeling import make_shop

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("celery")]


def test_a_worker_submits_the_good_lines_of_a_delivered_file_and_reports_the_bad(celery_worker):
    shop = make_shop(tasks=3, annotators=0)
    first, second = Task.objects.filter(batch=shop.batch).order_by("pk")[:2]
    document = {"regions": [formula_region("r1")], "categories": {}}
    lines = [
        json.dumps({"task": first.pk, "annotation": document}),
        json.dumps({"task": second.pk, "annotation": {"regions": [], "categories": {}}}),
        json.dumps({"task": first.pk, "annotation": document}),
    ]
    client = APIClient()
    client.force_login(shop.floor.manager)
    file = SimpleUploadedFile("vendor.jsonl", "\n".join(lines).encode())

    response = client.post(
        f"/api/v1/batches/{shop.batch.pk}/deliveries/", {"file": file}, format="multipart"
    )

    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    assert until(lambda: Delivery.objects.get().status == "done")
    delivery = Delivery.objects.get()
    assert (delivery.accepted, delivery.refused, delivery.attempts) == (2, 1, 1)
    assert list(delivery.lines.values_list("number", "code")) == [
        (1, ""),
        (2, ""),
        (3, "duplicate_task"),
    ]
    statuses = set(
        Task.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    )
    assert statuses == {"submitted"}
