"""Paper-like page backgrounds: a paper tone, faint ruled lines or a grid, mild mottling."""

from __future__ import annotations

import numpy as np
from PIL import Image

PAPER_TONES = (
    (0.95, 0.94, 0.90),
    (0.93, 0.92, 0.88),
    (0.96, 0.95, 0.93),
    (0.94, 0.91, 0.84),
    (0.90, 0.91, 0.92),
    (0.92, 0.93, 0.90),
)
LINE_COLOURS = ((0.55, 0.68, 0.85), (0.62, 0.62, 0.65), (0.55, 0.78, 0.70))
DESK_COLOURS = (
    (0.42, 0.32, 0.24),
    (0.30, 0.30, 0.32),
    (0.55, 0.50, 0.44),
    (0.20, 0.22, 0.25),
)


def smooth_field(
    *, rng: np.random.Generator, width: int, height: int, cells: int, amount: float
) -> np.ndarray:
    """A smooth random field around 1.0 (±amount), made by upsampling a few random values."""
    aspect = width / height
    small = rng.uniform(-1, 1, (cells, max(2, round(cells * aspect)))).astype(np.float32)
    image = Image.fromarray(small, mode="F").resize((width, height), Image.Resampling.BICUBIC)
    return 1.0 + amount * np.asarray(image, np.float32)


def _rules(
    page: np.ndarray, *, rng: np.random.Generator, colour: np.ndarray, vertical: bool
) -> None:
    height, width = page.shape[:2]
    spacing = height * rng.uniform(0.035, 0.06)
    thickness = max(1.0, height / 900)
    strength = rng.uniform(0.25, 0.5)
    offset = rng.uniform(0, spacing)
    for axis_len, axis in ((height, 0), (width, 1)) if vertical else ((height, 0),):
        position = offset
        while position < axis_len:
            start = int(position)
            for k in range(int(np.ceil(thickness)) + 1):
                row = start + k
                if row >= axis_len:
                    break
                cover = min(row + 1, position + thickness) - max(row, position)
                if cover <= 0:
                    continue
                alpha = strength * cover
                if axis == 0:
                    page[row] = page[row] * (1 - alpha) + colour * alpha
                else:
                    page[:, row] = page[:, row] * (1 - alpha) + colour * alpha
            position += spacing


def paper_page(*, rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A float32 RGB page in [0, 1]: paper tone, mottling, and ruled lines, a grid, or none."""
    tone = np.array(PAPER_TONES[rng.integers(len(PAPER_TONES))], np.float32)
    tone *= np.float32(rng.uniform(0.95, 1.0))
    mottle = smooth_field(rng=rng, width=width, height=height, cells=12, amount=0.012)
    page = mottle[..., None] * tone[None, None, :]
    style = rng.choice(["blank", "ruled", "grid"], p=[0.3, 0.4, 0.3])
    if style != "blank":
        colour = np.array(LINE_COLOURS[rng.integers(len(LINE_COLOURS))], np.float32)
        _rules(page, rng=rng, colour=colour, vertical=style == "grid")
    if style == "ruled" and rng.random() < 0.5:
        margin = int(width * rng.uniform(0.06, 0.12))
        thickness = max(1, width // 700)
        red = np.array((0.85, 0.45, 0.45), np.float32)
        page[:, margin : margin + thickness] = (
            page[:, margin : margin + thickness] * 0.6 + red * 0.4
        )
    return page


def desk_colour(*, rng: np.random.Generator) -> tuple[int, int, int]:
    colour = DESK_COLOURS[rng.integers(len(DESK_COLOURS))]
    return tuple(round(c * 255) for c in colour)
