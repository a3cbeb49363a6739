"""The one batch state machine: every pair of states is allowed or refused as written."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import DomainError
from labeling.models import Batch
from labeling.states import TRANSITIONS, batch_move

pytestmark = pytest.mark.django_db

S = Batch.Status
ALLOWED = {
    (S.OPEN, S.IN_PROGRESS),
    (S.OPEN, S.CANCELLED),
    (S.IN_PROGRESS, S.SUBMITTED),
    (S.IN_PROGRESS, S.CANCELLED),
    (S.SUBMITTED, S.IN_REVIEW),
    (S.SUBMITTED, S.IN_PROGRESS),
    (S.IN_REVIEW, S.ACCEPTED),
    (S.IN_REVIEW, S.RETURNED),
    (S.RETURNED, S.IN_PROGRESS),
}


@pytest.fixture
def batch(floor):
    return Batch.objects.create(
        dataset=floor.dataset,
        task_kind=floor.formula,
        vendor=floor.vendor,
        contract=floor.contract,
        seed="s",
        due_on=timezone.localdate() + timedelta(days=3),
    )


def test_the_table_is_the_one_written_here():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED
    assert set(TRANSITIONS) == set(S.values)


@pytest.mark.parametrize(("source", "target"), list(itertools.product(S.values, S.values)))
def test_every_pair_of_states_is_allowed_or_refused(batch, source, target):
    Batch.objects.filter(pk=batch.pk).update(status=source)

    if (source, target) in ALLOWED:
        moved = batch_move(batch=batch, to=target, by=None)
        assert moved.status == target
        assert Batch.objects.get(pk=batch.pk).status == target
    else:
        with pytest.raises(DomainError) as refused:
            batch_move(batch=batch, to=target, by=None)
        assert refused.value.status == 409 and refused.value.code == "batch_transition"
        assert str(S(source).label) in str(refused.value.message)
        assert str(S(target).label) in str(refused.value.message)
        assert Batch.objects.get(pk=batch.pk).status == source


def test_an_unknown_state_is_refused(batch):
    with pytest.raises(DomainError):
        batch_move(batch=batch, to="lost", by=None)

    assert Batch.objects.get(pk=batch.pk).status == S.OPEN
