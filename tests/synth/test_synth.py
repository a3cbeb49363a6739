import dataclasses
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib import _mathtext
from PIL import Image, ImageDraw

from datasets.latex import latex_check
from synth import CAPTURES, WRITINGS, formulas, generate_photo, write_photos
from synth import writer as synth_writer
from synth.fast import expose
from synth.fonts import PRINTED_FONTSETS, handwritten_fontset
from synth.geometry import Identity
from synth.photo import (
    clear_caches,
    ground_truth,
    plan_photo,
    render_ink_only,
    render_photo,
)
from synth.typeset import RADICAL, layout, scale_ink, typeset

SIZE = (640, 480)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CELLS = [(c, w, f) for c in CAPTURES for w in WRITINGS for f in (False, True)]


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _formula_regions(truth: dict) -> list[dict]:
    return [r for r in truth["regions"] if r["type"] == "formula"]


def _xyxy(region: dict) -> tuple[float, float, float, float]:
    x, y, w, h = region["bbox"]
    return x, y, x + w, y + h


# --- determinism -------------------------------------------------------------------------------


@pytest.mark.parametrize("fast", [False, True])
def test_same_seed_gives_identical_photo_and_truth(fast):
    args = {
        "index": 4,
        "capture": "crumpled",
        "writing": "handwritten",
        "size": (320, 240),
        "fast": fast,
    }
    image_a, truth_a = generate_photo(seed=11, **args)
    image_b, truth_b = generate_photo(seed=11, **args)

    assert _png(image_a) == _png(image_b)
    assert truth_a == truth_b


@pytest.mark.parametrize("fast", [False, True])
def test_other_seed_gives_another_photo(fast):
    args = {
        "index": 4,
        "capture": "whiteout",
        "writing": "printed",
        "size": (320, 240),
        "fast": fast,
    }
    image_a, truth_a = generate_photo(seed=11, **args)
    image_b, truth_b = generate_photo(seed=12, **args)

    assert _png(image_a) != _png(image_b)
    assert truth_a != truth_b


_FRESH_WRITER = """
import sys
from pathlib import Path
from synth import writer
writer.WARM_FROM = int(sys.argv[5])
writer.write_photos(out_dir=Path(sys.argv[1]), count=int(sys.argv[2]), seed=int(sys.argv[3]),
                    size=(int(sys.argv[4]), int(sys.argv[4]) * 3 // 4), fast=True, workers=2)
"""


def _write_photos_with_two_workers(
    out_dir: Path, *, count: int, seed: int, width: int, warm_from: int
) -> Path:
    """Forking workers from the test process is unsafe once other tests started threads
    (V8, a live server): the two-worker run gets a fresh interpreter, as make_photos does."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            _FRESH_WRITER,
            str(out_dir),
            str(count),
            str(seed),
            str(width),
            str(warm_from),
        ],
        cwd=Path(__file__).resolve().parents[2],
        check=True,
        timeout=300,
    )
    return out_dir / synth_writer.TRUTH_FILE


def test_write_photos_does_not_depend_on_workers(tmp_path):
    one = write_photos(out_dir=tmp_path / "one", count=5, seed=3, size=(160, 120), fast=True)
    two = _write_photos_with_two_workers(
        tmp_path / "two", count=5, seed=3, width=160, warm_from=synth_writer.WARM_FROM
    )

    assert one.read_text() == two.read_text()
    records = [json.loads(line) for line in one.read_text().splitlines()]
    assert len(records) == 5
    for record in records:
        photo = tmp_path / "one" / record["file"]
        assert photo.read_bytes() == (tmp_path / "two" / record["file"]).read_bytes()
        assert Image.open(photo).size == (record["width"], record["height"]) == (160, 120)
        assert record["annotation"]["regions"][0]["type"] == "formula"


def test_write_photos_with_caches_shared_by_fork_matches_one_worker(tmp_path):
    # from WARM_FROM photos on, every formula is typeset by a pool and the photo workers fork
    # from the parent holding the ink and backdrops: the bytes must not change
    size = (96, 72)
    shared = _write_photos_with_two_workers(
        tmp_path / "two", count=6, seed=9, width=96, warm_from=1
    )
    clear_caches()
    one = write_photos(out_dir=tmp_path / "one", count=6, seed=9, size=size, fast=True)

    assert one.read_text() == shared.read_text()
    for record in map(json.loads, one.read_text().splitlines()):
        photo = record["file"]
        assert (tmp_path / "one" / photo).read_bytes() == (tmp_path / "two" / photo).read_bytes()


def test_fast_photo_does_not_depend_on_what_is_cached():
    args = {"seed": 6, "index": 3, "capture": "crumpled", "writing": "printed", "size": SIZE}
    clear_caches()
    image_a, truth_a = generate_photo(fast=True, **args)
    for index in range(4, 10):
        generate_photo(fast=True, **{**args, "index": index})
    image_b, truth_b = generate_photo(fast=True, **args)

    assert _png(image_a) == _png(image_b)
    assert truth_a == truth_b


# --- boxes against pixels ---------------------------------------------------------------------


@pytest.mark.parametrize(("capture", "writing", "fast"), CELLS)
def test_boxes_enclose_their_ink_after_the_effect(capture, writing, fast):
    plan = plan_photo(seed=5, index=1, capture=capture, writing=writing, size=SIZE, fast=fast)
    truth = ground_truth(plan)
    width, height = SIZE
    regions = _formula_regions(truth)
    assert len(regions) == len(plan.formulas) >= 1

    for k, region in enumerate(regions):
        x0, y0, x1, y1 = _xyxy(region)
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        darkness = render_ink_only(plan, k)
        ink = darkness >= 64
        inside = ink[int(y0) : int(y1), int(x0) : int(x1)].sum()
        assert inside >= 0.99 * ink.sum() > 0
        faint = np.argwhere(darkness >= 26)
        margin = 3
        assert x0 >= faint[:, 1].min() - margin and x1 <= faint[:, 1].max() + 1 + margin
        assert y0 >= faint[:, 0].min() - margin and y1 <= faint[:, 0].max() + 1 + margin

    formula_boxes = {r["id"]: _xyxy(r) for r in regions}
    chars = [r for r in truth["regions"] if r["type"] == "char"]
    assert chars
    for char in chars:
        cx0, cy0, cx1, cy1 = _xyxy(char)
        fx0, fy0, fx1, fy1 = formula_boxes[char["parent"]]
        assert fx0 <= cx0 < cx1 <= fx1 and fy0 <= cy0 < cy1 <= fy1
        assert char["attributes"]["symbol"]


@pytest.mark.parametrize("capture", ["rotated", "crumpled", "cropped"])
@pytest.mark.parametrize("index", [2, 3, 4])
def test_fast_boxes_enclose_their_ink_on_other_backdrops(capture, index):
    # fast mode draws its geometric effects from a pool of backdrops: check more of them
    plan = plan_photo(seed=7, index=index, capture=capture, writing="printed", size=SIZE, fast=True)
    truth = ground_truth(plan)
    for k, region in enumerate(_formula_regions(truth)):
        x0, y0, x1, y1 = _xyxy(region)
        darkness = render_ink_only(plan, k)
        ink = darkness >= 64
        assert ink[int(y0) : int(y1), int(x0) : int(x1)].sum() >= 0.99 * ink.sum() > 0
        faint = np.argwhere(darkness >= 26)
        assert x0 >= faint[:, 1].min() - 3 and x1 <= faint[:, 1].max() + 4
        assert y0 >= faint[:, 0].min() - 3 and y1 <= faint[:, 0].max() + 4


@pytest.mark.parametrize("capture", ["highlighter", "whiteout"])
def test_fast_photo_is_its_whole_page_exposed_like_the_backdrop(capture):
    # fast mode exposes only the boxes the ink and effects changed: that must be all of them
    plan = plan_photo(seed=3, index=2, capture=capture, writing="handwritten", size=SIZE, fast=True)
    backdrop = plan.backdrop
    photo = np.asarray(render_photo(plan))

    assert np.array_equal(photo, expose(plan.page, backdrop.light255, backdrop.noise255))


def test_fast_photo_lays_ink_over_the_backdrop_and_nowhere_else():
    plan = plan_photo(seed=3, index=2, capture="clean", writing="printed", size=SIZE, fast=True)
    photo = np.asarray(render_photo(plan)).astype(int)
    backdrop = plan.backdrop.image.astype(int)

    inked = np.zeros(photo.shape[:2], bool)
    for placed in plan.formulas:
        x0, y0, x1, y1 = placed.visible.box
        inked[y0:y1, x0:x1] |= placed.visible.alpha > 0
    assert np.array_equal(photo[~inked], backdrop[~inked])
    assert (photo[inked] < backdrop[inked] - 40).any()


def test_shrunk_ink_keeps_one_tight_bitmap_per_character():
    ink = typeset(r"\sqrt{x}+\frac{a}{b}", fontset=PRINTED_FONTSETS[0], size_px=58)
    small = scale_ink(ink, 31 / 58)

    assert [p.symbol for p in small.pieces] == [p.symbol for p in ink.pieces]
    assert abs(small.width - ink.width * 31 / 58) <= 2
    union = np.zeros_like(small.alpha)
    for piece in small.pieces:
        alpha = piece.alpha
        assert alpha[0].any() and alpha[-1].any() and alpha[:, 0].any() and alpha[:, -1].any()
        h, w = alpha.shape
        region = union[piece.y : piece.y + h, piece.x : piece.x + w]
        np.maximum(region, alpha, out=region)
    assert np.array_equal(union, small.alpha)


# --- each effect is really there --------------------------------------------------------------


def _ink_angle(darkness: np.ndarray) -> tuple[float, float]:
    """Principal direction of the ink (degrees, anticlockwise as seen) and its elongation."""
    ys, xs = np.nonzero(darkness >= 64)
    weights = darkness[ys, xs].astype(np.float64)
    x = xs - np.average(xs, weights=weights)
    y = -(ys - np.average(ys, weights=weights))
    cov = np.cov(np.vstack([x, y]), aweights=weights)
    values, vectors = np.linalg.eigh(cov)
    major = vectors[:, 1]
    return math.degrees(math.atan2(major[1], major[0])), values[1] / values[0]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_rotated_ink_runs_at_the_recorded_angle(index):
    plan = plan_photo(
        seed=21,
        index=index,
        capture="rotated",
        writing="printed",
        size=SIZE,
        fast=False,
    )
    recorded = ground_truth(plan)["meta"]["rotation_degrees"]
    upright = dataclasses.replace(plan, transform=Identity())
    k = max(range(len(plan.formulas)), key=lambda i: plan.formulas[i].visible.alpha.shape[1])

    before, elongation = _ink_angle(render_ink_only(upright, k))
    after, _ = _ink_angle(render_ink_only(plan, k))

    assert elongation > 4
    turned = (after - before - recorded + 90) % 180 - 90
    assert abs(turned) < 1.0
    assert 3 <= abs(recorded) <= 90


@pytest.mark.parametrize("writing", WRITINGS)
def test_cropped_formula_touches_the_edge_and_is_truncated(writing):
    plan = plan_photo(seed=8, index=2, capture="cropped", writing=writing, size=SIZE, fast=False)
    truth = ground_truth(plan)
    width, height = SIZE

    truncated = [r for r in _formula_regions(truth) if r["attributes"].get("truncated")]
    assert len(truncated) == 1
    x0, y0, x1, y1 = _xyxy(truncated[0])
    assert x0 == 0 or y0 == 0 or x1 == width or y1 == height
    darkness = render_ink_only(plan, _formula_regions(truth).index(truncated[0]))
    edges = np.concatenate([darkness[0], darkness[-1], darkness[:, 0], darkness[:, -1]])
    assert (edges >= 64).any()


def _block_medians(image: Image.Image, block: int = 24) -> np.ndarray:
    grey = np.asarray(image.convert("L"), np.float32)
    h, w = (grey.shape[0] // block) * block, (grey.shape[1] // block) * block
    tiles = grey[:h, :w].reshape(h // block, block, w // block, block).swapaxes(1, 2)
    return np.median(tiles.reshape(h // block, w // block, -1), axis=2)


@pytest.mark.parametrize("fast", [False, True])
def test_shadow_darkens_part_of_the_photo(fast):
    args = {"seed": 4, "index": 0, "writing": "printed", "size": SIZE, "fast": fast}
    shadow, _ = generate_photo(capture="shadow", **args)
    clean, _ = generate_photo(capture="clean", **args)

    assert _block_medians(shadow).min() < _block_medians(clean).min() - 40


@pytest.mark.parametrize("fast", [False, True])
def test_highlighter_leaves_a_coloured_band_over_a_formula(fast):
    args = {"seed": 4, "index": 0, "writing": "printed", "size": SIZE, "fast": fast}
    image, truth = generate_photo(capture="highlighter", **args)
    clean, _ = generate_photo(capture="clean", **args)
    bx0, by0, bx1, by1 = truth["meta"]["highlighter_box"]

    assert any(
        bx0 < x1 and x0 < bx1 and by0 < y1 and y0 < by1
        for x0, y0, x1, y1 in map(_xyxy, _formula_regions(truth))
    )
    saturation = np.asarray(image.convert("HSV"), np.float32)[..., 1] / 255
    band = saturation[by0:by1, bx0:bx1]
    assert np.median(band) > 0.3
    assert np.median(np.asarray(clean.convert("HSV"))[..., 1]) / 255 < 0.15


@pytest.mark.parametrize("writing", WRITINGS)
def test_whiteout_patch_is_whiter_than_the_paper_and_covers_a_formula(writing):
    image, truth = generate_photo(
        seed=4, index=0, capture="whiteout", writing=writing, size=SIZE, fast=False
    )
    x0, y0, x1, y1 = truth["meta"]["whiteout_box"]
    grey = np.asarray(image.convert("L"), np.float32)
    inner = grey[y0 + 3 : y1 - 3, x0 + 3 : x1 - 3]
    pad = 12
    ring = np.concatenate(
        [
            grey[max(0, y0 - pad) : y0, x0:x1].ravel(),
            grey[y1 : y1 + pad, x0:x1].ravel(),
            grey[y0:y1, max(0, x0 - pad) : x0].ravel(),
            grey[y0:y1, x1 : x1 + pad].ravel(),
        ]
    )

    assert np.percentile(inner, 75) > np.percentile(ring, 75) * 1.02
    assert any(
        x0 < fx1 and fx0 < x1 and y0 < fy1 and fy0 < y1
        for fx0, fy0, fx1, fy1 in map(_xyxy, _formula_regions(truth))
    )


# --- corpus and mathtext ------------------------------------------------------------------------


def test_corpus_is_a_few_hundred_distinct_formulas():
    corpus = formulas()

    assert 300 <= len(corpus) == len(set(corpus))


def test_every_formula_parses_in_katex():
    refused = {f: m for f in formulas() if (m := latex_check(f))}

    assert refused == {}


def test_every_formula_renders_in_mathtext():
    for fontset in (PRINTED_FONTSETS[0], handwritten_fontset()):
        for formula in formulas():
            ink = typeset(formula, fontset=fontset, size_px=14)
            assert ink.pieces, formula


def test_matplotlib_mathtext_internals_are_the_ones_we_rely_on():
    assert matplotlib.__version__.startswith("3.11.")
    output = layout(r"\sqrt{x}+\frac{a}{b}", fontset=PRINTED_FONTSETS[1], size_px=20)

    assert isinstance(output, _mathtext.Output)
    ox, oy, info = output.glyphs[0]
    assert isinstance(ox, float) and isinstance(oy, float)
    assert isinstance(info, _mathtext.FontInfo)
    assert {"xmin", "xmax", "ymin", "ymax", "iceberg", "advance"} <= set(info.metrics._fields)
    assert hasattr(info.font, "draw_glyph_to_bitmap")
    assert [chr(i.num) for _, _, i in output.glyphs] == [RADICAL, "x", "+", "a", "b"]
    assert len(output.rects) == 2 and all(len(r) == 4 for r in output.rects)


def test_typeset_merges_root_bar_and_keeps_fraction_bar():
    ink = typeset(r"\sqrt{x}+\frac{a}{b}", fontset=PRINTED_FONTSETS[0], size_px=30)

    assert [p.symbol for p in ink.pieces] == [RADICAL, "x", "+", "a", "b", "\u2015"]
    radical = ink.pieces[0]
    assert radical.box[2] >= ink.pieces[1].box[2]  # the bar reaches over the x


# --- contact sheet ------------------------------------------------------------------------------


def test_contact_sheet_of_every_category():
    tile_w, tile_h = 480, 360
    sheet = Image.new("RGB", (tile_w * len(WRITINGS) * 2, tile_h * len(CAPTURES)), "white")
    for row, capture in enumerate(CAPTURES):
        for col, (writing, fast) in enumerate([(w, f) for w in WRITINGS for f in (False, True)]):
            image, truth = generate_photo(
                seed=2,
                index=row,
                capture=capture,
                writing=writing,
                size=(tile_w, tile_h),
                fast=fast,
            )
            draw = ImageDraw.Draw(image)
            for region in truth["regions"]:
                x0, y0, x1, y1 = _xyxy(region)
                formula = region["type"] == "formula"
                draw.rectangle(
                    (x0, y0, x1 - 1, y1 - 1),
                    outline=(230, 0, 0) if formula else (0, 140, 255),
                    width=2 if formula else 1,
                )
            draw.text(
                (4, 4),
                f"{capture} / {writing}{' / fast' if fast else ''}",
                fill=(200, 0, 200),
            )
            sheet.paste(image, (col * tile_w, row * tile_h))
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "synth_contact_sheet.png"
    sheet.save(path)

    assert path.stat().st_size > 0
