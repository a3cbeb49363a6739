"""Ink on the page: layers of alpha, painting them, and correction fluid over them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth import effects
from synth.geometry import Box
from synth.typeset import RULE_SYMBOL, FormulaInk

PEN_INKS = (
    (0.10, 0.17, 0.52),
    (0.08, 0.08, 0.12),
    (0.20, 0.20, 0.23),
    (0.05, 0.25, 0.60),
)


@dataclass
class Layer:
    """Ink on the page: float32 alpha in [0, 1] with its top-left corner at (x, y)."""

    alpha: np.ndarray
    x: int
    y: int

    @property
    def box(self) -> Box:
        h, w = self.alpha.shape
        return (self.x, self.y, self.x + w, self.y + h)


@dataclass
class PlacedFormula:
    ink: FormulaInk
    x: int
    y: int
    colour: tuple[float, float, float]
    opacity: float
    visible: Layer
    pieces: list[tuple[str, Layer]]
    truncated: bool = False


def paint(page: np.ndarray, layer: Layer, colour: tuple[float, ...], opacity: float) -> None:
    height, width = page.shape[:2]
    x0, y0, x1, y1 = layer.box
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if cx1 <= cx0 or cy1 <= cy0:
        return
    alpha = layer.alpha[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0, None] * np.float32(opacity)
    region = page[cy0:cy1, cx0:cx1]
    region *= 1.0 - alpha
    region += alpha * np.asarray(colour, np.float32)


def formula_layers(ink: FormulaInk, x: int, y: int) -> tuple[Layer, list[tuple[str, Layer]]]:
    visible = Layer(ink.alpha.astype(np.float32) / 255.0, x, y)
    pieces = [
        (p.symbol, Layer(p.alpha.astype(np.float32) / 255.0, x + p.x, y + p.y)) for p in ink.pieces
    ]
    return visible, pieces


def union_layer(layers: list[Layer]) -> Layer:
    x0 = min(layer.x for layer in layers)
    y0 = min(layer.y for layer in layers)
    x1 = max(layer.box[2] for layer in layers)
    y1 = max(layer.box[3] for layer in layers)
    alpha = np.zeros((y1 - y0, x1 - x0), np.float32)
    for layer in layers:
        h, w = layer.alpha.shape
        region = alpha[layer.y - y0 : layer.y - y0 + h, layer.x - x0 : layer.x - x0 + w]
        np.maximum(region, layer.alpha, out=region)
    return Layer(alpha, x0, y0)


def cover(layer: Layer, patch: Layer) -> Layer:
    """*layer* with the part under *patch* hidden."""
    alpha = layer.alpha.copy()
    x0, y0 = max(layer.x, patch.x), max(layer.y, patch.y)
    x1, y1 = min(layer.box[2], patch.box[2]), min(layer.box[3], patch.box[3])
    if x1 > x0 and y1 > y0:
        alpha[y0 - layer.y : y1 - layer.y, x0 - layer.x : x1 - layer.x] *= (
            1.0 - patch.alpha[y0 - patch.y : y1 - patch.y, x0 - patch.x : x1 - patch.x]
        )
    return Layer(alpha, layer.x, layer.y)


def apply_whiteout(
    page: np.ndarray, placed: PlacedFormula, *, rng: np.random.Generator, font_px: float
) -> dict:
    """Cover one to three characters with correction fluid and write them again on top."""
    candidates = [i for i, (symbol, _) in enumerate(placed.pieces) if symbol != RULE_SYMBOL]
    if not candidates:
        candidates = list(range(len(placed.pieces)))
    start = int(rng.integers(len(candidates)))
    run = candidates[start : start + int(rng.integers(1, 4))]
    covered = union_layer([placed.pieces[i][1] for i in run])
    pad = max(4, round(font_px * 0.22))
    height, width = page.shape[:2]
    box = (
        max(0, covered.x - pad),
        max(0, covered.y - pad),
        min(width, covered.box[2] + pad),
        min(height, covered.box[3] + pad),
    )
    patch = Layer(effects.whiteout_patch(rng=rng, box=box), box[0], box[1])
    # a character mostly under the fluid is written again too
    for i, (_, layer) in enumerate(placed.pieces):
        hidden = layer.alpha.sum() - cover(layer, patch).alpha.sum()
        if i not in run and hidden > 0.3 * layer.alpha.sum():
            run.append(i)
    shade = float(rng.uniform(0.99, 1.0))
    paint(page, patch, (shade, shade, shade * 0.995), 1.0)
    shift = max(1, pad // 3)
    pen = PEN_INKS[int(rng.integers(len(PEN_INKS)))]
    new_pieces: list[tuple[str, Layer]] = []
    rewritten: list[Layer] = []
    for i, (symbol, layer) in enumerate(placed.pieces):
        if i in run:
            moved = Layer(
                layer.alpha,
                layer.x + int(rng.integers(-shift, shift + 1)),
                layer.y + int(rng.integers(-shift, shift + 1)),
            )
            paint(page, moved, pen, 0.95)
            rewritten.append(moved)
            new_pieces.append((symbol, moved))
        else:
            new_pieces.append((symbol, cover(layer, patch)))
    placed.visible = union_layer([cover(placed.visible, patch), *rewritten])
    placed.pieces = new_pieces
    return {
        "whiteout_box": list(box),
        "whiteout_symbols": [placed.pieces[i][0] for i in run],
    }
