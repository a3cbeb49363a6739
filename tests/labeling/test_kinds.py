"""Task kinds: parts of the dataset's own schema that fit together; types fixed once cut."""

import pytest

from core.errors import DomainError
from datasets.models import AttributeDef, RegionType
from labeling import selectors, services
from labeling.models import TaskKind
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.labeling import cut

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():
    dataset = formula_schema(DatasetFactory())
    types = {t.slug: t for t in RegionType.objects.filter(dataset=dataset)}
    attributes = {a.name: a for a in AttributeDef.objects.filter(region_type__dataset=dataset)}
    return dataset, types, attributes


def create(dataset, **fields):
    values = {"name": "Box characters", "slug": "chars", "description": "", "by": None}
    return services.task_kind_create(dataset=dataset, **{**values, **fields})


def test_the_char_pass_needs_accepted_formulas_and_says_so_in_words(schema):
    dataset, types, attributes = schema

    kind = create(
        dataset,
        types=[types["char"]],
        attributes=[attributes["symbol"]],
        requires=[types["formula"]],
    )

    kind = selectors.task_kind_list(kinds=TaskKind.objects.filter(pk=kind.pk)).get()
    assert selectors.task_kind_words(kind) == (
        "Box characters — edits Char (symbol); needs accepted Formula boxes"
    )


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"types": []}, "no_types", "types"),
        (
            {"types": ["char"], "attributes": ["latex"], "requires": ["formula"]},
            "attribute_not_edited",
            "attributes",
        ),  # fmt: skip
        ({"types": ["formula"], "requires": ["formula"]}, "requires_overlaps_types", "requires"),
        ({"types": ["char"]}, "parent_not_reachable", "requires"),
    ],
)
def test_parts_that_do_not_fit_are_refused_naming_the_field(schema, fields, code, field):
    dataset, types, attributes = schema
    resolved = {
        "types": [types[s] for s in fields.get("types", [])],
        "attributes": [attributes[s] for s in fields.get("attributes", [])],
        "requires": [types[s] for s in fields.get("requires", [])],
    }

    with pytest.raises(DomainError) as refused:
        create(dataset, **resolved)

    assert refused.value.code == code and field in refused.value.fields
    assert not TaskKind.objects.exists()


def test_a_type_of_another_dataset_is_refused(schema):
    dataset, _types, _attributes = schema
    other = formula_schema(DatasetFactory())

    with pytest.raises(DomainError) as refused:
        create(dataset, types=[RegionType.objects.get(dataset=other, slug="formula")])

    assert refused.value.code == "type_not_in_schema"


def test_a_slug_in_use_is_a_conflict(schema):
    dataset, types, _attributes = schema
    create(dataset, types=[types["formula"]])

    with pytest.raises(DomainError) as refused:
        create(dataset, types=[types["formula"]])

    assert refused.value.status == 409
    assert TaskKind.objects.count() == 1


def test_types_are_fixed_once_a_batch_exists(floor):

    cut(floor, {"capture=shadow": 2})
    char = RegionType.objects.get(dataset=floor.dataset, slug="char")

    with pytest.raises(DomainError) as refused:
        services.task_kind_update(kind=floor.formula, types=[char], by=None)
    renamed = services.task_kind_update(kind=floor.formula, name="Formulas", by=None)

    assert refused.value.code == "task_kind_in_use"
    assert list(floor.formula.types.values_list("slug", flat=True)) == ["formula"]
    assert renamed.name == "Formulas"
