"""Ground truth: versions of an item's accepted annotation, written by one service only.

Every recording adds the item's next version; none is changed or overwritten, and the item
points at its current one. Provenance, named here once for every app that records:

- ``source``: ``generator`` (the synthetic photos), ``import`` (another tool's export) or
  ``review`` (a task accepted in review);
- ``source_ref``: what an import or a generator run calls the item (free text);
- ``task_id``, ``annotation_id``, ``annotation_version``: labeling's task and annotation, as
  opaque ids (no foreign keys: datasets never depends on labeling); a review names all three;
- ``guide_version_ids``: the guide versions the annotation was made under;
- ``spec_version``: the dataset's spec version it was accepted under (by default the current);
- ``by`` and ``accepted_at``: who accepted it and when (by default now).

A partial recording (``types``) takes only the regions of those types from the annotation
and keeps every other region, and the categories, of the current version. With
``base_version`` (the version number the work started from; 0 for none) the recording is
refused with ``ground_truth_changed`` (409) when the recorded part — the regions of
``types``, or the whole annotation for a full recording — changed since that version.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets.models import UNCOUNTED_STATUSES, GroundTruthVersion, Item, ItemEvent, RegionType
from datasets.services.items import item_status_set

Source = GroundTruthVersion.Source
#: What a review must name of the work it accepted.
_REVIEW_NAMES = ("task_id", "annotation_id", "annotation_version")


def truth_types_key(annotation: dict) -> str:
    """The region types an annotation holds as ``Item.truth_types`` keeps them: ",char,formula,"."""
    types = sorted({region["type"] for region in annotation.get("regions") or []})
    return f",{','.join(types)}," if types else ""


def _refuse(message: str, *, code: str, fields: dict, status: int = 400) -> None:
    raise DomainError(message, code=code, status=status, fields=fields)


def _opaque_id(name: str, value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        message = _("An id is a whole number of 0 or more.")
        _refuse(message, code="bad_provenance", fields={name: message})
    return value


def _provenance_check(*, source: str, ids: dict, guide_version_ids) -> list[int]:
    if source not in Source.values:
        message = _("The source is one of %(names)s.") % {"names": ", ".join(Source.values)}
        _refuse(message, code="bad_source", fields={"source": message})
    for name, value in ids.items():
        _opaque_id(name, value)
    missing = [name for name in _REVIEW_NAMES if ids[name] is None]
    if source == Source.REVIEW and missing:
        message = _("Ground truth accepted in review names its task, annotation and version.")
        _refuse(message, code="bad_provenance", fields=dict.fromkeys(missing, message))
    if isinstance(guide_version_ids, str | bytes) or not isinstance(guide_version_ids, Sequence):
        message = _("Guide version ids are a list of ids.")
        _refuse(message, code="bad_provenance", fields={"guide_version_ids": message})
    return sorted({_opaque_id("guide_version_ids", value) for value in guide_version_ids})


def _types_check(item: Item, types) -> list[str]:
    if isinstance(types, str) or not isinstance(types, Sequence) or not types:
        message = _("Name the region types to record as a list, e.g. [“char”].")
        _refuse(message, code="bad_types", fields={"types": message})
    named = sorted({str(slug) for slug in types})
    known = set(
        RegionType.objects.filter(dataset_id=item.dataset_id, slug__in=named).values_list(
            "slug", flat=True
        )
    )
    unknown = [slug for slug in named if slug not in known]
    if unknown:
        message = _("Unknown region types: %(names)s.") % {"names": ", ".join(unknown)}
        _refuse(message, code="bad_types", fields={"types": message})
    return named


def _regions(annotation, types: list[str]) -> list[dict]:
    """The regions of ``types`` in ``annotation``, in its order (what a partial one records)."""
    regions = annotation.get("regions") if isinstance(annotation, dict) else None
    return [
        region
        for region in (regions if isinstance(regions, list) else ())
        if isinstance(region, dict) and region.get("type") in types
    ]


def _watched(annotation, types: list[str] | None):
    """The part of a version a recording may not find changed since its base."""
    if types is None:
        return annotation
    regions = _regions(annotation, types) if annotation is not None else []
    return sorted(regions, key=lambda region: str(region.get("id", "")))


def _merged(annotation, current: GroundTruthVersion | None, types: list[str]):
    """The current version with its regions of ``types`` replaced by the annotation's.

    Regions of other types in the annotation are not recorded (the tool showed them locked);
    the categories stay the current version's, or are the annotation's for a first version.
    """
    if not isinstance(annotation, dict) or not isinstance(annotation.get("regions"), list):
        return annotation  # the validator names what is wrong with it
    kept = current.annotation if current is not None else {"regions": []}
    others = [
        region
        for region in kept.get("regions", ())
        if not (isinstance(region, dict) and region.get("type") in types)
    ]
    merged = {"regions": others + _regions(annotation, types)}
    categories = kept.get("categories") if current is not None else annotation.get("categories")
    if categories is not None:
        merged["categories"] = categories
    return merged


def _base_check(
    item: Item, current: GroundTruthVersion | None, base_version, types: list[str] | None
) -> None:
    if base_version is None:
        return
    if isinstance(base_version, bool) or not isinstance(base_version, int) or base_version < 0:
        message = _("The base version is a version number, or 0 for none.")
        _refuse(message, code="unknown_base_version", fields={"base_version": message})
    base = None
    if base_version:
        base = GroundTruthVersion.objects.filter(item=item, number=base_version).first()
        if base is None:
            message = _("Item %(item)s has no ground truth version %(number)s.") % {
                "item": item.pk,
                "number": base_version,
            }
            _refuse(message, code="unknown_base_version", fields={"base_version": message})
    before = _watched(base.annotation if base else None, types)
    now = _watched(current.annotation if current else None, types)
    if before != now:
        what = ", ".join(types) if types else _("the annotation")
        message = _(
            "The ground truth of item %(item)s changed since version %(base)s (%(what)s); "
            "it is at version %(number)s now. Nothing was recorded."
        ) % {
            "item": item.pk,
            "base": base_version,
            "what": what,
            "number": current.number if current else 0,
        }
        _refuse(message, code="ground_truth_changed", status=409, fields={"base_version": message})


@transaction.atomic
def ground_truth_record(
    *,
    item: Item,
    annotation: dict,
    source: str,
    source_ref: str = "",
    task_id: int | None = None,
    annotation_id: int | None = None,
    annotation_version: int | None = None,
    guide_version_ids: Sequence[int] = (),
    spec_version: int | None = None,
    types: Sequence[str] | None = None,
    base_version: int | None = None,
    by: User | None = None,
    accepted_at: datetime | None = None,
) -> GroundTruthVersion:
    """Record the item's next ground-truth version; review, imports and the generator call it.

    The annotation is held against the schema, taxonomy and image size by the API's own
    validator (``invalid_annotation``, 400, naming each region's problem); bad provenance
    is ``bad_source``/``bad_provenance``, bad ``types`` ``bad_types``; a recorded part that
    changed since ``base_version`` is ``ground_truth_changed`` (409). A refusal records
    nothing. The item row is locked while its versions are counted, so two acceptances of
    one item take turns. The item counts as accepted from then on. A vendor's collected
    photo awaiting acceptance, or rejected, gets no ground truth (``item_not_accepted``,
    409): exports, which take items with ground truth, never see one.
    """
    from datasets.services import annotation_validate  # the package re-exports it

    ids = {
        "task_id": task_id,
        "annotation_id": annotation_id,
        "annotation_version": annotation_version,
    }
    guides = _provenance_check(source=source, ids=ids, guide_version_ids=guide_version_ids)
    _opaque_id("spec_version", spec_version)
    # The item's row only, not its dataset's: other items' acceptances need not wait.
    locked = Item.objects.select_for_update(of=("self",)).select_related("dataset").get(pk=item.pk)
    if locked.status in UNCOUNTED_STATUSES:  # a vendor's photo not accepted into the dataset
        _refuse(
            _("Item %(id)s is a collected photo awaiting acceptance or rejected; accept it first.")
            % {"id": locked.pk},
            code="item_not_accepted",
            status=409,
            fields={},
        )
    current = (
        GroundTruthVersion.objects.filter(pk=locked.ground_truth_id).first()
        if locked.ground_truth_id
        else None
    )
    named = None if types is None else _types_check(locked, types)
    _base_check(locked, current, base_version, named)
    document = annotation if named is None else _merged(annotation, current, named)
    document = annotation_validate(
        dataset=locked.dataset, annotation=document, width=locked.width, height=locked.height
    )
    last = locked.truth_versions.aggregate(last=Max("number"))["last"] or 0
    version = GroundTruthVersion.objects.create(
        item=locked,
        number=last + 1,
        annotation=document,
        source=source,
        source_ref=source_ref,
        **ids,
        guide_version_ids=guides,
        spec_version=locked.dataset.spec_version if spec_version is None else spec_version,
        types=named or [],
        base_version=base_version,
        accepted_by=by,
        accepted_at=accepted_at or timezone.now(),
    )
    item.truth_types = truth_types_key(document)
    Item.objects.filter(pk=locked.pk).update(ground_truth=version, truth_types=item.truth_types)
    item.ground_truth = version
    item_status_set(item=item, status=Item.Status.ACCEPTED)
    ItemEvent.objects.create(
        item=item,
        by=by,
        kind=ItemEvent.Kind.GROUND_TRUTH,
        params={"number": version.number, "source": version.source, "types": named or []},
    )
    return version
