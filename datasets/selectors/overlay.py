"""A canonical annotation as regions to draw over its image (the SVG overlay of
``templates/datasets/_regions_overlay.html``): the item page's ground truth, a guide's
examples, anything else that shows labelled boxes."""

from datasets.latex import latex_render

#: Region types with their own colour; any other type is drawn as ``other``.
DRAWN_TYPES = {"formula", "char"}


def regions_overlay(annotation) -> list[dict]:
    """The annotation's regions as boxes to draw, in its order: ``id``, ``type``, ``css``,
    ``x``, ``y``, ``width``, ``height``, ``label`` (its LaTeX or symbol) and ``latex`` (a
    formula's LaTeX typeset by KaTeX, or marked as not parsing). A region without a
    readable box is left out; an annotation that is not one gives no regions."""
    regions = annotation.get("regions") if isinstance(annotation, dict) else None
    drawn = []
    for region in regions if isinstance(regions, list) else ():
        if not isinstance(region, dict):
            continue
        try:
            x, y, width, height = (float(value) for value in region["bbox"])
        except (KeyError, TypeError, ValueError):
            continue
        attributes = region.get("attributes")
        attributes = attributes if isinstance(attributes, dict) else {}
        kind = str(region.get("type", ""))
        latex = attributes.get("latex")
        drawn.append(
            {
                "id": str(region.get("id", "")),
                "type": kind,
                "css": kind if kind in DRAWN_TYPES else "other",
                "x": x,
                "y": y,
                "width": width,
                "height": height,
                "label": str(latex or attributes.get("symbol") or ""),
                "latex": latex_render(str(latex)) if latex else None,
            }
        )
    return drawn
