"""Writes of exports: request one, checked and queued for a worker; cancel a running one;
retry a failed or cancelled one as a new export of the same request."""

from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets.models import Dataset, Split, Stage
from exports.models import Export, ExportChunk
from exports.selectors import stage_export_formats
from exports.services.building import parts_remove

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
    retry_of: Export | None = None,
) -> Export:
    """Check an export and queue it for a worker; the export shows its progress and result.

    Refuses a stage of another dataset (``bad_stage``), unknown splits (``bad_splits``), an
    images choice other than include or reference (``bad_images``), a format the stage
    does not offer (``bad_format``) and a Hugging Face layout of whole images by reference
    (``bad_images``: the loader needs the files). Crop stages always include their crops, and
    their exports say so (``images`` is ``include`` whatever was asked).
    """
    if stage.dataset_id != dataset.pk:
        _refuse(_("This stage belongs to another dataset."), code="bad_stage", field="stage")
    splits = _checked_splits(splits)
    if images not in Export.Images.values:
        _refuse(_("Images are either “include” or “reference”."), code="bad_images", field="images")
    format = _checked_format(stage, format)
    if stage.input_kind == Stage.Input.CROP:
        images = Export.Images.INCLUDE  # crops exist only in the zip: nothing to reference
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
        dataset=dataset,
        stage=stage,
        splits=splits,
        format=format,
        images=images,
        created_by=by,
        retry_of=retry_of,
    )
    from exports.tasks import export_plan_task

    transaction.on_commit(partial(export_plan_task.delay, export.pk))
    return export


def _locked(export: Export) -> Export:
    return Export.objects.select_for_update(of=("self",)).select_related("stage").get(pk=export.pk)


@transaction.atomic
def export_cancel(*, export: Export, by: User | None) -> Export:
    """Stop a running export: it and its running chunks end cancelled and its stored parts
    are removed. A chunk or join still working notices when it next writes (it re-reads the
    status) and stores nothing; a finished export is refused (``export_finished``, 409).
    """
    export = _locked(export)
    if export.status != Export.Status.RUNNING:
        raise DomainError(
            _("Export %(id)s is already %(status)s; only a running export can be cancelled.")
            % {"id": export.pk, "status": export.get_status_display().lower()},
            code="export_finished",
            status=409,
        )
    export.status = Export.Status.CANCELLED
    export.cancelled_by = by
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "cancelled_by", "finished_at"])
    export.chunks.filter(status=ExportChunk.Status.RUNNING).update(
        status=ExportChunk.Status.CANCELLED
    )
    transaction.on_commit(partial(parts_remove, export.pk))
    return export


_RETRYABLE = (Export.Status.FAILED, Export.Status.CANCELLED)


@transaction.atomic
def export_retry(*, export: Export, by: User | None) -> Export:
    """Request a failed or cancelled export again: a new export of the same stage, splits,
    format and images, pinning the ground truth current now, that names the one it retries.

    The old export stays as the record of what happened. Refused (409): an export that is
    running or done (``export_not_retryable``), one already retried (``export_retried``),
    one whose stage was removed (``export_stage_removed``); and whatever ``export_request``
    refuses now (a format the stage no longer offers).
    """
    export = _locked(export)
    if export.status not in _RETRYABLE:
        raise DomainError(
            _("Export %(id)s is %(status)s; only a failed or cancelled export can be retried.")
            % {"id": export.pk, "status": export.get_status_display().lower()},
            code="export_not_retryable",
            status=409,
        )
    retried = Export.objects.filter(retry_of=export).values_list("pk", flat=True).first()
    if retried is not None:
        raise DomainError(
            _("Export %(id)s was already retried as export %(retry)s.")
            % {"id": export.pk, "retry": retried},
            code="export_retried",
            status=409,
        )
    if export.stage is None:
        raise DomainError(
            _("The stage of export %(id)s was removed; request an export of another stage.")
            % {"id": export.pk},
            code="export_stage_removed",
            status=409,
        )
    return export_request(
        dataset=export.dataset,
        stage=export.stage,
        splits=export.splits,
        format=export.format,
        images=export.images,
        by=by,
        retry_of=export,
    )
