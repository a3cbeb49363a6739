"""The vendors app's REST API, one module per subject."""
