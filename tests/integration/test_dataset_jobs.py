"""Split assignment and large category changes through a real worker on Redis."""

import pytest

from datasets import services
from datasets.models import CategoryChange, Item, SplitRun
from tests.conftest import until
from tests.factories.datasets import DatasetFactory
from tests.factories.images import image_bytes

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("celery")]


def test_a_worker_assigns_splits_and_sets_categories_on_a_large_selection(
    celery_worker, planner_client, monkeypatch
):
    from datasets.services import categories

    monkeypatch.setattr(categories, "INLINE_LIMIT", 3)
    dataset = DatasetFactory()
    axis = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    services.category_create(axis=axis, name="Shadow", slug="shadow", by=None)
    for seed in range(10):
        services.item_register(dataset=dataset, file=image_bytes(seed * 17), name=f"{seed}.jpg")

    split = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/splits/", {"seed": 5}, format="json"
    )
    change = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/items/categories/",
        {"filters": {}, "set": {"capture": "shadow"}},
        format="json",
    )

    assert (split.status_code, change.status_code) == (202, 202)
    assert until(lambda: SplitRun.objects.get().status == "done")
    assert until(lambda: CategoryChange.objects.get().status == "done")
    assert Item.objects.filter(dataset=dataset).count() == 10
    assert not Item.objects.filter(dataset=dataset, split="").exists()
    assert Item.objects.filter(dataset=dataset, categories__slug="shadow").count() == 10
    assert SplitRun.objects.get().counts == {"train": 8, "val": 1, "test": 1}
