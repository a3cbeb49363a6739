"""What the labeling tool reads beside the task: the schema (any schema), the taxonomy with
its names, the item's categories and the guides; nobody else's task."""

import pytest
from rest_framework.test import APIClient

from datasets import services as dataset_services
from tests.factories.accounts import UserFactory
from tests.factories.guides import guide_published
from tests.factories.labeling import make_shop
from tests.factories.vendors import VendorFactory, member_of

pytestmark = pytest.mark.django_db


def _held(shop, n: int = 0) -> int:
    return shop.clients[n].post("/api/v1/tasks/next/", {}, format="json").json()["task"]["id"]


def test_the_tool_reads_the_schema_the_taxonomy_the_items_categories_and_the_guide(
    django_assert_max_num_queries,
):
    shop = make_shop(annotators=1)
    task_id = _held(shop)
    version = guide_published(shop.floor.dataset, title="Formulas")

    with django_assert_max_num_queries(14):
        body = shop.clients[0].get(f"/api/v1/tasks/{task_id}/tool/").json()

    types = {entry["slug"]: entry for entry in body["schema"]}
    assert types["char"]["parents"] == ["formula"] and not types["char"]["top_level"]
    assert [a["name"] for a in types["formula"]["attributes"]][:2] == ["latex", "handwritten"]
    capture = next(axis for axis in body["axes"] if axis["slug"] == "capture")
    assert capture["name"] == "Capture"
    assert {"slug": "shadow", "name": "Shadow"} in capture["categories"]
    assert body["item_categories"]["capture"] == "shadow"
    assert body["guides"] == [
        {
            "guide": version.guide_id,
            "title": "Formulas",
            "version": 1,
            "url": f"/guides/{version.guide_id}/v1/",
            "questions_url": f"/api/v1/guides/{version.guide_id}/questions/",
        }
    ]
    assert body["figures_url"] == "/api/v1/me/figures/"


def test_a_second_schema_comes_through_as_the_planner_wrote_it():
    shop = make_shop(annotators=1)
    dataset = shop.floor.dataset
    table = dataset_services.region_type_create(
        dataset=dataset, name="Table", slug="table", by=None
    )
    cell = dataset_services.region_type_create(
        dataset=dataset, name="Cell", slug="cell", top_level=False, parents=["table"], by=None
    )
    dataset_services.attribute_create(
        region_type=cell, name="role", kind="choice", choices=["header", "body"], by=None
    )
    task_id = _held(shop)

    schema = shop.clients[0].get(f"/api/v1/tasks/{task_id}/tool/").json()["schema"]

    cells = next(entry for entry in schema if entry["slug"] == "cell")
    assert table.slug == "table" and cells["parents"] == ["table"]
    assert cells["attributes"] == [
        {"name": "role", "kind": "choice", "required": False, "choices": ["header", "body"]}
    ]


def test_another_annotators_or_another_vendors_task_is_a_404():
    shop = make_shop(annotators=2)
    task_id = _held(shop)
    stranger = APIClient()
    stranger.force_login(member_of(VendorFactory(), role="annotator"))

    assert shop.clients[1].get(f"/api/v1/tasks/{task_id}/tool/").status_code == 404
    assert stranger.get(f"/api/v1/tasks/{task_id}/tool/").status_code == 404


def test_a_trainer_does_not_see_a_tasks_tool_either():
    shop = make_shop(annotators=1)
    task_id = _held(shop)
    trainer = APIClient()
    trainer.force_login(UserFactory(role="trainer"))

    assert trainer.get(f"/api/v1/tasks/{task_id}/tool/").status_code == 404
