"""The annotation check: every problem named by region and field, over the API too."""

import pytest
from django.core.management import call_command
from django.utils import translation

from accounts.models import Role
from core.errors import DomainError
from datasets import services
from datasets.models import AttributeDef, Dataset
from tests.factories.datasets import current_truths

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(dataset, formula, char, axis):
    """The formula and char types, and a shadow category on the capture axis."""
    services.category_create(axis=axis, name="Shadow", slug="shadow", by=None)
    return dataset


def _good():
    return {
        "regions": [
            {
                "id": "r1",
                "type": "formula",
                "bbox": [10, 20, 300, 80],
                "attributes": {"latex": "\\frac{a+b}{2}", "handwritten": True},
                "parent": None,
            },
            {
                "id": "r2",
                "type": "char",
                "bbox": [12, 22, 20, 30],
                "attributes": {"symbol": "a", "style": "italic"},
                "parent": "r1",
            },
        ],
        "categories": {"capture": "shadow"},
    }


def _problems(schema, annotation, width=640, height=480) -> dict:
    with pytest.raises(DomainError) as caught:
        services.annotation_validate(
            dataset=schema, annotation=annotation, width=width, height=height
        )
    assert caught.value.code == "invalid_annotation"
    assert caught.value.status == 400
    return caught.value.fields


def test_a_good_annotation_comes_back_normalised(schema):
    annotation = _good()
    del annotation["regions"][1]["parent"]
    annotation["regions"][1]["parent"] = "r1"
    del annotation["categories"]

    result = services.annotation_validate(
        dataset=schema, annotation=annotation, width=640, height=480
    )

    assert result["regions"][0]["bbox"] == [10.0, 20.0, 300.0, 80.0]
    assert all(isinstance(v, float) for v in result["regions"][0]["bbox"])
    assert result["categories"] == {}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda a: a["regions"][0].update(type="table"), "regions.r1.type", "table"),
        (
            lambda a: a["regions"][0]["attributes"].update(colour="red"),
            "regions.r1.attributes.colour",
            "colour",
        ),
        (
            lambda a: a["regions"][0]["attributes"].pop("latex"),
            "regions.r1.attributes.latex",
            "required",
        ),
        (
            lambda a: a["regions"][0]["attributes"].update(handwritten="yes"),
            "regions.r1.attributes.handwritten",
            "true or false",
        ),
        (
            lambda a: a["regions"][1]["attributes"].update(symbol=3),
            "regions.r2.attributes.symbol",
            "text",
        ),
        (
            lambda a: a["regions"][1]["attributes"].update(style="bold"),
            "regions.r2.attributes.style",
            "bold",
        ),
        (lambda a: a["regions"][0].update(bbox=[1, 2, 3]), "regions.r1.bbox", "four numbers"),
        (
            lambda a: a["regions"][0].update(bbox=[1, 2, "3", 4]),
            "regions.r1.bbox",
            "four numbers",
        ),
        (lambda a: a["regions"][0].update(bbox=[1, 2, 0, 4]), "regions.r1.bbox", "zero size"),
        (lambda a: a["regions"][0].update(bbox=[1, 2, -5, 4]), "regions.r1.bbox", "negative"),
        (lambda a: a["regions"][1].update(parent="r2"), "regions.r2.parent", "its own parent"),
        (
            lambda a: a["regions"][0].update(bbox=[400, 20, 300, 80]),
            "regions.r1.bbox",
            "outside the image",
        ),
        (lambda a: a["regions"][0].update(bbox=[-1, 20, 30, 80]), "regions.r1.bbox", "outside"),
        (lambda a: a["regions"][1].update(id="r1"), "regions.r1.id", "twice"),
        (lambda a: a["regions"][1].update(parent="r9"), "regions.r2.parent", "r9"),
        (lambda a: a["regions"][1].update(parent=None), "regions.r2.parent", "stand alone"),
        (
            lambda a: a["regions"][0].update(parent="r2"),
            "regions.r1.parent",
            "may not nest",
        ),
        (
            lambda a: a["regions"][0]["attributes"].update(latex="\\frac{a"),
            "regions.r1.attributes.latex",
            "LaTeX",
        ),
        (lambda a: a["categories"].update(light="dim"), "categories.light", "light"),
        (lambda a: a["categories"].update(capture="fog"), "categories.capture", "fog"),
        (lambda a: a.update(meta={}), "meta", "Unknown"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_each_problem_is_named_by_region_and_field(schema, change, field, words):
    annotation = _good()
    change(annotation)

    problems = _problems(schema, annotation)

    assert field in problems, problems
    assert words.lower() in problems[field].lower()


def test_every_problem_is_collected_not_just_the_first(schema):
    annotation = _good()
    annotation["regions"][0]["bbox"] = [600, 20, 300, 80]
    annotation["regions"][1]["attributes"] = {}

    problems = _problems(schema, annotation)

    assert set(problems) == {"regions.r1.bbox", "regions.r2.attributes.symbol"}


def test_an_annotation_that_is_not_an_object_is_refused(schema):
    assert "annotation" in _problems(schema, ["regions"])


def test_every_demo_ground_truth_validates():
    call_command("seed_demo", photos=14)
    dataset = Dataset.objects.get(name="Math formula photos")
    truths = current_truths(dataset).select_related("item")

    assert truths.count() == 14
    for truth in truths:
        services.annotation_validate(
            dataset=dataset,
            annotation=truth.annotation,
            width=truth.item.width,
            height=truth.item.height,
        )
    assert set(dataset.region_types.values_list("slug", flat=True)) == {"formula", "char"}
    assert AttributeDef.objects.get(region_type__dataset=dataset, name="latex").required


def test_validate_endpoint_answers_normalised_or_names_problems(client_for, schema):
    reviewer = client_for(Role.REVIEWER)
    url = f"/api/v1/datasets/{schema.id}/schema/validate/"
    bad = _good()
    bad["regions"][1]["bbox"] = [630, 20, 30, 30]

    ok = reviewer.post(url, {"annotation": _good(), "width": 640, "height": 480}, format="json")
    refused = reviewer.post(url, {"annotation": bad, "width": 640, "height": 480}, format="json")

    assert ok.status_code == 200
    assert ok.json()["regions"][1]["bbox"] == [12.0, 22.0, 20.0, 30.0]
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "invalid_annotation"
    assert "outside the image" in refused.json()["error"]["fields"]["regions.r2.bbox"]


def test_a_box_number_too_large_for_a_float_is_refused_not_a_crash(schema):
    annotation = _good()
    annotation["regions"][0]["bbox"] = [10**400, 20, 300, 80]

    assert "regions.r1.bbox" in _problems(schema, annotation)


# --- angle ----------------------------------------------------------------------------------


@pytest.fixture
def angled(schema, formula):
    services.attribute_create(region_type=formula, name="angle", kind="angle", by=None)
    return schema


def _with_angle(value) -> dict:
    annotation = _good()
    annotation["regions"][0]["attributes"]["angle"] = value
    return annotation


@pytest.mark.parametrize("value", [0, 90, -89.9, 12.5, 7])
def test_an_angle_in_range_with_one_decimal_passes_as_a_number(angled, value):
    result = services.annotation_validate(
        dataset=angled, annotation=_with_angle(value), width=640, height=480
    )

    assert result["regions"][0]["attributes"]["angle"] == value


@pytest.mark.parametrize(
    "value", [-90, 90.1, 180, 12.34, float("nan"), float("inf"), True, "12", None, [5]]
)
def test_an_angle_out_of_range_or_not_a_number_is_refused_naming_the_range(angled, value):
    problems = _problems(angled, _with_angle(value))

    assert set(problems) == {"regions.r1.attributes.angle"}
    assert "-90" in problems["regions.r1.attributes.angle"]
    assert "90" in problems["regions.r1.attributes.angle"]


def test_an_angle_is_checked_in_a_draft_too(angled):
    with pytest.raises(DomainError) as caught:
        services.annotation_validate(
            dataset=angled, annotation=_with_angle(95), width=640, height=480, draft=True
        )

    assert "regions.r1.attributes.angle" in caught.value.fields


def test_the_angle_refusal_is_in_korean_for_a_korean_reader(angled):
    with translation.override("ko"):
        problems = _problems(angled, _with_angle(95))

    assert "각도" in problems["regions.r1.attributes.angle"]
