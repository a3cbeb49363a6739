"""The item browser's pages: the grid with its filters, one item with its boxes, the files."""

import re

import pytest
from django.test import Client
from django.utils import translation

from accounts.models import Role
from datasets import services
from datasets.models import GroundTruthVersion, Item, ItemEvent
from tests.factories.datasets import DatasetFactory, formula_schema
from tests.factories.images import image_bytes

pytestmark = pytest.mark.django_db

ANNOTATION = {
    "regions": [
        {
            "id": "r1",
            "type": "formula",
            "bbox": [10.5, 8, 120, 30],
            "attributes": {"latex": "\\frac{a}{b}"},
            "parent": None,
        },
        {
            "id": "r2",
            "type": "char",
            "bbox": [12, 9, 10, 12],
            "attributes": {"symbol": "a"},
            "parent": "r1",
        },
        {
            "id": "r3",
            "type": "char",
            "bbox": [12, 24, 10, 12],
            "attributes": {"symbol": "b"},
            "parent": "r1",
        },
    ],
    "categories": {"capture": "shadow"},
}


@pytest.fixture
def dataset():
    dataset = DatasetFactory()
    capture = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=None)
    for slug in ("clean", "shadow"):
        services.category_create(axis=capture, name=slug.title(), slug=slug, by=None)
    return dataset


def _client(make_user, role: str) -> Client:
    client = Client()
    client.force_login(make_user(role))
    return client


@pytest.fixture
def planner(make_user) -> Client:
    return _client(make_user, Role.PLANNER)


def _item(dataset, seed: int, category: str | None = None, **image) -> Item:
    image.setdefault("size", (200 + seed, 100))
    categories = [dataset.axes.get().categories.get(slug=category)] if category else []
    item, _created = services.item_register(
        dataset=dataset, file=image_bytes(seed, **image), name=f"p{seed}.jpg", categories=categories
    )
    return item


def _shown(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-item="(\d+)"', html)]


def test_the_grid_shows_lazy_thumbnails_newest_first(planner, dataset):
    items = [_item(dataset, seed) for seed in range(3)]

    response = planner.get(f"/datasets/{dataset.id}/items/")

    html = response.content.decode()
    assert response.status_code == 200
    assert _shown(html) == [item.id for item in reversed(items)]
    for item in items:
        assert (
            f'src="/datasets/{dataset.id}/items/{item.id}/file/thumbnail/" loading="lazy"' in html
        )
    assert "3 shown" in html
    assert 'rel="next"' not in html


def test_the_grid_shows_fifty_and_links_the_next_page_without_counting(planner, dataset):
    items = [_item(dataset, seed) for seed in range(52)]

    first = planner.get(f"/datasets/{dataset.id}/items/", {"category": ""})
    next_url = re.search(r'href="([^"]*before=\d+)" rel="next"', first.content.decode()).group(1)
    second = planner.get(f"/datasets/{dataset.id}/items/{next_url.replace('&amp;', '&')}")

    assert len(_shown(first.content.decode())) == 50
    assert "50 shown" in first.content.decode()
    assert _shown(second.content.decode()) == [items[1].id, items[0].id]


def test_the_filter_bar_narrows_the_grid_and_keeps_its_choice(planner, dataset):
    shadow = _item(dataset, 1, "shadow")
    _item(dataset, 2, "clean")

    response = planner.get(f"/datasets/{dataset.id}/items/", {"category": "capture=shadow"})

    html = response.content.decode()
    assert _shown(html) == [shadow.id]
    assert '<option value="capture=shadow" selected>' in html


def test_a_bad_filter_shows_its_reason_with_a_400(planner, dataset):
    _item(dataset, 1)

    response = planner.get(f"/datasets/{dataset.id}/items/", {"status": "lost"})

    assert response.status_code == 400
    assert "“lost” is not a valid status" in response.content.decode()
    assert _shown(response.content.decode()) == []


def test_a_planner_gets_checkboxes_and_the_bulk_form_a_reviewer_does_not(make_user, dataset):
    item = _item(dataset, 1)

    planner_html = _client(make_user, Role.PLANNER).get(f"/datasets/{dataset.id}/items/")
    reviewer_html = _client(make_user, Role.REVIEWER).get(f"/datasets/{dataset.id}/items/")

    assert f'name="item" value="{item.id}"' in planner_html.content.decode()
    assert 'name="all_matching"' in planner_html.content.decode()
    assert reviewer_html.status_code == 200
    assert 'name="item"' not in reviewer_html.content.decode()
    assert "bulk-form" not in reviewer_html.content.decode()


def test_bulk_form_sets_a_category_on_all_items_matching_the_filter(planner, dataset):
    clean = [_item(dataset, seed, "clean") for seed in range(3)]
    other = _item(dataset, 9)

    response = planner.post(
        f"/datasets/{dataset.id}/items/categories/",
        {"filter_query": "category=capture%3Dclean", "all_matching": "1", "set": "capture=shadow"},
        follow=True,
    )

    assert "3 items changed their category." in response.content.decode()
    assert (
        response.redirect_chain[-1][0] == f"/datasets/{dataset.id}/items/?category=capture%3Dclean"
    )
    for item in clean:
        assert item.categories.get().slug == "shadow"
    assert not other.categories.exists()


def test_a_large_bulk_change_goes_to_a_worker_and_the_list_shows_its_progress(
    planner, dataset, monkeypatch
):
    from datasets.services import categories

    monkeypatch.setattr(categories, "INLINE_LIMIT", 1)
    clean = [_item(dataset, seed, "clean") for seed in range(3)]

    response = planner.post(
        f"/datasets/{dataset.id}/items/categories/",
        {"filter_query": "", "all_matching": "1", "set": "capture=shadow"},
        follow=True,
    )

    html = response.content.decode()
    assert "A worker is setting the category on 3 items" in html
    assert 'class="category-change"' in html and 'http-equiv="refresh"' in html
    assert all(item.categories.get().slug == "clean" for item in clean)


def test_bulk_form_sets_a_category_on_the_ticked_items_only(planner, dataset):
    first, second, third = (_item(dataset, seed, "clean") for seed in range(3))

    response = planner.post(
        f"/datasets/{dataset.id}/items/categories/",
        {"item": [first.id, third.id], "set": "capture=", "filter_query": ""},
        follow=True,
    )

    assert "2 items changed their category." in response.content.decode()
    assert not first.categories.exists() and not third.categories.exists()
    assert second.categories.get().slug == "clean"


@pytest.mark.parametrize(
    "form",
    [
        {"set": "capture=shadow", "filter_query": ""},
        {"set": "", "all_matching": "1", "filter_query": ""},
        {"set": "capture=foggy", "all_matching": "1", "filter_query": ""},
        {"set": "capture=shadow", "all_matching": "1", "filter_query": "status=lost"},
    ],
)
def test_a_refused_bulk_form_says_why_and_changes_nothing(planner, dataset, form):
    item = _item(dataset, 1, "clean")

    response = planner.post(f"/datasets/{dataset.id}/items/categories/", form)

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert item.categories.get().slug == "clean"
    assert not ItemEvent.objects.filter(kind="categories").exists()


def test_a_reviewer_cannot_post_the_bulk_form(make_user, dataset):
    item = _item(dataset, 1, "clean")

    response = _client(make_user, Role.REVIEWER).post(
        f"/datasets/{dataset.id}/items/categories/",
        {"all_matching": "1", "set": "capture=shadow", "filter_query": ""},
    )

    assert response.status_code == 403
    assert item.categories.get().slug == "clean"


def test_the_item_page_draws_the_ground_truth_over_the_rendition(planner, dataset):
    formula_schema(dataset)
    item = _item(dataset, 1, "shadow", size=(400, 300))
    services.ground_truth_record(
        item=item, annotation=ANNOTATION, source=GroundTruthVersion.Source.GENERATOR
    )

    response = planner.get(f"/datasets/{dataset.id}/items/{item.id}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'src="/datasets/{dataset.id}/items/{item.id}/file/rendition/"' in html
    assert 'viewBox="0 0 400 300"' in html
    assert re.search(
        r'<rect class="region formula" data-region="r1" data-type="formula" '
        r'x="10.5" y="8.0" width="120.0" height="30.0">',
        html,
    )
    assert html.count('class="region char"') == 2
    assert "<title>formula r1: \\frac{a}{b}</title>" in html
    assert 'data-box="10.5,8.0,120.0,30.0"' in html


def test_the_item_page_typesets_latex_with_katex_and_keeps_the_source_one_click_away(
    planner, dataset
):
    formula_schema(dataset)
    item = _item(dataset, 1, "shadow", size=(400, 300))
    services.ground_truth_record(item=item, annotation=ANNOTATION, source="generator")

    html = planner.get(f"/datasets/{dataset.id}/items/{item.id}/").content.decode()

    table = html[html.index('<table class="formulas">') : html.index("</table>")]
    label = html[html.index('class="region-label') : html.index('class="label-short"')]
    assert '<details class="latex"><summary' in table
    assert '<span class="katex">' in table and '<span class="mfrac">' in table
    assert '<code class="latex-source">\\frac{a}{b}</code>' in table
    assert '<span class="katex">' in label
    assert "vendor/katex/katex.min.css" in html
    assert "katex.min.js" not in html and "katex.mjs" not in html  # no math code in the page


def test_a_formula_that_does_not_parse_shows_its_source_marked_never_a_500(planner, dataset):
    formula_schema(dataset)
    item = _item(dataset, 1, "shadow", size=(400, 300))
    broken = {
        "regions": [{**ANNOTATION["regions"][0], "attributes": {"latex": "\\frac{a}{"}}],
        "categories": {},
    }
    version = GroundTruthVersion.objects.create(  # as an import from an older tool left it
        item=item, number=1, annotation=broken, source="import", spec_version=1
    )
    Item.objects.filter(pk=item.pk).update(ground_truth=version)

    response = planner.get(f"/datasets/{dataset.id}/items/{item.id}/")

    html = response.content.decode()
    table = html[html.index('<table class="formulas">') : html.index("</table>")]
    assert response.status_code == 200
    assert '<span class="latex latex-invalid" title="KaTeX parse error' in table
    assert '<code class="latex-source">\\frac{a}{</code>' in table
    assert "does not parse" in table
    assert '<span class="katex">' not in table
    assert 'class="region-label latex-invalid"' in html


def test_the_item_page_lists_the_ground_truth_versions_newest_first(planner, dataset, make_user):
    formula_schema(dataset)
    item = _item(dataset, 1, "shadow", size=(400, 300))
    reviewer = make_user(Role.REVIEWER, username="rita")
    services.ground_truth_record(item=item, annotation=ANNOTATION, source="generator")
    services.ground_truth_record(
        item=item,
        annotation=ANNOTATION,
        source="review",
        task_id=5,
        annotation_id=9,
        annotation_version=2,
        types=["char"],
        base_version=1,
        by=reviewer,
    )

    html = planner.get(f"/datasets/{dataset.id}/items/{item.id}/").content.decode()

    table = html[html.index('data-testid="truth-versions"') :]
    rows = re.findall(r'<tr data-version="(\d+)"( class="current" aria-current="true")?', table)
    assert rows == [("2", ' class="current" aria-current="true"'), ("1", "")]
    newest = table[table.index('data-version="2"') : table.index('data-version="1"')]
    assert "Accepted in review" in newest and "(char)" in newest and "task 5" in newest
    assert "<td>rita</td>" in newest
    assert "Synthetic generator" in table[table.index('data-version="1"') :]
    assert "Ground truth version 2 (Accepted in review): 3 regions." in html


def test_the_item_page_shows_facts_download_and_history(planner, dataset):
    item = _item(dataset, 1, "clean")

    html = planner.get(f"/datasets/{dataset.id}/items/{item.id}/").content.decode()

    assert item.sha256 in html
    assert "201 × 100 pixels" in html
    assert "p1.jpg" in html
    assert f'href="/datasets/{dataset.id}/items/{item.id}/file/original/" download' in html
    assert 'data-kind="uploaded"' in html
    assert "No ground truth yet." in html
    assert "<svg" not in html
    assert f'href="/datasets/{dataset.id}/"' in html  # back to the dataset


def test_a_planner_changes_the_categories_on_the_item_page(planner, dataset):
    item = _item(dataset, 1, "clean")

    response = planner.post(
        f"/datasets/{dataset.id}/items/{item.id}/categories/",
        {"category-capture": "shadow"},
        follow=True,
    )

    html = response.content.decode()
    assert "Categories saved." in html
    assert item.categories.get().slug == "shadow"
    assert "capture: clean → shadow" in html
    assert '<option value="shadow" selected>' in html


def test_an_unknown_category_on_the_item_page_is_refused(planner, dataset):
    item = _item(dataset, 1, "clean")

    response = planner.post(
        f"/datasets/{dataset.id}/items/{item.id}/categories/", {"category-capture": "foggy"}
    )

    assert response.status_code == 400
    assert "“capture=foggy” is not a category of this dataset." in response.content.decode()
    assert item.categories.get().slug == "clean"


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
def test_reviewers_and_trainers_see_the_item_page_without_the_form(make_user, dataset, role):
    item = _item(dataset, 1, "clean")
    client = _client(make_user, role)

    page = client.get(f"/datasets/{dataset.id}/items/{item.id}/")
    post = client.post(
        f"/datasets/{dataset.id}/items/{item.id}/categories/", {"category-capture": "shadow"}
    )

    assert page.status_code == 200
    assert "category-capture" not in page.content.decode()
    assert post.status_code == 403
    assert item.categories.get().slug == "clean"


@pytest.mark.parametrize("role", [Role.VENDOR_MANAGER, Role.ANNOTATOR])
def test_vendor_roles_get_404_on_item_pages(make_user, dataset, role):
    item = _item(dataset, 1, "clean")
    client = _client(make_user, role)

    responses = [
        client.get(f"/datasets/{dataset.id}/items/"),
        client.get(f"/datasets/{dataset.id}/items/{item.id}/"),
        client.post(
            f"/datasets/{dataset.id}/items/{item.id}/categories/", {"category-capture": ""}
        ),
        client.get(f"/datasets/{dataset.id}/items/{item.id}/file/thumbnail/"),
    ]

    assert [response.status_code for response in responses] == [404] * 4
    assert item.categories.get().slug == "clean"


def test_an_item_of_another_dataset_is_not_found_on_this_ones_page(planner, dataset):
    foreign = _item(DatasetFactory(), 1)

    response = planner.get(f"/datasets/{dataset.id}/items/{foreign.id}/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [
        ("original", "image/png"),
        ("image", "image/png"),
        ("rendition", "image/png"),  # small: the upright image serves as the rendition
        ("thumbnail", "image/jpeg"),
    ],
)
def test_each_file_kind_is_served_with_its_type_and_nosniff(planner, dataset, kind, content_type):
    item = _item(dataset, 1, image_format="PNG")
    services.item_process(item_id=item.id)

    response = planner.get(f"/datasets/{dataset.id}/items/{item.id}/file/{kind}/")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:4] in {b"\x89PNG", b"\xff\xd8\xff\xe0"}


def test_a_large_photo_gets_a_jpeg_rendition_and_thumbnail(planner, dataset):
    item = _item(dataset, 1, size=(2600, 1200))
    services.item_process(item_id=item.id)

    types = {
        kind: planner.get(f"/datasets/{dataset.id}/items/{item.id}/file/{kind}/")["Content-Type"]
        for kind in ("original", "image", "rendition", "thumbnail")
    }

    assert set(types.values()) == {"image/jpeg"}


def test_before_processing_the_thumbnail_falls_back_to_the_image(planner, dataset):
    item = _item(dataset, 1, image_format="PNG")

    response = planner.get(f"/datasets/{dataset.id}/items/{item.id}/file/thumbnail/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_item_history_is_written_in_the_readers_language(make_user, dataset):
    formula_schema(dataset)
    with translation.override("ko"):  # what a Korean planner's request did
        item = _item(dataset, 1, "clean", size=(400, 300))
    services.ground_truth_record(item=item, annotation=ANNOTATION, source="generator")
    services.item_categories_set(item=item, changes={"capture": "shadow"}, by=None)
    korean = Client()
    korean.force_login(make_user(Role.PLANNER, language="ko"))
    english = Client()
    english.force_login(make_user(Role.PLANNER, language="en"))

    korean_html = korean.get(f"/datasets/{dataset.id}/items/{item.id}/").content.decode()
    english_html = english.get(f"/datasets/{dataset.id}/items/{item.id}/").content.decode()

    assert "“p1.jpg”(으)로 올렸습니다." in korean_html
    assert "정답 버전 1을(를) 기록했습니다(합성 생성기)." in korean_html
    assert "Uploaded as “p1.jpg”." in english_html
    assert "Ground truth version 1 recorded (Synthetic generator)." in english_html
    assert "capture: clean → shadow" in english_html and "capture: clean → shadow" in korean_html
    assert "올렸습니다" not in english_html


def test_item_history_stores_what_happened_not_a_sentence(dataset):
    with translation.override("ko"):
        item = _item(dataset, 1, "clean")
        services.item_categories_set(item=item, changes={"capture": None}, by=None)

    events = list(item.events.values_list("kind", "params"))

    assert events == [
        ("uploaded", {"name": "p1.jpg"}),
        ("categories", {"changes": [{"axis": "capture", "before": "clean", "after": None}]}),
    ]


def test_a_korean_reader_reads_processing_as_a_state(make_user, dataset):
    item = _item(dataset, 1, "clean")
    services.item_process(item_id=item.id)
    korean = Client()
    korean.force_login(make_user(Role.PLANNER, language="ko"))

    page = korean.get(f"/datasets/{dataset.id}/items/{item.id}/").content.decode()
    grid = korean.get(f"/datasets/{dataset.id}/items/").content.decode()

    assert "<dt>처리 상태</dt><dd>준비됨</dd>" in page
    assert "처리 중" not in page
    assert "<label>처리 상태" in grid


def test_the_versions_table_typesets_the_latex_each_version_changed(planner, dataset):
    formula_schema(dataset)
    item = _item(dataset, 1, "shadow", size=(400, 300))
    first = {"regions": [ANNOTATION["regions"][0]], "categories": {}}
    second = {
        "regions": [
            {**ANNOTATION["regions"][0], "attributes": {"latex": "\\frac{a}{c}"}},
            {**ANNOTATION["regions"][0], "id": "r4", "attributes": {"latex": "y^{2}"}},
        ],
        "categories": {},
    }
    services.ground_truth_record(item=item, annotation=first, source="generator")
    services.ground_truth_record(item=item, annotation=second, source="import")

    html = planner.get(f"/datasets/{dataset.id}/items/{item.id}/").content.decode()

    start = html.index('data-changes-of="2"')
    changes = html[start : html.index("</tr>", start)]
    assert 'data-changes-of="1"' not in html
    assert changes.count('<span class="katex">') == 3  # r1 before and after, r4 after
    assert '<code class="latex-source">\\frac{a}{b}</code>' in changes
    assert '<code class="latex-source">\\frac{a}{c}</code>' in changes
    assert '<li data-region="r4"><span class="region-id">r4</span> —' in changes
