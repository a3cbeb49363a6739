"""Labeling's deferred coverage moves reach the counters through beat's job in a real
worker, within the bound the coverage page states."""

import pytest
from django.conf import settings

from datasets import services
from datasets.models import CoverageCount, CoverageDelta, Item
from tests.conftest import until
from tests.factories.labeling import cut, make_floor

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("celery")]
APPLY = settings.COVERAGE_APPLY_SECONDS


def _counters(dataset) -> set:
    rows = CoverageCount.objects.filter(dataset=dataset, count__gt=0)
    return set(rows.values_list("category_key", "split", "status", "count"))


def test_beat_folds_a_submits_deltas_into_the_counters_within_seconds(sweeping_workers):
    floor = make_floor()
    cut(floor, {"capture=shadow": 4})
    ids = list(Item.objects.filter(status=Item.Status.IN_LABELING).values_list("pk", flat=True))
    services.items_status_move(
        dataset=floor.dataset,
        item_ids=ids,
        from_status=Item.Status.IN_LABELING,
        to_status=Item.Status.LABELED,
        deferred=True,
    )
    assert CoverageDelta.objects.exists()
    waiting = _counters(floor.dataset)

    sweeping_workers("beat")  # ready once it answers; beat's first run is due at once
    assert until(lambda: not CoverageDelta.objects.exists(), timeout=2 + 2 * APPLY)
    folded = _counters(floor.dataset)
    assert folded != waiting
    services.coverage_recount(dataset=floor.dataset)
    assert folded == _counters(floor.dataset)
