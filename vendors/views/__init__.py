"""The vendors app's pages, one module per subject."""

from vendors.views.overview import vendor_home

__all__ = ["vendor_home"]
