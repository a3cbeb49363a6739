"""Photometric capture effects: lighting, shadow, highlighter, whiteout patches, sensor noise.

None of these move ink, so they never change a box; geometric effects live in geometry.py.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from synth.geometry import Box

HIGHLIGHTER_COLOURS = (
    (1.0, 0.93, 0.15),
    (0.45, 1.0, 0.35),
    (1.0, 0.42, 0.72),
    (1.0, 0.62, 0.15),
    (0.35, 0.85, 1.0),
)


def lighting_field(*, rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A gentle brightness gradient across the photo, as from a lamp or a window."""
    angle = rng.uniform(0, 2 * math.pi)
    low, high = rng.uniform(0.86, 0.94), rng.uniform(1.0, 1.05)
    small_w, small_h = 64, max(2, round(64 * height / width))
    xs = np.linspace(-0.5, 0.5, small_w)[None, :]
    ys = np.linspace(-0.5, 0.5, small_h)[:, None] * (height / width)
    ramp = (xs * math.cos(angle) + ys * math.sin(angle)) / 0.75 + 0.5
    field = (low + (high - low) * np.clip(ramp, 0, 1)).astype(np.float32)
    image = Image.fromarray(field, mode="F").resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(image, np.float32)


def shadow_field(
    *, rng: np.random.Generator, width: int, height: int
) -> tuple[np.ndarray, float, Box]:
    """A soft dark shadow (a hand or a phone) over part of the photo.

    Returns the multiplier field, the darkening at the shadow's core, and the core's box.
    """
    scale = 8
    small_w, small_h = max(4, width // scale), max(4, height // scale)
    mask = Image.new("L", (small_w, small_h), 0)
    draw = ImageDraw.Draw(mask)
    # a blob entering from one edge, reaching 30-60 % into the photo
    edge = int(rng.integers(4))
    depth = rng.uniform(0.3, 0.6)
    spread = rng.uniform(0.35, 0.8)
    centre = rng.uniform(0.25, 0.75)
    if edge in (0, 1):  # left or right
        reach = depth * small_w
        y0, y1 = (centre - spread / 2) * small_h, (centre + spread / 2) * small_h
        x0, x1 = (-small_w, reach) if edge == 0 else (small_w - reach, 2 * small_w)
    else:  # top or bottom
        reach = depth * small_h
        x0, x1 = (centre - spread / 2) * small_w, (centre + spread / 2) * small_w
        y0, y1 = (-small_h, reach) if edge == 2 else (small_h - reach, 2 * small_h)
    draw.ellipse((x0, y0, x1, y1), fill=255)
    blur = max(small_w, small_h) * rng.uniform(0.03, 0.07)
    mask = mask.filter(ImageFilter.GaussianBlur(blur))
    strength = float(rng.uniform(0.4, 0.6))
    mask_full = mask.resize((width, height), Image.Resampling.BILINEAR)
    alpha = np.asarray(mask_full, np.float32) / 255.0
    field = 1.0 - strength * alpha
    core = np.argwhere(alpha > 0.95)
    if core.size:
        box = (
            int(core[:, 1].min()),
            int(core[:, 0].min()),
            int(core[:, 1].max()) + 1,
            int(core[:, 0].max()) + 1,
        )
    else:
        box = (0, 0, 0, 0)
    return field, strength, box


def highlighter_band(
    page: np.ndarray, *, rng: np.random.Generator, target: Box, font_px: float
) -> tuple[Box, tuple[float, float, float]]:
    """Draw a translucent highlighter stroke across part of *target* (multiply blend).

    Returns the stroke's box (page pixels) and its colour.
    """
    height, width = page.shape[:2]
    x0, y0, x1, y1 = target
    span = x1 - x0
    start = x0 + span * rng.uniform(-0.05, 0.35)
    end = start + span * rng.uniform(0.45, 0.8)
    thickness = max(6.0, font_px * rng.uniform(1.1, 1.6), (y1 - y0) * rng.uniform(0.45, 0.7))
    centre_y = (y0 + y1) / 2 + (y1 - y0) * rng.uniform(-0.12, 0.12)
    tilt = rng.uniform(-0.03, 0.03)
    bx0 = max(0, int(start) - 2)
    bx1 = min(width, int(end) + 3)
    by0 = max(0, int(centre_y - thickness / 2 - abs(tilt) * span) - 3)
    by1 = min(height, int(centre_y + thickness / 2 + abs(tilt) * span) + 4)
    if bx1 <= bx0 or by1 <= by0:
        return (0, 0, 0, 0), (1.0, 1.0, 1.0)
    xs = np.arange(bx0, bx1, dtype=np.float32)[None, :] + 0.5
    ys = np.arange(by0, by1, dtype=np.float32)[:, None] + 0.5
    mid = centre_y + tilt * (xs - start)
    wobble = np.sin(xs / max(4.0, font_px) * 2.3) * thickness * 0.04
    inside_y = np.clip(thickness / 2 + wobble - np.abs(ys - mid), 0, 1.5) / 1.5
    inside_x = np.clip(np.minimum(xs - start, end - xs) / max(2.0, thickness * 0.15), 0, 1)
    alpha = (inside_y * inside_x * rng.uniform(0.55, 0.75)).astype(np.float32)
    colour = HIGHLIGHTER_COLOURS[rng.integers(len(HIGHLIGHTER_COLOURS))]
    tint = 1.0 - alpha[..., None] * (1.0 - np.array(colour, np.float32))
    page[by0:by1, bx0:bx1] *= tint
    return (bx0, by0, bx1, by1), colour


def whiteout_patch(*, rng: np.random.Generator, box: Box) -> np.ndarray:
    """The alpha (float32, the size of *box*) of a correction-fluid patch: soft, uneven edges."""
    width, height = box[2] - box[0], box[3] - box[1]
    xs = (np.arange(width, dtype=np.float32)[None, :] + 0.5) / width
    ys = (np.arange(height, dtype=np.float32)[:, None] + 0.5) / height
    edge = np.minimum(np.minimum(xs, 1 - xs) * width, np.minimum(ys, 1 - ys) * height)
    ripple = 1.0 + 0.8 * np.sin(xs * rng.uniform(9, 15) + ys * rng.uniform(5, 9))
    return np.clip((edge - ripple) / 1.5, 0, 1).astype(np.float32)


def sensor_noise(*, rng: np.random.Generator, width: int, height: int, sigma: float) -> np.ndarray:
    """Luminance noise, the same on all three channels (float32, height x width)."""
    return rng.standard_normal((height, width), dtype=np.float32) * np.float32(sigma)
