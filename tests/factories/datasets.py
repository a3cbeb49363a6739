import factory

from datasets.models import Dataset


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset

    name = factory.Sequence(lambda n: f"Dataset {n}")
    requirement = "Return the LaTeX of a photographed formula."
