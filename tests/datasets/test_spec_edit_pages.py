"""Correcting the taxonomy and the label schema on their pages, and how every spec form shows
its errors: beside the field, with the page reopened at the form."""

import re

import pytest

from datasets import services
from datasets.models import AttributeDef, Axis, Category, GroundTruthVersion, RegionType
from tests.factories.datasets import filled_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled():
    return filled_dataset()


def _version(dataset) -> int:
    dataset.refresh_from_db()
    return dataset.spec_version


def _field(html: str, name: str) -> str:
    """The markup of one field of the shared form include."""
    match = re.search(rf'<div class="field[^"]*" data-field="{name}">(.*?)</div>', html, re.S)
    assert match, f"no field {name}"
    return match[1]


def _second_truth(filled) -> None:
    """A newer ground-truth version of the item, so that two versions hold formula.latex."""
    annotation = filled.item.ground_truth.annotation
    services.ground_truth_record(item=filled.item, annotation=annotation, source="import")


# The taxonomy on the dataset page


def test_a_planner_renames_an_axis_and_its_slug_stays(planner_client, filled):
    before = _version(filled.dataset)

    response = planner_client.post(
        f"/datasets/{filled.dataset.id}/axes/{filled.axis.id}/edit/", {"name": "Lighting"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/datasets/{filled.dataset.id}/#taxonomy"
    axis = Axis.objects.get(pk=filled.axis.pk)
    assert (axis.name, axis.slug) == ("Lighting", "capture")
    assert _version(filled.dataset) == before + 1


def test_a_planner_renames_a_category_and_changes_its_quota(planner_client, filled):
    category = filled.category

    response = planner_client.post(
        f"/datasets/{filled.dataset.id}/categories/{category.id}/edit/",
        {"name": "Spotless", "quota_target": 70, "description": "No marks."},
    )

    category.refresh_from_db()
    assert response.status_code == 302
    assert (category.name, category.slug, category.quota_target) == ("Spotless", "clean", 70)
    assert filled.dataset.spec_changes.order_by("-version").first().summary == (
        "Changed category “Clean”: name Clean → Spotless; description — → No marks.; "
        "quota target 0 → 70."
    )


def test_a_negative_quota_is_shown_beside_its_field_and_nothing_changes(planner_client, filled):
    before = _version(filled.dataset)
    category = filled.category

    response = planner_client.post(
        f"/datasets/{filled.dataset.id}/categories/{category.id}/edit/",
        {"name": "Spotless", "quota_target": -1},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="error"' in _field(html, "quota_target")
    assert 'aria-invalid="true"' in _field(html, "quota_target")
    assert f'action="/datasets/{filled.dataset.id}/categories/{category.id}/edit/#category-' in html
    assert "core/form_errors.js" in html
    category.refresh_from_db()
    assert category.name == "Clean"
    assert _version(filled.dataset) == before


def test_deleting_a_category_items_use_is_refused_on_the_page_with_the_count(
    planner_client, filled
):
    shadow = Category.objects.get(axis=filled.axis, slug="shadow")
    before = _version(filled.dataset)

    response = planner_client.post(f"/datasets/{filled.dataset.id}/categories/{shadow.id}/remove/")

    html = response.content.decode()
    assert response.status_code == 409
    assert "Category “Shadow” is used by 1 items" in html
    assert re.search(rf'id="category-{shadow.id}".*?<details class="edit" open>', html, re.S)
    assert Category.objects.filter(pk=shadow.pk).exists()
    assert _version(filled.dataset) == before


def test_an_unused_category_is_deleted_from_the_page(planner_client, filled):
    response = planner_client.post(
        f"/datasets/{filled.dataset.id}/categories/{filled.category.id}/remove/"
    )

    assert response.status_code == 302
    assert not Category.objects.filter(pk=filled.category.pk).exists()


def test_deleting_an_axis_items_use_is_refused_with_the_count(planner_client, filled):
    response = planner_client.post(f"/datasets/{filled.dataset.id}/axes/{filled.axis.id}/remove/")

    assert response.status_code == 409
    assert "Axis “Capture” has categories that 1 items carry" in response.content.decode()
    assert Axis.objects.filter(pk=filled.axis.pk).exists()
    assert Category.objects.filter(axis=filled.axis).count() == 2


def test_an_unused_axis_is_deleted_with_its_categories(planner_client, filled):
    light = services.axis_create(dataset=filled.dataset, name="Light", slug="light", by=None)
    services.category_create(axis=light, name="Dim", slug="dim", by=None)

    response = planner_client.post(f"/datasets/{filled.dataset.id}/axes/{light.id}/remove/")

    assert response.status_code == 302
    assert not Axis.objects.filter(pk=light.pk).exists()
    assert not Category.objects.filter(slug="dim").exists()
    history = filled.dataset.spec_changes.order_by("-version").first()
    assert history.summary == "Deleted axis “Light”."


# The label schema on its page


def test_a_planner_renames_a_region_type_and_its_slug_stays(planner_client, filled):
    formula = RegionType.objects.get(dataset=filled.dataset, slug="formula")

    response = planner_client.post(
        f"/datasets/{filled.dataset.id}/schema/types/{formula.id}/edit/",
        {"name": "Math formula", "top_level": "on"},
    )

    formula.refresh_from_db()
    assert response.status_code == 302
    assert (formula.name, formula.slug, formula.top_level) == ("Math formula", "formula", True)


def test_deleting_a_type_ground_truth_holds_names_how_many_versions(planner_client, filled):
    formula = RegionType.objects.get(dataset=filled.dataset, slug="formula")
    filled.stage.delete()  # no stage reads it: only the ground truth holds it
    _second_truth(filled)

    response = planner_client.post(
        f"/datasets/{filled.dataset.id}/schema/types/{formula.id}/remove/"
    )

    assert response.status_code == 409
    assert "2 ground-truth versions hold regions of type “formula”" in response.content.decode()
    assert RegionType.objects.filter(pk=formula.pk).exists()


def test_an_attribute_ground_truth_carries_keeps_its_name_and_stays(planner_client, filled):
    latex = AttributeDef.objects.get(region_type__dataset=filled.dataset, name="latex")
    _second_truth(filled)
    assert GroundTruthVersion.objects.filter(item=filled.item).count() == 2
    url = f"/datasets/{filled.dataset.id}/schema/attributes/{latex.id}"

    renamed = planner_client.post(f"{url}/edit/", {"name": "tex", "kind": "latex"})
    deleted = planner_client.post(f"{url}/remove/")

    assert renamed.status_code == deleted.status_code == 409
    assert "2 ground-truth versions carry attribute “formula.latex”" in renamed.content.decode()
    assert "it cannot be deleted" in deleted.content.decode()
    assert '<div class="field invalid" data-field="name">' in renamed.content.decode()
    assert AttributeDef.objects.get(pk=latex.pk).name == "latex"


def test_an_unused_attribute_is_renamed_and_made_required(planner_client, filled):
    symbol = filled.attr

    response = planner_client.post(
        f"/datasets/{filled.dataset.id}/schema/attributes/{symbol.id}/edit/",
        {"name": "glyph", "kind": "text", "required": "on"},
    )

    symbol.refresh_from_db()
    assert response.status_code == 302
    assert (symbol.name, symbol.required) == ("glyph", True)


# Forms: valid defaults, in view, one style


def test_the_cell_quota_form_offers_a_valid_cell_by_default(planner_client, filled):
    html = planner_client.get(f"/datasets/{filled.dataset.id}/").content.decode()
    form = html[html.index('id="cell-form"') : html.index("</form>", html.index('id="cell-form"'))]
    first = re.search(r'name="first"[^>]*>.*?<option value="(\d+)" selected', form, re.S)[1]
    second = re.search(r'name="second"[^>]*>.*?<option value="(\d+)" selected', form, re.S)[1]

    response = planner_client.post(
        f"/datasets/{filled.dataset.id}/cells/new/",
        {"first": first, "second": second, "quota_target": 0},
    )

    assert response.status_code == 302
    assert Category.objects.get(pk=first).axis_id != Category.objects.get(pk=second).axis_id


def test_a_stages_edit_link_opens_the_form_in_view(planner_client, filled):
    html = planner_client.get(f"/datasets/{filled.dataset.id}/stages/").content.decode()
    edit = f"/datasets/{filled.dataset.id}/stages/{filled.stage.id}/edit/#stage-form"

    page = planner_client.get(edit.partition("#")[0]).content.decode()

    assert f'href="{edit}"' in html
    assert 'id="stage-form"' in page
    assert 'action="' + edit + '"' in page


@pytest.mark.parametrize(
    "path", ["/", "/schema/", "/stages/", "/decisions/", "/edit/"], ids=lambda p: p.strip("/")
)
def test_every_spec_form_shares_the_one_form_style(planner_client, filled, path):
    html = planner_client.get(f"/datasets/{filled.dataset.id}{path}").content.decode()

    forms = re.findall(r'<form method="post"[^>]*class="([^"]*)"', html)
    labels = set(re.findall(r'<label for="([^"]+)"', html))
    wrapped = set(
        re.findall(r'<div class="field[^"]*" data-field="[^"]+">\s*<label for="([^"]+)"', html)
    )
    assert forms and all(
        "spec-form" in classes or "inline" in classes or "language" in classes for classes in forms
    )
    assert wrapped  # and every other label is one box of a choice of several
    assert all(re.search(r"_\d+$", label) for label in labels - wrapped), labels - wrapped
