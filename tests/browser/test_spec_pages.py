"""The spec pages in Chromium: the pipeline diagram's labels and a refused form, as people see
them."""

import pytest

from accounts.models import Role
from datasets import services
from tests.factories.datasets import DatasetFactory

pytestmark = pytest.mark.browser

#: Every text of the diagram, with its drawn box, the diagram's box and each stage's box.
BOXES = """() => {
  const svg = document.querySelector("svg.pipeline-diagram");
  const box = (el) => { const r = el.getBoundingClientRect();
    return {x: r.left, y: r.top, right: r.right, bottom: r.bottom}; };
  return {
    svg: box(svg),
    texts: [...svg.querySelectorAll("text")].map((t) => ({
      text: t.textContent, stage: t.closest("g.stage")?.dataset.stage || null, ...box(t) })),
    stages: Object.fromEntries([...svg.querySelectorAll("g.stage")].map(
      (g) => [g.dataset.stage, box(g.querySelector("rect"))])),
  };
}"""


def _sign_in(page, live_server, user) -> None:
    user.set_password("pw-for-the-browser")
    user.save()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-for-the-browser")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["right"] <= outer["right"] + 0.5
        and inner["bottom"] <= outer["bottom"] + 0.5
    )


def _overlap(a: dict, b: dict) -> bool:
    return min(a["right"], b["right"]) - max(a["x"], b["x"]) > 0.5 and (
        min(a["bottom"], b["bottom"]) - max(a["y"], b["y"]) > 0.5
    )


def _pipeline(dataset, count: int) -> None:
    """``count`` stages: a chain of nested crops and, beside it, long-named image stages."""
    types = []
    for n in range(max(2, count // 2)):
        types.append(
            services.region_type_create(
                dataset=dataset,
                name=f"Part {n}",
                slug=f"part-{n}-of-a-rather-long-region-type-name",
                top_level=n == 0,
                parents=[types[-1]] if types else [],
                by=None,
            )
        )
    for n in range(count):
        chained = n < len(types)
        services.stage_create(
            dataset=dataset,
            name=f"Stage {n} 수식 영역 찾기 and a name far longer than its box is wide",
            slug=f"stage-{n}",
            input_kind="crop" if chained and n else "image",
            input_type=types[n - 1] if chained and n else None,
            padding=12.5 if chained and n else 0,
            output_kind="boxes",
            output_type=types[n] if chained else types[0],
            latency_ms=150,
            latency_offline="from the decoded image to the boxes, on one core",
            metric="mAP@0.5:0.95 on the frozen test split",
            metric_target=0.9,
            qps_target=40,
            serving="gpu_server",
            by=None,
        )


@pytest.mark.parametrize("count", [1, 8])
@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_pipeline_diagram_never_clips_or_overlaps_its_labels(
    live_server, page, make_user, artifacts, count, language
):
    dataset = DatasetFactory()
    _pipeline(dataset, count)
    _sign_in(page, live_server, make_user(Role.PLANNER, language=language))

    page.goto(f"{live_server.url}/datasets/{dataset.id}/stages/")
    page.locator("svg.pipeline-diagram").screenshot(
        path=artifacts / f"browser_pipeline_{count}_{language}.png"
    )
    drawn = page.evaluate(BOXES)

    assert len(drawn["stages"]) == count
    for text in drawn["texts"]:
        assert _inside(text, drawn["svg"]), text
        if text["stage"]:
            assert _inside(text, drawn["stages"][text["stage"]]), text
    for n, a in enumerate(drawn["texts"]):
        for b in drawn["texts"][n + 1 :]:
            assert not _overlap(a, b), (a, b)
    for name, box in drawn["stages"].items():
        others = [other for key, other in drawn["stages"].items() if key != name]
        assert not any(_overlap(box, other) for other in others), name


def test_a_refused_form_shows_its_error_in_view(live_server, page, make_user, artifacts):
    dataset = DatasetFactory()
    for slug in ("capture", "writing"):
        axis = services.axis_create(dataset=dataset, name=slug.title(), slug=slug, by=None)
        for n in range(6):
            services.category_create(axis=axis, name=f"C{n}", slug=f"c{n}", by=None)
    _sign_in(page, live_server, make_user(Role.PLANNER))
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/datasets/{dataset.id}/")

    page.fill("#cell_quota_target", "-3")
    page.evaluate("document.querySelector('#cell_quota_target').removeAttribute('min')")
    page.click("#cell-form button[type=submit]")
    page.wait_for_function("document.activeElement.id === 'cell_quota_target'")
    page.screenshot(path=artifacts / "browser_refused_cell_form.png")

    error = page.locator("#cell-form .field.invalid .error")
    assert error.is_visible()
    box = error.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 768
    assert 'aria-invalid="true"' in page.locator("#cell_quota_target").evaluate("e => e.outerHTML")


def test_a_stages_edit_form_opens_in_view(live_server, page, make_user):
    dataset = DatasetFactory()
    _pipeline(dataset, 8)
    _sign_in(page, live_server, make_user(Role.PLANNER))
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/datasets/{dataset.id}/stages/")

    page.locator("tr[data-stage-row='stage-7'] a", has_text="Edit").click()
    page.wait_for_load_state()

    title = page.locator("#stage-form-title")
    assert "Stage 7" in title.inner_text()
    box = title.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 768
