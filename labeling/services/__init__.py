"""The labeling app's writes, re-exported: ``from labeling import services``."""

from labeling.services.photos import photos_review, photos_upload

__all__ = [
    "photos_review",
    "photos_upload",
]
