"""Plan one photo: its page, its formulas and their visible ink, and its capture effect."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synth import effects, paper
from synth.fast import CROWDED_SHRINK, FAST_SIZES, Backdrop, choose_backdrop, fast_ink
from synth.fonts import PRINTED_FONTSETS, FontSet, handwritten_fontset
from synth.formulas import formulas
from synth.geometry import Box, LandedInk, Transform
from synth.layers import (
    PEN_INKS,
    PlacedFormula,
    apply_whiteout,
    formula_layers,
    paint,
)
from synth.layout import place, place_cropped, transform_for
from synth.typeset import FormulaInk, typeset

CAPTURES = (
    "clean",
    "shadow",
    "highlighter",
    "crumpled",
    "rotated",
    "cropped",
    "whiteout",
)
WRITINGS = ("printed", "handwritten")
CATEGORY_CELLS = tuple((capture, writing) for capture in CAPTURES for writing in WRITINGS)
MAX_SIZE = (4032, 3024)
# alpha at which a pixel counts as ink for boxes
INK_THRESHOLD = 0.1
PRINTED_INKS = ((0.08, 0.08, 0.10), (0.12, 0.11, 0.11), (0.05, 0.06, 0.09))
FAST_VARIANTS = 6
# captures whose effect changes the paper itself, not only adds ink: fast mode paints their page
PAGE_EFFECTS = ("highlighter", "whiteout")


@dataclass
class Plan:
    width: int
    height: int
    capture: str
    writing: str
    fast: bool
    # the page with its ink and effects; in fast mode only for PAGE_EFFECTS, else the blank paper
    page: np.ndarray
    transform: Transform
    formulas: list[PlacedFormula]
    desk: tuple[int, int, int]
    photo_rng: np.random.Generator
    meta: dict = field(default_factory=dict)
    # fast mode: the pre-photographed blank page, and the page boxes the ink and effects changed
    backdrop: Backdrop | None = None
    painted: list[Box] = field(default_factory=list)
    # fast mode: each formula's ink as it lands in the photo, found once for both the photo and
    # the boxes (see truth.formula_ink)
    ink_in_photo: dict[int, LandedInk | None] = field(default_factory=dict)


def _seed_sequence(seed: int, index: int, capture: str, writing: str, fast: bool) -> list[int]:
    return [seed, index, CAPTURES.index(capture), WRITINGS.index(writing), int(fast)]


def _ink(
    *,
    formula: int,
    fontset: FontSet,
    size_px: float,
    fast: bool,
    height: int,
    rng: np.random.Generator,
) -> FormulaInk:
    if fast:
        return fast_ink(formula, fontset.name, round(size_px), height)
    jitter = rng if fontset.handwritten else None
    return typeset(formulas()[formula], fontset=fontset, size_px=size_px, jitter=jitter)


def _font_size(*, rng: np.random.Generator, height: int, fast: bool, count: int) -> float:
    shrink = 1.0 if count <= 2 else CROWDED_SHRINK
    if fast:
        return float(round(height * FAST_SIZES[rng.integers(len(FAST_SIZES))] * shrink))
    return float(height * rng.uniform(0.04, 0.08) * shrink)


def plan_photo(
    *,
    seed: int,
    index: int,
    capture: str,
    writing: str,
    size: tuple[int, int],
    fast: bool,
) -> Plan:
    """Decide everything about one photo: its page, formulas, ink and capture effect."""
    if capture not in CAPTURES:
        raise ValueError(f"Unknown capture category {capture!r}; expected one of {CAPTURES}.")
    if writing not in WRITINGS:
        raise ValueError(f"Unknown writing category {writing!r}; expected one of {WRITINGS}.")
    width, height = size
    if not (64 <= width <= MAX_SIZE[0] and 64 <= height <= MAX_SIZE[0]):
        raise ValueError(f"Photo size {size} is outside 64..{MAX_SIZE[0]} pixels a side.")
    layout_rng, page_rng, photo_rng = (
        np.random.default_rng(s)
        for s in np.random.SeedSequence(_seed_sequence(seed, index, capture, writing, fast)).spawn(
            3
        )
    )
    backdrop = None
    if fast:
        backdrop = choose_backdrop(
            seed=seed, width=width, height=height, capture=capture, rng=page_rng
        )
        page = backdrop.paper.copy() if capture in PAGE_EFFECTS else backdrop.paper
        transform, meta = backdrop.transform, dict(backdrop.meta)
    else:
        page = paper.paper_page(rng=page_rng, width=width, height=height)
        transform, meta = transform_for(capture=capture, rng=layout_rng, width=width, height=height)
    handwritten = writing == "handwritten"
    if handwritten:
        fontset = handwritten_fontset()
    else:
        fontset = PRINTED_FONTSETS[int(layout_rng.integers(len(PRINTED_FONTSETS)))]
    meta["fontset"] = fontset.name
    corpus = formulas()
    count = int(layout_rng.integers(1, 6))
    font_px = _font_size(rng=layout_rng, height=height, fast=fast, count=count)
    margin = max(3, int(min(width, height) * 0.015))
    taken: list[Box] = []
    placed: list[PlacedFormula] = []
    inks = PEN_INKS if handwritten else PRINTED_INKS
    colour = inks[int(layout_rng.integers(len(inks)))]
    for slot in range(count):
        formula = int(layout_rng.integers(len(corpus)))
        size_px = font_px
        position = None
        for _ in range(4):
            ink = _ink(
                formula=formula,
                fontset=fontset,
                size_px=size_px,
                fast=fast,
                height=height,
                rng=layout_rng,
            )
            if capture == "cropped" and slot == 0:
                position = place_cropped(
                    rng=layout_rng,
                    size=(ink.width, ink.height),
                    width=width,
                    height=height,
                )
            else:
                position = place(
                    rng=layout_rng,
                    size=(ink.width, ink.height),
                    transform=transform,
                    width=width,
                    height=height,
                    taken=taken,
                    margin=margin,
                )
            if position is not None:
                break
            size_px = max(8.0, round(size_px * 0.75))
        if position is None:
            if placed:
                continue
            raise RuntimeError(f"Cannot fit a formula on a {width}x{height} photo.")
        x, y, window = position
        taken.append(window)
        visible, pieces = formula_layers(ink, x, y)
        opacity = float(layout_rng.uniform(0.9, 1.0))
        if not fast or capture in PAGE_EFFECTS:
            paint(page, visible, colour, opacity)
        placed.append(
            PlacedFormula(
                ink=ink,
                x=x,
                y=y,
                colour=colour,
                opacity=opacity,
                visible=visible,
                pieces=pieces,
                truncated=capture == "cropped" and slot == 0,
            )
        )
    # effects go on the widest formula, where a reader's pen would go
    target = max(placed, key=lambda p: p.visible.alpha.shape[1])
    if capture == "highlighter":
        band, tint = effects.highlighter_band(
            page, rng=layout_rng, target=target.visible.box, font_px=font_px
        )
        meta["highlighter_box"] = list(band)
        meta["highlighter_colour"] = list(tint)
    elif capture == "whiteout":
        meta.update(apply_whiteout(page, target, rng=layout_rng, font_px=font_px))
    # after whiteout a formula's visible box also covers the characters written again
    painted = [p.visible.box for p in placed]
    for key in ("highlighter_box", "whiteout_box"):
        if key in meta:
            painted.append(tuple(meta[key]))
    desk = paper.desk_colour(rng=layout_rng)
    return Plan(
        width=width,
        height=height,
        capture=capture,
        writing=writing,
        fast=fast,
        page=page,
        transform=transform,
        formulas=placed,
        desk=backdrop.desk if backdrop else desk,
        photo_rng=photo_rng,
        meta=meta,
        backdrop=backdrop,
        painted=painted,
    )
