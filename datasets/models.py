from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Dataset(models.Model):
    """One service requirement's data: its spec (taxonomy, schema, stages) is versioned."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    requirement = models.TextField(_("service requirement"), blank=True)
    description = models.TextField(_("description"), blank=True)
    spec_version = models.PositiveIntegerField(_("spec version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
