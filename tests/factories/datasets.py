import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import factory
from django.db.models import F

from accounts.models import User
from datasets import services
from datasets.models import (
    AttributeDef,
    Axis,
    Category,
    CategoryChange,
    CellQuota,
    Dataset,
    GroundTruthVersion,
    Item,
    RegionType,
    RequirementDecision,
    SplitRun,
    Stage,
    Upload,
)
from exports import services as export_services
from exports.models import Export
from tests.factories.images import image_bytes

if TYPE_CHECKING:
    from tests.factories.vendors import FilledVendor


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset

    name = factory.Sequence(lambda n: f"Dataset {n}")
    requirement = "Return the LaTeX of a photographed formula."


@dataclass
class FilledDataset:
    """A dataset with one object of every kind a URL names, made by the real services.

    The fields are named after the URL converters that take their ids (``<int:item_id>``
    takes ``item``'s), so a test can fill any dataset URL from it.
    """

    dataset: Dataset
    decision: RequirementDecision
    axis: Axis  # capture: its category shadow is carried by ``item``
    category: Category  # unused by any item, with an example image
    cell: CellQuota
    type: RegionType  # nested in formula, used by no stage and no ground truth
    attr: AttributeDef  # of ``type``
    stage: Stage
    upload: Upload
    item: Item  # processed (thumbnail, rendition), with ground truth and a split
    change: CategoryChange
    split_run: SplitRun
    export: Export  # done, with its zip stored
    #: The vendor world on this dataset (tests/factories/vendors.py ``filled_vendor``), when
    #: a test built one: the ids its objects give are asked of it.
    vendors: "FilledVendor | None" = None

    def has_object(self, converter: str) -> bool:
        """Whether ``<converter>`` of a URL can be filled from this dataset or its vendors."""
        if hasattr(self, converter.removesuffix("_id")):
            return True
        return self.vendors is not None and self.vendors.has_object(converter)

    def id_of(self, converter: str) -> int | str:
        """``dataset_id`` → the dataset's id, ``item_id`` → the item's, and so on; the
        vendor world's converters (``vendor_id``, ``key``…) → its objects'."""
        name = converter.removesuffix("_id")
        if hasattr(self, name):
            return getattr(self, name).pk
        if self.vendors is None:
            raise AttributeError(f"no object for <{converter}>: build the vendor world")
        return self.vendors.id_of(converter)


def filled_dataset(*, by: User | None = None, seed: int = 0) -> FilledDataset:
    """A small but complete dataset: taxonomy, schema, a stage, an item, an export.

    ``seed`` makes its picture distinct from another filled dataset's.
    """
    dataset = DatasetFactory()
    capture = services.axis_create(dataset=dataset, name="Capture", slug="capture", by=by)
    writing = services.axis_create(dataset=dataset, name="Writing", slug="writing", by=by)
    decision = services.decision_create(
        dataset=dataset, question="Must a formula cut at the edge be recognised?", by=by
    )
    clean = services.category_create(
        axis=capture, name="Clean", slug="clean", example=image_bytes(seed), by=by
    )
    shadow = services.category_create(axis=capture, name="Shadow", slug="shadow", by=by)
    handwritten = services.category_create(
        axis=writing, name="Handwritten", slug="handwritten", by=by
    )
    cell = services.cell_quota_set(
        dataset=dataset, first=shadow, second=handwritten, quota_target=5, by=by
    )
    formula = services.region_type_create(dataset=dataset, name="Formula", slug="formula", by=by)
    services.attribute_create(region_type=formula, name="latex", kind="latex", by=by)
    char = services.region_type_create(
        dataset=dataset, name="Character", slug="char", top_level=False, parents=["formula"], by=by
    )
    symbol = services.attribute_create(region_type=char, name="symbol", kind="text", by=by)
    stage = services.stage_create(
        dataset=dataset,
        name="Formula detection",
        slug="formula-detection",
        input_kind=Stage.Input.IMAGE,
        output_kind=Stage.Output.BOXES,
        output_type=formula,
        export_formats=["coco"],
        by=by,
    )
    upload, (entry,) = services.upload_files(
        dataset=dataset,
        files=[("photo.jpg", io.BytesIO(image_bytes(seed + 1)))],
        categories=[shadow, handwritten],
        by=by,
    )
    item = services.item_process(item_id=entry.item_id)
    services.ground_truth_record(
        item=item,
        annotation={
            "regions": [
                {
                    "id": "r1",
                    "type": "formula",
                    "bbox": [4.0, 4.0, 20.0, 10.0],
                    "attributes": {"latex": "x"},
                    "parent": None,
                }
            ],
            "categories": {"capture": "shadow", "writing": "handwritten"},
        },
        source=GroundTruthVersion.Source.IMPORT,
    )
    split_run = services.split_assign(dataset=dataset, ratios=ONE_SPLIT, seed=1, by=by)
    change = services.category_change_request(
        dataset=dataset, selection={"items": [item.pk]}, changes={"writing": None}, by=by
    )
    export = export_services.export_request(dataset=dataset, stage=stage, splits=["train"], by=by)
    export = export_services.export_build(export_id=export.pk)
    assert export.status == Export.Status.DONE, export.error
    item.refresh_from_db()
    return FilledDataset(
        dataset=dataset,
        decision=decision,
        axis=capture,
        category=clean,
        cell=cell,
        type=char,
        attr=symbol,
        stage=stage,
        upload=upload,
        item=item,
        change=change,
        split_run=split_run,
        export=export,
    )


#: Every item to train, so a one-item dataset exports its item.
ONE_SPLIT = {"train": 1.0, "val": 0.0, "test": 0.0}


def formula_schema(dataset: Dataset) -> Dataset:
    """The demo's label schema: ``formula`` (``latex`` required, ``handwritten``, ``angle``)
    holding ``char`` (``symbol`` required)."""
    formula = services.region_type_create(dataset=dataset, name="Formula", slug="formula", by=None)
    services.attribute_create(
        region_type=formula, name="latex", kind="latex", required=True, by=None
    )
    services.attribute_create(region_type=formula, name="handwritten", kind="boolean", by=None)
    services.attribute_create(region_type=formula, name="angle", kind="angle", by=None)
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
