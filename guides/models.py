"""Tables of the guides app arrive with the issue that builds it."""
