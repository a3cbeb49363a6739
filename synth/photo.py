"""Synthetic photos of formulas on paper, with their ground truth in the canonical format.

A photo is planned first (plan.py: page, formulas, their visible ink, the capture effect) and
then rendered (render.py); the ground truth (truth.py) is read off the plan's ink through the
same geometric transform that renders the photo, so every box still encloses its ink.
"""

from __future__ import annotations

from collections.abc import Iterator

from PIL import Image

from synth import fast
from synth.plan import CAPTURES, CATEGORY_CELLS, MAX_SIZE, WRITINGS, Plan, plan_photo
from synth.render import render_ink_only, render_photo
from synth.truth import ground_truth

__all__ = [
    "CAPTURES",
    "CATEGORY_CELLS",
    "MAX_SIZE",
    "WRITINGS",
    "Plan",
    "category_for",
    "clear_caches",
    "generate_photo",
    "generate_photos",
    "ground_truth",
    "plan_photo",
    "render_ink_only",
    "render_photo",
]


def generate_photo(
    *,
    seed: int,
    index: int,
    capture: str,
    writing: str,
    size: tuple[int, int] = (1024, 768),
    fast: bool = False,
) -> tuple[Image.Image, dict]:
    """One synthetic photo and its annotation; the same arguments give the same bytes."""
    plan = plan_photo(
        seed=seed, index=index, capture=capture, writing=writing, size=size, fast=fast
    )
    image = render_photo(plan)
    return image, ground_truth(plan)


def category_for(
    *, index: int, categories: tuple[tuple[str, str], ...] | None = None
) -> tuple[str, str]:
    """The (capture, writing) cell of the *index*-th photo: round robin over the cells."""
    cells = categories or CATEGORY_CELLS
    return cells[index % len(cells)]


def generate_photos(
    *,
    count: int,
    seed: int,
    size: tuple[int, int] = (1024, 768),
    fast: bool = False,
    categories: tuple[tuple[str, str], ...] | None = None,
    start: int = 0,
) -> Iterator[tuple[int, Image.Image, dict]]:
    """Photos ``start .. start + count - 1`` as (index, image, annotation), spread evenly over
    the capture x writing cells (or over *categories*)."""
    for index in range(start, start + count):
        capture, writing = category_for(index=index, categories=categories)
        image, truth = generate_photo(
            seed=seed,
            index=index,
            capture=capture,
            writing=writing,
            size=size,
            fast=fast,
        )
        yield index, image, truth


def clear_caches() -> None:
    """Drop the fast mode's caches (ink, paper, noise, backdrops)."""
    fast.clear()
