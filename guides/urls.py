from guides.views import acknowledgements, examples, questions, versions

app_name = "guides"

urlpatterns = (
    versions.urlpatterns
    + acknowledgements.urlpatterns
    + questions.urlpatterns
    + examples.urlpatterns
)
