"""Task kinds, batches and their tasks: the factory's work orders.

A batch is handed to one vendor under one of its contracts for one task kind; each task is
one item of it. ``TaskHold`` makes "an item has at most one open task among kinds that edit
the same types" a database constraint: a task holds each type its kind edits on its item
until it ends, so two cuts racing for one item cannot both take it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    #: for another kind (cancelled and unusable ones also for another cut of its own kind).
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
            models.Index(
                fields=["batch", "id"],
                condition=models.Q(status="open"),
                name="task_open_batch_id",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["batch", "item"], name="task_batch_item_unique")
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
