"""Reads of items: the item browser's filters and one item with its history and truth.

Lists are ordered newest first by id and paged by an id cursor, and every filter keeps the
``WHERE dataset_id = … ORDER BY id DESC LIMIT n`` shape the ``(dataset, id)`` index serves:
a category filter is a join on ``ItemCategory`` per axis (indexed by (category, item) and
(item, axis)), so neither the first page nor a deep one counts or sorts a million items.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, time

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core.errors import DomainError
from datasets.models import (
    Axis,
    Category,
    Dataset,
    GroundTruthVersion,
    Item,
    ItemCategory,
    ItemEvent,
    Split,
)

#: The filters ``item_list`` understands; each may be given more than once.
FILTERS = (
    "category",
    "status",
    "split",
    "processing",
    "uploaded_after",
    "uploaded_before",
    "upload",
)
#: The ``split`` filter's word for items no split run has placed yet.
UNASSIGNED = "unassigned"


def filter_params(params: Mapping, *, ignore: Iterable[str] = ()) -> dict[str, list[str]]:
    """Query parameters or a JSON object as ``{name: [values]}``, empty values dropped.

    A QueryDict keeps its repeated values; a JSON value may be a string, number or list.
    """
    ignored = set(ignore)
    found: dict[str, list[str]] = {}
    for name in params:
        if name in ignored:
            continue
        if hasattr(params, "getlist"):
            values = params.getlist(name)
        else:
            value = params[name]
            values = value if isinstance(value, list) else [value]
        values = ["" if value is None else str(value).strip() for value in values]
        values = [value for value in values if value]
        if values:
            found[name] = values
    return found


def _bad_filter(name: str, message: str, *, code: str = "bad_filter") -> DomainError:
    return DomainError(message, code=code, fields={name: message})


def _choice(name: str, values: list[str], allowed: Iterable[str]) -> list[str]:
    allowed = list(allowed)
    for value in values:
        if value not in allowed:
            raise _bad_filter(
                name,
                _("“%(value)s” is not a valid %(filter)s; use one of: %(choices)s.")
                % {"value": value[:50], "filter": name, "choices": ", ".join(allowed)},
            )
    return values


def _moment(name: str, value: str) -> datetime:
    """An ISO 8601 date or date-time; a date is its midnight, a naive time the server's zone."""
    moment = None
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)) is not None:
            moment = datetime.combine(day, time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise _bad_filter(
            name,
            _("“%(value)s” is not an ISO 8601 date or date-time (2025-03-01T09:30).")
            % {"value": value[:50]},
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _by_category(items: QuerySet[Item], dataset: Dataset, values: list[str]) -> QuerySet[Item]:
    """``axis=slug``, ``axis=`` (no category on the axis) or a category id; AND across axes.

    Several categories of the same axis are alternatives (an item has one per axis). Each
    axis is one inner join on ``ItemCategory`` (one row per item and axis, so no duplicates):
    PostgreSQL can then walk the (category, item) index in id order for a rare category, or
    merge it with the item index for a common one. "No category" is an anti-join.
    """
    categories = list(Category.objects.filter(axis__dataset=dataset).select_related("axis"))
    by_id = {str(category.pk): category for category in categories}
    by_key = {f"{category.axis.slug}={category.slug}": category for category in categories}
    axes = {category.axis.slug: category.axis for category in categories}
    if any(value.endswith("=") for value in values):  # an axis may have no category yet
        axes = {axis.slug: axis for axis in Axis.objects.filter(dataset=dataset)}
    wanted: dict[int, tuple[set[int], bool]] = {}
    for value in values:
        axis_slug, sep, slug = value.partition("=")
        if sep and not slug and axis_slug in axes:
            ids, _none = wanted.get(axes[axis_slug].pk, (set(), False))
            wanted[axes[axis_slug].pk] = (ids, True)
            continue
        category = by_key.get(value) if sep else by_id.get(value)
        if category is None:
            raise DomainError(
                _("“%(category)s” is not a category of this dataset.") % {"category": value[:100]},
                code="unknown_category",
                fields={"category": _("Unknown category “%(category)s”.") % {"category": value}},
            )
        ids, none = wanted.get(category.axis_id, (set(), False))
        ids.add(category.pk)
        wanted[category.axis_id] = (ids, none)
    for axis_id, (ids, none) in wanted.items():
        missing = ~Q(Exists(ItemCategory.objects.filter(item=OuterRef("pk"), axis_id=axis_id)))
        if ids and none:
            linked = Exists(ItemCategory.objects.filter(item=OuterRef("pk"), category_id__in=ids))
            items = items.filter(Q(linked) | missing)
        elif ids:
            items = items.filter(itemcategory__category_id__in=sorted(ids))
        else:
            items = items.filter(missing)
    return items


def item_filter(
    *, items: QuerySet[Item], dataset: Dataset, filters: Mapping[str, list[str]]
) -> QuerySet[Item]:
    """The items that pass the filters; an unknown filter or a bad value is a 400 naming it."""
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        raise _bad_filter(
            unknown[0],
            _("“%(filter)s” is not a filter; use: %(filters)s.")
            % {"filter": unknown[0][:50], "filters": ", ".join(FILTERS)},
        )
    condition = Q()
    if values := filters.get("status"):
        condition &= Q(status__in=_choice("status", values, Item.Status.values))
    if values := filters.get("split"):
        splits = [value for value in Split.values if value] + [UNASSIGNED]
        chosen = _choice("split", values, splits)
        condition &= Q(split__in=["" if value == UNASSIGNED else value for value in chosen])
    if values := filters.get("processing"):
        condition &= Q(processing__in=_choice("processing", values, Item.Processing.values))
    for name, lookup in (
        ("uploaded_after", "created_at__gte"),
        ("uploaded_before", "created_at__lt"),
    ):
        for value in filters.get(name, []):
            condition &= Q(**{lookup: _moment(name, value)})
    if values := filters.get("upload"):
        ids = []
        for value in values:
            if not value.isdigit() or not dataset.uploads.filter(pk=int(value)).exists():
                raise _bad_filter(
                    "upload",
                    _("This dataset has no upload “%(value)s”.") % {"value": value[:50]},
                    code="unknown_upload",
                )
            ids.append(int(value))
        condition &= Q(upload_id__in=ids)
    items = items.filter(condition)
    if values := filters.get("category"):
        items = _by_category(items, dataset, values)
    return items


def category_links() -> Prefetch:
    """Each item's category per axis, in one query for a whole page: ``item.category_links``."""
    return Prefetch(
        "itemcategory_set",
        queryset=ItemCategory.objects.select_related("category", "axis").order_by(
            "axis__position", "axis_id"
        ),
        to_attr="category_links",
    )


def item_list(
    *, dataset: Dataset, filters: Mapping[str, list[str]] | None = None
) -> QuerySet[Item]:
    """The dataset's items matching the filters (see ``filter_params``), newest first."""
    items = item_filter(
        items=Item.objects.filter(dataset=dataset), dataset=dataset, filters=filters or {}
    )
    return items.prefetch_related(category_links()).order_by("-id")


def item_detail(*, dataset: Dataset, item_id: int) -> Item | None:
    """One item with its categories, current ground truth (if any) and history, oldest event
    first; ``truth_versions`` lists every ground-truth version, newest first, without its
    annotation."""
    events = ItemEvent.objects.select_related("by").order_by("id")
    versions = (
        GroundTruthVersion.objects.select_related("accepted_by")
        .defer("annotation")
        .order_by("-number")
    )
    return (
        Item.objects.filter(dataset=dataset, pk=item_id)
        .select_related("ground_truth__accepted_by")
        .prefetch_related(
            category_links(),
            Prefetch("events", queryset=events),
            Prefetch("truth_versions", queryset=versions),
        )
        .first()
    )


def item_categories(item: Item) -> dict[str, str]:
    """``{"capture": "shadow", …}`` from an item loaded with ``category_links``."""
    return {link.axis.slug: link.category.slug for link in item.category_links}
