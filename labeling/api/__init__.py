"""The labeling app's REST API, one module per subject."""
