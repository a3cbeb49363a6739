"""Writes of exports: request one, checked and queued for a worker."""

from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets.models import Dataset, Split, Stage
from exports.models import Export
from exports.selectors import stage_export_formats

SPLITS = (Split.TRAIN, Split.VAL, Split.TEST)


def _refuse(message: str, *, code: str, field: str) -> None:
    raise DomainError(message, code=code, fields={field: message})


def _checked_splits(splits) -> list[str]:
    if splits is None:
        return list(map(str, SPLITS))
    if not isinstance(splits, list | tuple) or not splits:
        _refuse(
            _("Give the splits as a list such as [“train”, “val”]."),
            code="bad_splits",
            field="splits",
        )
    unknown = sorted({str(split) for split in splits} - set(map(str, SPLITS)))
    if unknown:
        _refuse(
            _("Unknown splits: %(names)s; use train, val and test.")
            % {"names": ", ".join(unknown)},
            code="bad_splits",
            field="splits",
        )
    return [str(split) for split in SPLITS if split in splits]


def _checked_format(stage: Stage, format: str | None) -> str:
    """The stage's own formats decide: those its planner chose, else every one of its kind."""
    offered = stage_export_formats(stage)
    if format is None:
        format = offered[0]
    if format not in offered:
        _refuse(
            _("“%(format)s” is not a format of this stage; use one of %(names)s.")
            % {"format": format, "names": ", ".join(offered)},
            code="bad_format",
            field="format",
        )
    return format


@transaction.atomic
def export_request(
    *,
    dataset: Dataset,
    stage: Stage,
    splits: list[str] | None = None,
    format: str | None = None,
    images: str = Export.Images.REFERENCE,
    by: User | None,
) -> Export:
    """Check an export and queue it for a worker; the export shows its progress and result.

    Refuses a stage of another dataset (``bad_stage``), unknown splits (``bad_splits``), an
    images choice other than include or reference (``bad_images``), a format the stage
    does not offer (``bad_format``) and a Hugging Face layout of whole images by reference
    (``bad_images``: the loader needs the files). Crop stages always include their crops.
    """
    if stage.dataset_id != dataset.pk:
        _refuse(_("This stage belongs to another dataset."), code="bad_stage", field="stage")
    splits = _checked_splits(splits)
    if images not in Export.Images.values:
        _refuse(_("Images are either “include” or “reference”."), code="bad_images", field="images")
    format = _checked_format(stage, format)
    if (
        format == "hf_imagefolder"
        and stage.input_kind == Stage.Input.IMAGE
        and images != Export.Images.INCLUDE
    ):
        _refuse(
            _("The Hugging Face layout needs the images in the zip; choose “include”."),
            code="bad_images",
            field="images",
        )
    export = Export.objects.create(
        dataset=dataset, stage=stage, splits=splits, format=format, images=images, created_by=by
    )
    from exports.tasks import export_plan_task

    transaction.on_commit(partial(export_plan_task.delay, export.pk))
    return export
