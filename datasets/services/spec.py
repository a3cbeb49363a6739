"""Writes of the dataset spec: the dataset itself and its taxonomy, each change versioned."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets.models import Axis, Category, Dataset, ItemCategory, SpecChange


def _require_unique_name(name: str, *, exclude: int | None = None) -> None:
    clash = Dataset.objects.filter(name__iexact=name).exclude(pk=exclude).exists()
    if clash:
        raise DomainError(
            _("A dataset named “%(name)s” already exists.") % {"name": name},
            code="duplicate_name",
            fields={"name": _("This name is taken.")},
        )


@transaction.atomic
def dataset_create(
    *, name: str, requirement: str = "", description: str = "", by: User | None
) -> Dataset:
    _require_unique_name(name)
    return Dataset.objects.create(
        name=name, requirement=requirement, description=description, created_by=by
    )


@transaction.atomic
def dataset_update(*, dataset: Dataset, by: User, **changes: str) -> Dataset:
    """Name and prose; spec changes (taxonomy, schema, stages) raise the spec version."""
    if "name" in changes:
        _require_unique_name(changes["name"], exclude=dataset.pk)
    for field, value in changes.items():
        setattr(dataset, field, value)
    dataset.save()
    return dataset


def _spec_changed(*, dataset: Dataset, by: User | None, summary: str, change: dict) -> None:
    """Raise the spec version and write the history row naming who changed what."""
    Dataset.objects.filter(pk=dataset.pk).update(spec_version=F("spec_version") + 1)
    dataset.refresh_from_db(fields=["spec_version"])
    SpecChange.objects.create(
        dataset=dataset, version=dataset.spec_version, changed_by=by, summary=summary, change=change
    )


@transaction.atomic
def axis_create(*, dataset: Dataset, name: str, slug: str, by: User | None) -> Axis:
    if dataset.axes.filter(slug=slug).exists():
        raise DomainError(
            _("The axis “%(slug)s” already exists.") % {"slug": slug},
            code="duplicate_slug",
            fields={"slug": _("This slug is taken.")},
        )
    axis = Axis.objects.create(dataset=dataset, name=name, slug=slug, position=dataset.axes.count())
    _spec_changed(
        dataset=dataset,
        by=by,
        summary=_("Added axis “%(name)s”.") % {"name": name},
        change={"kind": "axis_created", "axis": slug},
    )
    return axis


@transaction.atomic
def category_create(
    *,
    axis: Axis,
    name: str,
    slug: str,
    quota_target: int = 0,
    description: str = "",
    by: User | None,
) -> Category:
    if axis.categories.filter(slug=slug).exists():
        raise DomainError(
            _("The category “%(slug)s” already exists.") % {"slug": slug},
            code="duplicate_slug",
            fields={"slug": _("This slug is taken.")},
        )
    category = Category.objects.create(
        axis=axis,
        name=name,
        slug=slug,
        quota_target=quota_target,
        description=description,
        position=axis.categories.count(),
    )
    _spec_changed(
        dataset=axis.dataset,
        by=by,
        summary=_("Added category “%(name)s” to %(axis)s with a quota of %(quota)s.")
        % {"name": name, "axis": axis.name, "quota": quota_target},
        change={
            "kind": "category_created",
            "axis": axis.slug,
            "category": slug,
            "quota_target": quota_target,
        },
    )
    return category


CATEGORY_FIELDS = ("name", "description", "quota_target")


@transaction.atomic
def category_update(*, category: Category, by: User | None, **changes) -> Category:
    """Rename or re-target a category; the history keeps each old value."""
    before = {field: getattr(category, field) for field in changes if field in CATEGORY_FIELDS}
    after = {field: changes[field] for field in before if changes[field] != before[field]}
    if not after:
        return category
    for field, value in after.items():
        setattr(category, field, value)
    category.save(update_fields=list(after))
    _spec_changed(
        dataset=category.axis.dataset,
        by=by,
        summary=_("Changed category “%(slug)s”: %(fields)s.")
        % {
            "slug": category.slug,
            "fields": ", ".join(
                f"{field} {before[field]!s} → {value!s}" for field, value in after.items()
            ),
        },
        change={
            "kind": "category_changed",
            "axis": category.axis.slug,
            "category": category.slug,
            "before": {field: before[field] for field in after},
            "after": after,
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
        {"axis": category.axis.slug, "category": category.slug},
    )
    category.delete()
    _spec_changed(
        dataset=dataset,
        by=by,
        summary=_("Deleted category “%(slug)s”.") % {"slug": summary["category"]},
        change={"kind": "category_deleted", **summary},
    )
