"""Acknowledgements: the gate before new tasks, the acknowledge endpoint, the notices in the
page shell, the version page's actions, and who acknowledged which version per vendor."""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Role, User
from guides import services
from guides.models import Acknowledgement, GuideVersion
from guides.selectors import guide_notices
from guides.selectors.acknowledgements import acknowledgement_board
from tests.factories.accounts import UserFactory
from tests.factories.datasets import DatasetFactory
from tests.factories.guides import guide_published, publish
from tests.factories.vendors import VendorFactory, contract_for, member_of
from vendors.models import Vendor

pytestmark = pytest.mark.django_db


@dataclass
class World:
    v1: GuideVersion
    vendor: Vendor
    annotator: User
    manager: User
    other_manager: User

    def client(self, user: User) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client


@pytest.fixture
def world() -> World:
    dataset = DatasetFactory()
    vendor, other = VendorFactory(name="Hanbit"), VendorFactory(name="Saebyeok")
    contract_for(vendor, dataset)
    contract_for(other, DatasetFactory())
    return World(
        v1=guide_published(dataset),
        vendor=vendor,
        annotator=member_of(vendor),
        manager=member_of(vendor, role=Role.VENDOR_MANAGER),
        other_manager=member_of(other, role=Role.VENDOR_MANAGER),
    )


def _gate(client: APIClient, dataset_id: int) -> dict:
    response = client.get(f"/api/v1/guides/gate/?dataset={dataset_id}")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_gate_refuses_until_v2_is_acknowledged_naming_v2_and_its_link(world):
    client = world.client(world.annotator)
    guide, dataset_id = world.v1.guide, world.v1.guide.dataset_id
    assert client.post(f"/api/v1/guides/{guide.pk}/acknowledgements/", {"version": 1}).status_code
    assert _gate(client, dataset_id) == {"ready": True, "needs": []}

    v2 = publish(guide, "# Shadows {#shadows}\n\nBox the shadow too.", note="Shadows.")
    refused = _gate(client, dataset_id)

    assert refused["ready"] is False
    [need] = refused["needs"]
    assert (need["guide"], need["version"], need["reason"]) == (guide.pk, 2, "acknowledge")
    assert need["url"] == f"/guides/{guide.pk}/v2/"
    assert "v2" in need["message"]
    response = client.post(f"/api/v1/guides/{guide.pk}/acknowledgements/", {"version": 2})
    assert response.status_code == 201
    assert response.json()["version"] == v2.number
    assert _gate(client, dataset_id)["ready"] is True


def test_a_minor_publish_needs_no_new_acknowledgement_and_the_version_says_so(world):
    services.acknowledgement_record(version=world.v1, user=world.annotator)

    minor = publish(world.v1.guide, "# Formulas {#formulas}\n\nTypo fixed.", minor=True)

    assert _gate(world.client(world.annotator), world.v1.guide.dataset_id)["ready"] is True
    assert "no new acknowledgement is needed" in minor.change_note
    html = _actions(world.annotator, minor)
    assert 'data-testid="minor-covered"' in html and "v1" in html
    assert 'data-testid="acknowledge"' not in html


def test_a_lease_recorded_under_v1_keeps_v1_after_v2_is_published(world):
    dataset_id = world.v1.guide.dataset_id
    leased_under = services.guide_versions_current(dataset_id=dataset_id)

    v2 = publish(world.v1.guide, "# Two {#two}")

    assert leased_under == [world.v1.pk]
    assert services.guide_versions_current(dataset_id=dataset_id) == [v2.pk]


def test_the_dataset_guide_and_the_task_kind_guide_both_apply(world):
    dataset = world.v1.guide.dataset
    kind_version = guide_published(dataset, title="Formula boxes", task_kind_id=77)
    services.acknowledgement_record(version=world.v1, user=world.annotator)

    needs = services.guide_gate(user=world.annotator, dataset_id=dataset.pk, task_kind_id=77)

    assert [need.version for need in needs] == [kind_version]


def test_acknowledging_an_unpublished_version_is_a_400_and_records_nothing(world):
    guide = world.v1.guide
    client = world.client(world.annotator)

    api = client.post(f"/api/v1/guides/{guide.pk}/acknowledgements/", {"version": 2})
    page = client.post(f"/guides/{guide.pk}/acknowledge/", {"version": "2"})

    assert api.status_code == 400
    assert api.json()["error"]["code"] == "not_published"
    assert page.status_code == 400
    assert "Only a published version can be acknowledged." in page.content.decode()
    assert not Acknowledgement.objects.exists()


def test_a_planner_may_not_acknowledge(world):
    planner = world.client(UserFactory(role=Role.PLANNER))

    response = planner.post(f"/api/v1/guides/{world.v1.guide_id}/acknowledgements/", {"version": 1})

    assert response.status_code == 403
    assert not Acknowledgement.objects.exists()


def test_an_annotator_of_another_vendor_cannot_acknowledge_a_guide_they_do_not_read(world):
    outsider = member_of(VendorFactory())

    response = world.client(outsider).post(
        f"/api/v1/guides/{world.v1.guide_id}/acknowledgements/", {"version": 1}
    )

    assert response.status_code == 404
    assert not Acknowledgement.objects.exists()


def test_acknowledging_from_the_page_goes_back_to_the_version(world):
    guide = world.v1.guide

    response = world.client(world.annotator).post(
        f"/guides/{guide.pk}/acknowledge/", {"version": "1", "next": "https://evil.test/"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/guides/{guide.pk}/v1/"
    assert Acknowledgement.objects.filter(user=world.annotator, version=world.v1).exists()


def test_the_page_shell_names_the_version_to_acknowledge_until_it_is(world):
    before = guide_notices(world.annotator)
    services.acknowledgement_record(version=world.v1, user=world.annotator)

    assert before == [
        {
            "label": "New guide version: “Labeling guide” v1",
            "url": f"/guides/{world.v1.guide_id}/v1/",
            "count": 0,
        }
    ]
    assert guide_notices(world.annotator) == []
    assert guide_notices(UserFactory(role=Role.PLANNER)) == []


def _actions(user: User, version: GuideVersion) -> str:
    request = RequestFactory().get(f"/guides/{version.guide_id}/v{version.number}/")
    request.user = user
    template = Template("{% load guide_acks %}{% version_actions version %}")
    return template.render(RequestContext(request, {"version": version}))


def test_the_version_actions_offer_the_button_then_the_date(world):
    before = _actions(world.annotator, world.v1)
    services.acknowledgement_record(version=world.v1, user=world.annotator)
    after = _actions(world.annotator, world.v1)

    assert 'data-testid="acknowledge"' in before and 'name="version" value="1"' in before
    assert 'data-testid="acknowledge"' not in after
    assert "You acknowledged this version on" in after
    planner = _actions(UserFactory(role=Role.PLANNER), world.v1)
    assert 'data-testid="acknowledge"' not in planner
    assert f"/guides/{world.v1.guide_id}/acknowledgements/" in planner
    assert (
        Template("{% load guide_acks %}{% version_actions v %}").render(Context({})).strip() == ""
    )


def test_the_board_counts_each_vendors_annotators_at_the_required_version(world):
    second = member_of(world.vendor)
    services.acknowledgement_record(version=world.v1, user=world.annotator)
    services.acknowledgement_record(version=world.v1, user=second)
    v2 = publish(world.v1.guide, "# Two {#two}")
    services.acknowledgement_record(version=v2, user=second)

    board = acknowledgement_board(guide=world.v1.guide)

    assert board.required == v2
    [row] = board.vendors  # the other vendor holds no contract on this dataset
    assert (row.vendor, row.acknowledged, len(row.people)) == (world.vendor, 1, 2)
    versions = {p.user: p.acknowledgement.version.number for p in row.people}
    assert versions == {world.annotator: 1, second: 2}
    page = world.client(UserFactory(role=Role.PLANNER)).get(
        f"/guides/{world.v1.guide_id}/acknowledgements/"
    )
    assert "1 of 2 acknowledged v2" in page.content.decode()


def test_a_vendor_manager_sees_their_own_vendor_only_and_another_vendors_manager_nothing(world):
    dataset = world.v1.guide.dataset
    rival = VendorFactory(name="Rival")
    contract_for(rival, dataset)
    rival_manager = member_of(rival, role=Role.VENDOR_MANAGER)
    services.acknowledgement_record(version=world.v1, user=member_of(rival))
    url = f"/api/v1/guides/{world.v1.guide_id}/acknowledgements/"

    own = world.client(world.manager).get(url)
    rivals = world.client(rival_manager).get(url)
    stranger = world.client(world.other_manager).get(url)
    planner = world.client(UserFactory(role=Role.PLANNER)).get(url)

    assert [v["name"] for v in own.json()["vendors"]] == ["Hanbit"]
    assert [v["name"] for v in rivals.json()["vendors"]] == ["Rival"]
    assert rivals.json()["vendors"][0]["acknowledged"] == 1
    assert stranger.status_code == 404
    assert [v["name"] for v in planner.json()["vendors"]] == ["Hanbit", "Rival"]


def test_the_gate_asks_about_a_dataset_the_vendor_works_on(world):
    client = world.client(world.annotator)

    missing = client.get("/api/v1/guides/gate/")
    elsewhere = client.get(f"/api/v1/guides/gate/?dataset={DatasetFactory().pk}")
    planner = world.client(UserFactory(role=Role.PLANNER)).get(
        f"/api/v1/guides/gate/?dataset={world.v1.guide.dataset_id}"
    )

    assert missing.status_code == 400 and "dataset" in missing.json()["error"]["fields"]
    assert elsewhere.status_code == 404
    assert planner.status_code == 403


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_the_board_reads_as_many_queries_for_many_annotators_as_for_one(world):
    guide = world.v1.guide
    services.acknowledgement_record(version=world.v1, user=world.annotator)
    planner = world.client(UserFactory(role=Role.PLANNER))
    url = f"/api/v1/guides/{guide.pk}/acknowledgements/"
    one = _queries(lambda: planner.get(url))
    for _ in range(4):
        services.acknowledgement_record(version=world.v1, user=member_of(world.vendor))
    rival = VendorFactory(name="Rival")
    contract_for(rival, guide.dataset)
    member_of(rival)

    many = _queries(lambda: planner.get(url))

    assert many == one
    assert [v["annotators"] for v in planner.get(url).json()["vendors"]] == [5, 1]


def test_an_older_version_points_to_the_one_to_acknowledge_instead(world):
    publish(world.v1.guide, "# Two {#two}")

    html = _actions(world.annotator, world.v1)

    assert 'data-testid="superseded"' in html
    assert f'href="/guides/{world.v1.guide_id}/v2/"' in html
