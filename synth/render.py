"""Render a planned photo: the geometric effect, lighting, shadow and sensor noise."""

from __future__ import annotations

import numpy as np
from PIL import Image

from synth import effects
from synth.fast import Backdrop, expose, to_uint8
from synth.geometry import Crumple, shading_field, warp_image
from synth.layers import paint
from synth.plan import FAST_VARIANTS, PAGE_EFFECTS, Plan
from synth.truth import formula_ink

# the Pillow warp every image and ink check goes through
geometric = warp_image
_to_uint8 = to_uint8


def render_photo(plan: Plan) -> Image.Image:
    """The photo of a planned page: geometric effect, lighting, shadow, noise."""
    if plan.backdrop is not None:
        return Image.fromarray(_render_on_backdrop(plan, plan.backdrop))
    width, height = plan.width, plan.height
    rng = plan.photo_rng
    rng.integers(FAST_VARIANTS)  # kept so normal mode draws the same numbers as it always did
    light = effects.lighting_field(rng=rng, width=width, height=height)
    if plan.transform.is_identity:
        photo = plan.page
    else:
        moved = geometric(Image.fromarray(_to_uint8(plan.page)), plan.transform, plan.desk)
        photo = np.asarray(moved, np.float32) * np.float32(1 / 255)
    if isinstance(plan.transform, Crumple):
        light = light * shading_field(plan.transform, width, height)
    if plan.capture == "shadow":
        shadow, strength, core = effects.shadow_field(rng=rng, width=width, height=height)
        light = light * shadow
        plan.meta["shadow_strength"] = round(strength, 3)
        plan.meta["shadow_box"] = list(core)
    noise = effects.sensor_noise(
        rng=rng, width=width, height=height, sigma=float(rng.uniform(0.006, 0.016))
    )
    out = np.multiply(photo, (light * np.float32(255))[..., None])
    out += (noise * np.float32(255) + np.float32(0.5))[..., None]
    np.clip(out, 0, 255, out=out)
    return Image.fromarray(out.astype(np.uint8))


def _render_on_backdrop(plan: Plan, backdrop: Backdrop) -> np.ndarray:
    """Fast mode: the backdrop's photo, with the plan's ink and effects laid over it.

    Captures that change the paper (PAGE_EFFECTS, never with a geometric effect) expose the
    painted boxes of their page again exactly as the backdrop was exposed, so the photo equals
    exposing the whole page. Otherwise each formula's ink, as it lands in the photo (resampled
    through the geometric effect like its boxes), is laid over the photographed paper.
    """
    out = backdrop.image.copy()
    width, height = plan.width, plan.height
    if plan.capture in PAGE_EFFECTS:
        for x0, y0, x1, y1 in plan.painted:
            x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
            if x1 > x0 and y1 > y0:
                out[y0:y1, x0:x1] = expose(
                    plan.page[y0:y1, x0:x1],
                    backdrop.light255[y0:y1, x0:x1],
                    backdrop.noise255[y0:y1, x0:x1],
                )
        return out
    for k, placed in enumerate(plan.formulas):
        landed = formula_ink(plan, k)
        if landed is None:
            continue
        # only the pixels the ink reaches: a turned formula covers a fraction of its window
        rows, cols = landed.rows, landed.cols
        alpha = landed.alpha[:, None] * np.float32(placed.opacity)
        # exposure is linear: ink over paper is a mix of the exposed ink and exposed paper
        ink = np.asarray(placed.colour, np.float32) * backdrop.light255[rows, cols, None]
        ink += backdrop.noise255[rows, cols, None]
        paper = backdrop.image[rows, cols] + np.float32(0.5)
        ink -= paper
        ink *= alpha
        ink += paper
        np.clip(ink, 0, 255, out=ink)
        out[rows, cols] = ink.astype(np.uint8)
    return out


def render_ink_only(plan: Plan, formula: int) -> np.ndarray:
    """One formula's visible ink alone, black on white, through the photo's geometric effect.

    Returns the ink darkness (uint8, height x width; 255 is full ink). Used to check boxes.
    """
    page = np.ones((plan.height, plan.width), np.float32)
    layer = plan.formulas[formula].visible
    paint(page[..., None], layer, (0.0,), 1.0)
    image = geometric(Image.fromarray(_to_uint8(page)), plan.transform, 255)
    return 255 - np.asarray(image, np.uint8)
