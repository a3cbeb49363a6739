"""A guide's examples in the browser: a planner places a good example from an item and a bad
one from an uploaded image with its regions in JSON; both are drawn with the item page's
overlay, boxes where the annotation puts them; an annotator of the contracted vendor reads
them in Korean."""

import json

import pytest

from accounts.models import Role
from datasets import services as dataset_services
from guides.models import Example
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.datasets import DatasetFactory, formula_region, formula_schema
from tests.factories.guides import GUIDE_BODY, guide_published
from tests.factories.images import image_bytes
from tests.factories.vendors import VendorFactory, contract_for, member_of

pytestmark = pytest.mark.browser

GOOD_BOX = (120, 90, 300, 80)
BAD_BOX = (40, 200, 150, 60)


def _sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def _drawn_where_annotated(page, example: Example, box, width: int) -> None:
    """The example's rect sits over its image where the annotation puts it: within 3 px,
    its 2 px stroke included."""
    figure = page.locator(f"figure[data-example='{example.pk}']")
    figure.locator("img").scroll_into_view_if_needed()
    page.wait_for_function(
        "id => { const i = document.querySelector(`figure[data-example='${id}'] img`);"
        " return i.complete && i.naturalWidth > 0; }",
        arg=example.pk,
    )
    image = figure.locator("img").bounding_box()
    rect = figure.locator("svg.overlay rect.formula").bounding_box()
    scale = image["width"] / width
    x, y, w, h = box
    assert abs(rect["x"] - (image["x"] + x * scale)) <= 3
    assert abs(rect["y"] - (image["y"] + y * scale)) <= 3
    assert abs(rect["width"] - w * scale) <= 3
    assert abs(rect["height"] - h * scale) <= 3


def test_planner_places_a_good_and_a_bad_example_drawn_over_their_images(
    live_server, browser, artifacts
):
    url = live_server.url
    dataset = formula_schema(DatasetFactory(name="Formula photos"))
    item, _created = dataset_services.item_register(
        dataset=dataset, file=image_bytes(4, size=(640, 480)), name="shadow.jpg"
    )
    item = dataset_services.item_process(item_id=item.pk)
    truth = {"regions": [formula_region("r1", bbox=GOOD_BOX, latex="\\frac{a}{b}")]}
    dataset_services.ground_truth_record(item=item, annotation=truth, source="generator")
    guide = guide_published(dataset, body=GUIDE_BODY).guide
    vendor = VendorFactory(name="Vendor A")
    contract_for(vendor, dataset)
    UserFactory(username="plan", role=Role.PLANNER)
    member_of(vendor, user=UserFactory(username="reader", role=Role.ANNOTATOR))

    planner = browser.new_context(viewport={"width": 1280, "height": 900})
    page = planner.new_page()
    _sign_in(page, url, "plan")
    page.goto(f"{url}/guides/{guide.pk}/examples/")
    page.fill("#id_item", str(item.pk))
    page.check("#id_verdict_0")
    page.fill("#id_caption", "Still box the whole formula")
    page.select_option("#id_anchor", "shadows")
    page.click("#add-example button[type=submit]")
    page.wait_for_selector("figure.example-figure")

    wrong = {"regions": [formula_region("w1", bbox=BAD_BOX, latex="x")]}
    page.set_input_files(
        "#id_image",
        files=[
            {
                "name": "cut.png",
                "mimeType": "image/png",
                "buffer": image_bytes(7, size=(400, 300), image_format="PNG"),
            }
        ],
    )
    page.check("#id_verdict_1")
    page.fill("#id_caption", "The box stops where the shadow begins")
    page.select_option("#id_anchor", "edge")
    page.set_input_files(
        "#id_annotation",
        files=[
            {
                "name": "regions.json",
                "mimeType": "application/json",
                "buffer": json.dumps(wrong).encode(),
            }
        ],
    )
    page.click("#add-example button[type=submit]")
    page.wait_for_selector("figure.example-figure[data-verdict='bad']")
    page.screenshot(path=artifacts / "guide_examples.png", full_page=True)

    good = Example.objects.get(verdict="good")
    bad = Example.objects.get(verdict="bad")
    assert good.item_id == item.pk and bad.attachment_id is not None
    _drawn_where_annotated(page, good, GOOD_BOX, 640)
    _drawn_where_annotated(page, bad, BAD_BOX, 400)
    sections = page.locator(".example-section").evaluate_all(
        "els => els.map(e => e.dataset.anchor)"
    )
    assert sections == ["shadows", "edge"]
    planner.close()

    reader = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="ko",
        extra_http_headers={"Accept-Language": "ko"},
    )
    page = reader.new_page()
    _sign_in(page, url, "reader")
    page.goto(f"{url}/guides/{guide.pk}/examples/")
    page.wait_for_selector("figure.example-figure[data-verdict='bad']")
    page.screenshot(path=artifacts / "guide_examples_ko.png", full_page=True)
    verdicts = page.locator(".example-figure .verdict").all_inner_texts()
    assert [text.split()[0] for text in verdicts] == ["✓", "✗"]
    assert page.locator("#add-example").count() == 0
    _drawn_where_annotated(page, bad, BAD_BOX, 400)
    reader.close()
