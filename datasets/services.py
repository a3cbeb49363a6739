"""Writes of the datasets app."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets.models import Dataset


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
