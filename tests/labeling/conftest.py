"""The floor every labeling test stands on (tests/factories/labeling.py)."""

import pytest

from tests.factories.labeling import Floor, make_floor


@pytest.fixture
def floor(db) -> Floor:
    return make_floor()
