"""The model pipeline: stages checked against the label schema, versioned, drawn."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.services import token_create
from datasets import services
from datasets.models import AttributeDef, RegionType, SpecChange, Stage
from datasets.services import demo_dataset_ensure, demo_pipeline_ensure
from tests.factories.datasets import DatasetFactory

pytestmark = pytest.mark.django_db

DETECTION = {
    "name": "Formula detection",
    "slug": "formula-detection",
    "input_kind": "image",
    "output_kind": "boxes",
    "output_type": "formula",
    "export_formats": ["coco", "yolo"],
    "latency_ms": 150,
    "latency_offline": "image in → boxes out",
    "metric": "mAP@0.5",
    "metric_target": 0.9,
    "qps_target": 50,
    "serving": "gpu_server",
}
RECOGNITION = {
    "name": "Formula recognition",
    "slug": "formula-recognition",
    "input_kind": "crop",
    "input_type": "formula",
    "padding": 8,
    "output_kind": "attribute",
    "output_attribute": "latex",
    "export_formats": ["jsonl_crops"],
}


@pytest.fixture
def schema(dataset):
    """The demo's label schema: formula (latex, handwritten) with char (symbol) nested in it."""
    formula = RegionType.objects.create(dataset=dataset, name="Formula", slug="formula")
    char = RegionType.objects.create(
        dataset=dataset, name="Character", slug="char", top_level=False, position=1
    )
    char.parents.add(formula)
    AttributeDef.objects.create(region_type=formula, name="latex", kind="latex", required=True)
    AttributeDef.objects.create(region_type=formula, name="handwritten", kind="boolean")
    AttributeDef.objects.create(region_type=char, name="symbol", kind="text", required=True)
    return {"formula": formula, "char": char}


def _url(dataset, stage=None) -> str:
    base = f"/api/v1/datasets/{dataset.id}/stages/"
    return f"{base}{stage.id}/" if stage else base


def _post(client, dataset, body):
    return client.post(_url(dataset), body, format="json")


def test_planner_adds_a_stage_and_the_spec_version_rises_with_who_and_what(
    planner_client, dataset, schema
):
    version = dataset.spec_version

    response = _post(planner_client, dataset, DETECTION)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["output_type"] == "formula"
    assert body["export_formats"] == ["coco", "yolo"]
    assert body["latency_ms"] == 150
    dataset.refresh_from_db()
    assert dataset.spec_version == version + 1
    change = SpecChange.objects.get(dataset=dataset, version=dataset.spec_version)
    assert change.changed_by == planner_client.user
    assert "Formula detection" in change.summary
    assert change.change["kind"] == "stage_created"
    assert change.change["after"]["output_type"] == "formula"


def test_snapshot_holds_every_stage_in_pipeline_order(planner_client, dataset, schema):
    _post(planner_client, dataset, DETECTION)
    _post(planner_client, dataset, RECOGNITION)

    snapshot = SpecChange.objects.get(dataset=dataset, version=3).snapshot

    assert [stage["slug"] for stage in snapshot["stages"]] == [
        "formula-detection",
        "formula-recognition",
    ]
    recognition = snapshot["stages"][1]
    assert recognition["input_type"] == "formula"
    assert recognition["output_attribute"] == "latex"
    assert recognition["padding"] == 8
    assert recognition["position"] == 1


def test_attribute_is_named_on_the_input_type(planner_client, dataset, schema):
    response = _post(planner_client, dataset, RECOGNITION)

    assert response.status_code == 201, response.json()
    assert Stage.objects.get().output_attribute.region_type == schema["formula"]


def test_boxes_carry_an_attribute_named_on_the_output_type(planner_client, dataset, schema):
    """Detection and recognition in one model: image → formula boxes, each with its LaTeX."""
    response = _post(planner_client, dataset, {**DETECTION, "output_attribute": "latex"})

    assert response.status_code == 201, response.json()
    assert response.json()["output_attribute"] == "latex"
    assert Stage.objects.get().output_attribute.region_type == schema["formula"]


def test_boxes_may_not_carry_an_attribute_of_another_type(planner_client, dataset, schema):
    response = _post(planner_client, dataset, {**DETECTION, "output_attribute": "symbol"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unknown_attribute"
    assert list(error["fields"]) == ["output_attribute"]
    assert "formula" in error["message"]
    assert not Stage.objects.exists()


def test_crop_stage_finds_boxes_of_a_type_nested_in_its_input(planner_client, dataset, schema):
    body = {
        "name": "Char detection",
        "slug": "char-detection",
        "input_kind": "crop",
        "input_type": "formula",
        "output_kind": "boxes",
        "output_type": "char",
        "export_formats": ["coco"],
    }

    response = _post(planner_client, dataset, body)

    assert response.status_code == 201, response.json()


REFUSALS = [
    ({"input_type": "table"}, "unknown_type", "input_type"),
    ({"output_type": "table"}, "unknown_type", "output_type"),
    # formula may not nest in formula
    ({"input_kind": "crop", "input_type": "formula"}, "not_nested", "output_type"),
    ({"input_kind": "crop"}, "type_required", "input_type"),  # a crop of nothing
    ({"input_type": "formula"}, "unexpected_type", "input_type"),  # image input with a type
    ({"output_type": "char"}, "not_nested", "output_type"),  # char may not stand alone
    ({"export_formats": ["jsonl_crops"]}, "unknown_format", "export_formats"),
    ({"export_formats": ["pascal_voc"]}, "unknown_format", "export_formats"),
    ({"latency_ms": -1}, "invalid_requirement", "latency_ms"),
    ({"qps_target": -5}, "invalid_requirement", "qps_target"),
    ({"metric_target": -0.1}, "invalid_requirement", "metric_target"),
    ({"padding": -1}, "invalid_padding", "padding"),
    ({"decision": 999999}, "unknown_decision", "decision"),
    ({"slug": "formula-detection"}, "duplicate_slug", "slug"),
]
ATTRIBUTE_REFUSALS = [
    ({"input_type": None}, "type_required", "input_type"),  # a crop of nothing
    ({"output_attribute": "symbol"}, "unknown_attribute", "output_attribute"),
    ({"output_attribute": "colour"}, "unknown_attribute", "output_attribute"),
    ({"input_kind": "image", "input_type": None}, "attribute_needs_crop", "input_kind"),
    ({"export_formats": ["coco"]}, "unknown_format", "export_formats"),
    ({"padding": 120, "padding_unit": "percent"}, "invalid_padding", "padding"),
]


def _assert_refused(response, code, field, dataset, before):
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == code
    assert field in error["fields"]
    dataset.refresh_from_db()
    assert dataset.spec_version == before["version"]
    assert list(dataset.stages.values_list("slug", flat=True)) == before["stages"]


def _state(dataset) -> dict:
    dataset.refresh_from_db()
    return {
        "version": dataset.spec_version,
        "stages": list(dataset.stages.values_list("slug", flat=True)),
    }


@pytest.mark.parametrize(("change", "code", "field"), REFUSALS)
def test_a_detection_stage_the_schema_cannot_project_is_refused(
    planner_client, dataset, schema, change, code, field
):
    if code == "duplicate_slug":
        _post(planner_client, dataset, DETECTION)
    before = _state(dataset)

    response = _post(planner_client, dataset, {**DETECTION, **change})

    _assert_refused(response, code, field, dataset, before)


@pytest.mark.parametrize(("change", "code", "field"), ATTRIBUTE_REFUSALS)
def test_an_attribute_stage_the_schema_cannot_project_is_refused(
    planner_client, dataset, schema, change, code, field
):
    before = _state(dataset)

    response = _post(planner_client, dataset, {**RECOGNITION, **change})

    _assert_refused(response, code, field, dataset, before)


def test_decision_of_another_dataset_is_refused(planner_client, dataset, schema):
    other = services.decision_create(dataset=DatasetFactory(), question="Why?", by=None)
    before = _state(dataset)

    response = _post(planner_client, dataset, {**DETECTION, "decision": other.id})

    _assert_refused(response, "unknown_decision", "decision", dataset, before)


def test_a_change_keeps_the_old_value_in_the_history(planner_client, dataset, schema):
    stage_id = _post(planner_client, dataset, DETECTION).json()["id"]

    response = planner_client.patch(
        f"{_url(dataset)}{stage_id}/", {"latency_ms": 120, "serving": "cloud"}, format="json"
    )

    assert response.status_code == 200, response.json()
    change = SpecChange.objects.filter(dataset=dataset).order_by("-version").first()
    assert change.change["kind"] == "stage_changed"
    assert change.change["before"] == {"latency_ms": 150, "serving": "gpu_server"}
    assert change.change["after"] == {"latency_ms": 120, "serving": "cloud"}
    assert change.changed_by == planner_client.user
    assert "150 → 120" in change.summary


def test_a_refused_change_changes_nothing(planner_client, dataset, schema):
    stage_id = _post(planner_client, dataset, DETECTION).json()["id"]
    before = _state(dataset)

    response = planner_client.patch(
        f"{_url(dataset)}{stage_id}/",
        {"latency_ms": 100, "output_type": "char"},
        format="json",
    )

    _assert_refused(response, "not_nested", "output_type", dataset, before)
    assert Stage.objects.get().latency_ms == 150


def test_a_stage_moves_and_is_deleted_in_the_history(planner_client, dataset, schema):
    first = _post(planner_client, dataset, DETECTION).json()["id"]
    second = _post(planner_client, dataset, RECOGNITION).json()["id"]

    moved = planner_client.patch(f"{_url(dataset)}{second}/", {"position": 0}, format="json")
    deleted = planner_client.delete(f"{_url(dataset)}{first}/")

    assert moved.json()["position"] == 0
    assert deleted.status_code == 204
    kinds = list(
        SpecChange.objects.filter(dataset=dataset)
        .order_by("version")
        .values_list("change__kind", flat=True)
    )
    assert kinds[-2:] == ["stage_moved", "stage_deleted"]
    assert list(dataset.stages.values_list("slug", "position")) == [("formula-recognition", 0)]


def test_trainer_with_a_token_reads_stages_but_changes_nothing(make_user, dataset, schema):
    stage = services.stage_create(
        dataset=dataset,
        name="Formula detection",
        slug="formula-detection",
        input_kind="image",
        output_kind="boxes",
        output_type=schema["formula"],
        by=None,
    )
    issued = token_create(user=make_user(Role.TRAINER), name="training box")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {issued.key}")
    before = _state(dataset)

    listed = client.get(_url(dataset))
    one = client.get(_url(dataset, stage))
    created = client.post(_url(dataset), DETECTION | {"slug": "other"}, format="json")
    changed = client.patch(_url(dataset, stage), {"latency_ms": 1}, format="json")
    deleted = client.delete(_url(dataset, stage))

    assert listed.status_code == 200
    assert [row["slug"] for row in listed.json()] == ["formula-detection"]
    assert one.status_code == 200
    assert [created.status_code, changed.status_code, deleted.status_code] == [403, 403, 403]
    assert _state(dataset) == before
    assert Stage.objects.get().latency_ms is None


def test_trainer_session_cannot_change_stages(client_for, dataset, schema):
    client = client_for(Role.TRAINER)

    response = _post(client, dataset, DETECTION)

    assert response.status_code == 403
    assert not dataset.stages.exists()


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.VENDOR_MANAGER])
def test_vendors_do_not_see_stages(client_for, dataset, schema, role):
    stage = services.stage_create(
        dataset=dataset,
        name="Formula detection",
        slug="formula-detection",
        input_kind="image",
        output_kind="boxes",
        output_type=schema["formula"],
        by=None,
    )
    client = client_for(role)

    assert client.get(_url(dataset)).status_code == 404
    assert client.get(_url(dataset, stage)).status_code == 404
    assert client.patch(_url(dataset, stage), {"latency_ms": 1}, format="json").status_code == 404
    assert client.get(f"/datasets/{dataset.id}/stages/").status_code in {403, 404}


def _demo(dataset, schema):
    demo_pipeline_ensure(dataset=dataset, planner=None)


def test_demo_pipeline_has_four_stages_and_reruns_harmlessly(dataset, schema):
    _demo(dataset, schema)
    version = dataset.spec_version
    _demo(dataset, schema)

    dataset.refresh_from_db()
    assert dataset.spec_version == version
    stages = list(dataset.stages.order_by("position"))
    assert [stage.slug for stage in stages] == [
        "formula-detection",
        "formula-recognition",
        "char-detection",
        "char-recognition",
    ]
    assert stages[1].padding == 8
    assert stages[3].padding_unit == "percent"
    assert stages[3].output_attribute.name == "symbol"


def test_demo_pipeline_waits_for_the_schema(dataset):
    demo_pipeline_ensure(dataset=dataset, planner=None)

    assert not dataset.stages.exists()


def test_pipeline_page_draws_one_box_per_stage(planner_client, dataset, schema):
    _demo(dataset, schema)

    response = planner_client.get(f"/datasets/{dataset.id}/stages/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html
    assert html.count("data-stage=") == 4
    assert "mAP@0.5 ≥ 0.9" in html
    assert "crops(formula)" in html
    assert 'name="latency_ms"' in html  # planners get the form with every requirement


def test_dataset_page_draws_the_pipeline(client_for, dataset, schema):
    _demo(dataset, schema)

    html = client_for(Role.REVIEWER).get(f"/datasets/{dataset.id}/").content.decode()

    assert "<svg" in html
    assert html.count("data-stage=") == 4
    assert f"/datasets/{dataset.id}/stages/" in html


def test_planner_adds_a_stage_on_the_page(planner_client, dataset, schema):
    response = planner_client.post(
        f"/datasets/{dataset.id}/stages/",
        {
            "name": "Formula detection",
            "slug": "formula-detection",
            "input_kind": "image",
            "padding": 0,
            "padding_unit": "px",
            "output_kind": "boxes",
            "output_type": schema["formula"].id,
            "export_formats": ["coco", "yolo"],
            "latency_ms": 150,
            "serving": "gpu_server",
        },
    )

    assert response.status_code == 302
    assert dataset.stages.get().export_formats == ["coco", "yolo"]


def test_page_shows_a_refusal_and_changes_nothing(planner_client, dataset, schema):
    version = dataset.spec_version

    response = planner_client.post(
        f"/datasets/{dataset.id}/stages/",
        {
            "name": "Char finder",
            "slug": "char-finder",
            "input_kind": "image",
            "padding": 0,
            "padding_unit": "px",
            "output_kind": "boxes",
            "output_type": schema["char"].id,
        },
    )

    assert response.status_code == 400
    assert "may not stand alone" in response.content.decode()
    dataset.refresh_from_db()
    assert dataset.spec_version == version
    assert not dataset.stages.exists()


def test_reader_sees_the_page_without_the_form(client_for, dataset, schema):
    response = client_for(Role.TRAINER).get(f"/datasets/{dataset.id}/stages/")

    assert response.status_code == 200
    assert 'name="latency_ms"' not in response.content.decode()


def test_comparing_versions_names_the_changed_stage(planner_client, dataset, schema):
    stage_id = _post(planner_client, dataset, DETECTION).json()["id"]
    planner_client.patch(f"{_url(dataset)}{stage_id}/", {"qps_target": 80}, format="json")

    comparison = planner_client.get(
        f"/api/v1/datasets/{dataset.id}/spec-history/compare/?from=2&to=3"
    ).json()

    assert comparison["changed"] == [
        {
            "kind": "stage",
            "key": "formula-detection",
            "before": {"qps_target": 50.0},
            "after": {"qps_target": 80.0},
        }
    ]


def test_seeded_demo_dataset_gets_its_pipeline(make_user):
    planner = make_user(Role.PLANNER)
    dataset = demo_dataset_ensure(planner=planner)

    demo_pipeline_ensure(dataset=dataset, planner=planner)

    assert dataset.stages.count() == 4
    assert dataset.spec_changes.filter(change__kind="stage_created").count() == 4
