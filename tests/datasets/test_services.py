import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from core.errors import DomainError
from datasets import services
from datasets.models import Item
from tests.factories.datasets import DatasetFactory

pytestmark = pytest.mark.django_db


def _jpeg(color=(200, 180, 160), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_the_same_content_twice_is_one_item(media_root):
    dataset = DatasetFactory()

    first, created_first = services.item_register(dataset=dataset, file=_jpeg())
    second, created_second = services.item_register(dataset=dataset, file=_jpeg())

    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert (first.width, first.height) == (64, 48)
    assert len(list(media_root.rglob("*.jpg"))) == 1


def test_stored_name_is_chosen_by_the_server_from_the_content_hash():
    item, _ = services.item_register(dataset=DatasetFactory(), file=_jpeg())

    assert item.image.name.endswith(f"{item.sha256}.jpg")
    assert default_storage.exists(item.image.name)


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(media_root):
    dataset = DatasetFactory()

    with pytest.raises(DomainError) as refused:
        services.item_register(dataset=dataset, file=b"%PDF-1.7 not an image")

    assert refused.value.code == "not_an_image"
    assert Item.objects.count() == 0
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_taxonomy_changes_raise_the_spec_version():
    dataset = DatasetFactory()

    axis = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    services.category_create(axis=axis, name="Shadow", slug="shadow", quota_target=10, by=None)

    dataset.refresh_from_db()
    assert dataset.spec_version == 3


def _page_queries(client, categories_per_axis: int) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dataset = DatasetFactory()
    for a in range(3):
        axis = services.axis_create(dataset=dataset, name=f"A{a}", slug=f"a{a}", by=None)
        for c in range(categories_per_axis):
            services.category_create(axis=axis, name=f"C{c}", slug=f"c{c}", quota_target=5, by=None)
        first, second = axis.categories.all()[:2]
    services.cell_quota_set(
        dataset=dataset,
        first=first,
        second=dataset.axes.first().categories.first(),
        quota_target=3,
        by=None,
    )
    services.item_register(dataset=dataset, file=_jpeg(), categories=[first])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/datasets/{dataset.id}/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_dataset_page_draws_coverage_in_a_fixed_number_of_queries(planner_client):
    few, _html = _page_queries(planner_client, 3)
    many, html = _page_queries(planner_client, 10)

    assert many == few
    assert html.count('class="bar"') == 30
    assert 'style="width: 20%"' in html
