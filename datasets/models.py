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
    summary = models.CharField(_("summary"), max_length=300)
    change = models.JSONField(_("change"), default=dict)

    class Meta:
        verbose_name = _("spec change")
        verbose_name_plural = _("spec changes")
        ordering = ["dataset", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "version"], name="spec_change_version")
        ]

    def __str__(self) -> str:
        return f"{self.dataset} v{self.version}: {self.summary}"


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

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["axis", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["axis", "slug"], name="category_slug_unique")
        ]

    def __str__(self) -> str:
        return f"{self.axis.slug}={self.slug}"


class Split(models.TextChoices):
    UNASSIGNED = "", _("Unassigned")
    TRAIN = "train", _("Train")
    VAL = "val", _("Validation")
    TEST = "test", _("Test")


class Item(models.Model):
    """One image of a dataset, stored through Django's storage API, unique by content."""

    class Status(models.TextChoices):
        READY = "ready", _("Ready")
        PROCESSING = "processing", _("Processing")
        FAILED = "failed", _("Failed")

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="items", verbose_name=_("dataset")
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    image = models.FileField(_("image"), max_length=300)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    split = models.CharField(_("split"), max_length=8, choices=Split.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.READY
    )
    categories = models.ManyToManyField(
        Category, through="ItemCategory", related_name="items", verbose_name=_("categories")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "sha256"], name="item_content_unique")
        ]

    def __str__(self) -> str:
        return f"item {self.pk} ({self.sha256[:12]})"


class ItemCategory(models.Model):
    """An item's category on one axis; the axis is kept here so one per axis is enforced."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE)
    category = models.ForeignKey(Category, on_delete=models.PROTECT)
    axis = models.ForeignKey(Axis, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "axis"], name="item_one_category_per_axis")
        ]

    def __str__(self) -> str:
        return f"item {self.item_id} in category {self.category_id}"


class GroundTruth(models.Model):
    """The accepted annotation of an item and where it came from."""

    class Source(models.TextChoices):
        REVIEW = "review", _("Accepted in review")
        IMPORT = "import", _("Imported")
        GENERATOR = "generator", _("Synthetic generator")

    item = models.OneToOneField(
        Item, on_delete=models.CASCADE, related_name="ground_truth", verbose_name=_("item")
    )
    annotation = models.JSONField(_("annotation"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), auto_now=True)

    class Meta:
        verbose_name = _("ground truth")
        verbose_name_plural = _("ground truths")

    def __str__(self) -> str:
        return f"ground truth of item {self.item_id} ({self.source})"
