"""questions API of the guides app."""

urlpatterns: list = []
