"""Writes of the taxonomy: axes, their categories with quotas and examples, and cell quotas.

Each change raises the spec version and writes one SpecChange row (``spec_change_record``)
holding who, what, and a snapshot of the whole spec after it.
"""

import io
from functools import partial

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from accounts.models import User
from core.errors import DomainError
from datasets.models import Axis, Category, CellQuota, Dataset, ItemCategory, RequirementDecision
from datasets.selectors import category_key
from datasets.services.decisions import require_own_decision
from datasets.services.items import IMAGE_FORMATS
from datasets.services.spec import spec_change_record

#: Decoded format → stored extension of a category's example image.
EXAMPLE_FORMATS = {name: IMAGE_FORMATS[name][0] for name in ("JPEG", "PNG", "WEBP")}
EXAMPLE_MAX_BYTES = 10 * 1024 * 1024
EXAMPLE_MAX_PIXELS = 40_000_000


def _example_extension(content: bytes) -> str:
    """Check an example image by its content and return the extension it is stored under."""
    if not content:
        raise DomainError(
            _("The example image is empty."),
            code="not_an_image",
            fields={"example": _("The file is empty.")},
        )
    if len(content) > EXAMPLE_MAX_BYTES:
        raise DomainError(
            _("The example image is %(size)s bytes; the limit is %(limit)s.")
            % {"size": len(content), "limit": EXAMPLE_MAX_BYTES},
            code="file_too_large",
            fields={"example": _("The file is too large.")},
        )
    try:
        with Image.open(io.BytesIO(content)) as image:
            image_format, (width, height) = image.format, image.size
            if width * height > EXAMPLE_MAX_PIXELS:
                raise Image.DecompressionBombError
            image.verify()
    except (Image.DecompressionBombError, UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(
            _("The example is not a JPEG, PNG or WebP image Groundwork can read."),
            code="not_an_image",
            fields={"example": _("Send a JPEG, PNG or WebP image.")},
        ) from None
    if image_format not in EXAMPLE_FORMATS:
        raise DomainError(
            _("%(format)s images are not accepted as examples; send JPEG, PNG or WebP.")
            % {"format": image_format},
            code="not_an_image",
            fields={"example": _("Send a JPEG, PNG or WebP image.")},
        )
    return EXAMPLE_FORMATS[image_format]


@transaction.atomic
def axis_create(*, dataset: Dataset, name: str, slug: str, by: User | None) -> Axis:
    if dataset.axes.filter(slug=slug).exists():
        raise DomainError(
            _("The axis “%(slug)s” already exists.") % {"slug": slug},
            code="duplicate_slug",
            fields={"slug": _("This slug is taken.")},
        )
    axis = Axis.objects.create(dataset=dataset, name=name, slug=slug, position=dataset.axes.count())
    spec_change_record(
        dataset=dataset, by=by, change={"kind": "axis_created", "axis": slug, "name": name}
    )
    return axis


@transaction.atomic
def axis_update(*, axis: Axis, name: str, by: User | None) -> Axis:
    """Rename an axis: only the name people read changes; its slug, which items and
    annotations name it by, stays."""
    if axis.name == name:
        return axis
    before = axis.name
    axis.name = name
    axis.save(update_fields=["name"])
    spec_change_record(
        dataset=axis.dataset,
        by=by,
        change={
            "kind": "axis_changed",
            "axis": axis.slug,
            "name": before,
            "before": {"name": before},
            "after": {"name": name},
        },
    )
    return axis


@transaction.atomic
def axis_delete(*, axis: Axis, by: User | None) -> None:
    """Delete an axis with its categories and their cell quotas, unless items carry one of
    its categories: that is refused (409) with how many items, and nothing changes."""
    used = ItemCategory.objects.filter(axis=axis).values("item_id").distinct().count()
    if used:
        raise DomainError(
            _(
                "Axis “%(name)s” has categories that %(count)s items carry; move them to "
                "another category first."
            )
            % {"name": axis.name, "count": used},
            code="axis_in_use",
            status=409,
        )
    dataset, slug, name = axis.dataset, axis.slug, axis.name
    for example in axis.categories.exclude(example="").values_list("example", flat=True):
        transaction.on_commit(partial(default_storage.delete, example))
    axis.delete()
    spec_change_record(
        dataset=dataset, by=by, change={"kind": "axis_deleted", "axis": slug, "name": name}
    )


@transaction.atomic
def category_create(
    *,
    axis: Axis,
    name: str,
    slug: str,
    quota_target: int = 0,
    description: str = "",
    decision: RequirementDecision | None = None,
    example: bytes | None = None,
    by: User | None,
) -> Category:
    """Add a category; ``decision`` is the answer it comes from, ``example`` an image of it."""
    if axis.categories.filter(slug=slug).exists():
        raise DomainError(
            _("The category “%(slug)s” already exists.") % {"slug": slug},
            code="duplicate_slug",
            fields={"slug": _("This slug is taken.")},
        )
    require_own_decision(axis.dataset, decision)
    extension = _example_extension(example) if example is not None else None
    category = Category.objects.create(
        axis=axis,
        name=name,
        slug=slug,
        quota_target=quota_target,
        description=description,
        decision=decision,
        position=axis.categories.count(),
    )
    change = {
        "kind": "category_created",
        "axis": axis.slug,
        "axis_name": axis.name,
        "category": slug,
        "name": name,
        "quota_target": quota_target,
    }
    if decision is not None:
        change["decision"] = decision.pk
    spec_change_record(dataset=axis.dataset, by=by, change=change)
    if extension is not None:
        _example_store(category, example, extension)
    return category


def _example_store(category: Category, content: bytes, extension: str) -> None:
    """Store the example under a server-chosen name; a rolled-back write leaves no file."""
    name = f"categories/{category.axis.dataset_id}/{category.pk}.{extension}"
    if default_storage.exists(name):  # left by a category whose id was rolled back
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(content))
    try:
        category.example = stored
        category.save(update_fields=["example"])
    except Exception:
        default_storage.delete(stored)
        raise


CATEGORY_FIELDS = ("name", "description", "quota_target", "decision")


def _recorded(value):
    """A field value as the history keeps it: a decision by its id."""
    return value.pk if isinstance(value, RequirementDecision) else value


@transaction.atomic
def category_update(*, category: Category, by: User | None, **changes) -> Category:
    """Rename, re-target or re-link a category; the history keeps each old value.

    ``decision`` links the category to the requirement decision it comes from (``None``
    unlinks it); the decision must belong to the category's dataset.
    """
    if "decision" in changes:
        require_own_decision(category.axis.dataset, changes["decision"])
    before = {field: getattr(category, field) for field in changes if field in CATEGORY_FIELDS}
    after = {field: changes[field] for field in before if changes[field] != before[field]}
    if not after:
        return category
    for field, value in after.items():
        setattr(category, field, value)
    category.save(update_fields=list(after))
    spec_change_record(
        dataset=category.axis.dataset,
        by=by,
        change={
            "kind": "category_changed",
            "axis": category.axis.slug,
            "category": category.slug,
            "name": before.get("name", category.name),
            "before": {field: _recorded(before[field]) for field in after},
            "after": {field: _recorded(value) for field, value in after.items()},
        },
    )
    return category


@transaction.atomic
def category_delete(*, category: Category, by: User | None) -> None:
    """Delete an unused category; one that items carry is refused and stays."""
    used = ItemCategory.objects.filter(category=category).count()
    if used:
        raise DomainError(
            _(
                "Category “%(name)s” is used by %(count)s items; move them to another category "
                "first."
            )
            % {"name": category.name, "count": used},
            code="category_in_use",
            status=409,
        )
    dataset, summary = (
        category.axis.dataset,
        {"axis": category.axis.slug, "category": category.slug, "name": category.name},
    )
    if category.example:
        transaction.on_commit(partial(default_storage.delete, category.example.name))
    category.delete()
    spec_change_record(
        dataset=dataset,
        by=by,
        change={"kind": "category_deleted", **summary},
    )


def _require_cell_category(dataset: Dataset, category: Category, field: str) -> None:
    if category.axis.dataset_id != dataset.pk:
        raise DomainError(
            _("Category “%(key)s” does not belong to this dataset.")
            % {"key": category_key(category)},
            code="unknown_category",
            fields={field: _("No such category in this dataset.")},
        )


@transaction.atomic
def cell_quota_set(
    *,
    dataset: Dataset,
    first: Category,
    second: Category,
    quota_target: int,
    decision: RequirementDecision | None = None,
    by: User | None,
) -> CellQuota:
    """Set the quota of the cell of two categories of different axes; an existing cell changes.

    The pair is kept in id order, so (a, b) and (b, a) are the same cell.
    """
    _require_cell_category(dataset, first, "first")
    _require_cell_category(dataset, second, "second")
    if first.axis_id == second.axis_id:
        raise DomainError(
            _("“%(first)s” and “%(second)s” are on the same axis; a cell pairs two axes.")
            % {"first": category_key(first), "second": category_key(second)},
            code="same_axis",
            fields={"second": _("Pick a category of another axis.")},
        )
    if quota_target < 0:
        raise DomainError(
            _("A quota target cannot be negative."),
            code="invalid_quota",
            fields={"quota_target": _("Enter 0 or more.")},
        )
    require_own_decision(dataset, decision)
    if first.pk > second.pk:
        first, second = second, first
    cell = (
        CellQuota.objects.select_for_update()
        .filter(dataset=dataset, first=first, second=second)
        .first()
    )
    before = (
        None if cell is None else {"quota_target": cell.quota_target, "decision": cell.decision_id}
    )
    after = {"quota_target": quota_target, "decision": decision.pk if decision else None}
    if before == after:
        return cell
    if cell is None:
        cell = CellQuota.objects.create(
            dataset=dataset,
            first=first,
            second=second,
            quota_target=quota_target,
            decision=decision,
        )
    else:
        cell.quota_target, cell.decision = quota_target, decision
        cell.save(update_fields=["quota_target", "decision"])
    spec_change_record(
        dataset=dataset,
        by=by,
        change={"kind": "cell_quota_set", **_cell_names(cell), "before": before, "after": after},
    )
    return cell


def _cell_names(cell: CellQuota) -> dict:
    """A cell as its history row keeps it: both categories' keys and the names people read."""
    return {
        "first": category_key(cell.first),
        "second": category_key(cell.second),
        "first_name": cell.first.name,
        "second_name": cell.second.name,
    }


@transaction.atomic
def cell_quota_delete(*, cell: CellQuota, by: User | None) -> None:
    """Remove a cell's quota; the categories stay."""
    dataset = cell.dataset
    names = _cell_names(cell)
    before = {"quota_target": cell.quota_target, "decision": cell.decision_id}
    cell.delete()
    spec_change_record(
        dataset=dataset,
        by=by,
        change={"kind": "cell_quota_deleted", **names, "before": before},
    )
