"""Reads of the label schema and the model pipeline: types, stages and their snapshots.

The snapshots are the ``"schema"`` and ``"stages"`` parts of the spec snapshot: plain JSON in
a stable order, schema parts named by slug, so two versions of the spec compare.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import DomainError
from datasets.models import AttributeDef, Dataset, RegionType, RequirementDecision, Stage

#: The model requirements from the service, in the order a stage shows them.
REQUIREMENT_FIELDS = (
    "latency_ms",
    "latency_offline",
    "latency_online",
    "metric",
    "metric_target",
    "online_measure",
    "qps_target",
    "serving",
    "hardware_notes",
    "budget",
)
#: Every field of a stage a planner sets, in the order the history and the snapshot show it.
STAGE_FIELDS = (
    "name",
    "slug",
    "input_kind",
    "input_type",
    "padding",
    "padding_unit",
    "output_kind",
    "output_type",
    "output_attribute",
    "export_formats",
    *REQUIREMENT_FIELDS,
    "decision",
)


def region_type_list(*, dataset: Dataset) -> QuerySet[RegionType]:
    """The label schema: region types in order, with their attributes and parents."""
    return dataset.region_types.prefetch_related("attributes", "parents").order_by("position", "id")


def region_type_get(*, dataset: Dataset, slug: str, field: str = "type") -> RegionType:
    """The dataset's region type of this slug; otherwise ``unknown_type`` on ``field``."""
    region_type = dataset.region_types.filter(slug=slug).first()
    if region_type is None:
        raise DomainError(
            _("This dataset has no region type “%(slug)s”.") % {"slug": slug},
            code="unknown_type",
            fields={field: _("No such region type in this dataset.")},
        )
    return region_type


def attribute_get(*, region_type: RegionType, name: str, field: str = "attribute") -> AttributeDef:
    """The region type's attribute of this name; otherwise ``unknown_attribute`` on ``field``."""
    attribute = region_type.attributes.filter(name=name).first()
    if attribute is None:
        raise DomainError(
            _("Region type “%(type)s” has no attribute “%(name)s”.")
            % {"type": region_type.slug, "name": name},
            code="unknown_attribute",
            fields={field: _("No such attribute on this region type.")},
        )
    return attribute


def schema_snapshot(dataset: Dataset) -> list[dict]:
    """The label schema as plain JSON in a stable order: the ``"schema"`` part of the spec."""
    types = region_type_list(dataset=dataset)
    return [
        {
            "slug": region_type.slug,
            "name": region_type.name,
            "top_level": region_type.top_level,
            "parents": sorted(parent.slug for parent in region_type.parents.all()),
            "attributes": [
                {
                    "name": attribute.name,
                    "kind": attribute.kind,
                    "required": attribute.required,
                    "choices": list(attribute.choices),
                }
                for attribute in sorted(
                    region_type.attributes.all(), key=lambda a: (a.position, a.pk)
                )
            ],
        }
        for region_type in types
    ]


def stage_list(*, dataset: Dataset) -> QuerySet[Stage]:
    """The pipeline in order, each stage with its input and output types, its output attribute
    and its decision: one query."""
    return dataset.stages.select_related(
        "input_type", "output_type", "output_attribute", "decision"
    ).order_by("position", "id")


def stage_get(*, dataset: Dataset, slug: str) -> Stage:
    """The dataset's stage of this slug, with its parts; otherwise ``unknown_stage``."""
    stage = stage_list(dataset=dataset).filter(slug=slug).first()
    if stage is None:
        message = _("This dataset has no stage “%(slug)s”.") % {"slug": slug}
        raise DomainError(message, code="unknown_stage", fields={"stage": message})
    return stage


def stage_value(value):
    """A field value as the history and the snapshot keep it: schema parts by slug."""
    if isinstance(value, RegionType):
        return value.slug
    if isinstance(value, AttributeDef):
        return value.name
    if isinstance(value, RequirementDecision):
        return value.pk
    return value


def stage_record(stage: Stage) -> dict:
    """One stage as plain JSON: every field, schema parts by slug, the decision by id."""
    return {
        "position": stage.position,
        **{field: stage_value(getattr(stage, field)) for field in STAGE_FIELDS},
    }


def stages_snapshot(dataset: Dataset) -> list[dict]:
    """The pipeline as the spec snapshot keeps it, in pipeline order."""
    return [stage_record(stage) for stage in stage_list(dataset=dataset)]
