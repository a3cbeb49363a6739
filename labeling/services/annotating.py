"""Saving a task's annotation: drafts, submits, reopening, and the history they write.

Every save carries the version it was based on; a save based on an older one is a 409
whose body holds the current annotation and the refused one, so the client can merge and
nothing is lost. A draft is checked for structure only (``annotation_validate(draft=True)``:
a half-typed formula or a missing required attribute autosaves); a submit checks
everything. Only the task kind's region types may be created or changed: the regions of
other types (the item's ground truth, e.g. accepted formulas under a character pass) come
back locked, and a save that changes one is a 400 naming it. A refused save changes nothing.

History: each submit is an entry; one author's draft saves within a minute are one entry.
An entry says what changed per region id (added, removed, moved, attributes changed), the
guide versions in force and the active time.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from core.rows import row_insert, row_update
from datasets import services as dataset_services
from datasets.models import Dataset
from guides import services as guide_services
from labeling import states
from labeling.models import Annotation, AnnotationChange, Lease, Task
from labeling.policy import WORKING
from labeling.selectors import item_facts, kind_type_slugs, locked_regions, task_document
from labeling.services import handout

T = Task.Status
#: Draft saves of one author closer together than this are one history entry.
COALESCE_SECONDS = 60


def _same(a: dict, b: dict) -> bool:
    keys = ("id", "type", "bbox", "parent")
    if any(a.get(key) != b.get(key) for key in keys):
        return False
    return (a.get("attributes") or {}) == (b.get("attributes") or {})


def _locked_check(document: dict, locked: list[dict], editable: set[str]) -> None:
    """A save keeps every locked region as it was and adds none of a locked type."""
    regions = document.get("regions") if isinstance(document, dict) else None
    if not isinstance(regions, list):
        return  # the validator names the shape problem
    given = {r.get("id"): r for r in regions if isinstance(r, dict)}
    problems = {}
    for region in locked:
        mine = given.get(region.get("id"))
        if mine is None or not _same(mine, region):
            problems[f"regions.{region.get('id')}"] = _(
                "This “%(type)s” region is locked: this task kind does not edit it."
            ) % {"type": region.get("type")}
    locked_ids = {region.get("id") for region in locked}
    for region in regions:
        if not isinstance(region, dict) or region.get("id") in locked_ids:
            continue
        if region.get("type") not in editable:
            problems[f"regions.{region.get('id')}.type"] = _(
                "This task kind edits only %(types)s regions."
            ) % {"types": ", ".join(sorted(editable))}
    if problems:
        raise DomainError(
            _("The annotation changes regions this task may not change."),
            code="locked_region",
            fields=problems,
        )


def _checked(task: Task, document, *, draft: bool) -> tuple[dict, int | None]:
    width, height, has_truth, spec_version = item_facts(task)
    locked, truth_version = locked_regions(task=task, has_truth=has_truth)
    _locked_check(document, locked, kind_type_slugs(task))
    normalised = dataset_services.annotation_validate(
        dataset=Dataset(pk=task.batch.dataset_id),  # the validator reads by the id alone
        annotation=document,
        width=width,
        height=height,
        draft=draft,
        spec_version=spec_version,  # the schema of that version, kept in memory
    )
    return normalised, truth_version


def region_changes(before: dict | None, after: dict) -> dict:
    """What changed per region id between two annotations."""
    old = {r["id"]: r for r in (before or {}).get("regions", []) if isinstance(r, dict)}
    new = {r["id"]: r for r in after.get("regions", [])}
    changes: dict = {"added": [], "removed": [], "moved": [], "attributes": {}}
    for region_id, region in new.items():
        was = old.get(region_id)
        if was is None:
            changes["added"].append(region_id)
            continue
        if was.get("bbox") != region.get("bbox") or was.get("parent") != region.get("parent"):
            changes["moved"].append(region_id)
        a, b = was.get("attributes") or {}, region.get("attributes") or {}
        names = sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))
        if names:
            changes["attributes"][region_id] = names
    changes["removed"] = [region_id for region_id in old if region_id not in new]
    if (before or {}).get("categories", {}) != after.get("categories", {}):
        changes["categories"] = True
    return changes


def _merge(first: dict, then: dict) -> dict:
    """Two coalesced entries' changes as one (a region added then moved stays added)."""
    added = list(dict.fromkeys(first.get("added", []) + then.get("added", [])))
    removed = [r for r in then.get("removed", []) if r not in first.get("added", [])]
    removed = list(dict.fromkeys(first.get("removed", []) + removed))
    added = [r for r in added if r not in then.get("removed", [])]
    moved = [
        r for r in dict.fromkeys(first.get("moved", []) + then.get("moved", [])) if r not in added
    ]
    attributes = dict(first.get("attributes", {}))
    for region_id, names in then.get("attributes", {}).items():
        attributes[region_id] = sorted(set(attributes.get(region_id, [])) | set(names))
    merged = {"added": added, "removed": removed, "moved": moved, "attributes": attributes}
    if first.get("categories") or then.get("categories"):
        merged["categories"] = True
    return merged


def _history(
    annotation: Annotation,
    *,
    kind: str,
    author: User | None,
    changes,
    active: int,
    now,
    last: AnnotationChange | None,
) -> None:
    """Write the entry: a draft within a minute of the same author's last draft entry
    (``last``, the history's last entry) joins it."""
    if (
        kind == AnnotationChange.Kind.DRAFT
        and last is not None
        and last.kind == AnnotationChange.Kind.DRAFT
        and last.author_id == (author.pk if author else None)
        and (now - last.started_at).total_seconds() < COALESCE_SECONDS
    ):
        last.changes = _merge(last.changes, changes)
        last.at, last.version = now, annotation.version
        last.active_seconds += active
        last.guide_versions = annotation.guide_versions
        row_update(last, ["changes", "at", "version", "active_seconds", "guide_versions"])
        return
    change = AnnotationChange(
        annotation=annotation,
        kind=kind,
        author=author,
        started_at=now,
        at=now,
        version=annotation.version,
        changes=changes,
        guide_versions=annotation.guide_versions,
        active_seconds=active,
    )
    row_insert(change)


def _stale(task: Task, annotation: Annotation | None, document, version) -> DomainError:
    current, number = (
        (annotation.document, annotation.version) if annotation else task_document(task=task)
    )
    return DomainError(
        _(
            "Someone saved this annotation meanwhile (version %(current)s; yours was based "
            "on %(yours)s): merge and save again."
        )
        % {"current": number, "yours": version},
        code="stale_version",
        status=409,
        extra={"current": {"annotation": current, "version": number}, "yours": document},
    )


def _version_of(value) -> int:
    if isinstance(value, str) and value.strip().strip('"').isdigit():
        value = int(value.strip().strip('"'))
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        message = _("Say which version the save is based on (a whole number, 0 at first).")
        raise DomainError(message, code="version_needed", fields={"version": message})
    return value


def _write(
    task: Task,
    *,
    annotator: User,
    document,
    version,
    draft: bool,
    kind: str,
    lease_required: bool = True,
    lease_end: str = "",
) -> Annotation:
    """The save shared by drafts, submits and deliveries: lock, check holder and version,
    validate, write the annotation and its history. ``lease_end``: the save also ends the
    lease so (a submit)."""
    if lease_required:
        try:
            task = handout.task_locked_for(task, annotator)
        except DomainError as error:
            if error.code == "task_cancelled":
                current, number = task_document(task=task)
                error.extra = {"current": {"annotation": current, "version": number}}
            raise
    version = _version_of(version)  # once the task is known to be theirs: else a 404
    if hasattr(task, "change_last"):  # both read once the task was locked
        annotation, last = task.annotation_read, task.change_last
    else:
        annotation = Annotation.objects.select_for_update().filter(task=task).first()
        last = annotation.history.order_by("-id").first() if annotation and draft else None
    current = annotation.version if annotation else 0
    if version != current:
        raise _stale(task, annotation, document, version)
    normalised, truth_version = _checked(task, document, draft=draft)
    now = timezone.now()
    active = 0
    lease = handout.lease_current(task)
    if lease is not None:
        active = handout.lease_beat(lease=lease, now=now, end=lease_end)
    before = annotation.document if annotation else None
    guides = guide_services.guide_versions_current(
        dataset_id=task.batch.dataset_id, task_kind_id=task.task_kind_id
    )
    if annotation is None:
        annotation = Annotation(task=task, truth_version=truth_version)
    annotation.document = normalised
    annotation.version = current + 1
    annotation.author = annotator
    annotation.guide_versions = guides
    annotation.saved_at = now
    if annotation._state.adding:
        row_insert(annotation)
    else:
        row_update(annotation, ["document", "version", "author", "guide_versions", "saved_at"])
    changes = region_changes(before, normalised)
    _history(
        annotation, kind=kind, author=annotator, changes=changes, active=active, now=now, last=last
    )
    if lease_required and kind == AnnotationChange.Kind.DRAFT:
        task.lease_expires_at = handout.lease_until(now)
        row_update(task, ["lease_expires_at"])
    task.annotation_version = annotation.version
    annotation.locked_task, annotation.lease = task, lease
    return annotation


@transaction.atomic
def annotation_save(*, task: Task, annotator: User, document, version) -> Annotation:
    """A draft save of the task ``annotator`` holds, based on ``version``: structure only;
    it also counts as a heartbeat."""
    return _write(
        task,
        annotator=annotator,
        document=document,
        version=version,
        draft=True,
        kind=AnnotationChange.Kind.DRAFT,
    )


def _submitted(
    task: Task, annotator: User | None, now, lease: Lease | None, *, action: str = "submit"
) -> None:
    """The task done: its lease (just beaten by the save) ended, its active time summed;
    ``action`` is the move of ``states.TASK_MOVES`` it makes (a submit, or a delivery)."""
    if lease is not None and lease.ended_at is None:
        Lease.objects.filter(pk=lease.pk).update(ended_at=now, end=Lease.End.SUBMITTED)
    if hasattr(task, "leases_ended_active"):  # read with the lock: no need to sum again
        active = (task.leases_ended_active or 0) + (lease.active_seconds if lease else 0)
    else:
        active = sum(Lease.objects.filter(task=task).values_list("active_seconds", flat=True))
    task.status, task.submitted_at, task.active_seconds = states.TASK_MOVES[action].to, now, active
    task.lease_expires_at, task.annotator_id = None, annotator.pk if annotator else None
    row_update(task, ["status", "submitted_at", "active_seconds", "lease_expires_at", "annotator"])
    states.task_items_move(action=action, dataset_id=task.batch.dataset_id, item_ids=[task.item_id])


@transaction.atomic
def task_submit(*, task: Task, annotator: User, document, version) -> Task:
    """Submit the task ``annotator`` holds: everything checked, the task done. An empty
    annotation is the explicit "nothing to label here" (detection needs negatives)."""
    annotation = _write(
        task,
        annotator=annotator,
        document=document,
        version=version,
        draft=False,
        kind=AnnotationChange.Kind.SUBMIT,
        lease_end=Lease.End.SUBMITTED,
    )
    task = annotation.locked_task
    _submitted(task, annotator, annotation.saved_at, annotation.lease)
    return task


def _deliverable(task: Task, now) -> None:
    """Refuse (409, saying why) to deliver a task that is not open: one an annotator holds
    in the tool, or one done with. A lease that expired before the sweep came ends now."""
    if task.batch.status not in WORKING:
        raise DomainError(
            _("The batch is %(status)s; its tasks can no longer be delivered.")
            % {"status": task.batch.get_status_display().lower()},
            code="batch_not_working",
            status=409,
        )
    handout.lease_expired_end(task, now)
    if task.status in states.TASK_MOVES["deliver"].sources:
        return
    refusals = {
        T.LEASED: (
            "task_leased",
            _(
                "An annotator holds this task in the labeling tool; deliver it once they "
                "release it or their lease ends."
            ),
        ),
        T.SUBMITTED: ("task_submitted", _("This task was already submitted.")),
        T.CANCELLED: ("task_cancelled", _("This task was cancelled.")),
    }
    code, message = refusals.get(
        task.status,
        (
            "task_not_open",
            _("This task is %(status)s; only open tasks can be delivered.")
            % {"status": task.get_status_display().lower()},
        ),
    )
    raise DomainError(message, code=code, status=409)


@transaction.atomic
def task_deliver(*, task: Task, by: User, document, version=None) -> Task:
    """Submit an open task with an annotation made in a vendor's own tool (a line of a
    delivered file): checked as a submit is, through the same save, with ``by`` (who
    delivered it) its author and no lease needed. ``version``, when given, must be the
    annotation's current one (a 409 otherwise); without it the delivery replaces any draft
    left on the task. A task whose lease expired is reopened first; one an annotator holds
    now, or one submitted, cancelled or done with, is refused."""
    now = timezone.now()
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("batch", "task_kind")
        .get(pk=task.pk)
    )
    _deliverable(task, now)
    if version is None:
        version = Annotation.objects.filter(task=task).values_list("version", flat=True).first()
    annotation = _write(
        task,
        annotator=by,
        document=document,
        version=version or 0,
        draft=False,
        kind=AnnotationChange.Kind.DELIVERED,
        lease_required=False,
    )
    _submitted(task, by, annotation.saved_at, None, action="deliver")
    handout.batch_started(task.batch, by)
    task.annotation_version = annotation.version
    return task


@transaction.atomic
def task_reopen(*, task: Task, annotator: User) -> Task:
    """Take back a task one submitted, until its batch is submitted: leased again, to them."""
    task = Task.objects.select_for_update(of=("self",)).select_related("batch").get(pk=task.pk)
    if task.status != T.SUBMITTED or task.annotator_id != annotator.pk:
        raise DomainError(
            _("Only a task you submitted can be reopened."), code="not_reopenable", status=409
        )
    if task.batch.status not in WORKING:
        raise DomainError(
            _("The batch was submitted; its tasks can no longer be reopened."),
            code="batch_submitted",
            status=409,
        )
    held = handout.task_held(annotator=annotator)
    if held is not None:
        raise DomainError(
            _("Submit or release task %(id)s first: you hold one task at a time.")
            % {"id": held.pk},
            code="holding_another",
            status=409,
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            Task.objects.filter(pk=task.pk).update(
                status=states.TASK_MOVES["reopen"].to, lease_expires_at=handout.lease_until(now)
            )
    except IntegrityError:  # a claim of theirs won meanwhile
        raise DomainError(
            _("Submit or release the task you hold first: you hold one task at a time."),
            code="holding_another",
            status=409,
        ) from None
    handout.lease_open(task.pk, annotator, now)
    states.task_items_move(
        action="reopen", dataset_id=task.batch.dataset_id, item_ids=[task.item_id]
    )
    annotation = Annotation.objects.filter(task=task).first()
    if annotation is not None:
        AnnotationChange.objects.create(
            annotation=annotation,
            kind=AnnotationChange.Kind.REOPEN,
            author=annotator,
            started_at=now,
            at=now,
            version=annotation.version,
            changes={},
            guide_versions=annotation.guide_versions,
        )
    task.status, task.lease_expires_at = T.LEASED, handout.lease_until(now)
    return task
