"""Requirement decisions: asked, answered, and linked to what they decided."""

import pytest

from accounts.models import Role
from datasets import services
from datasets.models import Category, RequirementDecision, SpecChange
from tests.factories.datasets import DatasetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(dataset):
    return services.decision_create(
        dataset=dataset, question="Must a formula cut at the edge be read?", by=None
    )


def _version(dataset) -> int:
    dataset.refresh_from_db()
    return dataset.spec_version


def test_a_planner_asks_a_question_that_stays_open(planner_client, dataset):
    response = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/decisions/",
        {"question": "Do we read highlighter?"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["is_open"] is True
    assert body["asked_by"] == planner_client.user.username
    assert RequirementDecision.objects.get(pk=body["id"]).is_open


def test_asking_a_question_does_not_change_the_spec_version(planner_client, dataset):
    planner_client.post(
        f"/api/v1/datasets/{dataset.id}/decisions/", {"question": "Why?"}, format="json"
    )

    assert _version(dataset) == 1


def test_answering_records_the_answer_who_gave_it_and_when(planner_client, dataset, decision):
    response = planner_client.patch(
        f"/api/v1/datasets/{dataset.id}/decisions/{decision.id}/",
        {"answer": "Yes, if half of it shows.", "answered_by": "Service owner Kim"},
        format="json",
    )

    assert response.status_code == 200
    decision.refresh_from_db()
    assert decision.answer == "Yes, if half of it shows."
    assert decision.answered_by == "Service owner Kim"
    assert decision.answered_at is not None
    assert response.json()["is_open"] is False


def test_answering_twice_replaces_the_answer_and_keeps_it_answered(
    planner_client, dataset, decision
):
    url = f"/api/v1/datasets/{dataset.id}/decisions/{decision.id}/"
    planner_client.patch(url, {"answer": "No."}, format="json")

    planner_client.patch(url, {"answer": "Yes, after all."}, format="json")

    decision.refresh_from_db()
    assert decision.answer == "Yes, after all."
    assert not decision.is_open


def test_an_answer_without_a_name_is_credited_to_whoever_records_it(
    planner_client, dataset, decision
):
    planner_client.patch(
        f"/api/v1/datasets/{dataset.id}/decisions/{decision.id}/", {"answer": "Yes."}, format="json"
    )

    decision.refresh_from_db()
    assert decision.answered_by == planner_client.user.username


def test_an_empty_answer_is_refused_and_the_question_stays_open(planner_client, dataset, decision):
    response = planner_client.patch(
        f"/api/v1/datasets/{dataset.id}/decisions/{decision.id}/",
        {"answer": "   ", "answered_by": "Kim"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "empty_answer"
    assert "answer" in response.json()["error"]["fields"]
    decision.refresh_from_db()
    assert decision.is_open and decision.answer == "" and decision.answered_by == ""


def test_an_empty_question_is_refused(planner_client, dataset):
    response = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/decisions/", {"question": " "}, format="json"
    )

    assert response.status_code == 400
    assert not RequirementDecision.objects.exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
def test_readers_see_decisions_but_cannot_ask(client_for, dataset, decision, role):
    client = client_for(role)

    listed = client.get(f"/api/v1/datasets/{dataset.id}/decisions/")
    refused = client.post(
        f"/api/v1/datasets/{dataset.id}/decisions/", {"question": "Mine?"}, format="json"
    )

    assert listed.status_code == 200 and len(listed.json()) == 1
    assert refused.status_code == 403
    assert RequirementDecision.objects.count() == 1


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
def test_readers_cannot_answer(client_for, dataset, decision, role):
    response = client_for(role).patch(
        f"/api/v1/datasets/{dataset.id}/decisions/{decision.id}/", {"answer": "Yes"}, format="json"
    )

    assert response.status_code == 403
    decision.refresh_from_db()
    assert decision.is_open


def test_an_unknown_dataset_has_no_decisions(planner_client):
    assert planner_client.get("/api/v1/datasets/999999/decisions/").status_code == 404
    refused = planner_client.post(
        "/api/v1/datasets/999999/decisions/", {"question": "?"}, format="json"
    )
    assert refused.status_code == 404


def test_a_decision_of_another_dataset_cannot_be_answered_here(planner_client, dataset):
    other = services.decision_create(dataset=DatasetFactory(), question="Elsewhere?", by=None)

    response = planner_client.patch(
        f"/api/v1/datasets/{dataset.id}/decisions/{other.id}/", {"answer": "Yes"}, format="json"
    )

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.is_open


def test_open_questions_are_listed_first(planner_client, dataset):
    answered = services.decision_create(dataset=dataset, question="First?", by=None)
    services.decision_answer(decision=answered, answer="Yes", by=None)
    still_open = services.decision_create(dataset=dataset, question="Second?", by=None)

    listed = planner_client.get(f"/api/v1/datasets/{dataset.id}/decisions/").json()

    assert [row["id"] for row in listed] == [still_open.id, answered.id]


def test_a_category_created_from_a_decision_links_back_to_it(
    planner_client, dataset, axis, decision
):
    response = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/categories/",
        {
            "axis": "capture",
            "name": "Cut",
            "slug": "cut",
            "quota_target": 50,
            "decision": decision.id,
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["decision"] == {"id": decision.id, "question": decision.question}
    listed = planner_client.get(f"/api/v1/datasets/{dataset.id}/decisions/").json()
    assert listed[0]["categories"] == ["capture=cut"]
    taxonomy = planner_client.get(f"/api/v1/datasets/{dataset.id}/axes/").json()
    assert taxonomy[0]["categories"][0]["decision"]["id"] == decision.id


def test_linking_a_category_to_a_decision_is_a_spec_change_naming_who_and_what(
    planner_client, dataset, axis, decision
):
    category = services.category_create(axis=axis, name="Cut", slug="cut", by=None)
    version = _version(dataset)

    response = planner_client.patch(
        f"/api/v1/datasets/{dataset.id}/categories/{category.id}/",
        {"decision": decision.id},
        format="json",
    )

    assert response.status_code == 200
    assert _version(dataset) == version + 1
    change = SpecChange.objects.get(dataset=dataset, version=version + 1)
    assert change.changed_by == planner_client.user
    assert change.change["before"] == {"decision": None}
    assert change.change["after"] == {"decision": decision.id}
    assert change.snapshot["axes"][0]["categories"][0]["decision"] == decision.id


def test_unlinking_a_category_from_its_decision_is_a_spec_change(
    planner_client, dataset, axis, decision
):
    category = services.category_create(
        axis=axis, name="Cut", slug="cut", decision=decision, by=None
    )
    version = _version(dataset)

    planner_client.patch(
        f"/api/v1/datasets/{dataset.id}/categories/{category.id}/",
        {"decision": None},
        format="json",
    )

    category.refresh_from_db()
    assert category.decision is None
    assert _version(dataset) == version + 1


def test_a_decision_of_another_dataset_cannot_decide_a_category(planner_client, dataset, axis):
    foreign = services.decision_create(dataset=DatasetFactory(), question="Elsewhere?", by=None)
    version = _version(dataset)

    response = planner_client.post(
        f"/api/v1/datasets/{dataset.id}/categories/",
        {"axis": "capture", "name": "Cut", "slug": "cut", "decision": foreign.id},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_decision"
    assert response.json()["error"]["fields"] == {"decision": "No such decision in this dataset."}
    assert not Category.objects.filter(slug="cut").exists()
    assert _version(dataset) == version


def test_a_decision_of_another_dataset_cannot_be_linked_to_an_existing_category(
    planner_client, dataset, axis
):
    category = services.category_create(axis=axis, name="Cut", slug="cut", by=None)
    foreign = services.decision_create(dataset=DatasetFactory(), question="Elsewhere?", by=None)
    version = _version(dataset)

    response = planner_client.patch(
        f"/api/v1/datasets/{dataset.id}/categories/{category.id}/",
        {"decision": foreign.id},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_decision"
    category.refresh_from_db()
    assert category.decision is None
    assert _version(dataset) == version


def test_the_service_refuses_a_foreign_decision_too(dataset, axis):
    from core.errors import DomainError

    foreign = services.decision_create(dataset=DatasetFactory(), question="Elsewhere?", by=None)

    with pytest.raises(DomainError) as refused:
        services.category_create(axis=axis, name="Cut", slug="cut", decision=foreign, by=None)

    assert refused.value.code == "unknown_decision"
    assert not Category.objects.filter(slug="cut").exists()


def test_the_decision_list_costs_the_same_queries_however_many_decisions(
    planner_client, dataset, axis
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            planner_client.get(f"/api/v1/datasets/{dataset.id}/decisions/")
        return len(queries)

    first = services.decision_create(dataset=dataset, question="One?", by=planner_client.user)
    services.category_create(axis=axis, name="A", slug="a", decision=first, by=None)
    one = count()
    for n in range(4):
        decision = services.decision_create(dataset=dataset, question=f"Q{n}?", by=None)
        services.category_create(axis=axis, name=f"B{n}", slug=f"b{n}", decision=decision, by=None)

    assert count() == one
