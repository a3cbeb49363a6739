"""Quizzes: the planner writes the draft's quiz, publishing copies it; annotators take it
without ever seeing the answer key before they submit; scores reach the planner and the
annotator's own vendor manager only."""

import json
import re

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from guides import services
from guides.models import Example, QuizAttempt, QuizQuestion
from tests.factories.accounts import UserFactory
from tests.factories.datasets import DatasetFactory
from tests.factories.guides import guide_published, publish
from tests.factories.vendors import VendorFactory, contract_for, member_of

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def quizzed():
    """A guide whose v2 has a two-question quiz passing at 100 %, written through the API;
    an annotator of a contracted vendor who acknowledged v2."""
    dataset = DatasetFactory()
    vendor = VendorFactory(name="Hanbit")
    contract_for(vendor, dataset)
    planner = UserFactory(role=Role.PLANNER)
    v1 = guide_published(dataset, by=planner)
    guide = v1.guide
    example = Example.objects.create(
        guide=guide, verdict=Example.Verdict.BAD, caption="Cut at the edge", anchor="",
        annotation={"regions": []}, item=None,
        attachment=guide.attachments.create(
            name="a.png", file="a.png", content_type="image/png", width=4, height=4
        ),
    )  # fmt: skip
    client = _client(planner)
    url = f"/api/v1/guides/{guide.pk}/quiz/"
    first = client.post(
        f"{url}questions/",
        {"prompt": "Is this box right?", "choices": ["Yes", "No"], "correct": 1,
         "example": example.pk},
        format="json",
    )  # fmt: skip
    second = client.post(
        f"{url}questions/",
        {"prompt": "Box a shadowed formula?", "choices": ["Never", "Whole", "Half"], "correct": 1},
        format="json",
    )
    assert (first.status_code, second.status_code) == (201, 201), first.content
    assert client.patch(url, {"pass_score": 100}, format="json").status_code == 200
    v2 = publish(guide, "# Formulas {#formulas}\n\nNow with a quiz.", by=planner)
    annotator = member_of(vendor)
    services.acknowledgement_record(version=v2, user=annotator)
    return {"guide": guide, "v2": v2, "annotator": annotator, "vendor": vendor, "planner": planner}


def _questions(version):
    return list(version.quiz_questions.order_by("position", "pk"))


def test_publishing_copies_the_drafts_quiz_and_its_pass_score(quizzed):
    v2 = quizzed["v2"]

    assert v2.pass_score == 100
    assert [(q.prompt, q.correct) for q in _questions(v2)] == [
        ("Is this box right?", 1),
        ("Box a shadowed formula?", 1),
    ]
    assert QuizQuestion.objects.filter(guide=quizzed["guide"], version__isnull=True).count() == 2


def test_the_answer_key_is_in_no_page_or_api_answer_before_submitting(quizzed):
    guide, v2 = quizzed["guide"], quizzed["v2"]
    client = _client(quizzed["annotator"])
    page_url = f"/guides/{guide.pk}/v2/quiz/"
    api_url = f"/api/v1/guides/{guide.pk}/versions/2/quiz/"

    def looks():
        page = client.get(page_url).content.decode()
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
        return page, client.get(api_url).json()

    page, api = looks()
    QuizQuestion.objects.filter(version=v2).update(correct=0)  # another key
    other_page, other_api = looks()

    assert "Is this box right?" in page and "Whole" in page
    assert page == other_page  # nothing on the page depends on the key
    assert api == other_api
    assert "correct" not in json.dumps(api)
    assert [q["choices"] for q in api["questions"]] == [["Yes", "No"], ["Never", "Whole", "Half"]]


def test_submitting_scores_records_and_shows_the_wrong_answers_then_the_gate_passes(quizzed):
    guide, v2, annotator = quizzed["guide"], quizzed["v2"], quizzed["annotator"]
    first, second = _questions(v2)
    client = _client(annotator)
    url = f"/api/v1/guides/{guide.pk}/versions/2/quiz/attempts/"
    dataset_id = guide.dataset_id
    assert [n.reason for n in services.guide_gate(user=annotator, dataset_id=dataset_id)] == [
        "quiz"
    ]

    failed = client.post(url, {"answers": {str(first.pk): 1, str(second.pk): 2}}, format="json")
    assert [n.reason for n in services.guide_gate(user=annotator, dataset_id=dataset_id)] == [
        "quiz"
    ]
    page = client.post(f"/guides/{guide.pk}/v2/quiz/", {f"q{first.pk}": "1", f"q{second.pk}": "1"})

    assert failed.status_code == 201
    body = failed.json()
    assert (body["score"], body["passed"]) == (50, False)
    assert [(r["id"], r["right"], r["correct"]) for r in body["results"]] == [
        (first.pk, True, 1),
        (second.pk, False, 1),
    ]
    assert page.status_code == 302
    result = client.get(page["Location"]).content.decode()
    assert "Passed: 100%" in result
    assert QuizAttempt.objects.filter(user=annotator).count() == 2
    assert services.guide_gate(user=annotator, dataset_id=dataset_id) == []


def test_the_results_page_marks_a_wrong_answer_and_names_the_right_one(quizzed):
    guide, v2, annotator = quizzed["guide"], quizzed["v2"], quizzed["annotator"]
    first, second = _questions(v2)
    attempt = services.quiz_attempt_submit(
        version=v2, user=annotator, answers={str(first.pk): 1, str(second.pk): 0}
    )

    html = _client(annotator).get(f"/guides/{guide.pk}/v2/quiz/?attempt={attempt.pk}")

    text = html.content.decode()
    assert "Not passed: 50%" in text
    assert 'Never</strong> — <span class="error">your answer, wrong</span>' in text
    assert "Whole — the right answer" in text
    stranger = _client(member_of(quizzed["vendor"]))
    assert stranger.get(f"/guides/{guide.pk}/v2/quiz/?attempt={attempt.pk}").status_code == 404


def test_an_unanswered_question_is_a_400_naming_it_and_records_nothing(quizzed):
    guide, v2 = quizzed["guide"], quizzed["v2"]
    first, second = _questions(v2)
    client = _client(quizzed["annotator"])

    api = client.post(
        f"/api/v1/guides/{guide.pk}/versions/2/quiz/attempts/",
        {"answers": {str(first.pk): 1, str(second.pk): 7}},
        format="json",
    )
    page = client.post(f"/guides/{guide.pk}/v2/quiz/", {f"q{first.pk}": "1"})

    assert api.status_code == 400
    assert api.json()["error"]["fields"] == {f"answers.{second.pk}": "Choose one answer."}
    assert page.status_code == 400
    assert 'class="field invalid"' in page.content.decode()
    assert not QuizAttempt.objects.exists()


def test_attempts_reach_the_planner_and_the_own_vendor_manager_never_another_vendors(quizzed):
    guide, v2, annotator = quizzed["guide"], quizzed["v2"], quizzed["annotator"]
    first, second = _questions(v2)
    services.quiz_attempt_submit(
        version=v2, user=annotator, answers={str(first.pk): 1, str(second.pk): 1}
    )
    other = VendorFactory(name="Rival")
    contract_for(other, DatasetFactory())
    url = f"/api/v1/guides/{guide.pk}/versions/2/quiz/attempts/"

    planner = _client(quizzed["planner"]).get(url)
    manager = _client(member_of(quizzed["vendor"], role=Role.VENDOR_MANAGER)).get(url)
    rival = _client(member_of(other, role=Role.VENDOR_MANAGER)).get(url)
    colleague = _client(member_of(quizzed["vendor"])).get(url)

    assert [(a["user"], a["score"]) for a in planner.json()] == [(annotator.username, 100)]
    assert [a["user"] for a in manager.json()] == [annotator.username]
    assert rival.status_code == 404
    assert colleague.json() == []  # an annotator sees their own attempts only
    board = _client(quizzed["planner"]).get(f"/api/v1/guides/{guide.pk}/acknowledgements/")
    people = board.json()["vendors"][0]["people"]
    [person] = [p for p in people if p["username"] == annotator.username]
    assert (person["quiz_score"], person["quiz_passed"], person["attempts"]) == (100, True, 1)


def test_a_bad_question_is_a_400_naming_the_field_and_adds_nothing(quizzed):
    guide = quizzed["guide"]
    client = _client(quizzed["planner"])
    url = f"/api/v1/guides/{guide.pk}/quiz/questions/"

    one_choice = client.post(url, {"prompt": "Q", "choices": ["Yes"], "correct": 0}, format="json")
    out_of_range = client.post(
        url, {"prompt": "Q", "choices": ["A", "B"], "correct": 2}, format="json"
    )
    too_long = client.post(
        url, {"prompt": "Q" * 501, "choices": ["A", "B"], "correct": 0}, format="json"
    )

    assert [r.status_code for r in (one_choice, out_of_range, too_long)] == [400, 400, 400]
    assert "choices" in one_choice.json()["error"]["fields"]
    assert "correct" in out_of_range.json()["error"]["fields"]
    assert "500" in too_long.json()["error"]["fields"]["prompt"]
    assert QuizQuestion.objects.filter(guide=guide, version__isnull=True).count() == 2


def test_the_planners_editor_adds_and_removes_draft_questions(quizzed):
    guide = quizzed["guide"]
    client = _client(quizzed["planner"])
    url = f"/guides/{guide.pk}/quiz/"

    added = client.post(
        url, {"action": "add", "prompt": "Half?", "choices": "Yes\nNo", "correct": "2"}
    )
    new = QuizQuestion.objects.get(guide=guide, version__isnull=True, prompt="Half?")
    refused = client.post(url, {"action": "add", "prompt": "X", "choices": "Only", "correct": "1"})
    for question in guide.quiz_questions.filter(version__isnull=True):
        client.post(url, {"action": "delete", "question": str(question.pk)})

    assert added.status_code == 302 and new.correct == 1
    assert refused.status_code == 400
    assert "Give between 2 and 8 choices." in refused.content.decode()
    guide.refresh_from_db()
    assert guide.draft_pass_score is None  # no question left: the next version has no quiz
    assert _questions(quizzed["v2"])  # the published quiz stays


def test_a_minor_version_asks_for_no_new_quiz(quizzed):
    guide, v2, annotator = quizzed["guide"], quizzed["v2"], quizzed["annotator"]
    first, second = _questions(v2)
    services.quiz_attempt_submit(
        version=v2, user=annotator, answers={str(first.pk): 1, str(second.pk): 1}
    )

    publish(guide, "# Formulas {#formulas}\n\nNow with a quiz, typo fixed.", minor=True)

    assert services.guide_gate(user=annotator, dataset_id=guide.dataset_id) == []


def test_the_quiz_pages_speak_korean(quizzed):
    guide = quizzed["guide"]
    annotator = _client(quizzed["annotator"])
    planner = _client(quizzed["planner"])

    quiz = annotator.get(f"/guides/{guide.pk}/v2/quiz/", HTTP_ACCEPT_LANGUAGE="ko")
    editor = planner.get(f"/guides/{guide.pk}/quiz/", HTTP_ACCEPT_LANGUAGE="ko")
    board = planner.get(f"/guides/{guide.pk}/acknowledgements/", HTTP_ACCEPT_LANGUAGE="ko")

    assert "답안 제출" in quiz.content.decode()
    assert "문항 추가" in editor.content.decode()
    assert "1명 중 1명이 v2 확인" in board.content.decode()
