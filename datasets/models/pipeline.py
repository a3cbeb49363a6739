"""The label schema and the model pipeline: what annotators draw, and each model's pairs.

A stage is a projection of an accepted annotation: its input is the whole image or the crop
of each region of one type, its output the boxes of a type inside that input or one
attribute of the input region. Stages carry the model requirements of the service.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from datasets.models.spec import Dataset, RequirementDecision


class RegionType(models.Model):
    """A kind of region annotators draw (formula, char), and where it may sit."""

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="region_types", verbose_name=_("dataset")
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50)
    top_level = models.BooleanField(
        _("may stand alone"),
        default=True,
        help_text=_("Whether a region of this type may sit directly on the image."),
    )
    parents = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="children",
        verbose_name=_("may nest in"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("region type")
        verbose_name_plural = _("region types")
        ordering = ["dataset", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "slug"], name="region_type_slug_unique")
        ]

    def __str__(self) -> str:
        return self.slug


class AttributeDef(models.Model):
    """An attribute of a region type: its kind, whether it is required, its choices.

    An ``angle`` is how far the region's content is turned, in degrees clockwise as seen on
    the upright photo (the box stays axis-aligned): -90 < angle <= 90, at most one decimal
    place, 0 = level. A type has at most one, so a recognition crop knows what to deskew by.
    """

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        LATEX = "latex", _("LaTeX")
        BOOLEAN = "boolean", _("Yes or no")
        CHOICE = "choice", _("Choice")
        ANGLE = "angle", _("Angle (degrees)")

    #: The range of an ``angle``: more than the first, at most the second.
    ANGLE_RANGE = (-90, 90)

    region_type = models.ForeignKey(
        RegionType,
        on_delete=models.CASCADE,
        related_name="attributes",
        verbose_name=_("region type"),
    )
    name = models.SlugField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ["region_type", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region_type", "name"], name="attribute_name_unique"),
            models.UniqueConstraint(
                fields=["region_type"],
                condition=models.Q(kind="angle"),
                name="attribute_one_angle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_type.slug}.{self.name}"


class Stage(models.Model):
    """One model of the pipeline: a projection of the annotation, with its requirements."""

    class Input(models.TextChoices):
        IMAGE = "image", _("The whole image")
        CROP = "crop", _("The crop of each region of a type")

    class Output(models.TextChoices):
        BOXES = "boxes", _("Boxes of a type inside the input")
        ATTRIBUTE = "attribute", _("An attribute of the input region")

    class PaddingUnit(models.TextChoices):
        PIXELS = "px", _("pixels")
        PERCENT = "percent", _("percent of the region's size")

    class Serving(models.TextChoices):
        MOBILE = "mobile", _("On the phone")
        CPU_SERVER = "cpu_server", _("CPU server")
        GPU_SERVER = "gpu_server", _("GPU server")
        CLOUD = "cloud", _("Cloud API")

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="stages", verbose_name=_("dataset")
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    input_kind = models.CharField(_("input"), max_length=8, choices=Input.choices)
    input_type = models.ForeignKey(
        RegionType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("input region type"),
    )
    padding = models.FloatField(_("padding"), default=0)
    padding_unit = models.CharField(
        _("padding unit"), max_length=8, choices=PaddingUnit.choices, default=PaddingUnit.PIXELS
    )
    output_kind = models.CharField(_("output"), max_length=10, choices=Output.choices)
    output_type = models.ForeignKey(
        RegionType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("output region type"),
    )
    output_attribute = models.ForeignKey(
        AttributeDef,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("output attribute"),
    )
    export_formats = models.JSONField(_("export formats"), default=list, blank=True)
    # The model requirements from the service.
    latency_ms = models.PositiveIntegerField(
        _("processing-time target (ms)"), null=True, blank=True
    )
    latency_offline = models.CharField(_("offline, measured from → to"), max_length=200, blank=True)
    latency_online = models.CharField(_("online, measured from → to"), max_length=200, blank=True)
    metric = models.CharField(_("offline accuracy metric"), max_length=100, blank=True)
    metric_target = models.FloatField(_("metric target"), null=True, blank=True)
    online_measure = models.CharField(
        _("online measure it must predict"), max_length=200, blank=True
    )
    qps_target = models.FloatField(_("QPS target"), null=True, blank=True)
    serving = models.CharField(
        _("serving target"), max_length=12, choices=Serving.choices, blank=True
    )
    hardware_notes = models.TextField(_("hardware notes"), blank=True)
    budget = models.CharField(_("budget"), max_length=200, blank=True)
    decision = models.ForeignKey(
        RequirementDecision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stages",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["dataset", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "slug"], name="stage_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name
