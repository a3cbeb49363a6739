"""The datasets app's tables, one module per subject, all importable from here."""

from datasets.models.coverage import (
    CoverageCount,
    CoverageDaily,
    CoverageDelta,
)
from datasets.models.items import (
    UNCOUNTED_STATUSES,
    Item,
    ItemCategory,
    ItemEvent,
    Job,
    JobStatus,
    Split,
    SplitRun,
    Upload,
    UploadEntry,
)
from datasets.models.jobs import CategoryChange, MetadataStrip
from datasets.models.pipeline import (
    AttributeDef,
    RegionType,
    Stage,
)
from datasets.models.spec import (
    Axis,
    Category,
    CellQuota,
    Dataset,
    RequirementDecision,
    SpecChange,
)
from datasets.models.truth import GroundTruthVersion

__all__ = [
    "AttributeDef",
    "RegionType",
    "Stage",
    "Axis",
    "Category",
    "CategoryChange",
    "CellQuota",
    "CoverageCount",
    "CoverageDaily",
    "CoverageDelta",
    "Dataset",
    "GroundTruthVersion",
    "Item",
    "ItemCategory",
    "ItemEvent",
    "Job",
    "JobStatus",
    "MetadataStrip",
    "RequirementDecision",
    "SpecChange",
    "Split",
    "SplitRun",
    "Upload",
    "UploadEntry",
    "UNCOUNTED_STATUSES",
]
