"""Exports: one stage's ground truth projected into the files a trainer loads, built by a worker."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from datasets.models import Dataset, Job, JobStatus, Stage


class Export(Job):
    """One requested export of a stage over some splits, and the zip it became."""

    class Images(models.TextChoices):
        INCLUDE = "include", _("Included in the zip")
        REFERENCE = "reference", _("By reference (content hash and download path)")

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="exports", verbose_name=_("dataset")
    )
    # A deleted stage keeps its exports: their manifests record what the stage was.
    stage = models.ForeignKey(
        Stage,
        on_delete=models.SET_NULL,
        null=True,
        related_name="exports",
        verbose_name=_("stage"),
    )
    splits = models.JSONField(_("splits"), default=list)
    format = models.CharField(_("format"), max_length=20)
    images = models.CharField(
        _("images"), max_length=10, choices=Images.choices, default=Images.REFERENCE
    )
    total = models.PositiveIntegerField(_("items to export"), default=0)
    done = models.PositiveIntegerField(_("items done"), default=0)
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    file = models.FileField(_("file"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    created_by = models.ForeignKey(  # as Job's, named for who asked
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # A failed or cancelled export is retried as a new export with the same request, so the
    # record of what went wrong stays; one retry per export (the unique one-to-one).
    retry_of = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retried_as",
        verbose_name=_("retry of"),
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["dataset", "-id"]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        """Whole percent of the items written; only a finished export shows 100."""
        return self.percent_of(self.done, self.total)


class ExportChunk(models.Model):
    """Some items of an export, built by a worker into a part the final step joins.

    The plan pins what the chunk reads: ``versions`` is the exact list of ground-truth
    versions (their ids, in item order) current when the export was planned, so a version
    recorded or committed later is in no chunk; ``first_item`` and ``last_item`` bound
    its items, for messages.
    """

    Status = JobStatus

    export = models.ForeignKey(
        Export, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("export")
    )
    index = models.PositiveIntegerField(_("index"))
    first_item = models.PositiveBigIntegerField(_("first item id"))
    last_item = models.PositiveBigIntegerField(_("last item id"))
    versions = models.JSONField(_("ground truth versions"), default=list)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RUNNING
    )
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    done = models.PositiveIntegerField(_("items done"), default=0)
    file = models.CharField(_("part file"), max_length=300, blank=True)
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("export chunk")
        verbose_name_plural = _("export chunks")
        ordering = ["export", "index"]
        constraints = [
            models.UniqueConstraint(fields=["export", "index"], name="export_chunk_unique")
        ]

    def __str__(self) -> str:
        return f"chunk {self.index} of export {self.export_id} ({self.status})"
