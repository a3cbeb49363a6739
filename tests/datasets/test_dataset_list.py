"""The datasets list: each dataset's items, its quotas at a glance and a thumbnail, in a
number of queries that does not grow with the datasets or their items."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets import services
from tests.factories.datasets import DatasetFactory
from tests.factories.images import image_bytes

pytestmark = pytest.mark.django_db


def _dataset(name: str, *, photos: int, quotas: tuple[int, int] = (2, 4)):
    """A dataset with one axis of two categories (quotas as given); photos go to the first."""
    dataset = DatasetFactory(name=name)
    axis = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    clean, shadow = (
        services.category_create(
            axis=axis, name=slug.title(), slug=slug, quota_target=quota, by=None
        )
        for slug, quota in zip(("clean", "shadow"), quotas, strict=True)
    )
    items = []
    for seed in range(photos):
        item, _created = services.item_register(
            dataset=dataset,
            file=image_bytes(seed + 100 * dataset.pk),
            name=f"{seed}.jpg",
            categories=[clean],
        )
        services.item_process(item_id=item.id)
        items.append(item)
    return dataset, items


def _row(html: str, dataset) -> str:
    start = html.index(f'<tr data-dataset="{dataset.id}">')
    return html[start : html.index("</tr>", start)]


def test_each_dataset_shows_its_items_coverage_and_newest_thumbnail(planner_client):
    dataset, items = _dataset("Formulas", photos=3)  # clean 3 of 2 (counts 2), shadow 0 of 4

    html = planner_client.get("/datasets/").content.decode()

    row = _row(html, dataset)
    assert re.search(r'data-testid="items">3<', row)
    assert "33%" in row and 'style="width: 33%"' in row  # (2 + 0) of (2 + 4)
    assert "1 of 2 categories full" in row
    assert f'src="/datasets/{dataset.id}/items/{items[-1].id}/file/thumbnail/"' in row


def test_a_dataset_without_quotas_or_items_says_so(planner_client):
    dataset = DatasetFactory(name="Empty")

    row = _row(planner_client.get("/datasets/").content.decode(), dataset)

    assert 'data-testid="items">0<' in row
    assert "No quotas yet" in row
    assert "<img" not in row


def test_a_reviewer_can_load_the_thumbnail_the_list_shows(client_for):
    dataset, items = _dataset("Shown", photos=1)
    reviewer = client_for("reviewer")

    html = reviewer.get("/datasets/").content.decode()
    src = re.search(r'<img src="([^"]+)"', _row(html, dataset)).group(1)

    assert reviewer.get(src).status_code == 200


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/datasets/")
    assert response.status_code == 200
    return len(captured)


def test_the_list_costs_the_same_queries_for_one_dataset_or_many(planner_client):
    _dataset("First", photos=1)
    one = _queries(planner_client)
    for n in range(4):
        _dataset(f"More {n}", photos=2 + n)

    many = _queries(planner_client)

    # session, user, datasets with thumbnails, categories, counters, unanswered questions
    assert many == one == 6
