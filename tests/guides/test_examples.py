"""A guide's examples: placed from an item (its ground truth snapshotted) or an upload (its
regions from a canonical JSON checked against the schema), served and drawn behind the
guide's policy, changed, reordered and removed."""

import io
import json

import pytest
from django.template import Context, Template
from PIL import Image

from accounts.models import Role
from core.errors import DomainError
from datasets import services as dataset_services
from guides import services
from guides.models import Attachment, Example, QuizQuestion
from tests.factories.datasets import DatasetFactory, char_region, formula_region, formula_schema
from tests.factories.guides import GUIDE_BODY, guide_published
from tests.factories.images import image_bytes, located_photo, metadata_in
from tests.factories.items import located_item
from tests.factories.vendors import VendorFactory, contract_for, member_of

pytestmark = pytest.mark.django_db

TRUTH = {
    "regions": [
        formula_region("r1", bbox=(4, 6, 40, 20), latex="\\frac{a}{b}"),
        char_region("r2", "r1", bbox=(6, 8, 6, 8), symbol="a"),
    ],
    "categories": {},
}
WRONG = {"regions": [formula_region("w1", bbox=(10, 10, 20, 12), latex="x")], "categories": {}}


@pytest.fixture
def world(client_for):
    """Dataset A with a published guide and an item with ground truth; vendor A contracted
    on A, vendor B on dataset B; a client for each role that matters."""
    dataset = formula_schema(DatasetFactory(name="Formulas A"))
    other = formula_schema(DatasetFactory(name="Formulas B"))
    item = located_item(dataset)
    dataset_services.ground_truth_record(item=item, annotation=TRUTH, source="generator")
    version = guide_published(dataset, body=GUIDE_BODY)
    vendor_a, vendor_b = VendorFactory(name="Vendor A"), VendorFactory(name="Vendor B")
    contract_for(vendor_a, dataset)
    contract_for(vendor_b, other)
    guide_published(other, title="Guide of B")
    clients = {role: client_for(role) for role in (Role.PLANNER, Role.TRAINER)}
    for name, vendor in (("annotator", vendor_a), ("other_annotator", vendor_b)):
        client = client_for(Role.ANNOTATOR)
        member_of(vendor, user=client.user)
        clients[name] = client
    return {"dataset": dataset, "item": item, "guide": version.guide, "clients": clients}


def _good(world, **changes):
    values = {
        "guide": world["guide"],
        "verdict": "good",
        "caption": "Still box the whole formula",
        "anchor": "shadows",
        "item_id": world["item"].pk,
        **changes,
    }
    return services.example_create(**values)


def _url(guide, tail=""):
    return f"/api/v1/guides/{guide.pk}/examples/{tail}"


def test_a_good_item_example_snapshots_its_ground_truth(world):
    example = _good(world)
    changed = {"regions": [formula_region("r9", bbox=(1, 1, 5, 5))], "categories": {}}
    dataset_services.ground_truth_record(item=world["item"], annotation=changed, source="import")

    example.refresh_from_db()
    assert [region["id"] for region in example.annotation["regions"]] == ["r1", "r2"]
    assert example.item_id == world["item"].pk and example.attachment_id is None


def test_a_bad_example_draws_the_uploaded_regions_checked_against_the_schema(world):
    upload = io.BytesIO(json.dumps(WRONG).encode())

    example = _good(world, verdict="bad", annotation=upload, caption="A box cut short")

    assert example.verdict == "bad"
    assert example.annotation["regions"][0]["id"] == "w1"
    assert example.annotation["regions"][0]["bbox"] == [10.0, 10.0, 20.0, 12.0]


def test_a_bad_example_without_regions_is_refused(world):
    with pytest.raises(DomainError) as refused:
        _good(world, verdict="bad")

    assert refused.value.fields.keys() == {"annotation"}
    assert not Example.objects.exists()


def test_an_annotation_the_schema_refuses_is_a_400_naming_the_field(world):
    planner = world["clients"][Role.PLANNER]
    wrong = {"regions": [{**WRONG["regions"][0], "type": "tabel"}], "categories": {}}

    response = planner.post(
        _url(world["guide"]),
        {
            "verdict": "bad",
            "caption": "Wrong type",
            "item": world["item"].pk,
            "annotation": wrong,
        },
        format="json",
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_annotation"
    assert "annotation.regions.w1.type" in error["fields"]
    assert "tabel" in error["fields"]["annotation.regions.w1.type"]
    assert not Example.objects.exists()


def test_an_annotation_file_that_is_not_json_is_a_400_naming_it(world):
    planner = world["clients"][Role.PLANNER]
    broken = io.BytesIO(b'{"regions": [')
    broken.name = "regions.json"

    response = planner.post(
        _url(world["guide"]),
        {"verdict": "bad", "caption": "x", "item": world["item"].pk, "annotation": broken},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["annotation"].startswith("The annotation is not JSON")
    assert not Example.objects.exists()


def test_a_box_outside_the_uploaded_image_is_refused_and_no_file_is_kept(world):
    planner = world["clients"][Role.PLANNER]
    image = io.BytesIO(image_bytes(2, size=(64, 48), image_format="PNG"))
    image.name = "cut.png"
    outside = {"regions": [formula_region("r1", bbox=(50, 10, 40, 10))]}

    response = planner.post(
        _url(world["guide"]),
        {
            "verdict": "good",
            "caption": "x",
            "image": image,
            "annotation": json.dumps(outside),
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert "annotation.regions.r1.bbox" in response.json()["error"]["fields"]
    assert not Attachment.objects.filter(guide=world["guide"]).exclude(name="shadow.png").exists()


def test_an_uploaded_example_is_stored_upright_without_its_metadata(world):
    planner = world["clients"][Role.PLANNER]
    image = io.BytesIO(located_photo(3, size=(64, 48), orientation=6))
    image.name = "phone.jpg"

    response = planner.post(
        _url(world["guide"]),
        {
            "verdict": "good",
            "caption": "Upright",
            "anchor": "edge",
            "image": image,
            "annotation": json.dumps({"regions": [formula_region("r1", bbox=(2, 2, 40, 60))]}),
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["width"], body["height"]) == (48, 64)  # turned as its EXIF said
    served = planner.get(body["image"])
    data = b"".join(served.streaming_content)
    assert served["Content-Type"] in {"image/png", "image/jpeg"}
    assert metadata_in(data) == set()
    assert Image.open(io.BytesIO(data)).size == (48, 64)


def test_an_svg_upload_is_refused_naming_it(world):
    planner = world["clients"][Role.PLANNER]
    svg = io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>')
    svg.name = "x.png"

    response = planner.post(
        _url(world["guide"]),
        {"verdict": "good", "caption": "x", "image": svg, "annotation": json.dumps(WRONG)},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "svg_refused"
    assert "SVG" in response.json()["error"]["fields"]["image"]
    assert not Example.objects.exists()


def test_an_example_placed_in_a_section_the_guide_lacks_is_refused(world):
    with pytest.raises(DomainError) as refused:
        _good(world, anchor="nowhere")

    assert refused.value.code == "unknown_section"
    assert "nowhere" in refused.value.fields["anchor"]


def test_an_item_of_another_dataset_is_refused(world):
    other_item = located_item(DatasetFactory(), seed=5)

    with pytest.raises(DomainError) as refused:
        _good(world, item_id=other_item.pk)

    assert refused.value.fields.keys() == {"item"}


def test_vendor_b_cannot_see_vendor_as_examples(world):
    example = _good(world)
    other = world["clients"]["other_annotator"]
    guide = world["guide"]

    listed = other.get(_url(guide))
    one = other.get(_url(guide, f"{example.pk}/"))
    image = other.get(f"/guides/{guide.pk}/examples/{example.pk}/image/")
    page = other.get(f"/guides/{guide.pk}/examples/")

    assert (listed.status_code, one.status_code, image.status_code) == (404, 404, 404)
    assert page.status_code == 404


def test_vendor_as_annotator_reads_the_examples_and_their_images_but_writes_nothing(world):
    example = _good(world)
    annotator = world["clients"]["annotator"]
    guide = world["guide"]

    listed = annotator.get(_url(guide))
    image = annotator.get(f"/guides/{guide.pk}/examples/{example.pk}/image/")
    refused = annotator.patch(_url(guide, f"{example.pk}/"), {"caption": "x"}, format="json")

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()] == [example.pk]
    assert image.status_code == 200 and image["Content-Type"].startswith("image/")
    assert refused.status_code == 403
    assert Example.objects.get(pk=example.pk).caption == "Still box the whole formula"


def test_the_list_pins_its_query_count(world, django_assert_max_num_queries):
    for number in range(5):
        _good(world, caption=f"Example {number}")
    planner = world["clients"][Role.PLANNER]

    with django_assert_max_num_queries(12):
        response = planner.get(_url(world["guide"]))

    assert len(response.json()) == 5


def test_a_planner_changes_caption_verdict_section_and_regions(world):
    example = _good(world)
    planner = world["clients"][Role.PLANNER]

    response = planner.patch(
        _url(world["guide"], f"{example.pk}/"),
        {"caption": "Cut short", "verdict": "bad", "anchor": "edge", "annotation": WRONG},
        format="json",
    )

    assert response.status_code == 200, response.content
    example.refresh_from_db()
    assert (example.caption, example.verdict, example.anchor) == ("Cut short", "bad", "edge")
    assert [region["id"] for region in example.annotation["regions"]] == ["w1"]


def test_reordering_names_every_example_once(world):
    first, second, third = (_good(world, caption=f"E{n}") for n in range(3))
    planner = world["clients"][Role.PLANNER]

    short = planner.post(_url(world["guide"], "order/"), {"order": [third.pk]}, format="json")
    moved = planner.post(
        _url(world["guide"], "order/"), {"order": [third.pk, first.pk, second.pk]}, format="json"
    )

    assert short.status_code == 400 and "order" in short.json()["error"]["fields"]
    assert [row["id"] for row in moved.json()] == [third.pk, first.pk, second.pk]


def test_an_example_a_published_quiz_asks_about_stays(world):
    example = _good(world)
    version = world["guide"].versions.get()
    QuizQuestion.objects.create(
        guide=world["guide"],
        version=version,
        example=example,
        prompt="Is this box right?",
        choices=["yes", "no"],
        correct=0,
    )

    response = world["clients"][Role.PLANNER].delete(_url(world["guide"], f"{example.pk}/"))

    assert response.status_code == 409
    assert Example.objects.filter(pk=example.pk).exists()


def test_the_panel_groups_by_section_and_says_good_and_bad_in_words(world):
    _good(world)
    _good(world, verdict="bad", annotation=WRONG, caption="A box cut short", anchor="edge")
    template = Template("{% load guide_examples %}{% examples_panel guide %}")

    html = template.render(
        Context({"guide": world["guide"], "version": world["guide"].versions.get()})
    )

    shadows = html.index('data-anchor="shadows"')
    edge = html.index('data-anchor="edge"')
    assert shadows < edge
    assert '<a href="#s-shadows">§ Shadows</a>' in html
    assert "✓</span> Good" in html and "✗</span> Bad" in html
    assert html.count('<rect class="region formula"') == 2
    assert 'data-region="w1"' in html[edge:]


def test_the_figure_tag_draws_one_example_without_telling_its_verdict(world):
    example = _good(world, verdict="bad", annotation=WRONG, caption="A box cut short")
    template = Template("{% load guide_examples %}{% example_figure example %}")

    html = template.render(Context({"example": example}))

    assert f'data-example="{example.pk}"' in html
    assert f'src="/guides/{world["guide"].pk}/examples/{example.pk}/image/"' in html
    assert 'viewBox="0 0 64 48"' in html and 'data-region="w1"' in html
    for telling in ("bad", "Bad", "✗", "A box cut short"):
        assert telling not in html


def test_the_figure_tag_reveals_the_verdict_when_asked(world):
    example = _good(world)
    template = Template("{% load guide_examples %}{% example_figure example reveal=True %}")

    html = template.render(Context({"example": example}))

    assert 'data-verdict="good"' in html and "✓</span> Good" in html
    assert "Still box the whole formula" in html


def test_the_page_adds_an_example_and_shows_a_refusal_beside_its_field(world):
    planner = world["clients"][Role.PLANNER]
    guide = world["guide"]
    url = f"/guides/{guide.pk}/examples/new/"
    wrong = io.BytesIO(json.dumps({"regions": [{"id": "w1", "type": "tabel"}]}).encode())
    wrong.name = "regions.json"

    refused = planner.post(
        url,
        {"item": world["item"].pk, "verdict": "bad", "caption": "x", "annotation": wrong},
    )
    added = planner.post(
        url,
        {"item": world["item"].pk, "verdict": "good", "caption": "Whole", "anchor": "shadows"},
    )

    assert refused.status_code == 400
    html = refused.content.decode()
    field = html[html.index('data-field="annotation"') :]
    assert "regions.w1.type" in field[: field.index("</div>")]
    assert added.status_code == 302
    assert Example.objects.get().caption == "Whole"
    page = planner.get(f"/guides/{guide.pk}/examples/").content.decode()
    assert "Whole" in page and 'id="add-example"' in page


def test_the_panel_links_planners_to_the_examples_page_and_nobody_else(world, rf):
    _good(world)
    template = Template("{% load guide_examples %}{% examples_panel guide %}")
    shown = {}
    for role in (Role.PLANNER, "annotator"):
        request = rf.get("/")
        request.user = world["clients"][role].user
        shown[role] = template.render(Context({"guide": world["guide"], "request": request}))

    link = f'href="/guides/{world["guide"].pk}/examples/"'
    assert link in shown[Role.PLANNER]
    assert link not in shown["annotator"] and 'data-example="' in shown["annotator"]


def test_moving_an_example_swaps_it_with_its_neighbour_in_its_own_section(world):
    first = _good(world, caption="S1")
    _good(world, caption="E1", anchor="edge")
    second = _good(world, caption="S2")

    services.example_move(example=second, offset=-1)
    services.example_move(example=first, offset=1)  # already last of its section: stays

    shadows = Example.objects.filter(anchor="shadows").order_by("position")
    assert [example.caption for example in shadows] == ["S2", "S1"]
