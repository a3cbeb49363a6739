"""Geometric effects as maps from image points back to page points.

Coordinates are continuous pixels: pixel (i, j) covers [i, i+1) x [j, j+1), its centre is at
(i + 0.5, j + 0.5). A transform answers two questions: where on the page does an image point
come from (``source``), and which image window can a page box land in (``window``). Images and
ink are resampled with the same ``source``, so boxes follow the ink exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive ends)


@dataclass(frozen=True)
class Identity:
    def source(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return xs, ys

    def window(self, box: Box) -> Box:
        return box

    @property
    def is_identity(self) -> bool:
        return True


@dataclass(frozen=True)
class Rotation:
    """The page turned by *degrees* (counter-clockwise as seen in the image) about *centre*."""

    degrees: float
    centre: tuple[float, float]

    @property
    def is_identity(self) -> bool:
        return False

    def _cos_sin(self) -> tuple[float, float]:
        theta = math.radians(self.degrees)
        return math.cos(theta), math.sin(theta)

    def forward(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Page point to image point (y points down, so a positive angle turns anticlockwise)."""
        c, s = self._cos_sin()
        cx, cy = self.centre
        dx, dy = xs - cx, ys - cy
        return cx + c * dx + s * dy, cy - s * dx + c * dy

    def source(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c, s = self._cos_sin()
        cx, cy = self.centre
        dx, dy = xs - cx, ys - cy
        return cx + c * dx - s * dy, cy + s * dx + c * dy

    def affine_coefficients(self) -> tuple[float, float, float, float, float, float]:
        """``source`` as (a, b, c, d, e, f): sx = a x + b y + c, sy = d x + e y + f."""
        c, s = self._cos_sin()
        cx, cy = self.centre
        return (c, -s, cx - c * cx + s * cy, s, c, cy - s * cx - c * cy)

    def window(self, box: Box) -> Box:
        x0, y0, x1, y1 = box
        xs, ys = self.forward(np.array([x0, x1, x1, x0], float), np.array([y0, y0, y1, y1], float))
        return (
            math.floor(xs.min()) - 2,
            math.floor(ys.min()) - 2,
            math.ceil(xs.max()) + 2,
            math.ceil(ys.max()) + 2,
        )


@dataclass(frozen=True, eq=False)
class Crumple:
    """A smooth page warp, piecewise bilinear between grid nodes *step* pixels apart.

    ``source(p) = p + D(p)``; D is given at the nodes (arrays of shape (rows, cols), node (j, i)
    at image point (i * step, j * step)) and interpolated bilinearly between them: exactly the
    map Pillow's MESH transform applies, so the image and the boxes use the same warp.
    """

    step: int
    dx: np.ndarray
    dy: np.ndarray

    @property
    def is_identity(self) -> bool:
        return False

    @property
    def reach(self) -> float:
        return float(max(np.abs(self.dx).max(), np.abs(self.dy).max()))

    def source(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = np.broadcast_arrays(xs, ys)
        rows, cols = self.dx.shape
        u = xs / self.step
        v = ys / self.step
        i = np.clip(np.floor(u).astype(np.int64), 0, cols - 2)
        j = np.clip(np.floor(v).astype(np.int64), 0, rows - 2)
        fu = u - i
        fv = v - j

        def interpolate(nodes: np.ndarray) -> np.ndarray:
            return (
                nodes[j, i] * (1 - fu) * (1 - fv)
                + nodes[j, i + 1] * fu * (1 - fv)
                + nodes[j + 1, i] * (1 - fu) * fv
                + nodes[j + 1, i + 1] * fu * fv
            )

        return xs + interpolate(self.dx), ys + interpolate(self.dy)

    def window(self, box: Box) -> Box:
        margin = math.ceil(self.reach) + 2
        x0, y0, x1, y1 = box
        return (x0 - margin, y0 - margin, x1 + margin, y1 + margin)

    def mesh(self) -> list[tuple[Box, tuple[float, ...]]]:
        """The warp as Pillow MESH data: (image cell, page quad UL, LL, LR, UR) per cell."""
        rows, cols = self.dx.shape
        g = self.step
        cells = []
        for j in range(rows - 1):
            for i in range(cols - 1):
                corners = ((i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j))
                quad: list[float] = []
                for ci, cj in corners:
                    quad += [
                        ci * g + float(self.dx[cj, ci]),
                        cj * g + float(self.dy[cj, ci]),
                    ]
                cells.append(((i * g, j * g, (i + 1) * g, (j + 1) * g), tuple(quad)))
        return cells

    def shading(self) -> np.ndarray:
        """Relative brightness at the nodes: slopes facing the light are brighter."""
        gy_x, gx_x = np.gradient(self.dx, self.step)
        gy_y, gx_y = np.gradient(self.dy, self.step)
        return np.clip(1.0 + 0.35 * (gx_x + gy_y) - 0.2 * (gy_x + gx_y), 0.85, 1.06)


Transform = Identity | Rotation | Crumple


def warp_image(
    image: Image.Image, transform: Transform, fill: int | tuple[int, ...]
) -> Image.Image:
    """*image* through *transform* (bilinear); points from outside the page take *fill*."""
    size = image.size
    if isinstance(transform, Rotation):
        return image.transform(
            size,
            Image.Transform.AFFINE,
            transform.affine_coefficients(),
            resample=Image.Resampling.BILINEAR,
            fillcolor=fill,
        )
    if isinstance(transform, Crumple):
        return image.transform(
            size,
            Image.Transform.MESH,
            transform.mesh(),
            resample=Image.Resampling.BILINEAR,
            fillcolor=fill,
        )
    return image


def shading_field(crumple: Crumple, width: int, height: int) -> np.ndarray:
    """The crumple's relative brightness (float32, height x width), bilinear between nodes."""
    nodes = crumple.shading().astype(np.float32)
    shading = Image.fromarray(nodes, mode="F").resize(
        ((nodes.shape[1] - 1) * crumple.step, (nodes.shape[0] - 1) * crumple.step),
        Image.Resampling.BILINEAR,
    )
    return np.asarray(shading, np.float32)[:height, :width]


def crumple_random(*, rng: np.random.Generator, width: int, height: int) -> Crumple:
    """A crumpled page for an image of this size: a few broad waves and a few sharp creases."""
    scale = max(width, height)
    step = max(8, scale // 20)
    cols = -(-width // step) + 1
    rows = -(-height // step) + 1
    xs = np.arange(cols, dtype=np.float64)[None, :] * step
    ys = np.arange(rows, dtype=np.float64)[:, None] * step

    def field() -> np.ndarray:
        total = np.zeros((rows, cols))
        for i in range(5):
            crease = i >= 2
            wavelength = scale * rng.uniform(0.35, 0.9) * (1.6 if crease else 1.0)
            angle = rng.uniform(0, 2 * math.pi)
            k = 2 * math.pi / wavelength
            # slope of a wave is at most 2 pi A / wavelength (twice that for a crease)
            amplitude = wavelength * rng.uniform(0.006, 0.012) / (2.0 if crease else 1.0)
            wave = np.sin(k * math.cos(angle) * xs + k * math.sin(angle) * ys + rng.uniform(0, 7))
            if crease:
                wave = 2.0 * np.abs(wave) - 1.0
            total += amplitude * wave
        return total

    return Crumple(step, field(), field())


def pixel_centres(box: Box) -> tuple[np.ndarray, np.ndarray]:
    x0, y0, x1, y1 = box
    xs = np.arange(x0, x1, dtype=np.float64) + 0.5
    ys = np.arange(y0, y1, dtype=np.float64) + 0.5
    return xs[None, :], ys[:, None]


@dataclass(frozen=True, eq=False)
class LandedInk:
    """Where a layer's ink lands in a photo: the pixels it reaches (alpha > 0), as absolute
    *rows* and *cols*, their *alpha*, and with a geometric effect the page points *sx*, *sy*
    (float32) they come from, to resample the layer's parts at the same pixels."""

    rows: np.ndarray
    cols: np.ndarray
    alpha: np.ndarray
    sx: np.ndarray | None = None
    sy: np.ndarray | None = None

    def box(self, where: np.ndarray) -> Box | None:
        """Box of the pixels selected by the boolean array *where* (over this ink's pixels)."""
        if not where.any():
            return None
        rows, cols = self.rows[where], self.cols[where]
        return (int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1)


def sample(
    array: np.ndarray,
    sx: np.ndarray,
    sy: np.ndarray,
    *,
    origin: tuple[int, int] = (0, 0),
    fill: float | tuple[float, ...] = 0.0,
) -> np.ndarray:
    """Bilinear samples of *array* (whose pixel (0, 0) sits at *origin*) at continuous points.

    Points outside the array take *fill*. The result has the shape of ``sx``/``sy``
    (broadcast), plus the array's channel axis if it has one.
    """
    sx, sy = np.broadcast_arrays(sx, sy)
    fx = sx - origin[0] - 0.5
    fy = sy - origin[1] - 0.5
    x0 = np.floor(fx).astype(np.int64)
    y0 = np.floor(fy).astype(np.int64)
    wx = (fx - x0).astype(np.float32)
    wy = (fy - y0).astype(np.float32)
    h, w = array.shape[:2]
    pad = np.zeros((h + 2, w + 2, *array.shape[2:]), np.float32)
    pad[...] = fill
    pad[1:-1, 1:-1] = array
    # array index i sits at padded index i + 1; -1 and w are the fill border, beyond reads it too
    xi = np.where((x0 >= -1) & (x0 <= w), x0 + 1, 0)
    yi = np.where((y0 >= -1) & (y0 <= h), y0 + 1, 0)
    xj = np.where((x0 >= -2) & (x0 <= w - 1), x0 + 2, 0)
    yj = np.where((y0 >= -2) & (y0 <= h - 1), y0 + 2, 0)
    if array.ndim == 3:
        wx = wx[..., None]
        wy = wy[..., None]
    top = pad[yi, xi] * (1 - wx) + pad[yi, xj] * wx
    bottom = pad[yj, xi] * (1 - wx) + pad[yj, xj] * wx
    return top * (1 - wy) + bottom * wy


def sample_alpha(
    alpha: np.ndarray, sx: np.ndarray, sy: np.ndarray, *, origin: tuple[int, int]
) -> np.ndarray:
    """``sample`` for one float32 channel with zero fill, in float32: fast mode's resampler.

    *sx*, *sy* are float32 arrays of one shape; the result has that shape.
    """
    h, w = alpha.shape
    # one row and column of zeros before the array and two after: clamped points read zeros
    stride = w + 3
    pad = np.zeros((h + 3, stride), np.float32)
    pad[1 : h + 1, 1 : w + 1] = alpha
    fx = sx - np.float32(origin[0] - 0.5)
    fy = sy - np.float32(origin[1] - 0.5)
    np.clip(fx, 0, w + 1, out=fx)
    np.clip(fy, 0, h + 1, out=fy)
    x0 = fx.astype(np.int32)
    y0 = fy.astype(np.int32)
    fx -= x0
    fy -= y0
    index = y0 * stride
    index += x0
    flat = pad.ravel()
    top = flat.take(index)
    right = flat.take(index + 1)
    right -= top
    right *= fx
    top += right
    index += stride
    bottom = flat.take(index)
    right = flat.take(index + 1)
    right -= bottom
    right *= fx
    bottom += right
    bottom -= top
    bottom *= fy
    top += bottom
    return top
