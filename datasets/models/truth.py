"""Ground truth: every accepted label of an item, kept as versions with their provenance."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from datasets.models.items import Item


class GroundTruthVersion(models.Model):
    """One recorded version of an item's ground truth, with where it came from.

    Versions are never changed or overwritten: each recording adds the item's next number
    (1, 2, …) and the item points at it (``Item.ground_truth``); older versions stay for
    audit and to reproduce an old export. The task and annotation are labeling's opaque ids,
    not foreign keys, so the datasets app's migrations never depend on labeling. A partial
    recording (``types``) merged the regions of those types into ``base_version``'s
    successor; a full one leaves ``types`` empty.
    """

    class Source(models.TextChoices):
        REVIEW = "review", _("Accepted in review")
        IMPORT = "import", _("Imported")
        GENERATOR = "generator", _("Synthetic generator")

    item = models.ForeignKey(
        Item,
        on_delete=models.CASCADE,
        related_name="truth_versions",
        db_index=False,  # (item, number) is unique and indexed
        verbose_name=_("item"),
    )
    number = models.PositiveIntegerField(_("version"))
    annotation = models.JSONField(_("annotation"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    source_ref = models.CharField(
        _("source reference"),
        max_length=200,
        blank=True,
        help_text=_("What an import or a generator run calls this item, e.g. its seed."),
    )
    task_id = models.PositiveBigIntegerField(_("task id"), null=True, blank=True)
    annotation_id = models.PositiveBigIntegerField(_("annotation id"), null=True, blank=True)
    annotation_version = models.PositiveIntegerField(_("annotation version"), null=True, blank=True)
    guide_version_ids = models.JSONField(_("guide version ids"), default=list, blank=True)
    spec_version = models.PositiveIntegerField(_("spec version"))
    types = models.JSONField(
        _("region types recorded"),
        default=list,
        blank=True,
        help_text=_("Empty for a whole annotation; else the types merged into the version."),
    )
    base_version = models.PositiveIntegerField(
        _("base version"),
        null=True,
        blank=True,
        help_text=_("The version the recorded work started from, when it was given."),
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)

    class Meta:
        verbose_name = _("ground truth version")
        verbose_name_plural = _("ground truth versions")
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="ground_truth_version_unique"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="ground_truth_version_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"ground truth v{self.number} of item {self.item_id} ({self.source})"
