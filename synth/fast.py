"""Fast mode's shared material: formula ink typeset once per style, and pre-exposed backdrops.

Normal mode renders every photo from scratch. Fast mode renders the parts that do not depend on
the photo's formulas once and reuses them:

- Formula ink: each (formula, style) is typeset once, at the largest fast font size for the
  photo height, and shrunk to the other sizes glyph by glyph (``typeset.scale_ink``), so
  mathtext parses each formula once per style instead of once per size.
- Backdrops: a small pool per (seed, size, kind) of blank pages already photographed (paper,
  geometric effect, lighting, shadow or crumple shading, sensor noise) as uint8 images. A photo
  copies its backdrop and exposes only the pixels its ink and effects touch, from the same
  lighting and noise fields, so nothing else is computed per photo.

Every cached value is a pure function of its key, so the output does not depend on the order of
the photos, on the process that renders them, or on what is cached already.
"""

from __future__ import annotations

import multiprocessing
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
from PIL import Image

from synth import effects, paper
from synth.fonts import PRINTED_FONTSETS, FontSet, handwritten_fontset
from synth.formulas import formulas
from synth.geometry import (
    Box,
    Crumple,
    Identity,
    Transform,
    pixel_centres,
    shading_field,
    warp_image,
)
from synth.layout import transform_for
from synth.typeset import FormulaInk, scale_ink, typeset

# font sizes as fractions of the photo height, and the factor for photos with 3+ formulas
FAST_SIZES = (0.04, 0.05, 0.062, 0.075)
CROWDED_SHRINK = 0.8
# pool sizes per (seed, size) at 1024x768 and below; larger photos get fewer (at least two)
POOL_AREA = 1024 * 768
BACKDROP_POOLS = {"flat": 12, "shadow": 8, "rotated": 24, "crumpled": 12}
PAPER_POOL = 6
NOISE_POOL = 6
# memory each cache may hold (per process; forked workers share what was built before the fork)
PAPER_BYTES = 512 * 2**20
NOISE_BYTES = 192 * 2**20
BACKDROP_BYTES = 1536 * 2**20
INK_BYTES = 768 * 2**20

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """A least-recently-used cache bounded by the bytes its values hold."""

    def __init__(self, max_bytes: int, size_of: Callable[[V], int]) -> None:
        self.max_bytes = max_bytes
        self._size_of = size_of
        self._values: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0

    def get(self, key: K, build: Callable[[], V]) -> V:
        found = self._values.get(key)
        if found is not None:
            self._values.move_to_end(key)
            return found[0]
        value = build()
        size = self._size_of(value)
        self._values[key] = (value, size)
        self._bytes += size
        while self._bytes > self.max_bytes and len(self._values) > 1:
            _, (_, dropped) = self._values.popitem(last=False)
            self._bytes -= dropped
        return value

    def put(self, key: K, value: V) -> None:
        """Store *value* (built elsewhere, e.g. in another process) unless *key* is cached."""
        self.get(key, lambda: value)

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        self._values.clear()
        self._bytes = 0


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def to_uint8(array: np.ndarray) -> np.ndarray:
    return np.clip(array * 255.0 + 0.5, 0, 255).astype(np.uint8)


def expose(page: np.ndarray, light255: np.ndarray, noise255: np.ndarray) -> np.ndarray:
    """Photograph *page* (float RGB in [0, 1]): times the light, plus the noise, as uint8.

    *light255* is the light field times 255, *noise255* the noise times 255 plus 0.5 (both
    height x width). Elementwise, so a window of the page gives that window of the photo.
    """
    out = np.multiply(page, light255[..., None])
    out += noise255[..., None]
    np.clip(out, 0, 255, out=out)
    return out.astype(np.uint8)


def pool_size(base: int, width: int, height: int) -> int:
    return max(2, min(base, round(base * POOL_AREA / (width * height))))


# --- formula ink ------------------------------------------------------------------------------


def _ink_bytes(ink: FormulaInk) -> int:
    return ink.alpha.nbytes + sum(p.alpha.nbytes for p in ink.pieces) + 512


FONTSET_NAMES = (*(f.name for f in PRINTED_FONTSETS), "handwritten")


_REFERENCE_INK: BoundedCache[tuple[int, str, int], FormulaInk] = BoundedCache(
    INK_BYTES // 4, _ink_bytes
)
_INK: BoundedCache[tuple[int, str, int, int], FormulaInk] = BoundedCache(INK_BYTES, _ink_bytes)


def fontset_named(name: str) -> FontSet:
    if name == "handwritten":
        return handwritten_fontset()
    return next(f for f in PRINTED_FONTSETS if f.name == name)


def reference_px(height: int) -> int:
    """The font size fast mode typesets at for photos *height* pixels high."""
    return max(16, round(height * max(FAST_SIZES)))


def font_sizes(height: int) -> list[int]:
    """The font sizes fast mode picks from for photos *height* pixels high."""
    return sorted({round(height * f * s) for f in FAST_SIZES for s in (1.0, CROWDED_SHRINK)})


def _typeset(formula: int, fontset_name: str, size_px: int) -> FormulaInk:
    fontset = fontset_named(fontset_name)
    jitter = np.random.default_rng([formula, size_px]) if fontset.handwritten else None
    return typeset(formulas()[formula], fontset=fontset, size_px=size_px, jitter=jitter)


def _reference_ink(formula: int, fontset_name: str, source_px: int) -> FormulaInk:
    return _REFERENCE_INK.get(
        (formula, fontset_name, source_px),
        lambda: _typeset(formula, fontset_name, source_px),
    )


def _ink_key(
    formula: int, fontset_name: str, size_px: int, height: int
) -> tuple[int, str, int, int]:
    return (formula, fontset_name, size_px, max(size_px, reference_px(height)))


def fast_ink(formula: int, fontset_name: str, size_px: int, height: int) -> FormulaInk:
    """Formula *formula* in a style at *size_px*, shrunk from its typesetting for *height*."""
    key = _ink_key(formula, fontset_name, size_px, height)
    source_px = key[3]

    def build() -> FormulaInk:
        source = _reference_ink(formula, fontset_name, source_px)
        return source if source_px == size_px else scale_ink(source, size_px / source_px)

    return _INK.get(key, build)


# --- backdrops --------------------------------------------------------------------------------

BACKDROP_KINDS = tuple(BACKDROP_POOLS)


def backdrop_kind(capture: str) -> str:
    """The backdrop pool a capture category draws from (the others differ only in ink)."""
    return capture if capture in BACKDROP_POOLS else "flat"


@dataclass(frozen=True, eq=False)
class Backdrop:
    """A blank page, photographed: the page, its capture effect, and the exposure fields."""

    kind: str
    paper: np.ndarray  # float32 RGB page in [0, 1], read-only
    transform: Transform
    desk: tuple[int, int, int]
    light255: np.ndarray  # float32, height x width: light (and shadow or shading) times 255
    noise255: np.ndarray  # float32, height x width: noise times 255, plus 0.5
    image: np.ndarray  # uint8 RGB: the photo of the blank page
    meta: dict = field(default_factory=dict)
    # with a geometric effect: the page point each photo pixel centre comes from (float32)
    source_x: np.ndarray | None = None
    source_y: np.ndarray | None = None

    @property
    def nbytes(self) -> int:
        maps = 0 if self.source_x is None or self.source_y is None else 2 * self.source_x.nbytes
        return self.light255.nbytes + self.image.nbytes + maps

    def source_maps(self, window: Box) -> tuple[np.ndarray, np.ndarray]:
        """Where the pixels of a photo *window* come from on the page (float32 x, y)."""
        if self.source_x is None or self.source_y is None:
            raise ValueError("A backdrop without a geometric effect has no source maps.")
        x0, y0, x1, y1 = window
        return self.source_x[y0:y1, x0:x1], self.source_y[y0:y1, x0:x1]


def _array_bytes(array: np.ndarray) -> int:
    return array.nbytes


_PAPER: BoundedCache[tuple[int, int, int, int], np.ndarray] = BoundedCache(
    PAPER_BYTES, _array_bytes
)
_NOISE: BoundedCache[tuple[int, int, int, int], np.ndarray] = BoundedCache(
    NOISE_BYTES, _array_bytes
)
_BACKDROP: BoundedCache[tuple[int, int, int, str, int], Backdrop] = BoundedCache(
    BACKDROP_BYTES, lambda backdrop: backdrop.nbytes
)


def fast_paper(seed: int, width: int, height: int, variant: int) -> np.ndarray:
    def build() -> np.ndarray:
        rng = np.random.default_rng([seed, width, height, variant, 1])
        return _frozen(paper.paper_page(rng=rng, width=width, height=height))

    return _PAPER.get((seed, width, height, variant), build)


def fast_noise(seed: int, width: int, height: int, variant: int) -> np.ndarray:
    """Sensor noise times 255, plus the 0.5 that rounds."""

    def build() -> np.ndarray:
        rng = np.random.default_rng([seed, width, height, variant, 2])
        sigma = float(rng.uniform(0.006, 0.016))
        noise = effects.sensor_noise(rng=rng, width=width, height=height, sigma=sigma)
        return _frozen(noise * np.float32(255) + np.float32(0.5))

    return _NOISE.get((seed, width, height, variant), build)


def _build_backdrop(seed: int, width: int, height: int, kind: str, variant: int) -> Backdrop:
    rng = np.random.default_rng([seed, width, height, BACKDROP_KINDS.index(kind), variant, 3])
    page = fast_paper(seed, width, height, int(rng.integers(pool_size(PAPER_POOL, width, height))))
    noise255 = fast_noise(
        seed, width, height, int(rng.integers(pool_size(NOISE_POOL, width, height)))
    )
    light = effects.lighting_field(rng=rng, width=width, height=height)
    transform: Transform = Identity()
    meta: dict = {}
    if kind in ("rotated", "crumpled"):
        transform, meta = transform_for(capture=kind, rng=rng, width=width, height=height)
    if isinstance(transform, Crumple):
        light = light * shading_field(transform, width, height)
    if kind == "shadow":
        shadow, strength, core = effects.shadow_field(rng=rng, width=width, height=height)
        light = light * shadow
        meta = {"shadow_strength": round(strength, 3), "shadow_box": list(core)}
    desk = paper.desk_colour(rng=rng)
    light255 = _frozen(light * np.float32(255))
    if transform.is_identity:
        lit = page
    else:
        moved = warp_image(Image.fromarray(to_uint8(page)), transform, desk)
        lit = np.asarray(moved, np.float32) * np.float32(1 / 255)
    image = _frozen(expose(lit, light255, noise255))
    source_x = source_y = None
    if not transform.is_identity:
        sx, sy = np.broadcast_arrays(*transform.source(*pixel_centres((0, 0, width, height))))
        source_x, source_y = _frozen(sx.astype(np.float32)), _frozen(sy.astype(np.float32))
    return Backdrop(
        kind, page, transform, desk, light255, noise255, image, meta, source_x, source_y
    )


def backdrop(seed: int, width: int, height: int, kind: str, variant: int) -> Backdrop:
    """Backdrop *variant* of the pool for (seed, size, kind); built on first use."""
    return _BACKDROP.get(
        (seed, width, height, kind, variant),
        lambda: _build_backdrop(seed, width, height, kind, variant),
    )


def choose_backdrop(
    *, seed: int, width: int, height: int, capture: str, rng: np.random.Generator
) -> Backdrop:
    kind = backdrop_kind(capture)
    variant = int(rng.integers(pool_size(BACKDROP_POOLS[kind], width, height)))
    return backdrop(seed, width, height, kind, variant)


def clear() -> None:
    """Drop every fast-mode cache."""
    _REFERENCE_INK.clear()
    _INK.clear()
    _PAPER.clear()
    _NOISE.clear()
    _BACKDROP.clear()


# --- warming up before forking ----------------------------------------------------------------


def _ink_of_formula(job: tuple[int, int]) -> tuple[list, list]:
    """Every fast-mode ink of one formula for photos *height* high, as cache entries."""
    formula, height = job
    reference = reference_px(height)
    inks = [
        (_ink_key(formula, name, size, height), fast_ink(formula, name, size, height))
        for name in FONTSET_NAMES
        for size in font_sizes(height)
    ]
    references = [
        ((formula, name, reference), _reference_ink(formula, name, reference))
        for name in FONTSET_NAMES
    ]
    return inks, references


def warm_ink(height: int, *, workers: int = 1) -> None:
    """Typeset every formula in every style for photos *height* high, at every fast size.

    With several workers the typesetting is spread over forked processes and the ink is sent
    back, so processes forked afterwards share one copy of it.
    """
    jobs = [(formula, height) for formula in range(len(formulas()))]
    if workers <= 1:
        for job in jobs:
            _ink_of_formula(job)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for inks, references in pool.imap_unordered(_ink_of_formula, jobs, chunksize=4):
            for key, ink in inks:
                _INK.put(key, ink)
            for key, ink in references:
                _REFERENCE_INK.put(key, ink)


def warm_backdrops(seed: int, width: int, height: int) -> None:
    """Build every backdrop of the pools for (seed, size)."""
    for kind, base in BACKDROP_POOLS.items():
        for variant in range(pool_size(base, width, height)):
            backdrop(seed, width, height, kind, variant)
