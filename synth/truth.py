"""Ground truth of a planned photo in the canonical annotation format."""

from __future__ import annotations

import numpy as np

from synth import geometry
from synth.geometry import Box, LandedInk, Transform
from synth.layers import Layer
from synth.plan import Plan

# alpha at which a pixel counts as ink for boxes
INK_THRESHOLD = 0.1


def photo_window(layer: Layer, transform: Transform, width: int, height: int) -> Box | None:
    """The part of the photo *layer*'s ink can land in (clipped), or None if none of it can."""
    wx0, wy0, wx1, wy1 = transform.window(layer.box)
    window = (max(wx0, 0), max(wy0, 0), min(wx1, width), min(wy1, height))
    if window[2] <= window[0] or window[3] <= window[1]:
        return None
    return window


def _box_of(ink: np.ndarray, origin: tuple[int, int]) -> Box | None:
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(ink.any(axis=0))
    return (
        origin[0] + int(cols[0]),
        origin[1] + int(rows[0]),
        origin[0] + int(cols[-1]) + 1,
        origin[1] + int(rows[-1]) + 1,
    )


def ink_box(layer: Layer, transform: Transform, width: int, height: int) -> Box | None:
    """Box (x0, y0, x1, y1) of *layer*'s ink in the photo, clipped to the photo."""
    if transform.is_identity:
        x0, y0, x1, y1 = layer.box
        cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
        if cx1 <= cx0 or cy1 <= cy0:
            return None
        ink = layer.alpha[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0] >= INK_THRESHOLD
        return _box_of(ink, (cx0, cy0))
    window = photo_window(layer, transform, width, height)
    if window is None:
        return None
    xs, ys = geometry.pixel_centres(window)
    sx, sy = transform.source(xs, ys)
    alpha = geometry.sample(layer.alpha, sx, sy, origin=(layer.x, layer.y))
    return _box_of(alpha >= INK_THRESHOLD, (window[0], window[1]))


def formula_ink(plan: Plan, formula: int) -> LandedInk | None:
    """Fast mode: where formula *formula*'s visible ink lands in the photo, found once per plan.

    With a geometric effect the ink is resampled through the backdrop's source maps, the same
    warp as the photographed paper under it. The photo lays this ink over its backdrop, and the
    formula's box is read off it.
    """
    if formula not in plan.ink_in_photo:
        plan.ink_in_photo[formula] = _land(plan, plan.formulas[formula].visible)
    return plan.ink_in_photo[formula]


def _land(plan: Plan, layer: Layer) -> LandedInk | None:
    if plan.backdrop is None:
        raise ValueError("Only a fast-mode plan has a backdrop to land ink on.")
    window = photo_window(layer, plan.transform, plan.width, plan.height)
    if window is None:
        return None
    x0, y0, x1, y1 = window
    if plan.transform.is_identity:
        alpha = layer.alpha[y0 - layer.y : y1 - layer.y, x0 - layer.x : x1 - layer.x]
        rows, cols = np.nonzero(alpha)
        return LandedInk(rows + y0, cols + x0, alpha[rows, cols])
    sx, sy = plan.backdrop.source_maps(window)
    alpha = geometry.sample_alpha(layer.alpha, sx, sy, origin=(layer.x, layer.y))
    rows, cols = np.nonzero(alpha)
    return LandedInk(rows + y0, cols + x0, alpha[rows, cols], sx[rows, cols], sy[rows, cols])


def _landed_piece_box(
    landed: LandedInk, layer: Layer, transform: Transform, width: int, height: int
) -> Box | None:
    """Box of a character of a formula that *landed*, resampled where the formula's ink is.

    Bilinear weights are not negative and the formula's alpha is the maximum of its
    characters', so a character's ink lands only on pixels the formula's ink reaches.
    """
    if landed.sx is None or landed.sy is None:
        return ink_box(layer, transform, width, height)
    window = photo_window(layer, transform, width, height)
    if window is None:
        return None
    x0, y0, x1, y1 = window
    rows, cols = landed.rows, landed.cols
    near = np.flatnonzero((rows >= y0) & (rows < y1) & (cols >= x0) & (cols < x1))
    alpha = geometry.sample_alpha(
        layer.alpha, landed.sx[near], landed.sy[near], origin=(layer.x, layer.y)
    )
    inked = near[alpha >= INK_THRESHOLD]
    if inked.size == 0:
        return None
    rows, cols = rows[inked], cols[inked]
    return (int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1)


def _xywh(box: Box) -> list[float]:
    return [
        float(box[0]),
        float(box[1]),
        float(box[2] - box[0]),
        float(box[3] - box[1]),
    ]


def ground_truth(plan: Plan) -> dict:
    """The canonical annotation of a planned photo (plus a "meta" key for checks)."""
    regions: list[dict] = []
    for k, placed in enumerate(plan.formulas):
        landed = formula_ink(plan, k) if plan.backdrop is not None else None
        if landed is not None:
            box = landed.box(landed.alpha >= INK_THRESHOLD)
        else:
            box = ink_box(placed.visible, plan.transform, plan.width, plan.height)
        if box is None:
            continue
        formula_id = f"r{len(regions) + 1}"
        attributes: dict = {
            "latex": placed.ink.latex,
            "handwritten": placed.ink.handwritten,
        }
        if placed.truncated:
            attributes["truncated"] = True
        regions.append(
            {
                "id": formula_id,
                "type": "formula",
                "bbox": _xywh(box),
                "attributes": attributes,
                "parent": None,
            }
        )
        for symbol, layer in placed.pieces:
            if landed is not None:
                char = _landed_piece_box(landed, layer, plan.transform, plan.width, plan.height)
            else:
                char = ink_box(layer, plan.transform, plan.width, plan.height)
            if char is None:
                continue
            char = (
                max(char[0], box[0]),
                max(char[1], box[1]),
                min(char[2], box[2]),
                min(char[3], box[3]),
            )
            if char[2] <= char[0] or char[3] <= char[1]:
                continue
            regions.append(
                {
                    "id": f"r{len(regions) + 1}",
                    "type": "char",
                    "bbox": _xywh(char),
                    "attributes": {"symbol": symbol},
                    "parent": formula_id,
                }
            )
    return {
        "regions": regions,
        "categories": {"capture": plan.capture, "writing": plan.writing},
        "meta": dict(plan.meta),
    }
