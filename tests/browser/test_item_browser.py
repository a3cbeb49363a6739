import pytest
from django.core.management import call_command

pytestmark = pytest.mark.browser


def _demo(photos: int):
    """The demo dataset with its photos processed, as the worker would have done."""
    call_command("seed_demo", photos=photos)
    from datasets import services
    from datasets.models import Dataset

    dataset = Dataset.objects.get(name="Math formula photos")
    for item_id in dataset.items.values_list("id", flat=True):
        services.item_process(item_id=item_id)
    return dataset


def _sign_in(page, live_server, username: str = "planner") -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "groundwork-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_planner_filters_by_category_and_sees_the_ground_truth_boxes(live_server, page, artifacts):
    dataset = _demo(photos=6)
    shadow = dataset.items.filter(categories__slug="shadow").order_by("-id")
    _sign_in(page, live_server)

    page.goto(f"{live_server.url}/datasets/{dataset.id}/items/")
    page.select_option("select[data-axis=capture]", "capture=shadow")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/items/?*category=capture%3Dshadow*")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.item-card img'))"
        ".every(image => image.complete && image.naturalWidth > 0)"
    )
    page.screenshot(path=artifacts / "item_list.png", full_page=True)
    shown = [
        int(pk)
        for pk in page.locator("li.item-card").evaluate_all("els => els.map(e => e.dataset.item)")
    ]
    page.locator(f"li[data-item='{shown[0]}'] a").click()
    page.wait_for_url(f"**/items/{shown[0]}/")
    page.wait_for_function("document.querySelector('.overlay-frame img').complete")
    page.screenshot(path=artifacts / "item_page.png", full_page=True)

    item = shadow.first()
    regions = item.ground_truth.annotation["regions"]
    formula = next(region for region in regions if region["type"] == "formula")
    image = page.locator(".overlay-frame img").bounding_box()
    box = page.locator(f"rect[data-region='{formula['id']}']").bounding_box()
    scale = image["width"] / item.width
    assert shown == list(shadow.values_list("id", flat=True))
    assert page.locator("svg.overlay rect.formula").count() == sum(
        region["type"] == "formula" for region in regions
    )
    assert page.locator("svg.overlay rect.char").count() == sum(
        region["type"] == "char" for region in regions
    )
    x, y, width, height = formula["bbox"]
    assert box["x"] == pytest.approx(image["x"] + x * scale, abs=2)
    assert box["y"] == pytest.approx(image["y"] + y * scale, abs=2)
    assert box["width"] == pytest.approx(width * scale, abs=2)
    assert box["height"] == pytest.approx(height * scale, abs=2)


def test_planner_sets_a_category_on_every_item_matching_the_filter(live_server, page, artifacts):
    dataset = _demo(photos=4)
    _sign_in(page, live_server)

    page.goto(f"{live_server.url}/datasets/{dataset.id}/items/?category=capture%3Dclean")
    page.check("#all-matching")
    assert page.locator("input.item-pick").first.is_disabled()
    page.select_option("#bulk-set", "capture=whiteout")
    page.get_by_role("button", name="Set category").click()
    page.wait_for_load_state()
    page.screenshot(path=artifacts / "item_bulk_set.png", full_page=True)

    assert "2 items changed their category." in page.locator(".messages").inner_text()
    assert dataset.items.filter(categories__slug="whiteout").count() == 2
    assert not dataset.items.filter(categories__slug="clean").exists()
