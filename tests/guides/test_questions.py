"""Questions, answers, the FAQ, promotion and decisions: services, API and pages."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import Role
from core.errors import DomainError
from datasets import services as dataset_services
from datasets.models import RequirementDecision
from guides import services
from guides.models import FaqEntry, Question
from guides.selectors import guide_notices
from guides.selectors.questions import asked_count, faq_search, inbox_list
from tests.factories.accounts import UserFactory
from tests.factories.datasets import DatasetFactory
from tests.factories.guides import guide_published
from tests.factories.images import image_bytes
from tests.factories.vendors import VendorFactory, contract_for, member_of

pytestmark = pytest.mark.django_db


class World:
    """A dataset with its guide v1, vendors A and B both contracted on it, a planner."""

    def __init__(self):
        self.planner = UserFactory(role=Role.PLANNER)
        self.dataset = DatasetFactory()
        self.version = guide_published(self.dataset, by=self.planner)
        self.guide = self.version.guide
        self.vendor_a = VendorFactory(name="Vendor A")
        self.vendor_b = VendorFactory(name="Vendor B")
        contract_for(self.vendor_a, self.dataset)
        contract_for(self.vendor_b, self.dataset)
        self.a1 = member_of(self.vendor_a)
        self.a2 = member_of(self.vendor_a)
        self.b1 = member_of(self.vendor_b)
        self.manager_a = member_of(self.vendor_a, role=Role.VENDOR_MANAGER)

    def client(self, user) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    def ask(self, user, body="Must a formula cut at the edge be boxed?", anchor="edge"):
        return services.question_ask(guide=self.guide, user=user, body=body, anchor=anchor)


@pytest.fixture
def world():
    return World()


def _api(world, *parts) -> str:
    return "/api/v1/guides/" + "/".join(str(p) for p in (world.guide.pk, *parts)) + "/"


# --- the whole flow -----------------------------------------------------------------------


def test_ask_me_too_answer_faq_promote_publish_lands_in_the_section_and_the_change_note(world):
    planner = world.client(world.planner)
    asked = world.client(world.a1).post(
        _api(world, "questions"),
        {"body": "그림자가 진 수식도 상자를 그리나요?", "anchor": "shadows"},
    )
    assert asked.status_code == 201, asked.json()
    question_id = asked.json()["id"]
    assert (
        world.client(world.a2).post(_api(world, "questions", question_id, "me-too")).json()["asked"]
        == 2
    )

    answered = planner.post(
        _api(world, "questions", question_id, "answer"), {"answer": "네, 수식 전체를 상자로."}
    )
    faq = planner.post(
        _api(world, "questions", question_id, "faq"),
        {
            "question": "그림자가 진 수식도 상자를 그리나요?",
            "answer": "네: 그림자가 있어도 수식 전체를 상자로 그립니다.",
            "anchor": "shadows",
        },
    )
    promoted = planner.post(_api(world, "faq", faq.json()["id"], "promote"))
    world.guide.refresh_from_db()
    version = services.guide_publish(
        guide=world.guide, change_note="Shadows.", revision=world.guide.draft_revision
    )

    assert answered.json()["status"] == "answered"
    assert promoted.status_code == 200 and promoted.json()["promoted"] is True
    found = world.client(world.b1).get(_api(world, "faq"), {"q": "그림자"}).json()
    assert [entry["id"] for entry in found] == [faq.json()["id"]]
    shadows = version.body.index("{#shadows}")
    edge = version.body.index("{#edge}")
    quote = version.body.index("> **Question:** 그림자가 진 수식도")
    assert shadows < quote < edge
    assert "> **Answer:** 네: 그림자가 있어도" in version.body
    assert "<blockquote>" in version.html
    assert "Answers promoted from the FAQ:\n- 그림자가 진 수식도 상자를 그리나요?" in (
        version.change_note
    )
    assert FaqEntry.objects.get().promoted_version == version


def test_promoting_saves_through_the_draft_and_moves_its_revision(world):
    entry = services.faq_publish(
        guide=world.guide, question_text="Q?", answer_text="A.", anchor="formulas"
    )
    before = world.guide.draft_revision

    services.faq_promote(entry=entry, by=world.planner)

    world.guide.refresh_from_db()
    assert world.guide.draft_revision == before + 1
    body = world.guide.draft_body
    # "Formulas" is the one h1: its section runs over its h2s to the end of the text
    assert body.index("{#edge}") < body.index("> **Question:** Q?")
    with pytest.raises(DomainError) as again:
        services.faq_promote(entry=entry)
    assert again.value.status == 409
    world.guide.refresh_from_db()
    assert world.guide.draft_revision == before + 1


def test_a_quote_goes_before_the_next_heading_of_the_same_level_not_a_subheading():
    entry = FaqEntry(anchor="a", question="Q?", answer="A.")
    body = "# A {#a}\n\ntext\n\n## Sub {#sub}\n\nmore\n\n# B {#b}\n\nlast\n"

    quoted = services.draft_with_quote(body, entry)

    assert quoted.index("## Sub") < quoted.index("> **Question:** Q?") < quoted.index("# B")
    assert quoted.endswith("last\n")


def test_a_quote_of_a_section_the_draft_no_longer_has_goes_at_the_end():
    entry = FaqEntry(anchor="gone", question="Q?", answer="A {#x}")

    quoted = services.draft_with_quote("# A {#a}\n\ntext", entry)

    assert quoted.endswith("> **Answer:** A\n")


# --- me too, merging, the inbox -----------------------------------------------------------


def test_me_too_counts_once_per_user_and_never_the_asker(world):
    question = world.ask(world.a1)

    services.question_me_too(question=question, user=world.a2)
    services.question_me_too(question=question, user=world.a2)
    services.question_me_too(question=question, user=world.a1)

    assert asked_count(question) == 2


def test_a_merged_question_keeps_its_askers_counted_on_the_survivor(world):
    survivor = world.ask(world.a1, body="Box cut formulas?")
    duplicate = world.ask(world.b1, body="Cut at the edge: box it?")
    services.question_me_too(question=duplicate, user=world.a2)
    services.question_me_too(question=duplicate, user=world.manager_a)

    services.question_merge(question=duplicate, into=survivor, by=world.planner)
    services.question_answer(question=survivor, answer="Box what is visible.")

    inbox = list(inbox_list(visible=Question.objects.all(), order="asked"))
    assert inbox == []  # answered
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert asked_count(survivor) == 4  # a1, b1, a2, the manager
    assert duplicate.status == Question.Status.MERGED
    assert duplicate.answer == "Box what is visible."  # vendor B reads it on its own question


def test_the_inbox_orders_by_age_or_by_how_many_asked_and_filters_per_guide(world):
    older = world.ask(world.a1, body="older")
    newer = world.ask(world.b1, body="newer")
    services.question_me_too(question=newer, user=world.a2)
    other_guide = guide_published(DatasetFactory()).guide
    Question.objects.create(guide=other_guide, body="elsewhere")

    by_age = inbox_list(visible=Question.objects.all(), guide_id=world.guide.pk)
    by_asked = inbox_list(
        visible=Question.objects.all(), dataset_id=world.dataset.pk, order="asked"
    )

    assert [q.pk for q in by_age] == [older.pk, newer.pk]
    assert [(q.pk, q.asked) for q in by_asked] == [(newer.pk, 2), (older.pk, 1)]


def test_the_inbox_api_filters_and_orders(world):
    world.ask(world.a1, body="older")
    newer = world.ask(world.b1, body="newer")
    services.question_me_too(question=newer, user=world.a2)

    body = world.client(world.planner).get(
        "/api/v1/guides/questions/", {"order": "asked", "guide": world.guide.pk}
    )

    assert [row["body"] for row in body.json()] == ["newer", "older"]
    assert body.json()[0]["asked"] == 2


# --- who sees what ------------------------------------------------------------------------


def test_vendor_b_never_sees_who_asked_the_pinned_image_or_the_private_answer(world):
    item, _created = dataset_services.item_register(
        dataset=world.dataset, file=image_bytes(5), name="page.jpg"
    )
    asked = world.client(world.a1).post(
        _api(world, "questions"),
        {
            "body": "Is this a formula?",
            "item": item.pk,
            "region_id": "r1",
            "crop": SimpleUploadedFile("c.jpg", image_bytes(3), content_type="image/jpeg"),
        },
        format="multipart",
    )
    question_id = asked.json()["id"]
    services.question_answer(question=Question.objects.get(pk=question_id), answer="Private words")
    services.faq_publish(guide=world.guide, question_text="Is it a formula?", answer_text="Yes.")
    b = world.client(world.b1)

    assert b.get(_api(world, "questions", question_id)).status_code == 404
    assert b.get(f"/guides/{world.guide.pk}/questions/{question_id}/crop/").status_code == 404
    assert b.get(f"/guides/{world.guide.pk}/questions/{question_id}/").status_code == 404
    assert b.get(_api(world, "questions")).json() == []
    faq_page = b.get(f"/guides/{world.guide.pk}/faq/").content.decode()
    faq_api = b.get(_api(world, "faq")).content.decode()
    for text in (faq_page, faq_api):
        assert "Is it a formula?" in text
        assert "Private words" not in text
        assert world.a1.username not in text and "Vendor A" not in text
    mine = world.client(world.a2).get(_api(world, "questions", question_id)).json()
    assert (mine["asked_by"], mine["vendor"], mine["answer"]) == (
        world.a1.username,
        "Vendor A",
        "Private words",
    )
    assert mine["crop_url"].endswith("/crop/")


def test_a_reviewer_reads_a_question_but_neither_who_asked_nor_its_crop(world):
    question = world.ask(world.a1)
    question.crop = SimpleUploadedFile("c.png", image_bytes(2, image_format="PNG"))
    question.save()
    reviewer = world.client(UserFactory(role=Role.REVIEWER))

    body = reviewer.get(_api(world, "questions", question.pk)).json()
    crop = reviewer.get(f"/guides/{world.guide.pk}/questions/{question.pk}/crop/")

    assert (body["asked_by"], body["vendor"], body["crop_url"]) == (None, None, None)
    assert crop.status_code == 403


def test_a_crop_is_stored_without_its_metadata(world):
    with_exif = image_bytes(4, orientation=6)
    assert Image.open(io.BytesIO(with_exif)).getexif()

    question = services.question_ask(
        guide=world.guide,
        user=world.a1,
        body="This one?",
        crop=SimpleUploadedFile("c.jpg", with_exif, content_type="image/jpeg"),
    )

    with question.crop.open("rb") as stored:
        assert not Image.open(io.BytesIO(stored.read())).getexif()


def test_an_svg_crop_is_a_400_and_nothing_is_saved(world):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    response = world.client(world.a1).post(
        _api(world, "questions"),
        {"body": "x", "crop": SimpleUploadedFile("c.svg", svg, content_type="image/svg+xml")},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "crop_not_image"
    assert not Question.objects.exists()


def _ask_with_crop(world, data: bytes, name: str = "c.png"):
    return world.client(world.a1).post(
        _api(world, "questions"),
        {"body": "x", "crop": SimpleUploadedFile(name, data, content_type="image/png")},
        format="multipart",
    )


def test_a_crop_that_is_no_image_is_a_400_naming_the_crop(world):
    response = _ask_with_crop(world, b"\x89PNG\r\n\x1a\n but not really a picture")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "crop_not_image"
    assert set(response.json()["error"]["fields"]) == {"crop"}
    assert not Question.objects.exists()


def test_a_crop_of_more_pixels_than_the_limit_is_a_400_before_it_is_decoded(world):
    # A few kilobytes that claim 30 million pixels: refused from the header alone.
    buffer = io.BytesIO()
    Image.new("1", (6000, 5000)).save(buffer, format="PNG")
    assert len(buffer.getvalue()) < 100_000

    response = _ask_with_crop(world, buffer.getvalue())

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "crop_too_large"
    assert "25000000" in response.json()["error"]["fields"]["crop"]
    assert not Question.objects.exists()


def test_a_crop_over_the_byte_limit_is_a_400(world):
    response = _ask_with_crop(world, image_bytes(7, image_format="PNG") + b"\0" * 5_000_000)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "crop_too_large"
    assert not Question.objects.exists()


def test_an_item_of_another_dataset_is_refused(world):
    other = DatasetFactory()
    item, _created = dataset_services.item_register(dataset=other, file=image_bytes(6), name="x")

    response = world.client(world.a1).post(
        _api(world, "questions"), {"body": "x", "item": item.pk}, format="json"
    )

    assert response.status_code == 400
    assert "item" in response.json()["error"]["fields"]
    assert not Question.objects.exists()


def test_a_question_over_5000_characters_is_a_400_naming_the_limit(world):
    response = world.client(world.a1).post(
        _api(world, "questions"), {"body": "가" * 5001}, format="json"
    )

    assert response.status_code == 400
    assert "5000" in response.json()["error"]["fields"]["body"]
    assert not Question.objects.exists()


def test_an_unknown_section_is_a_400(world):
    response = world.client(world.a1).post(
        _api(world, "questions"), {"body": "x", "anchor": "nowhere"}, format="json"
    )

    assert response.status_code == 400
    assert "anchor" in response.json()["error"]["fields"]


def test_an_annotator_cannot_answer_and_nothing_changes(world):
    question = world.ask(world.a1)

    response = world.client(world.a2).post(
        _api(world, "questions", question.pk, "answer"), {"answer": "self-served"}
    )

    assert response.status_code == 403
    question.refresh_from_db()
    assert (question.answer, question.status) == ("", Question.Status.OPEN)


# --- decisions ----------------------------------------------------------------------------


def test_a_question_becomes_a_requirement_decision_linked_both_ways(world):
    question = world.ask(world.a1)

    response = world.client(world.planner).post(_api(world, "questions", question.pk, "decision"))

    decision = RequirementDecision.objects.get()
    assert response.json()["decision"] == decision.pk
    assert decision.dataset == world.dataset
    assert decision.question == question.body
    assert decision.source_url == f"/guides/{world.guide.pk}/questions/{question.pk}/"
    page = world.client(world.planner).get(f"/datasets/{world.dataset.pk}/decisions/")
    assert decision.source_url in page.content.decode()
    again = world.client(world.planner).post(_api(world, "questions", question.pk, "decision"))
    assert again.status_code == 409
    assert RequirementDecision.objects.count() == 1


# --- notices ------------------------------------------------------------------------------


def test_notices_count_unanswered_questions_for_planners_and_new_answers_for_the_vendor(world):
    question = world.ask(world.a1)
    world.ask(world.b1)
    assert [n["count"] for n in guide_notices(world.planner) if "question" in n["url"]] == [2]
    assert not [n for n in guide_notices(world.a2) if "/questions/" in n["url"]]

    services.question_answer(question=question, answer="Yes.")
    notice = [n for n in guide_notices(world.a2) if "/questions/" in n["url"]]
    assert notice and notice[0]["count"] == 1
    assert not [n for n in guide_notices(world.b1) if "/questions/" in n["url"]]

    world.client(world.a2).get(notice[0]["url"])
    assert not [n for n in guide_notices(world.a1) if "/questions/" in n["url"]]


# --- pages ----------------------------------------------------------------------------------


def test_asking_from_the_page_with_an_empty_text_shows_the_error_beside_the_field(world):
    client = world.client(world.a1)

    response = client.post(f"/guides/{world.guide.pk}/questions/", {"body": "", "anchor": ""})

    assert response.status_code == 400
    assert 'data-field="body"' in response.content.decode()
    assert 'class="field invalid' in response.content.decode()
    assert not Question.objects.exists()


def test_the_planner_publishes_reworded_to_the_faq_from_the_question_page(world):
    question = world.ask(world.a1, body="vendor A's own wording")
    client = world.client(world.planner)

    response = client.post(
        f"/guides/{world.guide.pk}/questions/{question.pk}/faq/",
        {"question": "Reviewed wording?", "answer": "Reviewed answer.", "anchor": "edge"},
    )

    assert response.status_code == 302
    entry = FaqEntry.objects.get()
    assert (entry.question, entry.source, entry.anchor) == ("Reviewed wording?", question, "edge")
    assert faq_search(guide=world.guide, query="REVIEWED").get() == entry
    assert not faq_search(guide=world.guide, query="vendor A's").exists()


def test_the_faq_panel_and_the_ask_panel_render_on_a_guide_page(world, rf):
    from django.template import Context, Template

    services.faq_publish(guide=world.guide, question_text="Panel Q?", answer_text="Panel A.")
    request = rf.get("/")
    request.user = world.a1
    template = Template("{% load guide_questions %}{% ask_panel guide %}{% faq_panel guide %}")

    html = template.render(Context({"guide": world.guide, "request": request}))

    assert 'data-testid="ask-panel"' in html and 'value="shadows"' in html
    assert "Panel Q?" in html
    request.user = world.planner
    assert 'data-testid="ask-panel"' not in template.render(
        Context({"guide": world.guide, "request": request})
    )


def test_the_planner_merges_a_duplicate_from_its_page_and_the_inbox_counts_both(world):
    kept = world.ask(world.a1, body="Box a cut formula?")
    duplicate = world.ask(world.b1, body="Cut formula: box?")
    client = world.client(world.planner)

    merged = client.post(
        f"/guides/{world.guide.pk}/questions/{duplicate.pk}/merge/", {"into": kept.pk}
    )
    inbox = client.get("/guides/questions/", {"guide": world.guide.pk, "order": "asked"})

    assert merged.status_code == 302
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Question.Status.MERGED, kept)
    html = inbox.content.decode()
    assert f'data-question="{kept.pk}"' in html
    assert f'data-question="{duplicate.pk}"' not in html
    assert '<td class="asked">2</td>' in html


def test_merging_into_a_question_of_another_guide_is_refused_and_changes_nothing(world):
    question = world.ask(world.a1)
    elsewhere = Question.objects.create(guide=guide_published(DatasetFactory()).guide, body="x")

    response = world.client(world.planner).post(
        f"/guides/{world.guide.pk}/questions/{question.pk}/merge/", {"into": elsewhere.pk}
    )

    assert response.status_code == 400
    question.refresh_from_db()
    assert question.status == Question.Status.OPEN
