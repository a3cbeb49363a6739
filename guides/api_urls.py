"""The guides app's REST API, mounted under /api/v1/ by config/urls.py."""

from guides.api import acknowledgements, examples, questions, versions

app_name = "guides-api"

urlpatterns = (
    versions.urlpatterns
    + acknowledgements.urlpatterns
    + questions.urlpatterns
    + examples.urlpatterns
)
