"""The datasets pages, one module per subject; datasets/urls.py routes to them."""
