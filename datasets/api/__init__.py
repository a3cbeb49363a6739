"""The datasets REST API, one module per subject; datasets/api_urls.py routes to them."""
