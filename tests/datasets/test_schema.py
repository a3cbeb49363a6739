"""The label schema: its rules, its history, its API and page."""

import pytest

from accounts.models import Role
from core.errors import DomainError
from datasets import selectors, services
from datasets.models import (
    AttributeDef,
    Dataset,
    Item,
    RegionType,
    SpecChange,
    Stage,
)

pytestmark = pytest.mark.django_db


def _refused(code, call, **kwargs):
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


# --- services -------------------------------------------------------------------------------


def test_a_duplicate_type_slug_is_refused(dataset, formula):
    error = _refused(
        "duplicate_slug",
        services.region_type_create,
        dataset=dataset,
        name="Other",
        slug="formula",
        by=None,
    )

    assert error.status == 400 and "slug" in error.fields
    assert dataset.region_types.count() == 1


def test_a_duplicate_type_name_is_refused(dataset, formula):
    _refused(
        "duplicate_name",
        services.region_type_create,
        dataset=dataset,
        name="formula",
        slug="other",
        by=None,
    )


def test_an_unknown_parent_type_is_refused(dataset):
    error = _refused(
        "unknown_parent",
        services.region_type_create,
        dataset=dataset,
        name="Char",
        slug="char",
        parents=["formula"],
        by=None,
    )

    assert "parents" in error.fields
    assert not RegionType.objects.exists()


def test_a_parent_of_another_dataset_is_unknown(dataset, formula):
    other = Dataset.objects.create(name="Other")

    _refused(
        "unknown_parent",
        services.region_type_create,
        dataset=other,
        name="Char",
        slug="char",
        parents=[formula],
        by=None,
    )


def test_a_type_may_not_nest_in_itself(dataset, formula):
    _refused(
        "nesting_cycle",
        services.region_type_create,
        dataset=dataset,
        name="Box",
        slug="box",
        parents=["box"],
        by=None,
    )
    _refused(
        "nesting_cycle",
        services.region_type_update,
        region_type=formula,
        parents=["formula"],
        by=None,
    )


def test_a_nesting_cycle_is_refused_and_nothing_changes(dataset, formula, char):
    dataset.refresh_from_db()
    version = dataset.spec_version

    _refused(
        "nesting_cycle", services.region_type_update, region_type=formula, parents=["char"], by=None
    )

    assert not formula.parents.exists()
    dataset.refresh_from_db()
    assert dataset.spec_version == version


def test_a_type_that_may_not_stand_alone_needs_a_parent(dataset):
    _refused(
        "nowhere_to_sit",
        services.region_type_create,
        dataset=dataset,
        name="Char",
        slug="char",
        top_level=False,
        by=None,
    )


def test_a_choice_attribute_needs_choices(formula):
    _refused(
        "choices_missing",
        services.attribute_create,
        region_type=formula,
        name="style",
        kind="choice",
        by=None,
    )


def test_only_a_choice_attribute_has_choices(formula):
    _refused(
        "choices_not_allowed",
        services.attribute_create,
        region_type=formula,
        name="note",
        kind="text",
        choices=["a"],
        by=None,
    )


def test_a_duplicate_attribute_name_is_refused(formula):
    _refused(
        "duplicate_name",
        services.attribute_create,
        region_type=formula,
        name="latex",
        kind="text",
        by=None,
    )


def test_changing_an_attribute_to_choice_without_choices_is_refused(char):
    attribute = char.attributes.get(name="symbol")

    _refused(
        "choices_missing", services.attribute_update, attribute=attribute, kind="choice", by=None
    )

    attribute.refresh_from_db()
    assert attribute.kind == "text"


def test_leaving_the_choice_kind_drops_the_choices(char):
    attribute = char.attributes.get(name="style")

    services.attribute_update(attribute=attribute, kind="text", by=None)

    attribute.refresh_from_db()
    assert (attribute.kind, attribute.choices) == ("text", [])


def test_a_type_ground_truth_holds_is_not_deleted(dataset, formula):
    item = Item.objects.create(dataset=dataset, width=100, height=100, sha256="a" * 64)
    annotation = {
        "regions": [
            {"id": "r1", "type": "formula", "bbox": [1, 1, 5, 5], "attributes": {"latex": "x"}}
        ],
    }
    services.ground_truth_record(item=item, annotation=annotation, source="import")

    error = _refused(
        "region_type_in_use", services.region_type_delete, region_type=formula, by=None
    )

    assert error.status == 409
    assert RegionType.objects.filter(pk=formula.pk).exists()


def test_an_unused_type_is_deleted_with_a_history_row(dataset, formula):
    services.region_type_delete(region_type=formula, by=None)

    assert not RegionType.objects.exists()
    assert dataset.spec_changes.order_by("-version").first().change == {
        "kind": "region_type_deleted",
        "region_type": "formula",
        "name": "Formula",
    }


def test_a_type_another_may_only_nest_in_is_not_deleted(formula, char):
    _refused("region_type_in_use", services.region_type_delete, region_type=formula, by=None)


def test_an_attribute_is_deleted_with_a_history_row(dataset, formula):
    services.attribute_delete(attribute=formula.attributes.get(name="handwritten"), by=None)

    assert list(formula.attributes.values_list("name", flat=True)) == ["latex"]
    assert dataset.spec_changes.order_by("-version").first().change["kind"] == "attribute_deleted"


def test_each_schema_change_raises_the_version_and_names_who_and_what(dataset, make_user):
    planner = make_user(Role.PLANNER)
    start = dataset.spec_version

    region_type = services.region_type_create(
        dataset=dataset, name="Formula", slug="formula", by=planner
    )
    attribute = services.attribute_create(
        region_type=region_type, name="latex", kind="latex", by=planner
    )
    services.attribute_update(attribute=attribute, required=True, by=planner)
    services.region_type_update(region_type=region_type, name="Math formula", by=planner)

    dataset.refresh_from_db()
    history = list(dataset.spec_changes.filter(version__gt=start).order_by("version"))
    assert dataset.spec_version == start + 4
    assert {change.changed_by for change in history} == {planner}
    assert [change.change["kind"] for change in history] == [
        "region_type_created",
        "attribute_created",
        "attribute_changed",
        "region_type_changed",
    ]
    assert history[2].change["before"] == {"required": False}
    assert history[2].change["after"] == {"required": True}
    assert "Math formula" in history[3].summary


def test_an_unchanged_update_writes_no_version(dataset, formula):
    dataset.refresh_from_db()
    version = dataset.spec_version

    services.region_type_update(region_type=formula, name="Formula", top_level=True, by=None)

    dataset.refresh_from_db()
    assert dataset.spec_version == version


def test_the_snapshot_holds_the_schema_in_order(dataset, formula, char):
    snapshot = selectors.spec_snapshot(dataset)

    assert [t["slug"] for t in snapshot["schema"]] == ["formula", "char"]
    assert snapshot["schema"][1] == {
        "slug": "char",
        "name": "Char",
        "top_level": False,
        "parents": ["formula"],
        "attributes": [
            {"name": "symbol", "kind": "text", "required": True, "choices": []},
            {
                "name": "style",
                "kind": "choice",
                "required": False,
                "choices": ["upright", "italic"],
            },
        ],
    }
    latest = SpecChange.objects.filter(dataset=dataset).order_by("-version").first()
    assert latest.snapshot["schema"] == snapshot["schema"]


# --- API and page ---------------------------------------------------------------------------


def test_planner_builds_the_schema_through_the_api(planner_client, dataset):
    base = f"/api/v1/datasets/{dataset.id}/schema"

    formula = planner_client.post(
        f"{base}/types/", {"name": "Formula", "slug": "formula"}, format="json"
    )
    char = planner_client.post(
        f"{base}/types/",
        {"name": "Char", "slug": "char", "top_level": False, "parents": ["formula"]},
        format="json",
    )
    attribute = planner_client.post(
        f"{base}/types/{char.json()['id']}/attributes/",
        {"name": "symbol", "kind": "text", "required": True},
        format="json",
    )
    renamed = planner_client.patch(
        f"{base}/attributes/{attribute.json()['id']}/", {"name": "glyph"}, format="json"
    )
    listed = planner_client.get(f"{base}/").json()

    assert (formula.status_code, char.status_code, attribute.status_code) == (201, 201, 201)
    assert renamed.status_code == 200 and renamed.json()["name"] == "glyph"
    assert [t["slug"] for t in listed] == ["formula", "char"]
    assert listed[1]["parents"] == ["formula"]
    assert listed[1]["attributes"][0]["name"] == "glyph"
    history = planner_client.get(f"/api/v1/datasets/{dataset.id}/spec-history/").json()
    assert history[0]["changed_by"] == planner_client.user.username
    assert history[0]["change"]["kind"] == "attribute_changed"


def test_a_refused_type_is_a_400_with_its_code(planner_client, dataset):
    response = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/schema/types/",
        {"name": "Char", "slug": "char", "parents": ["nothing"]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_parent"


def test_patch_and_delete_a_type_through_the_api(planner_client, dataset, formula):
    url = f"/api/v1/datasets/{dataset.id}/schema/types/{formula.id}/"

    patched = planner_client.patch(url, {"name": "Math"}, format="json")
    deleted = planner_client.delete(url)

    assert patched.json()["name"] == "Math"
    assert deleted.status_code == 204


def test_reviewer_reads_the_schema_but_may_not_change_it(client_for, dataset, formula):
    reviewer = client_for(Role.REVIEWER)
    base = f"/api/v1/datasets/{dataset.id}/schema"

    read = reviewer.get(f"{base}/")
    created = reviewer.post(f"{base}/types/", {"name": "X", "slug": "x"}, format="json")
    deleted = reviewer.delete(f"{base}/types/{formula.id}/")

    assert read.status_code == 200
    assert (created.status_code, deleted.status_code) == (403, 403)
    assert dataset.region_types.count() == 1


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.VENDOR_MANAGER])
def test_vendors_do_not_see_the_schema(client_for, dataset, formula, role):
    client = client_for(role)
    base = f"/api/v1/datasets/{dataset.id}/schema"

    assert client.get(f"{base}/").status_code == 404
    assert (
        client.post(f"{base}/types/", {"name": "X", "slug": "x"}, format="json").status_code == 404
    )
    assert client.get(f"/datasets/{dataset.id}/schema/").status_code in {403, 404}


def test_schema_page_shows_the_tree_and_attributes(planner_client, dataset, formula, char):
    html = planner_client.get(f"/datasets/{dataset.id}/schema/").content.decode()

    assert 'data-type="char" data-depth="1"' in html
    assert 'data-attribute="formula.latex"' in html
    assert f'href="/datasets/{dataset.id}/"' in html
    assert "Add a region type" in html


def test_planner_adds_a_type_and_attribute_on_the_page(planner_client, dataset, formula):
    type_response = planner_client.post(
        f"/datasets/{dataset.id}/schema/types/new/",
        {"name": "Char", "slug": "char", "parents": [formula.id]},
    )
    char = dataset.region_types.get(slug="char")
    attribute_response = planner_client.post(
        f"/datasets/{dataset.id}/schema/attributes/new/",
        {"region_type": char.id, "name": "style", "kind": "choice", "choices": "up, italic"},
    )

    assert type_response.status_code == 302 and attribute_response.status_code == 302
    assert list(char.parents.values_list("slug", flat=True)) == ["formula"]
    assert char.attributes.get(name="style").choices == ["up", "italic"]


def test_a_refused_page_form_shows_the_reason(planner_client, dataset, formula):
    response = planner_client.post(
        f"/datasets/{dataset.id}/schema/attributes/new/",
        {"region_type": formula.id, "name": "style", "kind": "choice", "choices": ""},
    )

    assert response.status_code == 400
    assert "choices" in response.content.decode().lower()
    assert not formula.attributes.filter(name="style").exists()


def test_reviewer_may_not_add_a_type_on_the_page(client_for, dataset):
    response = client_for(Role.REVIEWER).post(
        f"/datasets/{dataset.id}/schema/types/new/", {"name": "X", "slug": "x"}
    )

    assert response.status_code == 403
    assert not dataset.region_types.exists()


def test_a_type_a_stage_uses_is_not_deleted(dataset, formula):
    Stage.objects.create(
        dataset=dataset,
        name="Detect",
        slug="detect",
        input_kind="image",
        output_kind="boxes",
        output_type=formula,
    )

    error = _refused(
        "region_type_in_use", services.region_type_delete, region_type=formula, by=None
    )

    assert error.status == 409 and "Detect" in error.message
    assert RegionType.objects.filter(pk=formula.pk).exists()


def test_an_attribute_a_stage_outputs_is_not_deleted(dataset, formula):
    latex = formula.attributes.get(name="latex")
    Stage.objects.create(
        dataset=dataset,
        name="Read",
        slug="read",
        input_kind="crop",
        input_type=formula,
        output_kind="attribute",
        output_attribute=latex,
    )

    _refused("attribute_in_use", services.attribute_delete, attribute=latex, by=None)

    assert AttributeDef.objects.filter(pk=latex.pk).exists()


def test_comparing_versions_lists_each_region_type(planner_client, dataset, formula):
    dataset.refresh_from_db()
    before = dataset.spec_version
    services.region_type_create(
        dataset=dataset, name="Char", slug="char", top_level=False, parents=["formula"], by=None
    )
    services.region_type_update(region_type=formula, name="Math", by=None)

    body = planner_client.get(
        f"/api/v1/datasets/{dataset.id}/spec-history/compare/",
        {"from": before, "to": before + 2},
    ).json()

    assert [(e["kind"], e["key"]) for e in body["added"]] == [("region_type", "char")]
    assert body["changed"][0]["key"] == "formula"
    assert body["changed"][0]["after"] == {"name": "Math"}


# --- angle ----------------------------------------------------------------------------------


def test_a_second_angle_on_one_type_is_refused_through_the_api(planner_client, dataset, formula):
    url = f"/api/v1/datasets/{dataset.id}/schema/types/{formula.id}/attributes/"

    first = planner_client.post(url, {"name": "angle", "kind": "angle"}, format="json")
    version = Dataset.objects.get(pk=dataset.pk).spec_version
    second = planner_client.post(url, {"name": "tilt", "kind": "angle"}, format="json")
    listed = planner_client.get(f"/api/v1/datasets/{dataset.id}/schema/").json()

    assert first.status_code == 201 and first.json()["kind"] == "angle"
    assert second.status_code == 400
    assert second.json()["error"]["code"] == "angle_taken"
    assert "kind" in second.json()["error"]["fields"]
    assert [a["kind"] for a in listed[0]["attributes"]].count("angle") == 1
    assert Dataset.objects.get(pk=dataset.pk).spec_version == version


def test_turning_another_attribute_into_a_second_angle_is_refused(formula):
    services.attribute_create(region_type=formula, name="angle", kind="angle", by=None)
    handwritten = formula.attributes.get(name="handwritten")

    _refused("angle_taken", services.attribute_update, attribute=handwritten, kind="angle", by=None)

    assert formula.attributes.get(name="handwritten").kind == "boolean"


def test_the_schema_page_adds_and_shows_an_angle_by_its_planner_name(
    planner_client, dataset, formula
):
    added = planner_client.post(
        f"/datasets/{dataset.id}/schema/attributes/new/",
        {"region_type": formula.id, "name": "angle", "kind": "angle"},
    )
    again = planner_client.post(
        f"/datasets/{dataset.id}/schema/attributes/new/",
        {"region_type": formula.id, "name": "tilt", "kind": "angle"},
    )
    html = planner_client.get(f"/datasets/{dataset.id}/schema/").content.decode()

    assert added.status_code == 302
    assert again.status_code == 400 and "already has an angle" in again.content.decode()
    assert "<td>Angle (degrees)</td>" in html
    assert not formula.attributes.filter(name="tilt").exists()


def test_the_demo_formula_gains_an_optional_angle_once(make_user):
    planner = make_user(Role.PLANNER)
    dataset = services.demo_dataset_ensure(planner=planner)
    formula = dataset.region_types.get(slug="formula")
    formula.attributes.get(name="angle").delete()  # a demo seeded before the angle
    version = Dataset.objects.get(pk=dataset.pk).spec_version

    services.demo_schema_ensure(dataset=dataset, planner=planner)
    services.demo_schema_ensure(dataset=dataset, planner=planner)

    angle = formula.attributes.get(kind="angle")
    assert (angle.name, angle.required) == ("angle", False)
    assert Dataset.objects.get(pk=dataset.pk).spec_version == version + 1
