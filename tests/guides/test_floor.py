"""The guides floor: rendering, drafts with revisions, publishing, the acknowledgement gate."""

import pytest

from core.errors import DomainError
from guides import services
from guides.models import Guide, GuideVersion
from guides.rendering import guide_render
from tests.factories.accounts import UserFactory
from tests.factories.datasets import DatasetFactory
from tests.factories.guides import guide_published, publish

pytestmark = pytest.mark.django_db


def test_math_is_parsed_before_emphasis_and_typeset_after_sanitizing():
    rendered = guide_render("Box $a_1$ and $b_1$.\n\n<script>alert(1)</script>")

    assert "<em>" not in rendered.html
    assert rendered.html.count('class="katex"') == 2
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html


def test_heading_anchor_becomes_a_prefixed_id_and_a_section():
    rendered = guide_render("## Shadows {#shadows}\n\ntext")

    assert '<h2 id="s-shadows">Shadows</h2>' in rendered.html
    assert rendered.sections == [{"anchor": "shadows", "title": "Shadows"}]


def test_only_the_guides_own_attachments_are_shown():
    rendered = guide_render(
        "![ok](attachment:3) ![out](https://example.com/x.png) ![no](attachment:4)",
        attachment_urls={"3": "/guides/1/attachments/3/"},
    )

    assert rendered.html.count("<img") == 1
    assert 'src="/guides/1/attachments/3/"' in rendered.html
    assert "example.com" not in rendered.html


def test_a_formula_that_does_not_parse_shows_its_error_inline():
    rendered = guide_render("See $\\frac{$ here.")

    assert 'class="math-error"' in rendered.html
    assert rendered.formula_errors[0]["source"] == "\\frac{"


def test_a_stale_draft_save_is_a_409_with_the_current_text_and_changes_nothing():
    guide = services.guide_create(dataset=DatasetFactory(), title="Guide", body="one")
    services.guide_draft_save(guide=guide, body="two", revision=1)

    with pytest.raises(DomainError) as refused:
        services.guide_draft_save(guide=guide, body="three", revision=1)

    assert refused.value.status == 409
    assert refused.value.extra["current"] == {
        **refused.value.extra["current"],
        "body": "two",
        "revision": 2,
    }
    assert Guide.objects.get(pk=guide.pk).draft_body == "two"


def test_publishing_numbers_versions_and_keeps_them_immutable_copies():
    version = guide_published(DatasetFactory(), body="# One {#one}")
    second = publish(version.guide, "# Two {#two}")

    assert (version.number, second.number) == (1, 2)
    assert GuideVersion.objects.get(pk=version.pk).body == "# One {#one}"
    assert second.sections == [{"anchor": "two", "title": "Two"}]


def test_the_gate_asks_for_the_latest_major_version_and_not_a_minor_one():
    annotator = UserFactory(role="annotator")
    v1 = guide_published(DatasetFactory())
    dataset_id = v1.guide.dataset_id
    services.acknowledgement_record(version=v1, user=annotator)
    assert services.guide_gate(user=annotator, dataset_id=dataset_id) == []

    v2 = publish(v1.guide, "# Changed", minor=False)
    needs = services.guide_gate(user=annotator, dataset_id=dataset_id)
    assert [need.version for need in needs] == [v2]

    services.acknowledgement_record(version=v2, user=annotator)
    publish(v1.guide, "# Changed, typo fixed", minor=True)
    assert services.guide_gate(user=annotator, dataset_id=dataset_id) == []
