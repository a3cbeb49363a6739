"""The dataset pages: create and edit, taxonomy forms, example images, decisions."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Role
from datasets import services
from datasets.models import Axis, Category, Dataset, RequirementDecision
from tests.factories.datasets import DatasetFactory

pytestmark = pytest.mark.django_db


def _image(image_format="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(buffer, format=image_format)
    return buffer.getvalue()


def _version(dataset) -> int:
    dataset.refresh_from_db()
    return dataset.spec_version


def _add_category(client, dataset, axis, **extra):
    data = {"axis": axis.id, "name": "Shadow", "slug": "shadow", "quota_target": 100, **extra}
    return client.post(f"/datasets/{dataset.id}/categories/new/", data)


# Create and edit


def test_planners_see_a_new_dataset_button(planner_client):
    assert "/datasets/new/" in planner_client.get("/datasets/").content.decode()


def test_reviewers_see_no_new_dataset_button(client_for):
    assert "/datasets/new/" not in client_for(Role.REVIEWER).get("/datasets/").content.decode()


def test_a_planner_creates_a_dataset_from_the_page(planner_client):
    response = planner_client.post(
        "/datasets/new/",
        {"name": "Receipts", "requirement": "Read totals.", "description": "Shop receipts"},
    )

    dataset = Dataset.objects.get(name="Receipts")
    assert response.status_code == 302
    assert response["Location"] == f"/datasets/{dataset.id}/"
    assert dataset.created_by == planner_client.user
    assert dataset.requirement == "Read totals."


def test_a_duplicate_name_is_refused_on_the_page_and_nothing_is_created(planner_client, dataset):
    response = planner_client.post("/datasets/new/", {"name": dataset.name.upper()})

    assert response.status_code == 400
    assert "This name is taken." in response.content.decode()
    assert Dataset.objects.count() == 1


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
def test_readers_cannot_create_a_dataset_from_the_page(client_for, role):
    client = client_for(role)

    assert client.get("/datasets/new/").status_code == 403
    assert client.post("/datasets/new/", {"name": "Mine"}).status_code == 403
    assert not Dataset.objects.exists()


def test_a_planner_edits_a_dataset_from_the_page(planner_client, dataset):
    form = planner_client.get(f"/datasets/{dataset.id}/edit/")

    response = planner_client.post(
        f"/datasets/{dataset.id}/edit/",
        {"name": "Formulas", "requirement": "Return LaTeX.", "description": "Math"},
    )

    assert dataset.requirement in form.content.decode()
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert (dataset.name, dataset.description) == ("Formulas", "Math")


def test_renaming_onto_another_dataset_is_refused_and_nothing_changes(planner_client, dataset):
    other = DatasetFactory()

    response = planner_client.post(f"/datasets/{dataset.id}/edit/", {"name": other.name})

    assert response.status_code == 400
    assert Dataset.objects.get(pk=dataset.pk).name == dataset.name


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
def test_readers_cannot_edit_a_dataset(client_for, dataset, role):
    response = client_for(role).post(f"/datasets/{dataset.id}/edit/", {"name": "Mine"})

    assert response.status_code == 403
    assert Dataset.objects.get(pk=dataset.pk).name == dataset.name


def test_an_unknown_dataset_has_no_edit_page(planner_client):
    assert planner_client.get("/datasets/999999/edit/").status_code == 404


def test_the_detail_page_links_to_edit_history_and_decisions_for_planners(planner_client, dataset):
    html = planner_client.get(f"/datasets/{dataset.id}/").content.decode()

    for path in ("edit/", "history/", "decisions/"):
        assert f'href="/datasets/{dataset.id}/{path}"' in html


def test_readers_get_no_edit_link_or_taxonomy_forms(client_for, dataset):
    html = client_for(Role.TRAINER).get(f"/datasets/{dataset.id}/").content.decode()

    assert f"/datasets/{dataset.id}/edit/" not in html
    assert "/axes/new/" not in html
    assert f'href="/datasets/{dataset.id}/history/"' in html


# Taxonomy forms on the detail page


def test_a_planner_adds_an_axis_from_the_page_and_the_spec_version_rises(planner_client, dataset):
    response = planner_client.post(
        f"/datasets/{dataset.id}/axes/new/", {"name": "Capture", "slug": "capture"}
    )

    assert response.status_code == 302
    assert dataset.axes.get().slug == "capture"
    assert _version(dataset) == 2


def test_a_duplicate_axis_is_refused_on_the_page(planner_client, dataset, axis):
    version = _version(dataset)

    response = planner_client.post(
        f"/datasets/{dataset.id}/axes/new/", {"name": "Again", "slug": "capture"}
    )

    assert response.status_code == 400
    assert "This slug is taken." in response.content.decode()
    assert Axis.objects.filter(dataset=dataset).count() == 1
    assert _version(dataset) == version


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
def test_readers_cannot_add_axes_or_categories(client_for, dataset, axis, role):
    client = client_for(role)

    axis_refused = client.post(f"/datasets/{dataset.id}/axes/new/", {"name": "A", "slug": "a"})
    category_refused = _add_category(client, dataset, axis)

    assert (axis_refused.status_code, category_refused.status_code) == (403, 403)
    assert dataset.axes.count() == 1
    assert not Category.objects.exists()


def test_a_planner_adds_a_category_with_an_example_image(planner_client, dataset, axis):
    example = SimpleUploadedFile("shadow.bin", _image("PNG"), content_type="text/plain")

    response = _add_category(planner_client, dataset, axis, example=example)

    assert response.status_code == 302
    category = Category.objects.get(slug="shadow")
    assert category.example.name == f"categories/{dataset.id}/{category.id}.png"
    assert default_storage.exists(category.example.name)
    assert _version(dataset) == 3


def test_a_non_image_example_is_refused_and_nothing_is_created(
    planner_client, dataset, axis, media_root
):
    version = _version(dataset)
    example = SimpleUploadedFile("shadow.png", b"%PDF-1.7 not an image", content_type="image/png")

    response = _add_category(planner_client, dataset, axis, example=example)

    assert response.status_code == 400
    assert "JPEG, PNG or WebP" in response.content.decode()
    assert not Category.objects.exists()
    assert _version(dataset) == version
    assert not (media_root / "categories").exists()


def test_a_gif_example_is_refused(planner_client, dataset, axis):
    example = SimpleUploadedFile("shadow.gif", _image("GIF"), content_type="image/gif")

    response = _add_category(planner_client, dataset, axis, example=example)

    assert response.status_code == 400
    assert not Category.objects.exists()


def test_the_service_names_the_refusal_of_a_non_image_example(axis):
    from core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.category_create(axis=axis, name="S", slug="s", example=b"not an image", by=None)

    assert refused.value.code == "not_an_image"
    assert refused.value.status == 400


def test_a_category_from_another_datasets_decision_is_refused_on_the_page(
    planner_client, dataset, axis
):
    foreign = services.decision_create(dataset=DatasetFactory(), question="Elsewhere?", by=None)

    response = _add_category(planner_client, dataset, axis, decision=foreign.id)

    assert response.status_code == 400
    assert not Category.objects.exists()


# Example images


def test_the_example_is_served_with_the_type_it_decodes_as(planner_client, dataset, axis):
    category = services.category_create(axis=axis, name="Shadow", slug="shadow", by=None)
    category.example = default_storage.save("categories/misnamed.jpg", ContentFile(_image("PNG")))
    category.save()

    response = planner_client.get(f"/datasets/{dataset.id}/categories/{category.id}/example/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_detail_page_shows_the_example_thumbnail(planner_client, dataset, axis):
    category = services.category_create(
        axis=axis, name="Shadow", slug="shadow", example=_image("JPEG"), by=None
    )

    html = planner_client.get(f"/datasets/{dataset.id}/").content.decode()

    assert f'src="/datasets/{dataset.id}/categories/{category.id}/example/"' in html


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.VENDOR_MANAGER])
def test_vendor_roles_cannot_fetch_an_example(client_for, dataset, axis, role):
    category = services.category_create(
        axis=axis, name="Shadow", slug="shadow", example=_image("PNG"), by=None
    )

    response = client_for(role).get(f"/datasets/{dataset.id}/categories/{category.id}/example/")

    assert response.status_code == 404


def test_a_category_without_an_example_has_none_to_fetch(planner_client, dataset, axis):
    category = services.category_create(axis=axis, name="Shadow", slug="shadow", by=None)

    response = planner_client.get(f"/datasets/{dataset.id}/categories/{category.id}/example/")

    assert response.status_code == 404


# Decisions on the pages


def test_a_category_created_from_a_decision_links_to_it_on_the_detail_page(
    planner_client, dataset, axis
):
    decision = services.decision_create(dataset=dataset, question="Read cut formulas?", by=None)

    _add_category(planner_client, dataset, axis, decision=decision.id)

    html = planner_client.get(f"/datasets/{dataset.id}/").content.decode()
    assert Category.objects.get().decision == decision
    assert f'href="/datasets/{dataset.id}/decisions/#decision-{decision.id}"' in html
    assert 'title="Read cut formulas?"' in html


def test_the_decisions_page_shows_what_each_decision_decided(client_for, dataset, axis):
    decision = services.decision_create(dataset=dataset, question="Read cut formulas?", by=None)
    services.category_create(axis=axis, name="Cut", slug="cut", decision=decision, by=None)

    html = client_for(Role.REVIEWER).get(f"/datasets/{dataset.id}/decisions/").content.decode()

    assert 'data-category="capture=cut"' in html


def test_the_dataset_page_lists_open_questions_until_they_are_answered(planner_client, dataset):
    decision = services.decision_create(dataset=dataset, question="Read highlighter?", by=None)
    before = planner_client.get(f"/datasets/{dataset.id}/").content.decode()

    answered = planner_client.post(
        f"/datasets/{dataset.id}/decisions/{decision.id}/answer/",
        {"answer": "Yes.", "answered_by": "Owner Kim"},
    )

    after = planner_client.get(f"/datasets/{dataset.id}/").content.decode()
    assert answered.status_code == 302
    assert f'data-decision="{decision.id}"' in before and "Read highlighter?" in before
    assert f'data-decision="{decision.id}"' not in after
    assert RequirementDecision.objects.get().answered_by == "Owner Kim"


def test_a_planner_asks_a_question_from_the_decisions_page(planner_client, dataset):
    response = planner_client.post(
        f"/datasets/{dataset.id}/decisions/", {"question": "Rotated by 90°?"}
    )

    assert response.status_code == 302
    decision = RequirementDecision.objects.get()
    assert (decision.question, decision.asked_by) == ("Rotated by 90°?", planner_client.user)


def test_an_empty_answer_on_the_page_is_refused_and_nothing_changes(planner_client, dataset):
    decision = services.decision_create(dataset=dataset, question="Read highlighter?", by=None)

    response = planner_client.post(
        f"/datasets/{dataset.id}/decisions/{decision.id}/answer/", {"answer": "  "}
    )

    assert response.status_code == 400
    html = response.content.decode()
    action = f"/datasets/{dataset.id}/decisions/{decision.id}/answer/#decision-{decision.id}"
    assert f'action="{action}"' in html
    assert re.search(r'<div class="field invalid" data-field="answer">.*?class="error"', html, re.S)
    decision.refresh_from_db()
    assert decision.is_open


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
def test_readers_cannot_ask_or_answer_on_the_page(client_for, dataset, role):
    decision = services.decision_create(dataset=dataset, question="Read highlighter?", by=None)
    client = client_for(role)

    asked = client.post(f"/datasets/{dataset.id}/decisions/", {"question": "Mine?"})
    answered = client.post(
        f"/datasets/{dataset.id}/decisions/{decision.id}/answer/", {"answer": "Yes"}
    )

    assert (asked.status_code, answered.status_code) == (403, 403)
    assert RequirementDecision.objects.count() == 1
    decision.refresh_from_db()
    assert decision.is_open


def test_an_unknown_dataset_has_no_decisions_page(planner_client):
    assert planner_client.get("/datasets/999999/decisions/").status_code == 404


# Cell quotas


def _two_axes(dataset):
    capture = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    writing = services.axis_create(dataset=dataset, name="Writing", slug="writing", by=None)
    shadow = services.category_create(axis=capture, name="Shadow", slug="shadow", by=None)
    glare = services.category_create(axis=capture, name="Glare", slug="glare", by=None)
    handwritten = services.category_create(
        axis=writing, name="Handwritten", slug="handwritten", by=None
    )
    return shadow, glare, handwritten


def test_a_planner_sets_a_cell_quota_on_the_page_and_sees_it_listed(planner_client, dataset):
    shadow, _glare, handwritten = _two_axes(dataset)
    before = _version(dataset)

    response = planner_client.post(
        f"/datasets/{dataset.id}/cells/new/",
        {"first": handwritten.id, "second": shadow.id, "quota_target": 40},
        follow=True,
    )

    html = response.content.decode()
    cell = dataset.cell_quotas.get()
    assert (cell.first, cell.second, cell.quota_target) == (shadow, handwritten, 40)
    assert 'data-cell="capture=shadow×writing=handwritten"' in html
    assert _version(dataset) == before + 1


def test_a_cell_of_one_axis_is_refused_on_the_page_and_nothing_is_saved(planner_client, dataset):
    shadow, glare, _handwritten = _two_axes(dataset)
    before = _version(dataset)

    response = planner_client.post(
        f"/datasets/{dataset.id}/cells/new/",
        {"first": shadow.id, "second": glare.id, "quota_target": 40},
    )

    assert response.status_code == 400
    assert "same axis" in response.content.decode()
    assert not dataset.cell_quotas.exists() and _version(dataset) == before


def test_a_planner_removes_a_cell_quota_and_a_reviewer_cannot(client_for, dataset):
    shadow, _glare, handwritten = _two_axes(dataset)
    cell = services.cell_quota_set(
        dataset=dataset, first=shadow, second=handwritten, quota_target=5, by=None
    )
    url = f"/datasets/{dataset.id}/cells/{cell.id}/remove/"

    refused = client_for(Role.REVIEWER).post(url)
    removed = client_for(Role.PLANNER).post(url)

    assert refused.status_code == 403
    assert removed.status_code == 302 and not dataset.cell_quotas.exists()
