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
    # a generated photo (the demo vendor's collected ones have no ground truth)
    item = shadow.filter(contract_id=None).first()
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
    page.locator(f"li[data-item='{item.pk}'] a").click()
    page.wait_for_url(f"**/items/{item.pk}/")
    page.wait_for_function("document.querySelector('.overlay-frame img').complete")
    page.screenshot(path=artifacts / "item_page.png", full_page=True)

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


RECTS = """
() => {
  const rect = (element) => {
    const { x, y, width, height } = element.getBoundingClientRect();
    return { x, y, width, height };
  };
  return {
    picture: rect(document.querySelector(".overlay-frame img")),
    sidebar: rect(document.querySelector(".item-facts")),
    labels: [...document.querySelectorAll(".region-label")]
      .filter((label) => !label.hidden)
      .map((label) => ({ region: label.dataset.region, ...rect(label) })),
  };
}
"""


def _crowded_item(make_user):
    """A 1200 × 800 photo with formulas along every edge and a tight cluster in the middle."""
    from datasets import services
    from tests.factories.datasets import DatasetFactory, formula_region, formula_schema
    from tests.factories.images import image_bytes

    dataset = formula_schema(DatasetFactory())
    item, _created = services.item_register(
        dataset=dataset, file=image_bytes(7, size=(1200, 800)), name="crowded.jpg", categories=[]
    )
    services.item_process(item_id=item.id)
    formulas = [r"x^{2}+y^{2}=z^{2}", r"\frac{a_{n}}{b}", r"\sqrt{2}", r"\int_{0}^{1} f(x)\,dx"]
    boxes = [(x, 0, 90, 30) for x in range(0, 1200, 100)]  # along the top edge
    boxes += [(x, 770, 90, 30) for x in range(0, 1200, 150)]  # the bottom edge
    boxes += [(0, y, 60, 25) for y in range(100, 700, 120)]  # the left edge
    boxes += [(1150, y, 50, 25) for y in range(100, 700, 120)]  # the right edge
    boxes += [(500 + 45 * (n % 4), 350 + 25 * (n // 4), 40, 20) for n in range(12)]  # a cluster
    regions = [
        formula_region(f"r{n + 1}", bbox=box, latex=formulas[n % len(formulas)])
        for n, box in enumerate(boxes)
    ]
    services.ground_truth_record(
        item=item, annotation={"regions": regions, "categories": {}}, source="generator"
    )
    planner = make_user("planner", username="labels")
    planner.set_password("groundwork-demo")
    planner.save()
    return dataset, item, len(regions)


def _apart(a, b, slack=0.5) -> bool:
    return (
        a["x"] + a["width"] <= b["x"] + slack
        or b["x"] + b["width"] <= a["x"] + slack
        or a["y"] + a["height"] <= b["y"] + slack
        or b["y"] + b["height"] <= a["y"] + slack
    )


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)])
def test_box_labels_stay_inside_the_picture_and_never_cover_each_other(
    live_server, page, make_user, artifacts, viewport
):
    dataset, item, count = _crowded_item(make_user)
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    _sign_in(page, live_server, "labels")

    page.goto(f"{live_server.url}/datasets/{dataset.id}/items/{item.id}/")
    page.wait_for_selector(".region-labels.placed", state="attached")
    page.evaluate("document.fonts.ready")
    page.screenshot(path=artifacts / f"item_labels_{viewport[0]}.png", full_page=True)
    shown = page.evaluate(RECTS)

    picture, labels = shown["picture"], shown["labels"]
    assert len(labels) >= count // 3, f"only {len(labels)} of {count} labels shown"
    assert page.locator(".region-label:not([hidden]) .katex").count() > 0
    for label in labels:
        assert label["x"] >= picture["x"] - 0.5, label
        assert label["y"] >= picture["y"] - 0.5, label
        assert label["x"] + label["width"] <= picture["x"] + picture["width"] + 0.5, label
        assert label["y"] + label["height"] <= picture["y"] + picture["height"] + 0.5, label
        assert _apart(label, shown["sidebar"], slack=0), label
    for n, first in enumerate(labels):
        for second in labels[n + 1 :]:
            assert _apart(first, second), (first, second)
    assert page.evaluate("document.fonts.check('16px KaTeX_Main')")
    assert failed == []


# Per element: the places where its text moves to a new line between two letters of one word
# (a break at a space is fine); and whether it fits on one line at all.
BREAKS = """
(selector) => {
  const found = [];
  for (const element of document.querySelectorAll(selector)) {
    if (!element.getClientRects().length) continue;  // not shown
    // A cell is checked only when it holds a date, which must stay on one line.
    const date = /^\\d{4}-\\d{1,2}-\\d{1,2}( \\d{1,2}:\\d{2})?$/.test(element.textContent.trim());
    if (element.matches("td") && !date) continue;
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let last = null;
    let spaced = false;
    const tops = new Set();
    while (walker.nextNode()) {
      const node = walker.currentNode;
      for (let index = 0; index < node.length; index += 1) {
        const letter = node.data[index];
        if (/\\s/.test(letter)) { spaced = true; continue; }
        if (node.parentElement.closest(".visually-hidden")) continue;  // read aloud, not shown
        const range = document.createRange();
        range.setStart(node, index);
        range.setEnd(node, index + 1);
        const rect = range.getBoundingClientRect();
        if (!rect.width && !rect.height) continue;
        tops.add(Math.round(rect.top));
        if (last && rect.top > last.top + 2 && !spaced) {
          found.push({ text: element.textContent.trim(), between: last.letter + "/" + letter });
        }
        last = { letter, top: rect.top };
        spaced = false;
      }
    }
    if ((element.matches("time") || date) && tops.size > 1) {
      found.push({ text: element.textContent.trim(), between: "split date" });
    }
  }
  return found;
}
"""


def _korean_pages(make_user):
    """A Korean planner and pages with every kind of table: the datasets list, a dataset,
    its items, one item with ground truth, the uploads and the coverage."""
    from datasets import services
    from tests.factories.datasets import DatasetFactory, formula_region, formula_schema
    from tests.factories.images import image_bytes

    dataset = formula_schema(DatasetFactory(name="수식 사진"))
    axis = services.axis_create(dataset=dataset, name="촬영 조건", slug="capture", by=None)
    category = services.category_create(
        axis=axis, name="그림자", slug="shadow", quota_target=10, by=None
    )
    item, _created = services.item_register(
        dataset=dataset,
        file=image_bytes(3, size=(600, 400)),
        name="사진.jpg",
        categories=[category],
    )
    services.item_process(item_id=item.id)
    services.ground_truth_record(
        item=item,
        annotation={"regions": [formula_region(bbox=(20, 20, 200, 60))], "categories": {}},
        source="generator",
    )
    planner = make_user("planner", username="hangul", language="ko")
    planner.set_password("groundwork-demo")
    planner.save()
    return [
        "/datasets/",
        f"/datasets/{dataset.id}/",
        f"/datasets/{dataset.id}/items/",
        f"/datasets/{dataset.id}/items/{item.id}/",
        f"/datasets/{dataset.id}/upload/",
        f"/datasets/{dataset.id}/coverage/",
    ]


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)])
def test_korean_headers_links_and_dates_never_break_inside_a_word(
    live_server, page, make_user, artifacts, viewport
):
    paths = _korean_pages(make_user)
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    _sign_in(page, live_server, "hangul")

    broken = {}
    names = ["datasets", "dataset", "items", "item", "uploads", "coverage"]
    for path, name in zip(paths, names, strict=True):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.lang") == "ko"
        page.screenshot(path=artifacts / f"ko_{name}_{viewport[0]}.png", full_page=True)
        found = page.evaluate(BREAKS, "th, td, .actions a, .item-nav a, time, .item-facts dt")
        if found:
            broken[path] = found

    assert broken == {}
