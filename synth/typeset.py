"""Typeset one LaTeX formula with matplotlib's mathtext and rasterise it glyph by glyph.

mathtext's layout internals (``matplotlib._mathtext``: ``Parser.parse`` then ``ship``) give
every glyph with its pen position and ink metrics, and fraction and root bars as rectangles.
Each glyph is drawn into its own bitmap, so every character's box is the exact box of its own
ink. This is not a public matplotlib API: matplotlib's minor version is pinned and
``tests/datasets/test_synth.py`` pins the pieces used here.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
from matplotlib import _mathtext
from PIL import Image, ImageFilter

from synth.fonts import FontSet, fonts_for

# The symbol recorded for a fraction bar or an overline (a rule, not a font glyph).
RULE_SYMBOL = "\u2015"
RADICAL = "\u221a"
_POINT_SIZE = 12.0


@dataclass(frozen=True)
class InkPiece:
    """One character's ink: an alpha bitmap (uint8) placed at (x, y) in formula pixels."""

    symbol: str
    x: int
    y: int
    alpha: np.ndarray

    @property
    def box(self) -> tuple[int, int, int, int]:
        """Ink box as (x0, y0, x1, y1), exclusive ends, in formula pixels."""
        h, w = self.alpha.shape
        return (self.x, self.y, self.x + w, self.y + h)


@dataclass(frozen=True)
class FormulaInk:
    """A typeset formula: its whole ink (uint8 alpha) and its characters."""

    latex: str
    handwritten: bool
    alpha: np.ndarray
    pieces: tuple[InkPiece, ...]

    @property
    def width(self) -> int:
        return int(self.alpha.shape[1])

    @property
    def height(self) -> int:
        return int(self.alpha.shape[0])


@functools.cache
def _parser() -> _mathtext.Parser:
    return _mathtext.Parser()


def layout(latex: str, *, fontset: FontSet, size_px: float) -> _mathtext.Output:
    """Parse and ship *latex* (without dollar signs) at a font size of *size_px* pixels."""
    with mpl.rc_context(fontset.rc_dict()):
        fonts = fonts_for(fontset, size_pt=_POINT_SIZE)
        dpi = 72.0 * size_px / _POINT_SIZE
        box = _parser().parse(f"${latex}$", fonts, _POINT_SIZE, dpi)
        return _mathtext.ship(box)


def symbol_for(codepoint: int) -> str:
    """The Unicode symbol a reader would write for a font code point."""
    char = chr(codepoint)
    if 0x1D400 <= codepoint <= 0x1D7FF and "DOUBLE-STRUCK" not in unicodedata.name(char, ""):
        return unicodedata.normalize("NFKC", char)
    return char


def _trim(alpha: np.ndarray) -> tuple[int, int, np.ndarray] | None:
    rows = np.flatnonzero(alpha.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(alpha.any(axis=0))
    return (
        int(cols[0]),
        int(rows[0]),
        alpha[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].copy(),
    )


def _glyph_piece(ox: float, oy: float, info: object) -> InkPiece | None:
    metrics = info.metrics
    pad = 3 + math.ceil(max(0.0, -metrics.xmin))
    height = math.ceil(metrics.ymax - metrics.ymin) + 2 * pad + 2
    width = math.ceil(max(metrics.xmax, metrics.advance)) + 2 * pad + 2
    bitmap = np.zeros((height, width), np.uint8)
    info.font.draw_glyph_to_bitmap(bitmap, pad, pad, info.glyph, antialiased=True)
    trimmed = _trim(bitmap)
    if trimmed is None:
        return None
    dx, dy, alpha = trimmed
    x = math.floor(ox) - pad + dx
    y = math.floor(oy - metrics.iceberg) - pad + dy
    return InkPiece(symbol_for(info.num), x, y, alpha)


def _thicken(piece: InkPiece, radius: int) -> InkPiece:
    if radius < 1:
        return piece
    padded = np.pad(piece.alpha, radius)
    image = Image.fromarray(padded).filter(ImageFilter.MaxFilter(2 * radius + 1))
    return InkPiece(piece.symbol, piece.x - radius, piece.y - radius, np.asarray(image).copy())


def _coverage(start: float, length: float) -> tuple[int, np.ndarray]:
    """Fractional coverage of the pixels spanned by [start, start + length)."""
    if length < 1.0:
        start -= (1.0 - length) / 2
        length = 1.0
    first = math.floor(start)
    last = math.ceil(start + length)
    edges = np.arange(first, last + 1, dtype=np.float64)
    cover = np.clip(np.minimum(edges[1:], start + length) - np.maximum(edges[:-1], start), 0, 1)
    return first, cover


def _rule_piece(x: float, y: float, w: float, h: float) -> InkPiece:
    x0, cx = _coverage(x, w)
    y0, cy = _coverage(y, h)
    alpha = np.rint(np.outer(cy, cx) * 255).astype(np.uint8)
    return InkPiece(RULE_SYMBOL, x0, y0, alpha)


def _merge(a: InkPiece, b: InkPiece, symbol: str) -> InkPiece:
    x0, y0 = min(a.x, b.x), min(a.y, b.y)
    x1 = max(a.box[2], b.box[2])
    y1 = max(a.box[3], b.box[3])
    alpha = np.zeros((y1 - y0, x1 - x0), np.uint8)
    for piece in (a, b):
        h, w = piece.alpha.shape
        region = alpha[piece.y - y0 : piece.y - y0 + h, piece.x - x0 : piece.x - x0 + w]
        np.maximum(region, piece.alpha, out=region)
    return InkPiece(symbol, x0, y0, alpha)


def _attach_root_bars(glyphs: list[InkPiece], rules: list[InkPiece]) -> list[InkPiece]:
    """A root's bar is part of the radical sign: merge each bar into the radical it starts at."""
    pieces = list(glyphs)
    for rule in rules:
        target = None
        for i, piece in enumerate(pieces):
            if piece.symbol != RADICAL:
                continue
            near_right = abs(rule.x - piece.box[2]) <= 3 + 0.1 * piece.alpha.shape[1]
            near_top = abs(rule.y - piece.y) <= 3
            if near_right and near_top:
                target = i
                break
        if target is None:
            pieces.append(rule)
        else:
            pieces[target] = _merge(pieces[target], rule, RADICAL)
    return pieces


def typeset(
    latex: str,
    *,
    fontset: FontSet,
    size_px: float,
    jitter: np.random.Generator | None = None,
) -> FormulaInk:
    """Rasterise *latex* at *size_px*; with *jitter*, nudge each character like a hand would.

    Handwritten sets get strokes thickened in proportion to the size, as a pen's would be.
    """
    output = layout(latex, fontset=fontset, size_px=size_px)
    glyphs = [p for ox, oy, info in output.glyphs if (p := _glyph_piece(ox, oy, info))]
    if fontset.handwritten:
        glyphs = [_thicken(p, round(size_px / 40)) for p in glyphs]
    rules = [_rule_piece(*rect) for rect in output.rects]
    pieces = _attach_root_bars(glyphs, rules)
    if not pieces:
        raise ValueError(f"Formula {latex!r} has no ink.")
    if jitter is not None:
        amount = max(1, round(0.035 * size_px))
        pieces = [
            InkPiece(
                p.symbol,
                p.x + int(jitter.integers(-amount, amount + 1)),
                p.y + int(jitter.integers(-amount, amount + 1)),
                p.alpha,
            )
            for p in pieces
        ]
    return _assemble(latex, fontset.handwritten, pieces)


def _assemble(latex: str, handwritten: bool, pieces: list[InkPiece]) -> FormulaInk:
    """The formula made of *pieces*: moved so its ink starts at (0, 0), their union as its ink."""
    x0 = min(p.x for p in pieces)
    y0 = min(p.y for p in pieces)
    pieces = [InkPiece(p.symbol, p.x - x0, p.y - y0, p.alpha) for p in pieces]
    width = max(p.box[2] for p in pieces)
    height = max(p.box[3] for p in pieces)
    alpha = np.zeros((height, width), np.uint8)
    for p in pieces:
        h, w = p.alpha.shape
        region = alpha[p.y : p.y + h, p.x : p.x + w]
        np.maximum(region, p.alpha, out=region)
    return FormulaInk(latex, handwritten, alpha, tuple(pieces))


def _scale_piece(piece: InkPiece, factor: float) -> InkPiece | None:
    """*piece* resampled onto the pixel grid of a formula scaled by *factor*."""
    h, w = piece.alpha.shape
    x0, y0 = math.floor(piece.x * factor), math.floor(piece.y * factor)
    x1 = max(x0 + 1, math.ceil((piece.x + w) * factor))
    y1 = max(y0 + 1, math.ceil((piece.y + h) * factor))
    # zeros around the bitmap, so the target grid (up to a pixel beyond the ink) lies inside it
    pad = 2 + math.ceil(1 / factor)
    padded = np.zeros((h + 2 * pad, w + 2 * pad), np.uint8)
    padded[pad : pad + h, pad : pad + w] = piece.alpha
    source = Image.fromarray(padded)
    box = (
        x0 / factor - piece.x + pad,
        y0 / factor - piece.y + pad,
        x1 / factor - piece.x + pad,
        y1 / factor - piece.y + pad,
    )
    scaled = source.resize((x1 - x0, y1 - y0), Image.Resampling.BICUBIC, box=box)
    trimmed = _trim(np.asarray(scaled))
    if trimmed is None:
        return None
    dx, dy, alpha = trimmed
    return InkPiece(piece.symbol, x0 + dx, y0 + dy, alpha)


def scale_ink(ink: FormulaInk, factor: float) -> FormulaInk:
    """*ink* at *factor* times its size, each character resampled on its own.

    Every piece keeps its own bitmap, so character boxes stay the exact boxes of their ink.
    Much cheaper than typesetting again (no parsing); meant for shrinking (``factor <= 1``).
    """
    pieces = [scaled for piece in ink.pieces if (scaled := _scale_piece(piece, factor))]
    if not pieces:
        raise ValueError(f"Formula {ink.latex!r} has no ink at {factor:.3f} times its size.")
    return _assemble(ink.latex, ink.handwritten, pieces)
