"""Tables of the vendors app arrive with the issue that builds it."""
