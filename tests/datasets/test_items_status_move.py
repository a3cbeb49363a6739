"""items_status_move: many items from one status to another, counters with them, in two
statements however many items."""

import pytest

from datasets import services
from datasets.models import CoverageCount, Item
from tests.factories.datasets import DatasetFactory
from tests.factories.labeling import items_in

pytestmark = pytest.mark.django_db


def counters(dataset) -> dict:
    return {
        (key, status): count
        for key, status, count in CoverageCount.objects.filter(dataset=dataset)
        .exclude(count=0)
        .values_list("category_key", "status", "count")
    }


def test_it_moves_only_items_of_the_dataset_in_the_from_status_and_their_counters(
    django_assert_num_queries,
):
    dataset, other = DatasetFactory(), DatasetFactory()
    axis = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    shadow = services.category_create(axis=axis, name="Shadow", slug="shadow", by=None)
    new = items_in(dataset, [shadow], 5)
    accepted = items_in(dataset, [shadow], 2, status=Item.Status.ACCEPTED)
    foreign = items_in(other, [], 2)
    ids = [item.pk for item in new + accepted + foreign]

    with django_assert_num_queries(2):  # the update and the counters, no savepoint
        moved = services.items_status_move(
            dataset=dataset, item_ids=ids, from_status="new", to_status="in_labeling"
        )

    assert moved == 5
    key = str(shadow.pk)
    assert counters(dataset) == {(key, "in_labeling"): 5, (key, "accepted"): 2}
    assert set(Item.objects.filter(dataset=other).values_list("status", flat=True)) == {"new"}
    services.coverage_recount(dataset=dataset)
    assert counters(dataset) == {(key, "in_labeling"): 5, (key, "accepted"): 2}
