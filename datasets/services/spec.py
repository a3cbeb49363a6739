"""Writes of the dataset itself, and the version every change of its spec raises.

A change of the taxonomy, the label schema or the stages raises the spec version and writes
one SpecChange row holding who, what, and a snapshot of the whole spec after it
(``spec_change_record`` with ``spec_snapshot``), so any two versions can be compared.
"""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError
from datasets.models import Dataset, SpecChange
from datasets.selectors import spec_snapshot
from datasets.services.annotations import schema_forget


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


def spec_change_record(*, dataset: Dataset, by: User | None, change: dict) -> None:
    """Raise the spec version and write the history row naming who changed what.

    ``change`` is what happened: the event under ``kind`` and its parameters, with the names
    people read beside the slugs, so the history is told in each reader's own language
    (``datasets.spec_words.spec_change_text``) and never stored as a sentence.
    """
    Dataset.objects.filter(pk=dataset.pk).update(spec_version=F("spec_version") + 1)
    dataset.refresh_from_db(fields=["spec_version"])
    schema_forget()
    SpecChange.objects.create(
        dataset=dataset,
        version=dataset.spec_version,
        changed_by=by,
        change=change,
        snapshot=spec_snapshot(dataset),
    )
