"""Task kinds, batches and their tasks: the factory's work orders.

A batch is handed to one vendor under one of its contracts for one task kind; each task is
one item of it. ``TaskHold`` makes "an item has at most one open task among kinds that edit
the same types" a database constraint: a task holds each type its kind edits on its item
until it ends, so two cuts racing for one item cannot both take it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from datasets.models import Job


class TaskKind(models.Model):
    """What one pass of labeling does on a dataset.

    ``types`` are the region types the pass may create or edit and ``attributes`` the
    attributes it fills in ("box formulas and type their LaTeX" = ``formula`` + ``latex``);
    ``requires`` is its precondition: the region types an item's ground truth must already
    hold ("box characters" needs accepted ``formula`` boxes, and draws ``char`` inside them).
    """

    dataset = models.ForeignKey(
        "datasets.Dataset",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dataset"),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=50)
    description = models.TextField(_("description"), blank=True)
    types = models.ManyToManyField(
        "datasets.RegionType", related_name="+", verbose_name=_("region types it edits")
    )
    attributes = models.ManyToManyField(
        "datasets.AttributeDef", related_name="+", blank=True, verbose_name=_("attributes it fills")
    )
    requires = models.ManyToManyField(
        "datasets.RegionType",
        related_name="+",
        blank=True,
        verbose_name=_("accepted region types it needs"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("task kind")
        verbose_name_plural = _("task kinds")
        ordering = ["dataset", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "slug"], name="task_kind_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Batch(models.Model):
    """Items handed to one vendor under one contract for one task kind, due by a date.

    Its status moves only through ``labeling.states`` (open → in progress → submitted → in
    review → accepted, or returned → in progress; cancelled). ``need`` is what the planner
    asked for (category counts and filters), ``seed`` the random seed the items were drawn
    with, so the same cut can be explained and repeated.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        IN_REVIEW = "in_review", _("In review")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", _("Cancelled")

    dataset = models.ForeignKey(
        "datasets.Dataset", on_delete=models.PROTECT, related_name="+", verbose_name=_("dataset")
    )
    task_kind = models.ForeignKey(
        TaskKind, on_delete=models.PROTECT, related_name="batches", verbose_name=_("task kind")
    )
    vendor = models.ForeignKey(
        "vendors.Vendor", on_delete=models.PROTECT, related_name="+", verbose_name=_("vendor")
    )
    contract = models.ForeignKey(
        "vendors.Contract", on_delete=models.PROTECT, related_name="+", verbose_name=_("contract")
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    need = models.JSONField(_("what was asked for"), default=dict, blank=True)
    seed = models.CharField(_("random seed"), max_length=64)
    size = models.PositiveIntegerField(_("tasks cut"), default=0)
    due_on = models.DateField(_("due on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cut by"),
    )
    created_at = models.DateTimeField(_("cut at"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["vendor", "status", "due_on"], name="batch_vendor_status_due"),
            models.Index(fields=["dataset", "status"], name="batch_dataset_status"),
        ]

    def __str__(self) -> str:
        return self.name or f"batch {self.pk}"


class Task(models.Model):
    """One item of a batch. ``task_kind`` repeats the batch's, so "has this kind ever
    labeled this item" is one index lookup however many batches there are."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        LEASED = "leased", _("Being labeled")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        ACCEPTED = "accepted", _("Accepted")
        CANCELLED = "cancelled", _("Cancelled")
        UNUSABLE = "unusable", _("Unusable")

    #: A task in one of these is done with its item: it holds no types and frees the item
    #: for another kind (cancelled ones also for another cut of its own kind; an unusable
    #: one never: every annotator skipped it).
    ENDED = (Status.ACCEPTED, Status.CANCELLED, Status.UNUSABLE)

    # batch and task_kind lead indexes of their own below: no single-column index each
    # (a cut inserts thousands of tasks; every index is written for each).
    batch = models.ForeignKey(
        Batch,
        on_delete=models.CASCADE,
        related_name="tasks",
        verbose_name=_("batch"),
        db_index=False,
    )
    task_kind = models.ForeignKey(
        TaskKind,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("task kind"),
        db_index=False,
    )
    item = models.ForeignKey(
        "datasets.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    category_key = models.CharField(_("category key"), max_length=200, blank=True)
    #: The batch's stable shuffled order: tasks are handed out by it, so one annotator does
    #: not get a run of near-identical photos (a hash of the batch's seed and the item).
    order_key = models.BigIntegerField(_("hand-out order"), default=0)
    #: Who holds the task (leased) or submitted it (submitted and after).
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("annotator"),
        db_index=False,
    )
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    active_seconds = models.PositiveIntegerField(_("active time (s)"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["batch", "id"]
        indexes = [
            models.Index(fields=["task_kind", "item"], name="task_kind_item"),
            models.Index(fields=["batch", "status"], name="task_batch_status"),
            # the claim: the first open task of a batch in hand-out order
            models.Index(
                fields=["batch", "order_key", "id"],
                condition=models.Q(status="open"),
                name="task_open_batch_order",
            ),
            # the sweep: leases that expired
            models.Index(
                fields=["lease_expires_at"],
                condition=models.Q(status="leased"),
                name="task_lease_expiry",
            ),
            models.Index(
                fields=["annotator", "status"],
                condition=models.Q(annotator__isnull=False),
                name="task_annotator_status",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["batch", "item"], name="task_batch_item_unique"),
            # an annotator never holds two tasks: two claims racing for one user, the
            # second fails here and gets the first one's task
            models.UniqueConstraint(
                fields=["annotator"],
                condition=models.Q(status="leased"),
                name="task_one_lease_per_annotator",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="leased")
                | models.Q(annotator__isnull=False, lease_expires_at__isnull=False),
                name="task_leased_has_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"task {self.pk} (item {self.item_id})"


class TaskHold(models.Model):
    """An unended task's hold on one region type of its item: one per item and type."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="holds")
    item = models.ForeignKey(
        "datasets.Item", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    region_type = models.ForeignKey(
        "datasets.RegionType", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "region_type"], name="task_hold_unique")
        ]

    def __str__(self) -> str:
        return f"task {self.task_id} holds {self.region_type_id} on item {self.item_id}"


class Lease(models.Model):
    """One annotator's hold on one task, from the claim to its end: what figures, active
    time and "was this ever yours" read. The task row says who holds it now."""

    class End(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RELEASED = "released", _("Released")
        SKIPPED = "skipped", _("Skipped")
        EXPIRED = "expired", _("Expired")
        ENDED = "ended", _("Ended (annotator deactivated)")
        CANCELLED = "cancelled", _("Cancelled")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="leases")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    started_at = models.DateTimeField(_("claimed at"))
    beat_at = models.DateTimeField(_("last heartbeat"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end = models.CharField(_("how it ended"), max_length=12, choices=End.choices, blank=True)
    active_seconds = models.PositiveIntegerField(_("active time (s)"), default=0)

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("leases")
        indexes = [
            models.Index(fields=["annotator", "started_at"], name="lease_annotator_started"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["task"], condition=models.Q(ended_at=None), name="lease_one_open_per_task"
            )
        ]

    def __str__(self) -> str:
        return f"lease of task {self.task_id} by {self.annotator_id}"


class SkipReason(models.Model):
    """Why an annotator may skip a task of a dataset ("Image unreadable"). A dataset without
    reasons of its own offers ``labeling.services.handout.DEFAULT_SKIP_REASONS``."""

    dataset = models.ForeignKey(
        "datasets.Dataset", on_delete=models.CASCADE, related_name="+", verbose_name=_("dataset")
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("reason"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("skip reason")
        verbose_name_plural = _("skip reasons")
        ordering = ["dataset", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "code"], name="skip_reason_code_unique")
        ]

    def __str__(self) -> str:
        return self.label


class TaskSkip(models.Model):
    """An annotator skipped a task: it goes to someone else, never back to them."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="skips")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=40)
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("skipped at"), auto_now_add=True)

    class Meta:
        verbose_name = _("skip")
        verbose_name_plural = _("skips")
        constraints = [models.UniqueConstraint(fields=["task", "annotator"], name="task_skip_once")]

    def __str__(self) -> str:
        return f"task {self.task_id} skipped by {self.annotator_id}"


class Annotation(models.Model):
    """The label of one task in the canonical format, with the version every save is
    checked against (a save based on an older one is a 409). Before the first save there is
    no row: the task's annotation is the locked regions alone, version 0."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="annotation")
    document = models.JSONField(_("annotation"), default=dict)
    version = models.PositiveIntegerField(_("version"), default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    #: The guide versions (ids) in force when it was last saved.
    guide_versions = models.JSONField(_("guide versions"), default=list)
    #: The item's ground-truth version the locked regions came from (None: it had none).
    truth_version = models.PositiveIntegerField(_("ground truth version"), null=True)
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")

    def __str__(self) -> str:
        return f"annotation of task {self.task_id} v{self.version}"


class AnnotationChange(models.Model):
    """One entry of an annotation's history: a submit, or a minute of one author's draft
    saves coalesced; what changed per region (ids), the guide versions, the active time."""

    class Kind(models.TextChoices):
        DRAFT = "draft", _("Draft saved")
        SUBMIT = "submit", _("Submitted")
        DELIVERED = "delivered", _("Delivered as a file")
        REOPEN = "reopen", _("Reopened")

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    started_at = models.DateTimeField(_("from"))
    at = models.DateTimeField(_("at"))
    version = models.PositiveIntegerField(_("version"))
    #: {"added": [ids], "removed": [ids], "moved": [ids], "attributes": {id: [names]}}
    changes = models.JSONField(_("changes"), default=dict)
    guide_versions = models.JSONField(_("guide versions"), default=list)
    active_seconds = models.PositiveIntegerField(_("active time (s)"), default=0)

    class Meta:
        verbose_name = _("annotation change")
        verbose_name_plural = _("annotation changes")
        ordering = ["annotation", "id"]

    def __str__(self) -> str:
        return f"{self.kind} of annotation {self.annotation_id} v{self.version}"


class Delivery(Job):
    """A batch's annotations delivered as a file by a vendor that works in its own tool:
    JSON lines in the canonical format, one per task, each checked as a submit by a worker
    (``labeling.services.deliveries``). ``position`` is how far into the file the worker
    got (bytes), committed with each line's outcome, so a worker that died mid-file is
    followed by one that carries on from the next line, never repeating one."""

    batch = models.ForeignKey(
        Batch, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("batch")
    )
    file = models.FileField(_("file"), max_length=300)
    file_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    position = models.PositiveBigIntegerField(_("bytes read"), default=0)
    lines_read = models.PositiveIntegerField(_("lines read"), default=0)
    accepted = models.PositiveIntegerField(_("lines accepted"), default=0)
    refused = models.PositiveIntegerField(_("lines refused"), default=0)
    #: The language the delivery was made in: its lines are reported in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_by = models.ForeignKey(  # as Job's, named for who delivered
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delivered by"),
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["batch", "-id"]
        indexes = [models.Index(fields=["status"], name="delivery_status")]

    def __str__(self) -> str:
        return f"delivery {self.pk} of batch {self.batch_id} ({self.status})"

    @property
    def queued(self) -> bool:
        """Waiting for its first worker: no worker took it yet."""
        return self.status == self.Status.RUNNING and self.attempts == 0

    @property
    def state(self) -> str:
        """queued (no worker took it yet), running, done or failed."""
        return "queued" if self.queued else self.status

    @property
    def state_label(self) -> str:
        return str(_("Queued")) if self.queued else self.get_status_display()

    @property
    def percent(self) -> int:
        """Whole percent of the file read; only a finished delivery shows 100."""
        return self.percent_of(self.position, self.size)


class DeliveryLine(models.Model):
    """What became of one line of a delivered file: accepted (its task submitted, at that
    annotation version) or refused with a code, a message and the fields it names."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="lines", verbose_name=_("delivery")
    )
    number = models.PositiveIntegerField(_("line"))
    #: The task id the line names, as written (an opaque number: it may name no task).
    task_ref = models.BigIntegerField(_("task id"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    code = models.CharField(_("code"), max_length=40, blank=True)
    message = models.TextField(_("message"), blank=True)
    fields = models.JSONField(_("fields"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("annotation version"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivered line")
        verbose_name_plural = _("delivered lines")
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="delivery_line_once")
        ]
        indexes = [
            models.Index(fields=["delivery", "outcome", "number"], name="delivery_line_outcome")
        ]

    def __str__(self) -> str:
        return f"line {self.number} of delivery {self.delivery_id}: {self.outcome}"
