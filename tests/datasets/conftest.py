"""Fixtures several dataset test files share."""

import pytest

from datasets import services
from tests.factories.datasets import DatasetFactory


@pytest.fixture
def dataset():
    return DatasetFactory()


@pytest.fixture
def axis(dataset):
    """The capture-condition axis of ``dataset``, with no categories yet."""
    return services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
