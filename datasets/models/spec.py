"""The dataset spec: the dataset, its requirement decisions and its taxonomy."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Dataset(models.Model):
    """One service requirement's data: its spec (taxonomy, schema, stages) is versioned."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    requirement = models.TextField(_("service requirement"), blank=True)
    description = models.TextField(_("description"), blank=True)
    spec_version = models.PositiveIntegerField(_("spec version"), default=1)
    test_frozen_at = models.DateTimeField(
        _("test split frozen at"),
        null=True,
        blank=True,
        help_text=_("Once set, test items keep their split and new items fill train and val."),
    )
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


class SpecChange(models.Model):
    """One step of a dataset's spec history: which version, who, when and what changed."""

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="spec_changes", verbose_name=_("dataset")
    )
    version = models.PositiveIntegerField(_("spec version"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    change = models.JSONField(
        _("what happened"),
        default=dict,
        help_text=_("The event (kind) and its parameters; shown in the reader's language."),
    )
    snapshot = models.JSONField(
        _("spec after the change"),
        default=dict,
        help_text=_("The whole spec as it stood at this version, so any two can be compared."),
    )

    class Meta:
        verbose_name = _("spec change")
        verbose_name_plural = _("spec changes")
        ordering = ["dataset", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "version"], name="spec_change_version")
        ]

    def __str__(self) -> str:
        return f"{self.dataset} v{self.version}: {self.summary}"

    @property
    def summary(self) -> str:
        """What happened, in the active language: rendered from the event, never stored."""
        from datasets.spec_words import spec_change_text

        return spec_change_text(self.change)


class RequirementDecision(models.Model):
    """A question put to the service's owner, its answer, and what the answer decided."""

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("dataset")
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.CharField(
        _("answered by"),
        max_length=200,
        blank=True,
        help_text=_("Who gave the answer: the service owner's name or role."),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    #: Where the question came from when another app raised it (an annotator's question on a
    #: work guide): a path inside Groundwork and how to name it, so the decision links back.
    source_url = models.CharField(_("raised at"), max_length=300, blank=True)
    source_label = models.CharField(_("raised as"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("requirement decision")
        verbose_name_plural = _("requirement decisions")
        ordering = ["dataset", "id"]

    def __str__(self) -> str:
        return self.question[:80]

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class Axis(models.Model):
    """One way of sorting items (capture condition, writing); an item has ≤ 1 category each."""

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="axes", verbose_name=_("dataset")
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("axis")
        verbose_name_plural = _("axes")
        ordering = ["dataset", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["dataset", "slug"], name="axis_slug_unique")]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A kind of image to collect, with how many of it the dataset needs."""

    axis = models.ForeignKey(
        Axis, on_delete=models.CASCADE, related_name="categories", verbose_name=_("axis")
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50)
    description = models.TextField(_("description"), blank=True)
    quota_target = models.PositiveIntegerField(_("quota target"), default=0)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    example = models.FileField(_("example image"), max_length=300, blank=True)
    decision = models.ForeignKey(
        RequirementDecision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="categories",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["axis", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["axis", "slug"], name="category_slug_unique")
        ]

    def __str__(self) -> str:
        return f"{self.axis.slug}={self.slug}"


class CellQuota(models.Model):
    """A quota target on the cell of two categories of different axes (shadow × handwritten)."""

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="cell_quotas", verbose_name=_("dataset")
    )
    first = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", verbose_name=_("first category")
    )
    second = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", verbose_name=_("second category")
    )
    quota_target = models.PositiveIntegerField(_("quota target"))
    decision = models.ForeignKey(
        RequirementDecision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cell_quotas",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("cell quota")
        verbose_name_plural = _("cell quotas")
        ordering = ["dataset", "id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="cell_quota_unique"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="cell_quota_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first} × {self.second}: {self.quota_target}"
