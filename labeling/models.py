"""Tables of the labeling app arrive with the issue that builds it."""
