"""What the contract pages and API read from labeling and datasets around a vendors contract:
its task kind (resolved in the contract's dataset), a pilot batch's figures for a suggested
unit price, and the quota gaps a budget is split over.

Private to labeling's contract views and API (helper modules of one feature, not a public
surface): other apps reach contracts through ``vendors.services`` and ``vendors.selectors``.
"""

import statistics
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.money import money_parse
from datasets import selectors as dataset_selectors
from datasets.models import Dataset, GroundTruthVersion
from labeling.models import Batch, Task, TaskKind
from vendors import selectors as vendor_selectors
from vendors import services as vendor_services
from vendors.models import Contract

#: Tasks whose active time tells how long the work takes.
TIMED = (Task.Status.SUBMITTED, Task.Status.ACCEPTED)


def task_kind_in(dataset: Dataset, task_kind_id, *, field: str = "task_kind") -> TaskKind:
    """The dataset's task kind of that id, or a 400 naming ``field`` (another dataset's
    task kind is not a choice)."""
    kind = None
    if isinstance(task_kind_id, int) and not isinstance(task_kind_id, bool):
        kind = TaskKind.objects.filter(dataset=dataset, pk=task_kind_id).first()
    if kind is None:
        message = _("Choose a task kind of dataset “%(name)s”.") % {"name": dataset.name}
        raise DomainError(message, code="unknown_task_kind", fields={field: message})
    return kind


def task_kind_names(contracts) -> dict[int, str]:
    """Task kind id → name for the contracts, in one query."""
    ids = {c.task_kind_id for c in contracts if c.task_kind_id}
    return dict(TaskKind.objects.filter(pk__in=ids).values_list("id", "name")) if ids else {}


def pilot_figures(*, batch: Batch) -> dict:
    """A pilot batch's figures: ``tasks`` timed (submitted or accepted with an active time),
    their ``median_seconds``, and ``regions_per_item``: the mean number of regions of the
    batch's task kind types in the ground truth its accepted tasks recorded (None when none
    was recorded)."""
    seconds = list(
        Task.objects.filter(batch=batch, status__in=TIMED, active_seconds__gt=0).values_list(
            "active_seconds", flat=True
        )
    )
    median = Decimal(str(statistics.median(seconds))) if seconds else None
    accepted = Task.objects.filter(batch=batch, status=Task.Status.ACCEPTED).values("id")
    types = set(batch.task_kind.types.values_list("slug", flat=True))
    counts = [
        sum(1 for region in (annotation or {}).get("regions", []) if region.get("type") in types)
        for annotation in GroundTruthVersion.objects.filter(task_id__in=accepted).values_list(
            "annotation", flat=True
        )
    ]
    regions = (Decimal(sum(counts)) / len(counts)).quantize(Decimal("0.01")) if counts else None
    return {"tasks": len(seconds), "median_seconds": median, "regions_per_item": regions or None}


def price_suggestion(*, contract: Contract, batch: Batch, hourly_rate) -> dict:
    """A unit price for ``contract`` from a pilot ``batch`` of its dataset and an hourly rate
    (a decimal string in the contract's currency). Per region, a task's price is divided by
    the pilot's regions per item, or else by the contract's expected regions."""
    rate = money_parse(hourly_rate, currency=contract.currency, field="hourly_rate")
    if batch.dataset_id != contract.dataset_id:
        message = _("The pilot batch must be of the contract's dataset.")
        raise DomainError(message, code="pilot_batch", fields={"pilot_batch": message})
    figures = pilot_figures(batch=batch)
    if figures["median_seconds"] is None:
        message = _("The pilot batch has no submitted or accepted task with an active time yet.")
        raise DomainError(message, code="pilot_untimed", fields={"pilot_batch": message})
    regions, regions_from = None, None
    if contract.unit == Contract.Unit.REGION:
        if figures["regions_per_item"]:
            regions, regions_from = figures["regions_per_item"], "pilot"
        else:
            regions, regions_from = contract.expected_regions, "contract"
    price = vendor_selectors.unit_price_suggestion(
        hourly_rate=rate,
        currency=contract.currency,
        median_seconds=figures["median_seconds"],
        regions_per_item=regions,
    )
    return {
        "pilot_batch": batch.pk,
        "hourly_rate": rate,
        "currency": contract.currency,
        "tasks": figures["tasks"],
        "median_seconds": figures["median_seconds"],
        "regions_per_item": regions,
        "regions_from": regions_from,
        "unit_price": price,
    }


def quota_gaps(*, contract: Contract, axis: str | None = None) -> dict:
    """The categories a budget may buy for, with their gaps (target − accepted − in
    labeling, never below zero): a collection contract's quota categories, else one axis of
    the dataset (``axis`` by slug; the first axis by default — categories of two axes
    overlap, so gaps of one axis are added up, never of two). ``{"axes", "axis", "gaps"}``."""
    report = dataset_selectors.coverage_report(dataset=contract.dataset)
    axes = [{"slug": a["slug"], "name": a["name"]} for a in report["axes"]]
    rows = [row for a in report["axes"] for row in a["categories"]]
    if contract.kind == Contract.Kind.COLLECTION:
        wanted = set(contract.quotas.values_list("category_id", flat=True))
        chosen = [row for row in rows if row["id"] in wanted]
        axis = None
    else:
        slugs = [a["slug"] for a in axes]
        axis = axis if axis in slugs else (slugs[0] if slugs else None)
        chosen = [row for row in rows if row["axis"] == axis]
    gaps = [
        {
            "key": row["key"],
            "name": row["name"],
            "gap": max(0, (row["target"] or 0) - row["accepted"] - row["in_labeling"]),
        }
        for row in chosen
    ]
    return {"axes": axes, "axis": axis, "gaps": gaps}


def budget_quantities(*, contract: Contract, budget, axis: str | None = None) -> dict:
    """What ``budget`` (a decimal string in the contract's currency) buys of the quota gaps
    at the contract's price; see ``vendors.selectors.budget_split``."""
    amount = money_parse(budget, currency=contract.currency, field="budget")
    gaps = quota_gaps(contract=contract, axis=axis)
    split = vendor_selectors.budget_split(
        budget=amount,
        unit_price=vendor_services.price_at(contract, timezone.now()),
        currency=contract.currency,
        gaps=gaps["gaps"],
        units_per_item=vendor_services.units_per_task(contract),
    )
    return {**gaps, **split, "budget": amount, "currency": contract.currency}
