"""No metadata leaves with an image: every image an export includes carries none."""

import io
import zipfile

import pytest
from django.core.management import call_command

from datasets import services
from datasets.models import Dataset, GroundTruthVersion
from exports import services as export_services
from tests.factories.images import metadata_in
from tests.factories.items import (
    LOCATED,
    as_stored_before,
    decoded_pixels,
    located_item,
    stored_bytes,
    upright_pixels_as_before,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_with_located_photos():
    """The demo dataset with the four located photos added, labelled, in the train split."""
    call_command("seed_demo", photos=2)
    dataset = Dataset.objects.get(name="Math formula photos")
    items = []
    for seed, (image_format, orientation) in enumerate(LOCATED, start=10):
        item = located_item(dataset, image_format, orientation, seed=seed, size=(160, 120))
        services.ground_truth_record(
            item=item,
            annotation={
                "regions": [
                    {
                        "id": "r1",
                        "type": "formula",
                        "bbox": [20.0, 30.0, 60.0, 40.0],
                        "attributes": {"latex": "x+1"},
                        "parent": None,
                    }
                ],
                "categories": {},
            },
            source=GroundTruthVersion.Source.IMPORT,
        )
        services.item_split_set(item=item, split="train", by=None)
        items.append(item)
    return dataset, items


def _export(dataset, slug: str, **options):
    export = export_services.export_request(
        dataset=dataset, stage=dataset.stages.get(slug=slug), splits=["train"], by=None, **options
    )
    export = export_services.export_build(export_id=export.pk)
    assert export.status == "done", export.error
    return export


def _members(export) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(stored_bytes(export.file.name)))
    return {name: archive.read(name) for name in archive.namelist()}


def test_every_image_in_an_export_with_images_carries_no_metadata(demo_with_located_photos):
    dataset, items = demo_with_located_photos

    members = _members(_export(dataset, "formula-detection", images="include"))

    for item in items:
        (name,) = [name for name in members if name.startswith(f"images/train/{item.pk}.")]
        assert metadata_in(members[name]) == set(), name
        assert decoded_pixels(members[name]) == upright_pixels_as_before(
            stored_bytes(item.original.name)
        )


def test_the_hugging_face_layout_carries_no_metadata_either(demo_with_located_photos):
    dataset, items = demo_with_located_photos

    members = _members(
        _export(dataset, "formula-detection", format="hf_imagefolder", images="include")
    )

    pictures = [name for name in members if name.startswith("train/") and "metadata" not in name]
    assert len(pictures) >= len(items)
    assert all(metadata_in(members[name]) == set() for name in pictures)


def test_the_job_changes_an_export_with_images_once_and_a_crop_export_never(
    demo_with_located_photos,
):
    dataset, items = demo_with_located_photos
    for item in items:
        as_stored_before(item)
    with_images = _export(dataset, "formula-detection", images="include").sha256
    crops = _export(dataset, "formula-recognition").sha256

    services.metadata_strip_run(
        strip_id=services.metadata_strip_request(dataset=dataset, by=None).pk
    )

    assert _export(dataset, "formula-recognition").sha256 == crops
    stripped = _export(dataset, "formula-detection", images="include").sha256
    assert stripped != with_images
    assert _export(dataset, "formula-detection", images="include").sha256 == stripped
