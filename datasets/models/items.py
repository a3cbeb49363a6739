"""Items and what happens to them: uploads, splits, categories, history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from datasets.models.spec import Axis, Category, Dataset


class JobStatus(models.TextChoices):
    """Where a worker's job stands: split runs, category changes and exports share it."""

    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Job(models.Model):
    """What every worker's job row records: where it stands, why it failed, who asked and
    when it started and ended. Split runs, category changes, metadata strips and exports
    extend it."""

    Status = JobStatus

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RUNNING
    )
    error = models.TextField(_("error"), blank=True)
    # A worker working on the job touches heartbeat_at; a periodic sweep requeues a running
    # job whose heartbeat went stale (its worker died, or its message was lost), counting
    # the attempts so a job that kills every worker ends failed instead of looping.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True

    def percent_of(self, done: int, total: int) -> int:
        """Whole percent of ``done`` out of ``total``: only a finished job shows 100."""
        if self.status == JobStatus.DONE:
            return 100
        return min(99, 100 * done // total) if total else 0


class Split(models.TextChoices):
    UNASSIGNED = "", _("Unassigned")
    TRAIN = "train", _("Train")
    VAL = "val", _("Validation")
    TEST = "test", _("Test")


class SplitRun(Job):
    """One stratified split assignment: its seed and ratios, so it can be explained and rerun."""

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="split_runs", verbose_name=_("dataset")
    )
    seed = models.BigIntegerField(_("seed"))
    ratios = models.JSONField(_("ratios"))
    scope = models.CharField(_("scope"), max_length=20)
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("split run")
        verbose_name_plural = _("split runs")
        ordering = ["dataset", "-id"]

    def __str__(self) -> str:
        return f"split run {self.pk} (seed {self.seed})"


class Upload(models.Model):
    """Files that arrived together: a drag-and-drop session or one zip archive."""

    class Kind(models.TextChoices):
        FILES = "files", _("Files")
        ZIP = "zip", _("Zip archive")

    class Status(models.TextChoices):
        RECEIVING = "receiving", _("Receiving")
        UNPACKING = "unpacking", _("Unpacking")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="uploads", verbose_name=_("dataset")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVING
    )
    archive = models.FileField(_("archive"), max_length=300, blank=True)
    archive_name = models.CharField(_("archive name"), max_length=255, blank=True)
    categories = models.JSONField(_("categories for every file"), default=dict, blank=True)
    entries_total = models.PositiveIntegerField(_("entries in the archive"), default=0)
    error = models.TextField(_("error"), blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    # A vendor's photos, collected under a collection contract (vendors' opaque id): its
    # items wait for a planner or reviewer to accept them before they count.
    contract_id = models.PositiveBigIntegerField(_("collection contract"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        ordering = ["dataset", "-id"]

    def __str__(self) -> str:
        return f"upload {self.pk} ({self.kind})"


class Item(models.Model):
    """One image of a dataset, stored through Django's storage API, unique by content.

    ``original`` keeps the bytes as uploaded; ``image`` is the upright picture every
    coordinate refers to, without the original's metadata (the same file when no rotation,
    conversion or stripping was needed); ``rendition`` (about 2048 px) and ``thumbnail``
    are made by a worker. ``stripped`` says every file but the original is known to carry
    no metadata (no EXIF, XMP, GPS or PNG text): only then do roles other than planners
    get them.
    """

    class Processing(models.TextChoices):
        QUEUED = "queued", _("Queued")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Status(models.TextChoices):
        NEW = "new", _("Collected")
        IN_LABELING = "in_labeling", _("In labeling")
        LABELED = "labeled", _("Labeled")
        ACCEPTED = "accepted", _("Accepted")
        # A vendor's collected photo before a planner or reviewer looked at it, and one
        # they turned down: neither counts toward coverage or can be cut into a batch.
        PENDING = "pending", _("Awaiting acceptance")
        REJECTED = "rejected", _("Rejected")

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="items", verbose_name=_("dataset")
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    original = models.FileField(_("original file"), max_length=300)
    original_name = models.CharField(_("uploaded as"), max_length=255, blank=True)
    image = models.FileField(_("upright image"), max_length=300)
    rendition = models.FileField(_("screen rendition"), max_length=300, blank=True)
    thumbnail = models.FileField(_("thumbnail"), max_length=300, blank=True)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    processing = models.CharField(
        _("processing"), max_length=10, choices=Processing.choices, default=Processing.QUEUED
    )
    stripped = models.BooleanField(
        _("metadata stripped"),
        default=False,
        help_text=_("Every file but the original is known to carry no EXIF, XMP or text."),
    )
    split = models.CharField(_("split"), max_length=8, choices=Split.choices, blank=True)
    split_run = models.ForeignKey(
        SplitRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("split run"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    category_key = models.CharField(
        _("category key"),
        max_length=200,
        blank=True,
        help_text=_("The item's category ids, sorted and joined by dots; coverage counts by it."),
    )
    categories = models.ManyToManyField(
        Category, through="ItemCategory", related_name="items", verbose_name=_("categories")
    )
    upload = models.ForeignKey(
        Upload,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("upload"),
    )
    # The current version of the ground truth, or none yet; ``ground_truth_record`` moves it.
    ground_truth = models.ForeignKey(
        "GroundTruthVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current ground truth"),
    )
    # The region types the current ground truth holds, sorted, each between commas
    # (",char,formula,"): a batch cut asks "has no formula yet" or "has accepted formulas"
    # of it. ground_truth_record keeps it.
    truth_types = models.CharField(
        _("region types in the ground truth"), max_length=500, blank=True
    )
    # The collection contract (vendors' opaque id) the photo was collected under, if any.
    contract_id = models.PositiveBigIntegerField(_("collection contract"), null=True, blank=True)
    # When a worker last took the item's processing, or the sweep last queued it again: a
    # queued item taken longer than JOB_STALE_SECONDS ago lost its worker (datasets/
    # services/recovery.py).
    processing_at = models.DateTimeField(_("processing taken at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "sha256"], name="item_content_unique")
        ]
        # No index holds ``status``: a batch cut or a review moves thousands of items' status
        # at once, and an update that touches no indexed column is a heap-only (HOT) update
        # that writes no index (measured on 10,000 of 1,000,000 items: 1.7 s → 0.3 s).
        # Lists filtered by status walk ``item_dataset_id`` (or a contract's few photos).
        indexes = [
            models.Index(fields=["dataset", "id"], name="item_dataset_id"),
            models.Index(fields=["dataset", "split", "id"], name="item_dataset_split_id"),
            models.Index(fields=["dataset", "processing", "id"], name="item_dataset_processing_id"),
            # the sweep's: items still queued, and the items workers took lately
            models.Index(
                fields=["id"], condition=models.Q(processing="queued"), name="item_queued_id"
            ),
            models.Index(fields=["processing_at"], name="item_processing_at"),
            models.Index(
                fields=["contract_id", "id"],
                condition=models.Q(contract_id__isnull=False),
                name="item_contract_id",
            ),
        ]

    def __str__(self) -> str:
        return f"item {self.pk} ({self.sha256[:12]})"


#: Statuses of a vendor's collected photo that is not part of the dataset (yet): awaiting
#: acceptance, or rejected. Such items count toward no coverage, split or batch.
UNCOUNTED_STATUSES = frozenset({Item.Status.PENDING.value, Item.Status.REJECTED.value})


class UploadEntry(models.Model):
    """What became of one file of an upload: added, a duplicate, or refused and why."""

    class Outcome(models.TextChoices):
        ADDED = "added", _("Added")
        DUPLICATE = "duplicate", _("Duplicate")
        REFUSED = "refused", _("Refused")

    upload = models.ForeignKey(
        Upload, on_delete=models.CASCADE, related_name="entries", verbose_name=_("upload")
    )
    name = models.CharField(_("file name"), max_length=300)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    code = models.CharField(_("code"), max_length=40, blank=True)
    message = models.TextField(_("message"), blank=True)
    item = models.ForeignKey(
        Item,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("item"),
    )

    class Meta:
        verbose_name = _("upload entry")
        verbose_name_plural = _("upload entries")
        ordering = ["upload", "id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.outcome}"


class ItemEvent(models.Model):
    """One line of an item's history: what happened (``kind``) and its facts (``params``),
    never a sentence. ``summary`` writes the line in the reader's language when shown.

    ``params`` per kind: uploaded ``{"name"}`` (empty: registered without a name); processed
    and stripped ``{}``; split ``{"before", "after"}`` (split values); categories
    ``{"changes": [{"axis", "before", "after"}]}`` (slugs, None for no category);
    ground_truth ``{"number", "source", "types"}``; collected_accepted and collected_rejected
    ``{"contract"}`` (the collection contract's opaque id); set_aside ``{"task_kind", "batch",
    "reasons"}`` (the kind's name, labeling's opaque batch id, the skip reasons' codes). A
    row carried over from the sentences of old that could not be read back keeps its
    sentence as ``{"text"}``.
    """

    class Kind(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        PROCESSED = "processed", _("Processed")
        STRIPPED = "stripped", _("Metadata stripped")
        SPLIT = "split", _("Split changed")
        CATEGORIES = "categories", _("Categories changed")
        GROUND_TRUTH = "ground_truth", _("Ground truth recorded")
        REQUEUED = "requeued", _("Queued again")
        COLLECTED_ACCEPTED = "collected_accepted", _("Collected photo accepted")
        COLLECTED_REJECTED = "collected_rejected", _("Collected photo rejected")
        SET_ASIDE = "set_aside", _("Set aside as unusable")

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="events", verbose_name=_("item")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("item event")
        verbose_name_plural = _("item events")
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return f"item {self.item_id}: {self.kind}"

    @property
    def summary(self) -> str:
        """The line as the reader reads it, in the active language."""
        return str(self._line())

    def _line(self):
        params = self.params or {}
        if "text" in params:
            return params["text"]
        kind = self.kind
        if kind == self.Kind.UPLOADED:
            name = params.get("name")
            return _("Uploaded as “%(name)s”.") % {"name": name} if name else _("Registered.")
        if kind == self.Kind.PROCESSED:
            return _("Thumbnail and screen rendition made.")
        if kind == self.Kind.REQUEUED:
            return _("Queued again for processing.")
        if kind == self.Kind.COLLECTED_ACCEPTED:
            return _("Accepted as a collected photo; it counts toward coverage from now on.")
        if kind == self.Kind.COLLECTED_REJECTED:
            return _(
                "Rejected as a collected photo; it is kept but never counted, cut or exported."
            )
        if kind == self.Kind.SET_ASIDE:
            return _(
                "Set aside as unusable for “%(kind)s” in batch %(batch)s: every annotator "
                "skipped it. It is never counted, cut or exported."
            ) % {"kind": params.get("task_kind"), "batch": params.get("batch")}
        if kind == self.Kind.STRIPPED:
            return _("Metadata removed from the files other roles see.")
        if kind == self.Kind.SPLIT:
            return _("Split changed from %(before)s to %(after)s.") % {
                "before": _choice_label(Split, params.get("before")),
                "after": _choice_label(Split, params.get("after")),
            }
        if kind == self.Kind.CATEGORIES:
            return "; ".join(
                _("%(axis)s: %(before)s → %(after)s")
                % {
                    "axis": change["axis"],
                    "before": change["before"] or _("none"),
                    "after": change["after"] or _("none"),
                }
                for change in params.get("changes", [])
            )
        if kind == self.Kind.GROUND_TRUTH:
            from datasets.models.truth import GroundTruthVersion

            values = {
                "number": params.get("number"),
                "source": _choice_label(GroundTruthVersion.Source, params.get("source")),
            }
            if params.get("types"):
                return _("Ground truth version %(number)s recorded (%(source)s: %(types)s).") % {
                    **values,
                    "types": ", ".join(params["types"]),
                }
            return _("Ground truth version %(number)s recorded (%(source)s).") % values
        return str(kind)


def _choice_label(choices: type[models.TextChoices], value) -> str:
    """A stored choice as people read it; a value since dropped from the choices as stored."""
    try:
        return str(choices(value or "").label)
    except ValueError:
        return str(value)


class ItemCategory(models.Model):
    """An item's category on one axis; the axis is kept here so one per axis is enforced."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE)
    category = models.ForeignKey(Category, on_delete=models.PROTECT)
    axis = models.ForeignKey(Axis, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "axis"], name="item_one_category_per_axis")
        ]
        indexes = [models.Index(fields=["category", "item"], name="itemcategory_category_item")]

    def __str__(self) -> str:
        return f"item {self.item_id} in category {self.category_id}"
