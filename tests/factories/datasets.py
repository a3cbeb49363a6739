import factory
from django.db.models import F

from datasets import services
from datasets.models import Dataset, GroundTruthVersion, Item


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset

    name = factory.Sequence(lambda n: f"Dataset {n}")
    requirement = "Return the LaTeX of a photographed formula."


def formula_schema(dataset: Dataset) -> Dataset:
    """The demo's label schema: ``formula`` (``latex`` required, ``handwritten``) holding
    ``char`` (``symbol`` required)."""
    formula = services.region_type_create(dataset=dataset, name="Formula", slug="formula", by=None)
    services.attribute_create(
        region_type=formula, name="latex", kind="latex", required=True, by=None
    )
    services.attribute_create(region_type=formula, name="handwritten", kind="boolean", by=None)
    char = services.region_type_create(
        dataset=dataset, name="Char", slug="char", top_level=False, parents=["formula"], by=None
    )
    services.attribute_create(region_type=char, name="symbol", kind="text", required=True, by=None)
    return dataset


def formula_region(region_id: str = "r1", *, bbox=(2, 3, 40, 20), latex: str = "x^2") -> dict:
    return {
        "id": region_id,
        "type": "formula",
        "bbox": [float(value) for value in bbox],
        "attributes": {"latex": latex},
        "parent": None,
    }


def char_region(region_id: str, parent: str, *, bbox=(4, 5, 6, 8), symbol: str = "x") -> dict:
    return {
        "id": region_id,
        "type": "char",
        "bbox": [float(value) for value in bbox],
        "attributes": {"symbol": symbol},
        "parent": parent,
    }


def current_truths(dataset: Dataset):
    """The dataset's current ground-truth versions (one per item that has any)."""
    return GroundTruthVersion.objects.filter(item__dataset=dataset, item__ground_truth=F("pk"))


def truth_of(item: Item) -> GroundTruthVersion | None:
    """The item's current version, read again from the database."""
    return Item.objects.select_related("ground_truth").get(pk=item.pk).ground_truth
