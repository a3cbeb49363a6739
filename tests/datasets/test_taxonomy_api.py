"""Taxonomy through the API: the spec version rises, the history names who and what."""

import pytest

from accounts.models import Role
from datasets import services
from datasets.models import Axis, Category, SpecChange
from tests.factories.images import image_bytes

pytestmark = pytest.mark.django_db


def _axis(client, dataset, slug="capture"):
    response = client.post(
        f"/api/v1/datasets/{dataset.id}/axes/", {"name": slug.title(), "slug": slug}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def _category(client, dataset, slug="shadow", axis="capture", quota=100):
    return client.post(
        f"/api/v1/datasets/{dataset.id}/categories/",
        {"axis": axis, "name": slug.title(), "slug": slug, "quota_target": quota},
        format="json",
    )


def test_each_taxonomy_change_raises_the_spec_version_and_names_who_and_what(
    planner_client, dataset
):
    _axis(planner_client, dataset)
    _category(planner_client, dataset)
    category = Category.objects.get(slug="shadow")
    planner_client.patch(
        f"/api/v1/datasets/{dataset.id}/categories/{category.id}/",
        {"name": "Hard shadow", "quota_target": 250},
        format="json",
    )

    history = planner_client.get(f"/api/v1/datasets/{dataset.id}/spec-history/").json()

    dataset.refresh_from_db()
    assert dataset.spec_version == 4
    assert [row["version"] for row in history] == [4, 3, 2]
    assert {row["changed_by"] for row in history} == {planner_client.user.username}
    assert history[0]["change"]["before"] == {"name": "Shadow", "quota_target": 100}
    assert history[0]["change"]["after"] == {"name": "Hard shadow", "quota_target": 250}
    assert "Hard shadow" in history[0]["summary"]
    assert history[1]["change"] == {
        "kind": "category_created",
        "axis": "capture",
        "axis_name": "Capture",
        "category": "shadow",
        "name": "Shadow",
        "quota_target": 100,
    }


def test_deleting_a_category_items_use_is_refused_and_nothing_changes(planner_client, dataset):
    axis = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    category = services.category_create(axis=axis, name="Shadow", slug="shadow", by=None)
    services.item_register(dataset=dataset, file=image_bytes(), categories=[category])
    dataset.refresh_from_db()
    version = dataset.spec_version

    response = planner_client.delete(f"/api/v1/datasets/{dataset.id}/categories/{category.id}/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "category_in_use"
    assert "Shadow" in response.json()["error"]["message"]
    assert Category.objects.filter(pk=category.pk).exists()
    dataset.refresh_from_db()
    assert dataset.spec_version == version


def test_an_unused_category_is_deleted_with_a_history_row(planner_client, dataset):
    _axis(planner_client, dataset)
    created = _category(planner_client, dataset).json()

    response = planner_client.delete(f"/api/v1/datasets/{dataset.id}/categories/{created['id']}/")

    assert response.status_code == 204
    assert SpecChange.objects.filter(dataset=dataset).first().change["kind"] == ("category_deleted")


def test_unknown_axis_and_duplicate_slug_are_refused_by_name(planner_client, dataset):
    _axis(planner_client, dataset)
    _category(planner_client, dataset)

    unknown = _category(planner_client, dataset, slug="glare", axis="lighting")
    duplicate = _category(planner_client, dataset, slug="shadow")
    negative = _category(planner_client, dataset, slug="blur", quota=-1)

    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_axis"
    assert duplicate.json()["error"]["fields"] == {"slug": "This slug is taken."}
    assert "quota_target" in negative.json()["error"]["fields"]
    assert Category.objects.filter(axis__dataset=dataset).count() == 1


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
def test_readers_see_the_taxonomy_but_cannot_change_it(client_for, dataset, role):
    client = client_for(role)

    assert client.get(f"/api/v1/datasets/{dataset.id}/axes/").status_code == 200
    refused = client.post(
        f"/api/v1/datasets/{dataset.id}/axes/", {"name": "A", "slug": "a"}, format="json"
    )
    assert refused.status_code == 403
    assert not dataset.axes.exists()


@pytest.mark.parametrize("role", [Role.ANNOTATOR, Role.VENDOR_MANAGER])
def test_vendor_roles_do_not_see_the_dataset_at_all(client_for, dataset, role):
    client = client_for(role)

    for path in ("axes/", "spec-history/", "categories/"):
        method = client.post if path == "categories/" else client.get
        assert method(f"/api/v1/datasets/{dataset.id}/{path}").status_code == 404


def test_an_axis_is_renamed_through_the_api_and_its_slug_stays(planner_client, dataset):
    axis = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)

    response = planner_client.patch(
        f"/api/v1/datasets/{dataset.id}/axes/{axis.id}/", {"name": "Lighting"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["slug"]) == ("Lighting", "capture")
    change = SpecChange.objects.filter(dataset=dataset).first().change
    assert change == {
        "kind": "axis_changed",
        "axis": "capture",
        "name": "Capture",
        "before": {"name": "Capture"},
        "after": {"name": "Lighting"},
    }


def test_deleting_an_axis_items_use_is_refused_through_the_api(planner_client, dataset):
    axis = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    category = services.category_create(axis=axis, name="Shadow", slug="shadow", by=None)
    services.item_register(dataset=dataset, file=image_bytes(), categories=[category])
    version = SpecChange.objects.filter(dataset=dataset).count()

    response = planner_client.delete(f"/api/v1/datasets/{dataset.id}/axes/{axis.id}/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "axis_in_use"
    assert "1 items" in response.json()["error"]["message"]
    assert SpecChange.objects.filter(dataset=dataset).count() == version
    assert Axis.objects.filter(pk=axis.pk).exists()
