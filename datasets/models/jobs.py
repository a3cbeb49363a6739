"""Worker jobs over many items of a dataset: bulk category changes and metadata stripping."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from datasets.models.items import Job
from datasets.models.spec import Dataset


class CategoryChange(Job):
    """A category set on a selection of items, applied by a worker batch by batch."""

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
    total = models.PositiveIntegerField(_("items selected"), default=0)
    done = models.PositiveIntegerField(_("items done"), default=0)
    changed = models.PositiveIntegerField(_("items changed"), default=0)

    class Meta:
        verbose_name = _("category change")
        verbose_name_plural = _("category changes")
        ordering = ["dataset", "-id"]

    def __str__(self) -> str:
        return f"category change {self.pk} ({self.status})"


class MetadataStrip(Job):
    """A job that strips metadata from the files of items stored before the worker did.

    It walks the ready items not yet stripped (of one dataset, or of all) and records how
    far it got; running it again continues where it stopped and skips what is done.
    """

    dataset = models.ForeignKey(
        Dataset,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="metadata_strips",
        verbose_name=_("dataset"),
        help_text=_("Empty: every dataset."),
    )
    total = models.PositiveIntegerField(_("items to check"), default=0)
    done = models.PositiveIntegerField(_("items checked"), default=0)
    changed = models.PositiveIntegerField(_("items whose files changed"), default=0)

    class Meta:
        verbose_name = _("metadata strip")
        verbose_name_plural = _("metadata strips")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"metadata strip {self.pk} ({self.status})"
