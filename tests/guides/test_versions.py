"""Guides, drafts, versions, comparing and attachments: services, API and pages."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from accounts.models import Role
from guides import services
from guides.models import BODY_LIMIT, Attachment, Guide, GuideVersion, Question
from guides.selectors.versions import text_compare
from tests.factories.accounts import UserFactory
from tests.factories.datasets import DatasetFactory
from tests.factories.guides import guide_published, publish
from tests.factories.vendors import VendorFactory, contract_for, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client_for):
    """Dataset A with a published guide, vendor A contracted on it, vendor B on dataset B."""
    dataset, other_dataset = DatasetFactory(), DatasetFactory()
    vendor_a, vendor_b = VendorFactory(name="A"), VendorFactory(name="B")
    contract_for(vendor_a, dataset)
    contract_for(vendor_b, other_dataset)
    planner = client_for(Role.PLANNER)
    version = guide_published(dataset, by=planner.user)

    def member(vendor, role=Role.ANNOTATOR):
        client = client_for(role)
        member_of(vendor, role=role, user=client.user)
        return client

    return {
        "dataset": dataset,
        "other_dataset": other_dataset,
        "guide": version.guide,
        "version": version,
        "planner": planner,
        "annotator": member(vendor_a),
        "manager": member(vendor_a, Role.VENDOR_MANAGER),
        "other_annotator": member(vendor_b),
        "trainer": client_for(Role.TRAINER),
        "reviewer": client_for(Role.REVIEWER),
    }


def _png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "taken at 37.5665N 126.9780E")
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 20, 20)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def _upload(client, guide, data: bytes, name: str):
    file = io.BytesIO(data)
    file.name = name
    return client.post(
        f"/api/v1/guides/{guide.pk}/attachments/", {"file": file}, format="multipart"
    )


# --- drafts ---------------------------------------------------------------------------


def test_two_saves_from_one_revision_the_second_is_a_409_with_the_text_saved_first(world):
    guide, planner = world["guide"], world["planner"]
    other = UserFactory(role=Role.PLANNER)
    from rest_framework.test import APIClient

    second = APIClient()
    second.force_login(other)
    revision = guide.draft_revision

    first = planner.put(
        f"/api/v1/guides/{guide.pk}/draft/", {"body": "# Mine", "revision": revision}, format="json"
    )
    stale = second.put(
        f"/api/v1/guides/{guide.pk}/draft/",
        {"body": "# Theirs", "revision": revision},
        format="json",
    )

    assert first.status_code == 200 and first.json()["revision"] == revision + 1
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "draft_stale"
    assert stale.json()["error"]["current"]["body"] == "# Mine"
    assert stale.json()["error"]["current"]["revision"] == revision + 1
    assert Guide.objects.get(pk=guide.pk).draft_body == "# Mine"


def test_a_body_over_its_limit_is_a_400_naming_the_limit_and_nothing_is_saved(world):
    guide = world["guide"]
    before = guide.draft_body

    response = world["planner"].put(
        f"/api/v1/guides/{guide.pk}/draft/",
        {"body": "x" * (BODY_LIMIT + 1), "revision": guide.draft_revision},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "body_too_long"
    assert f"{BODY_LIMIT}" in response.json()["error"]["fields"]["body"]
    assert Guide.objects.get(pk=guide.pk).draft_body == before


def test_a_request_over_the_sites_limit_is_a_413(world, settings):
    guide = world["guide"]
    body = "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)

    response = world["planner"].post(
        f"/api/v1/guides/{guide.pk}/preview/", {"body": body}, format="json"
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


@pytest.mark.parametrize("who", ["annotator", "manager", "reviewer"])
def test_people_who_are_not_planners_cannot_write_a_guide_and_nothing_changes(world, who):
    guide = world["guide"]
    client = world[who]

    answers = [
        client.put(
            f"/api/v1/guides/{guide.pk}/draft/",
            {"body": "hacked", "revision": guide.draft_revision},
            format="json",
        ).status_code,
        client.post(
            f"/api/v1/guides/{guide.pk}/publish/",
            {"revision": guide.draft_revision, "change_note": "x"},
            format="json",
        ).status_code,
        client.post(
            "/api/v1/guides/",
            {"dataset": world["other_dataset"].pk, "title": "Mine"},
            format="json",
        ).status_code,
        client.delete(f"/api/v1/guides/{guide.pk}/").status_code,
    ]

    assert answers == [403, 403, 403, 403]
    assert Guide.objects.get(pk=guide.pk).draft_body == guide.draft_body
    assert GuideVersion.objects.filter(guide=guide).count() == 1
    assert not Guide.objects.filter(dataset=world["other_dataset"]).exists()


def test_a_published_guide_is_kept_and_one_never_published_is_removed(world):
    published = world["guide"]
    draft_only = services.guide_create(
        dataset=world["other_dataset"], title="Not yet", by=world["planner"].user
    )

    kept = world["planner"].delete(f"/api/v1/guides/{published.pk}/")
    removed = world["planner"].delete(f"/api/v1/guides/{draft_only.pk}/")

    assert kept.status_code == 409
    assert kept.json()["error"]["code"] == "guide_published"
    assert GuideVersion.objects.filter(guide=published).count() == 1
    assert removed.status_code == 204
    assert not Guide.objects.filter(pk=draft_only.pk).exists()


def test_a_trainer_reads_published_versions_but_not_the_draft(world):
    guide = world["guide"]

    version = world["trainer"].get(f"/api/v1/guides/{guide.pk}/versions/1/")
    draft = world["trainer"].get(f"/api/v1/guides/{guide.pk}/draft/")

    assert version.status_code == 200 and 'class="katex"' in version.json()["html"]
    assert draft.status_code == 403


def test_another_vendors_annotator_finds_no_version_of_this_dataset(world):
    guide = world["guide"]

    assert world["other_annotator"].get(f"/api/v1/guides/{guide.pk}/versions/1/").status_code == 404
    assert world["other_annotator"].get(f"/guides/{guide.pk}/v1/").status_code == 404
    listed = world["other_annotator"].get("/api/v1/guides/").json()["results"]
    assert [g["id"] for g in listed] == []


def test_a_planner_creates_a_task_kind_guide_through_the_api(world):
    response = world["planner"].post(
        "/api/v1/guides/",
        {"dataset": world["dataset"].pk, "task_kind_id": 7, "title": "Character boxes"},
        format="json",
    )

    assert response.status_code == 201
    assert Guide.objects.get(pk=response.json()["id"]).task_kind_id == 7


# --- preview and publish ---------------------------------------------------------------


def test_the_preview_returns_sanitized_html_with_math_typeset_and_saves_nothing(world):
    guide = world["guide"]
    before = guide.draft_revision

    response = world["planner"].post(
        f"/api/v1/guides/{guide.pk}/preview/",
        {"body": "## Roots {#roots}\n\n$\\sqrt{x}$ <script>alert(1)</script> $\\frac{$"},
        format="json",
    )

    data = response.json()
    assert response.status_code == 200
    assert 'class="katex"' in data["html"] and "<script>" not in data["html"]
    assert data["sections"] == [{"anchor": "roots", "title": "Roots"}]
    assert data["formula_errors"][0]["source"] == "\\frac{"
    assert Guide.objects.get(pk=guide.pk).draft_revision == before


def test_publishing_that_drops_a_linked_section_names_the_links_then_goes_on_when_told(world):
    guide, planner = world["guide"], world["planner"]
    Question.objects.create(guide=guide, anchor="edge", body="Cut formulas?")
    guide.refresh_from_db()
    saved = services.guide_draft_save(
        guide=guide, body="# Formulas {#formulas}\n\nBox them.", revision=guide.draft_revision
    )
    publish_url = f"/api/v1/guides/{guide.pk}/publish/"
    body = {"revision": saved.draft_revision, "change_note": "Shorter."}

    refused = planner.post(publish_url, body, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "anchors_dropped"
    assert {link["anchor"] for link in refused.json()["error"]["links"]} == {"edge"}
    assert GuideVersion.objects.filter(guide=guide).count() == 1

    published = planner.post(publish_url, {**body, "drop_links": True}, format="json")
    assert published.status_code == 201
    assert published.json()["number"] == 2
    assert published.json()["url"] == f"/guides/{guide.pk}/v2/"


def test_a_minor_publish_says_so_in_its_change_note(world):
    guide, planner = world["guide"], world["planner"]
    guide.refresh_from_db()
    saved = services.guide_draft_save(
        guide=guide, body=guide.draft_body + "\nTypo fixed.", revision=guide.draft_revision
    )

    response = planner.post(
        f"/api/v1/guides/{guide.pk}/publish/",
        {"revision": saved.draft_revision, "change_note": "Typo.", "minor": True},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["minor"] is True
    assert "no new acknowledgement" in response.json()["change_note"]


# --- comparing ---------------------------------------------------------------------------


def test_the_comparison_marks_added_removed_and_changed_lines_and_the_changed_words():
    left = "# Guide\nBox every formula.\nSkip blurred ones.\nEnd."
    right = "# Guide\nBox every printed formula.\nEnd.\nAsk when unsure."

    comparison = text_compare(left, right)

    kinds = [(row.kind, row.left, row.right) for row in comparison.rows]
    assert ("same", "# Guide", "# Guide") in kinds
    assert ("removed", "Skip blurred ones.", None) in kinds
    assert ("added", None, "Ask when unsure.") in kinds
    changed = next(row for row in comparison.rows if row.kind == "changed")
    assert (changed.left, changed.right) == ("Box every formula.", "Box every printed formula.")
    assert [p.text for p in changed.right_pieces if p.kind == "added"] == ["printed "]
    assert (comparison.added, comparison.removed, comparison.changed) == (1, 1, 1)


def test_the_compare_page_and_api_show_the_lines_that_differ(world):
    guide = world["guide"]
    publish(guide, guide.versions.get().body.replace("Box what is visible.", "Box what shows."))

    page = world["annotator"].get(f"/guides/{guide.pk}/compare/?a=1&b=2")
    api = world["annotator"].get(f"/api/v1/guides/{guide.pk}/compare/?a=1&b=2").json()

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-kind="changed"' in html and "<ins>shows.</ins>" in html
    assert "<del>is visible.</del>" in html
    assert (api["added"], api["removed"], api["changed"]) == (0, 0, 1)


# --- pages -------------------------------------------------------------------------------


def test_the_version_page_shows_the_stored_html_and_its_sections_as_a_table_of_contents(world):
    guide = world["guide"]
    version = world["version"]
    # The stored HTML is what is served: published versions are never re-rendered.
    GuideVersion.objects.filter(pk=version.pk).update(html="<p>stored-at-publish</p>")

    response = world["annotator"].get(f"/guides/{guide.pk}/v1/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "stored-at-publish" in html
    assert 'href="#s-shadows">§ Shadows</a>' in html


#: Session, user, membership, the guide, its version and versions, acknowledgement, quiz,
#: examples, FAQ, questions, and the shell's notices, each once (the panels' templates
#: once ran the shell's notices again each: 52 queries).
VERSION_PAGE_QUERIES = 18


def test_the_version_page_and_its_panels_ask_the_database_a_bounded_number_of_times(
    world, django_assert_max_num_queries
):
    guide = world["guide"]
    world["annotator"].get(f"/guides/{guide.pk}/v1/")  # the session's first touches

    with django_assert_max_num_queries(VERSION_PAGE_QUERIES):
        response = world["annotator"].get(f"/guides/{guide.pk}/v1/")

    assert response.status_code == 200


def test_the_guide_list_shows_each_guide_with_its_latest_version_and_draft_state(world):
    guide = world["guide"]
    guide.refresh_from_db()
    services.guide_draft_save(guide=guide, body="# Changed", revision=guide.draft_revision)
    services.guide_create(dataset=world["other_dataset"], title="Draft only")

    response = world["planner"].get("/guides/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/guides/{guide.pk}/v1/">v1</a>' in html
    assert "Unpublished changes" in html and "Not published yet" in html


def test_the_new_guide_form_creates_the_guide_and_opens_its_draft(world):
    response = world["planner"].post(
        "/guides/new/", {"dataset": world["other_dataset"].pk, "title": "B's guide"}
    )

    guide = Guide.objects.get(dataset=world["other_dataset"])
    assert response.status_code == 302 and response["Location"] == f"/guides/{guide.pk}/draft/"


def test_a_second_guide_for_a_dataset_is_refused_beside_the_form(world):
    response = world["planner"].post(
        "/guides/new/", {"dataset": world["dataset"].pk, "title": "Again"}
    )

    assert response.status_code == 409
    assert "already has that guide" in response.content.decode()
    assert Guide.objects.filter(dataset=world["dataset"]).count() == 1


# --- attachments -------------------------------------------------------------------------


def test_an_uploaded_image_is_stored_without_its_metadata_and_served_to_the_guides_readers(
    world,
):
    guide = world["guide"]

    response = _upload(world["planner"], guide, _png_with_text(), "photo.png")

    assert response.status_code == 201
    attachment = Attachment.objects.get(pk=response.json()["id"])
    stored = default_storage.open(attachment.file.name).read()
    assert b"126.9780E" not in stored
    assert Image.open(io.BytesIO(stored)).size == (40, 30)
    assert response.json()["markdown"] == f"![photo.png](attachment:{attachment.pk})"
    served = world["annotator"].get(response.json()["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == stored
    assert world["other_annotator"].get(response.json()["url"]).status_code == 404


def test_an_svg_is_refused_with_a_400_naming_svg_and_nothing_is_stored(world):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>x</script></svg>'

    response = _upload(world["planner"], world["guide"], svg, "logo.png")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "svg_refused"
    assert "SVG" in response.json()["error"]["fields"]["file"]
    assert not Attachment.objects.exists()


def test_a_published_guide_shows_its_own_attachment_and_nothing_else(world):
    guide, planner = world["guide"], world["planner"]
    attachment_id = _upload(planner, guide, _png_with_text(), "shadow.png").json()["id"]

    version = publish(
        guide, f"![shadow](attachment:{attachment_id}) ![x](https://evil.example/x.png)"
    )

    assert f'src="/guides/{guide.pk}/attachments/{attachment_id}/"' in version.html
    assert "evil.example" not in version.html


def test_the_guide_list_api_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for _ in range(3):
        guide_published(DatasetFactory())

    with django_assert_max_num_queries(6):
        response = world["planner"].get("/api/v1/guides/")

    assert response.status_code == 200
    assert [g["latest_version"] for g in response.json()["results"]] == [1, 1, 1, 1]
