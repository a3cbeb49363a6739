"""Writes of exports: request one (checked, queued for a worker), and the worker's build.

``export_build`` is idempotent: a finished export is left as it is; a running one (first
run, or a retry after a killed worker) is built again from the start and gives the same
bytes, stored under ``exports/<dataset id>/<export id>.zip`` only once complete.
"""

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets.exports.archive import MemberHashes, zip_store
from datasets.exports.detection import SPLITS, DetectionBuild
from datasets.exports.manifest import manifest_chunks
from datasets.models import Dataset, Export, Stage
from datasets.services.spec import spec_snapshot
from datasets.services.stages import EXPORT_FORMATS, stage_record

logger = logging.getLogger(__name__)

#: (input kind, output kind) → the formats that can be built so far.
BUILDABLE = {
    (Stage.Input.IMAGE, Stage.Output.BOXES): ("coco", "yolo"),
}
PROGRESS_EVERY = 1000


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
    offered = EXPORT_FORMATS.get(stage.output_kind, ())
    buildable = BUILDABLE.get((stage.input_kind, stage.output_kind), ())
    if format is None:
        format = next((name for name in offered if name in buildable), None)
        if format is None:
            _refuse(
                _("This stage's exports cannot be built yet."),
                code="export_unsupported",
                field="format",
            )
    if format not in offered:
        _refuse(
            _("“%(format)s” is not a format of this stage; use one of %(names)s.")
            % {"format": format, "names": ", ".join(offered)},
            code="bad_format",
            field="format",
        )
    if format not in buildable:
        _refuse(
            _("Exports in “%(format)s” for this kind of stage cannot be built yet.")
            % {"format": format},
            code="export_unsupported",
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
    images choice other than include or reference (``bad_images``) and a format the stage
    does not offer (``bad_format``) or that cannot be built yet (``export_unsupported``).
    """
    if stage.dataset_id != dataset.pk:
        _refuse(_("This stage belongs to another dataset."), code="bad_stage", field="stage")
    splits = _checked_splits(splits)
    if images not in Export.Images.values:
        _refuse(_("Images are either “include” or “reference”."), code="bad_images", field="images")
    format = _checked_format(stage, format)
    export = Export.objects.create(
        dataset=dataset, stage=stage, splits=splits, format=format, images=images, created_by=by
    )
    from datasets.tasks import export_build_task

    transaction.on_commit(partial(export_build_task.delay, export.pk))
    return export


def _head(export: Export) -> dict:
    dataset, stage = export.dataset, export.stage
    return {
        "dataset": {"id": dataset.pk, "name": dataset.name},
        "spec_version": dataset.spec_version,
        "spec_snapshot": spec_snapshot(dataset),
        "stage": stage_record(stage),
        "request": {"splits": export.splits, "format": export.format, "images": export.images},
    }


def export_build(*, export_id: int) -> Export:
    """The worker's step: build the zip, store it, record its hash. Running it twice is harmless.

    Not one transaction: progress (``done`` of ``total``) is written every
    ``PROGRESS_EVERY`` items so a poll sees it move.
    """
    export = Export.objects.select_related("dataset", "stage__output_type").get(pk=export_id)
    if export.status != Export.Status.RUNNING:
        return export
    try:
        stored, sha256, size = _build(export)
    except Exception as error:  # recorded for the requester; the worker's log has the trace
        logger.exception("export %s failed", export.pk)
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.FAILED, error=str(error) or repr(error), finished_at=timezone.now()
        )
        export.refresh_from_db()
        return export
    Export.objects.filter(pk=export.pk, status=Export.Status.RUNNING).update(
        status=Export.Status.DONE,
        file=stored,
        sha256=sha256,
        size=size,
        done=export.total,
        error="",
        finished_at=timezone.now(),
    )
    export.refresh_from_db()
    return export


def _build(export: Export) -> tuple[str, str, int]:
    stage = export.stage
    if (stage.input_kind, stage.output_kind) not in BUILDABLE:
        raise DomainError(
            _("Exports of this kind of stage cannot be built yet."), code="export_unsupported"
        )

    def progress(done: int) -> None:
        Export.objects.filter(pk=export.pk).update(done=done)

    build = DetectionBuild(
        export=export,
        type_slug=stage.output_type.slug,
        progress=progress,
        progress_every=PROGRESS_EVERY,
    )
    export.total = build.count()
    Export.objects.filter(pk=export.pk).update(total=export.total, done=0)
    head = _head(export)
    name = f"exports/{export.dataset_id}/{export.pk}.zip"
    hashes = MemberHashes()

    def members():
        yield from build.members()
        yield (
            "manifest.json",
            manifest_chunks(
                head=head, counts=build.counts, hashes=hashes, provenance=build.provenance()
            ),
        )

    stored, sha256, size, _hashes = zip_store(name, members(), hashes)
    return stored, sha256, size
