"""acknowledgements pages of the guides app."""

urlpatterns: list = []
