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


@pytest.fixture
def formula(dataset):
    """A formula region type: latex (required) and handwritten."""
    region_type = services.region_type_create(
        dataset=dataset, name="Formula", slug="formula", by=None
    )
    services.attribute_create(
        region_type=region_type, name="latex", kind="latex", required=True, by=None
    )
    services.attribute_create(region_type=region_type, name="handwritten", kind="boolean", by=None)
    return region_type


@pytest.fixture
def char(dataset, formula):
    """A char region type nested in formula: symbol (required) and style (upright, italic)."""
    region_type = services.region_type_create(
        dataset=dataset, name="Char", slug="char", top_level=False, parents=["formula"], by=None
    )
    services.attribute_create(
        region_type=region_type, name="symbol", kind="text", required=True, by=None
    )
    services.attribute_create(
        region_type=region_type, name="style", kind="choice", choices=["upright", "italic"], by=None
    )
    return region_type
