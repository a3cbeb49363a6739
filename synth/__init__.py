"""Synthetic photos of formulas on paper with exact ground truth (issue 4)."""

from synth.formulas import formulas
from synth.photo import (
    CAPTURES,
    CATEGORY_CELLS,
    WRITINGS,
    category_for,
    generate_photo,
    generate_photos,
)
from synth.writer import TRUTH_FILE, write_photos

__all__ = [
    "CAPTURES",
    "CATEGORY_CELLS",
    "TRUTH_FILE",
    "WRITINGS",
    "category_for",
    "formulas",
    "generate_photo",
    "generate_photos",
    "write_photos",
]
