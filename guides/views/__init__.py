"""The guides app's pages, one module per subject (each with its ``urlpatterns``)."""
