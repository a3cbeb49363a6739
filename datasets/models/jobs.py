"""Worker jobs over many items of a dataset: bulk category changes and metadata stripping."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from datasets.models.items import JobStatus
from datasets.models.spec import Dataset


class CategoryChange(models.Model):
    """A category set on a selection of items, applied by a worker batch by batch."""

    Status = JobStatus

    dataset = models.ForeignKey(
        Dataset,
        on_delete=models.CASCADE,
        related_name="category_changes",
        verbose_name=_("dataset"),
    )
    selection = models.JSONField(
        _("selection"),
        help_text=_("Item list filters or item ids, and the newest item id when it was asked."),
    )
    changes = models.JSONField(_("changes"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.RUNNING
    )
    total = models.PositiveIntegerField(_("items selected"), default=0)
    done = models.PositiveIntegerField(_("items done"), default=0)
    changed = models.PositiveIntegerField(_("items changed"), default=0)
    error = models.TextField(_("error"), blank=True)
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
        verbose_name = _("category change")
        verbose_name_plural = _("category changes")
        ordering = ["dataset", "-id"]

    def __str__(self) -> str:
        return f"category change {self.pk} ({self.status})"


class MetadataStrip(models.Model):
    """A job that strips metadata from the files of items stored before the worker did.

    It walks the ready items not yet stripped (of one dataset, or of all) and records how
    far it got; running it again continues where it stopped and skips what is done.
    """

    Status = JobStatus

    dataset = models.ForeignKey(
        Dataset,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="metadata_strips",
        verbose_name=_("dataset"),
        help_text=_("Empty: every dataset."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.RUNNING
    )
    total = models.PositiveIntegerField(_("items to check"), default=0)
    done = models.PositiveIntegerField(_("items checked"), default=0)
    changed = models.PositiveIntegerField(_("items whose files changed"), default=0)
    error = models.TextField(_("error"), blank=True)
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
        verbose_name = _("metadata strip")
        verbose_name_plural = _("metadata strips")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"metadata strip {self.pk} ({self.status})"
