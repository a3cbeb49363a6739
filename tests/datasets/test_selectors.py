"""The resolvers: a slug, key or id a request names becomes this dataset's object, or a 400."""

import pytest

from core.errors import DomainError
from datasets import selectors, services
from tests.factories.datasets import DatasetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spec(dataset, axis):
    """One of everything a request may name: a category, a decision, a region type, a stage."""
    shadow = services.category_create(axis=axis, name="Shadow", slug="shadow", by=None)
    decision = services.decision_create(dataset=dataset, question="Cut formulas?", by=None)
    formula = services.region_type_create(dataset=dataset, name="Formula", slug="formula", by=None)
    stage = services.stage_create(
        dataset=dataset,
        name="Formula detection",
        slug="formula-detection",
        input_kind="image",
        output_kind="boxes",
        output_type=formula,
        by=None,
    )
    return {"shadow": shadow, "decision": decision, "formula": formula, "stage": stage}


@pytest.fixture
def other(spec):
    """A second dataset whose parts carry the same slugs and keys as the first one's."""
    dataset = DatasetFactory()
    axis = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    services.category_create(axis=axis, name="Shadow", slug="shadow", by=None)
    decision = services.decision_create(dataset=dataset, question="Cut formulas?", by=None)
    formula = services.region_type_create(dataset=dataset, name="Formula", slug="formula", by=None)
    services.stage_create(
        dataset=dataset,
        name="Formula detection",
        slug="formula-detection",
        input_kind="image",
        output_kind="boxes",
        output_type=formula,
        by=None,
    )
    return {"dataset": dataset, "decision": decision}


def _refusal(call, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as refused:
        call(**kwargs)
    return refused.value


def test_each_resolver_returns_this_datasets_object(dataset, axis, spec, other):
    assert selectors.axis_get(dataset=dataset, slug="capture") == axis
    assert selectors.category_get(dataset=dataset, key="capture=shadow") == spec["shadow"]
    decision = spec["decision"]
    assert selectors.decision_get(dataset=dataset, decision_id=decision.pk) == decision
    assert selectors.region_type_get(dataset=dataset, slug="formula") == spec["formula"]
    assert selectors.stage_get(dataset=dataset, slug="formula-detection") == spec["stage"]


def test_a_resolved_stage_comes_with_its_parts(django_assert_num_queries, dataset, spec):
    stage = selectors.stage_get(dataset=dataset, slug="formula-detection")

    with django_assert_num_queries(0):
        assert stage.output_type.slug == "formula"
        assert stage.decision is None


@pytest.mark.parametrize(
    ("resolver", "kwargs", "code", "field"),
    [
        (selectors.axis_get, {"slug": "lighting"}, "unknown_axis", "axis"),
        (selectors.category_get, {"key": "capture=glare"}, "unknown_category", "category"),
        (selectors.category_get, {"key": "shadow"}, "unknown_category", "category"),
        (selectors.category_get, {"key": "x=y", "field": "first"}, "unknown_category", "first"),
        (selectors.decision_get, {"decision_id": 999999}, "unknown_decision", "decision"),
        (selectors.region_type_get, {"slug": "table"}, "unknown_type", "type"),
        (
            selectors.region_type_get,
            {"slug": "table", "field": "input_type"},
            "unknown_type",
            "input_type",
        ),
        (selectors.stage_get, {"slug": "char-detection"}, "unknown_stage", "stage"),
    ],
)
def test_an_unknown_name_is_a_400_naming_the_field(dataset, spec, resolver, kwargs, code, field):
    refusal = _refusal(resolver, dataset=dataset, **kwargs)

    assert (refusal.code, refusal.status) == (code, 400)
    assert list(refusal.fields) == [field]


def test_another_datasets_decision_is_unknown(dataset, spec, other):
    refusal = _refusal(selectors.decision_get, dataset=dataset, decision_id=other["decision"].pk)

    assert refusal.code == "unknown_decision"


def test_the_same_slugs_resolve_to_each_datasets_own_objects(dataset, spec, other):
    mine = selectors.stage_get(dataset=dataset, slug="formula-detection")
    theirs = selectors.stage_get(dataset=other["dataset"], slug="formula-detection")

    assert mine.dataset == dataset
    assert theirs.dataset == other["dataset"]
    assert selectors.category_get(dataset=other["dataset"], key="capture=shadow") != spec["shadow"]


def test_an_attribute_is_found_on_its_own_region_type_only(spec):
    formula = spec["formula"]
    latex = services.attribute_create(region_type=formula, name="latex", kind="latex", by=None)
    char = services.region_type_create(
        dataset=formula.dataset,
        name="Char",
        slug="char",
        top_level=False,
        parents=[formula],
        by=None,
    )

    assert selectors.attribute_get(region_type=formula, name="latex") == latex
    refusal = _refusal(
        selectors.attribute_get, region_type=char, name="latex", field="output_attribute"
    )
    assert refusal.code == "unknown_attribute"
    assert list(refusal.fields) == ["output_attribute"]
