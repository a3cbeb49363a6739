"""The labeling tool's viewer in Chromium: zoom at the cursor, pan, fit, 100 %, rotation,
an EXIF-turned phone photo shown upright, the rendition first and the full image at 800 %
(LABELING-TOOL acceptance checks 12-16 and 24), and the page's friendly states in Korean.

One page load covers several checks. Geometry is read from the boxes' SVG rects (their
bounding boxes are the screen rectangles of known image rectangles) and the photo's pixels
from the canvas."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import Role
from datasets import services as dataset_services
from guides import services as guide_services
from labeling import services as labeling_services
from labeling.models import Batch, Task
from synth import generate_photo
from tests.browser.test_upload import sign_in
from tests.factories.accounts import UserFactory
from tests.factories.datasets import DatasetFactory, char_region, formula_region, formula_schema
from tests.factories.guides import guide_published
from tests.factories.vendors import VendorFactory, contract_for, member_of, task_kind_for

STRIPES = (1000, 2000, 200, 200)  # upright image px: 1-px black and white stripes


def phone_photo() -> bytes:
    """A phone JPEG as the camera stores it: 4032×3024 pixels turned sideways, with EXIF
    orientation 6. Upright (3024×4032) it has a red square at the top-left corner, 1-px
    stripes at STRIPES, and blue elsewhere."""
    upright = Image.new("RGB", (3024, 4032), (40, 90, 160))
    draw = ImageDraw.Draw(upright)
    draw.rectangle((0, 0, 399, 399), fill=(230, 30, 30))
    x0, y0, width, height = STRIPES
    for x in range(x0, x0 + width):
        draw.line((x, y0, x, y0 + height - 1), fill=(255, 255, 255) if x % 2 else (0, 0, 0))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what orientation 6 turns back
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    stored.save(buffer, format="JPEG", quality=95, exif=exif)
    return buffer.getvalue()


def _batch_of_one(vendor, dataset, content: bytes) -> None:
    """A batch of one task on the photo ``content`` for ``vendor``."""
    item, _created = dataset_services.item_register(dataset=dataset, file=content, name="IMG.jpg")
    item = dataset_services.item_process(item_id=item.pk)
    kind = task_kind_for(dataset, types=("formula", "char"), attributes=("latex", "symbol"))
    contract = contract_for(vendor, dataset, task_kind=kind)
    batch = Batch.objects.create(
        dataset=dataset,
        task_kind=kind,
        vendor=vendor,
        contract=contract,
        name="Week 1",
        seed="1",
        size=1,
        due_on=timezone.localdate() + timedelta(days=7),
    )
    Task.objects.create(batch=batch, task_kind=kind, item=item)


def _claimed_with(annotator, regions: list[dict]) -> Task:
    """The task ``annotator`` claims, with ``regions`` saved as their draft."""
    task = labeling_services.task_claim_next(annotator=annotator).task
    labeling_services.annotation_save(
        task=task, annotator=annotator, document={"regions": regions, "categories": {}}, version=0
    )
    return task


def _rect(page, region_id: str) -> dict:
    """A box's rectangle on the page: its SVG rect's client rect (the geometry, without the
    outline; Playwright's bounding_box counts the stroke)."""
    return page.evaluate(
        """(id) => {
          const rect = document.querySelector(`rect[data-region-id="${id}"]`);
          const box = rect.getBoundingClientRect();
          return { x: box.x, y: box.y, width: box.width, height: box.height };
        }""",
        region_id,
    )


def _centre(box: dict) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _pixels(page, x: float, y: float, count: int = 1) -> list[list[int]]:
    """The photo canvas's colours at page point (x, y) and the ``count`` - 1 CSS px after it."""
    return page.evaluate(
        """([x, y, count]) => {
          const canvas = document.querySelector(".viewer-photo");
          const box = canvas.getBoundingClientRect();
          const ratio = canvas.width / box.width;
          const data = canvas.getContext("2d").getImageData(
            Math.round((x - box.left) * ratio), Math.round((y - box.top) * ratio),
            Math.round(count * ratio), 1).data;
          const out = [];
          for (let i = 0; i < count; i += 1) {
            const at = Math.round(i * ratio) * 4;
            out.push([data[at], data[at + 1], data[at + 2]]);
          }
          return out;
        }""",
        [x, y, count],
    )


def _frames(page) -> None:
    """Wait for the viewer's next frame to be drawn (it draws on requestAnimationFrame)."""
    page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def _is_red(rgb) -> bool:
    return rgb[0] > 180 and rgb[1] < 90 and rgb[2] < 90


def _is_grey(rgb) -> bool:
    """Black, white or between: the stripes however they are sampled, never the blue."""
    return max(rgb) - min(rgb) < 40


def _zoom(page) -> float:
    return float(page.locator(".viewer").get_attribute("data-zoom"))


def _wait_zoom(page, test: str) -> None:
    page.wait_for_function(
        f"() => {{ const z = +document.querySelector('.viewer').dataset.zoom; return {test}; }}"
    )


def _stripe_contrast(page) -> int:
    x, y = _centre(_rect(page, "r3"))
    grey = [sum(rgb) // 3 for rgb in _pixels(page, x - 12, y, 24)]
    return max(grey) - min(grey)


def _image_point_under(box: dict, image_box, at: tuple[float, float]) -> tuple[float, float]:
    """The image point at page point ``at``, from a box's screen rect (rotation 0)."""
    x0, y0, width, height = image_box
    return (
        x0 + (at[0] - box["x"]) / box["width"] * width,
        y0 + (at[1] - box["y"]) / box["height"] * height,
    )


def _screen_of(box: dict, image_box, point) -> tuple[float, float]:
    x0, y0, width, height = image_box
    return (
        box["x"] + (point[0] - x0) / width * box["width"],
        box["y"] + (point[1] - y0) / height * box["height"],
    )


@pytest.mark.django_db(transaction=True)
def test_the_viewer_zooms_pans_fits_turns_and_sharpens_a_phone_photo(live_server, page, artifacts):
    dataset = formula_schema(DatasetFactory())
    vendor = VendorFactory()
    annotator = member_of(vendor, user=UserFactory(role=Role.ANNOTATOR, password="groundwork-demo"))
    regions = [
        formula_region("r1", bbox=(0, 0, 400, 400), latex="x^2"),
        char_region("r2", "r1", bbox=(100, 100, 50, 60), symbol="x"),
        formula_region("r3", bbox=STRIPES, latex="\\sqrt{2}"),
    ]
    _batch_of_one(vendor, dataset, phone_photo())
    task = _claimed_with(annotator, regions)
    held = []  # the full image's requests, answered when the test says
    page.route("**/image/full/", lambda route: held.append(route))
    sign_in(page, live_server, annotator)
    page.goto(f"{live_server.url}/labeling/tasks/")
    page.click("[data-testid=open-tool]")
    viewer = page.locator(".viewer")
    stage = page.locator(".viewer-stage")

    # 24: the first frame is the rendition's; the full image waits (it is held here)
    page.wait_for_selector(".viewer[data-painted=rendition]")
    page.wait_for_selector("#work[data-ready]")  # the editor has drawn the boxes too
    assert viewer.get_attribute("data-source") == "rendition"
    assert page.url.endswith(f"/labeling/work/?task={task.pk}")
    page.screenshot(path=str(artifacts / "labeling-viewer-en.png"))

    # 16: the EXIF-6 photo stands upright: 3024 wide, its red corner at the top-left
    assert (
        viewer.get_attribute("data-image-width"),
        viewer.get_attribute("data-image-height"),
    ) == (
        "3024",
        "4032",
    )
    assert _is_red(_pixels(page, *_centre(_rect(page, "r1")))[0])
    assert page.locator("[data-region-id]").count() == 3
    assert page.locator('[data-region-id="r2"]').get_attribute("data-parent-id") == "r1"
    assert page.locator(".region-tree > li").count() == 2  # r2 is listed under r1
    assert page.locator(".region-tree > li ul .region-entry").inner_text() == "Char 1: x"

    # 12: the wheel zooms at the cursor, the image point under it stays within 1 px
    box = _rect(page, "r3")
    at = (box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.4)
    under = _image_point_under(box, STRIPES, at)
    page.mouse.move(*at)
    for _notch in range(3):
        before = _zoom(page)
        page.mouse.wheel(0, -100)
        _wait_zoom(page, f"z > {before}")
        moved = _screen_of(_rect(page, "r3"), STRIPES, under)
        assert abs(moved[0] - at[0]) <= 1 and abs(moved[1] - at[1]) <= 1, (moved, at)
    for _notch in range(40):
        page.mouse.wheel(0, -100)
    _wait_zoom(page, "z === 8")
    assert abs(_rect(page, "r3")["width"] - 200 * 8) <= 1
    # at 800 % with the full image still held: the rendition's stripes are a blur…
    assert viewer.get_attribute("data-source") == "rendition"
    blurred = _stripe_contrast(page)
    assert held, "the full image is asked for once the zoom needs it"
    for route in held:
        route.continue_()
    page.wait_for_selector(".viewer[data-source=full]")
    painted_at, full_asked_at = page.evaluate(
        """[performance.getEntriesByName("viewer:first-paint")[0].startTime,
            performance.getEntriesByType("resource")
              .find((entry) => entry.name.endsWith("/image/full/")).startTime]"""
    )
    assert full_asked_at >= painted_at  # never before the first paint
    _frames(page)  # the swap's frame
    sharp = _stripe_contrast(page)
    assert blurred < 90 < 150 < sharp, (blurred, sharp)  # …and the full image's are real pixels
    for _notch in range(60):
        page.mouse.wheel(0, 100)
    stage_box = stage.bounding_box()
    fit = min(stage_box["width"] / 3024, stage_box["height"] / 4032)
    _wait_zoom(page, f"Math.abs(z - {fit}) < 1e-3")

    # 14: Shift+2 is 1 image px per CSS px; a double-click on a box keeps the zoom;
    # a double-click on the empty image fits, and so does Shift+1
    stage.focus()
    page.keyboard.press("Shift+Digit2")
    _wait_zoom(page, "z === 1")
    page.keyboard.press("Equal")
    _wait_zoom(page, "z === 1.25")
    page.keyboard.press("Minus")
    _wait_zoom(page, "z === 1")
    assert abs(_rect(page, "r1")["width"] - 400) <= 0.5
    page.keyboard.press("Shift+Digit1")
    _wait_zoom(page, f"Math.abs(z - {fit}) < 1e-3")
    frame = page.locator(".viewer-frame").bounding_box()
    assert abs(frame["height"] - stage_box["height"]) <= 1.5  # the 1-px outline counts
    assert frame["x"] >= stage_box["x"] - 1
    assert frame["x"] + frame["width"] <= stage_box["x"] + stage_box["width"] + 1
    page.mouse.move(*_centre(_rect(page, "r3")))
    page.mouse.wheel(0, -300)
    _wait_zoom(page, f"z > {fit * 1.5}")
    zoomed = _zoom(page)
    page.dblclick('rect[data-region-id="r3"]')
    _frames(page)
    assert _zoom(page) == zoomed
    r3 = _rect(page, "r3")
    page.mouse.dblclick(r3["x"] + r3["width"] + 40, r3["y"] + r3["height"] + 40)
    _wait_zoom(page, f"Math.abs(z - {fit}) < 1e-3")

    # 13: Space+drag and a middle-button drag pan; nothing is selected or moved
    for how in ("space", "middle"):
        start = _rect(page, "r1")
        x, y = stage_box["x"] + stage_box["width"] / 2, stage_box["y"] + stage_box["height"] / 2
        stage.focus()
        if how == "space":
            page.keyboard.down("Space")
        page.mouse.move(x, y)
        page.mouse.down(button="left" if how == "space" else "middle")
        page.mouse.move(x + 60, y + 35, steps=4)
        page.mouse.up(button="left" if how == "space" else "middle")
        if how == "space":
            page.keyboard.up("Space")
        page.wait_for_function(
            "(x) => document.querySelector('[data-region-id=r1]').getBoundingClientRect().x > x",
            arg=start["x"] + 30,
        )
        end = _rect(page, "r1")
        assert abs(end["x"] - start["x"] - 60) <= 1 and abs(end["y"] - start["y"] - 35) <= 1, how
        assert page.evaluate("document.activeElement.className") == "viewer-stage", how
    assert page.locator("[data-region-id]").count() == 3

    # 15: four quarter turns: the boxes stay on the same pixels and come back where they were
    page.click("[data-action=fit]")
    _frames(page)
    before = _rect(page, "r1")
    for turn in range(1, 5):
        page.click("[data-action=rotate-right]")
        page.wait_for_function(
            f"() => document.querySelector('.viewer').dataset.rotation === '{turn * 90 % 360}'"
        )
        assert _is_red(_pixels(page, *_centre(_rect(page, "r1")))[0]), turn
        assert _is_grey(_pixels(page, *_centre(_rect(page, "r3")))[0]), turn  # on the stripes
    after = _rect(page, "r1")
    assert all(abs(after[key] - before[key]) <= 1 for key in ("x", "y", "width", "height")), (
        before,
        after,
    )

    # the region list reaches a box inside another
    page.click(".region-tree .region-entry >> text=char 1: x")
    assert page.evaluate("document.activeElement.dataset.regionId") == "r2"
    assert page.locator(".region-entry[aria-current=true]").inner_text() == "Char 1: x"


@pytest.mark.django_db(transaction=True)
def test_the_tool_says_read_the_guide_then_shows_the_task_then_nothing_left_in_korean(
    live_server, browser, artifacts
):
    dataset = formula_schema(DatasetFactory())
    vendor = VendorFactory()
    people = [
        member_of(
            vendor, user=UserFactory(role=Role.ANNOTATOR, password="groundwork-demo", language="ko")
        )
        for _n in range(2)
    ]
    version = guide_published(dataset, title="수식 라벨링 가이드")
    photo, truth = generate_photo(
        seed=3, index=1, capture="clean", writing="handwritten", fast=True
    )
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=88)
    _batch_of_one(vendor, dataset, buffer.getvalue())
    context = browser.new_context(
        viewport={"width": 1280, "height": 800},
        locale="ko-KR",
        extra_http_headers={"Accept-Language": "ko"},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, people[0])

    page.goto(f"{live_server.url}/labeling/work/")
    page.wait_for_selector(".work[data-state=guide]")
    assert "가이드를 먼저 읽으세요" in page.inner_text(".work")
    assert f"/guides/{version.guide_id}/" in page.locator("[data-guides] a").get_attribute("href")
    page.screenshot(path=str(artifacts / "labeling-viewer-guide-ko.png"))

    guide_services.acknowledgement_record(version=version, user=people[0])
    _claimed_with(people[0], truth["regions"])
    page.reload()
    page.wait_for_selector("#work[data-ready]")  # painted, and the editor has the boxes
    assert page.locator("[data-region-id]").count() == len(truth["regions"])
    assert page.locator(".viewer-tools [data-action=fit]").inner_text() == "맞춤"
    page.screenshot(path=str(artifacts / "labeling-viewer-ko.png"))

    guide_services.acknowledgement_record(version=version, user=people[1])
    page.context.clear_cookies()
    sign_in(page, live_server, people[1])
    page.goto(f"{live_server.url}/labeling/work/")
    page.wait_for_selector(".work[data-state=empty]")
    assert "남은 작업이 없습니다" in page.inner_text(".work")
    context.close()
