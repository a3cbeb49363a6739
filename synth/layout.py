"""Where formulas go on the page, and which geometric effect the page gets."""

from __future__ import annotations

import numpy as np

from synth import geometry
from synth.geometry import Box, Identity, Rotation, Transform


def _overlaps(a: Box, b: Box, gap: int) -> bool:
    return not (
        a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1] or b[3] + gap <= a[1]
    )


def _inside(box: Box, width: int, height: int, margin: int) -> bool:
    return (
        box[0] >= margin
        and box[1] >= margin
        and box[2] <= width - margin
        and box[3] <= height - margin
    )


def place(
    *,
    rng: np.random.Generator,
    size: tuple[int, int],
    transform: Transform,
    width: int,
    height: int,
    taken: list[Box],
    margin: int,
) -> tuple[int, int, Box] | None:
    w, h = size
    for _ in range(30):
        cx = rng.uniform(0, width)
        cy = rng.uniform(0, height)
        sx, sy = transform.source(np.array([cx]), np.array([cy]))
        px, py = round(float(sx[0]) - w / 2), round(float(sy[0]) - h / 2)
        page_box = (px, py, px + w, py + h)
        window = transform.window(page_box)
        if not _inside(page_box, width, height, margin) or not _inside(
            window, width, height, margin
        ):
            continue
        if any(_overlaps(window, other, margin) for other in taken):
            continue
        return px, py, window
    return None


def place_cropped(
    *, rng: np.random.Generator, size: tuple[int, int], width: int, height: int
) -> tuple[int, int, Box] | None:
    """Place a formula so the image edge cuts off 15-45 % of it."""
    w, h = size
    if w >= width * 0.95 or h >= height * 0.9:
        return None
    edge = int(rng.integers(4))
    cut = rng.uniform(0.15, 0.45)
    if edge == 0:
        px, py = -int(w * cut), int(rng.uniform(0.05, 0.95) * (height - h))
    elif edge == 1:
        px, py = width - int(w * (1 - cut)), int(rng.uniform(0.05, 0.95) * (height - h))
    elif edge == 2:
        px, py = int(rng.uniform(0.05, 0.95) * (width - w)), -int(h * cut)
    else:
        px, py = int(rng.uniform(0.05, 0.95) * (width - w)), height - int(h * (1 - cut))
    window = (max(px, 0), max(py, 0), min(px + w, width), min(py + h, height))
    return px, py, window


def transform_for(
    *, capture: str, rng: np.random.Generator, width: int, height: int
) -> tuple[Transform, dict]:
    if capture == "rotated":
        degrees = float(rng.uniform(3.0, 90.0)) * (1 if rng.random() < 0.5 else -1)
        return Rotation(degrees, (width / 2, height / 2)), {"rotation_degrees": degrees}
    if capture == "crumpled":
        crumple = geometry.crumple_random(rng=rng, width=width, height=height)
        return crumple, {"warp_reach_px": round(crumple.reach, 2)}
    return Identity(), {}
