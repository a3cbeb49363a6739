"""The guides app's REST API, one module per subject (each with its ``urlpatterns``)."""
