"""The item browser and one item's page: filters, thumbnails, ground truth, categories.

Lists never count their items (a million would be counted on every page): a page shows
what it holds and links the next one by an id cursor. A refused write re-renders the page
with the reason and a 400, and changes nothing.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from core.errors import DomainError
from datasets import policy, selectors, services
from datasets.models import CategoryChange, Dataset, Item, Split

PAGE_SIZE = 50
#: The list page's own parameter: show items older than this id.
BEFORE = "before"


def _filter_query(filters: dict[str, list[str]]) -> str:
    return urlencode([(name, value) for name, values in filters.items() for value in values])


def _choices(values: list[str], choices, *, any_label: str) -> list[tuple[str, str, bool]]:
    chosen = set(values)
    options = [("", any_label, not chosen)]
    return options + [(str(value), str(label), str(value) in chosen) for value, label in choices]


def _filter_bar(filters: dict[str, list[str]], axes) -> dict:
    """The options of each select of the filter bar, the chosen ones marked."""
    chosen = filters.get("category", [])
    splits = [(value or selectors.UNASSIGNED, label) for value, label in Split.choices]
    return {
        "axes": [
            {
                "axis": axis,
                "options": _choices(
                    [value for value in chosen if value.partition("=")[0] == axis.slug],
                    [(f"{axis.slug}=", _("No category on this axis"))]
                    + [
                        (f"{axis.slug}={category.slug}", category.name)
                        for category in axis.categories.all()
                    ],
                    any_label=_("Any"),
                ),
            }
            for axis in axes
        ],
        "status": _choices(filters.get("status", []), Item.Status.choices, any_label=_("Any")),
        "split": _choices(filters.get("split", []), splits, any_label=_("Any")),
        "processing": _choices(
            filters.get("processing", []), Item.Processing.choices, any_label=_("Any")
        ),
        "uploaded_after": (filters.get("uploaded_after") or [""])[0],
        "uploaded_before": (filters.get("uploaded_before") or [""])[0],
        "upload": (filters.get("upload") or [""])[0],
    }


def _render_list(
    request, dataset: Dataset, params: QueryDict, *, status: int = 200, error: str = ""
):
    filters = selectors.filter_params(params, ignore=(BEFORE,))
    before = params.get(BEFORE, "")
    page: list[Item] = []
    try:
        if before and not before.isdigit():
            raise DomainError(
                _("“%(value)s” is not an item id.") % {"value": before[:50]}, code="bad_filter"
            )
        items = selectors.item_list(dataset=dataset, filters=filters)
        if before:
            items = items.filter(pk__lt=int(before))
        page = list(items[: PAGE_SIZE + 1])
    except DomainError as refusal:
        error, status = refusal.message, refusal.status
    query = _filter_query(filters)
    next_before = page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None
    axes = selectors.axis_list(dataset=dataset)
    context = {
        "dataset": dataset,
        "items": page[:PAGE_SIZE],
        "error": error,
        "bar": _filter_bar(filters, axes),
        "axes": axes,
        "filter_query": query,
        "filtered": bool(filters),
        "next_url": f"?{query}&{BEFORE}={next_before}" if next_before else "",
        "first_url": f"?{query}" if before else "",
        "can_edit": policy.can_edit_dataset(request.user, dataset),
        "running_changes": list(
            dataset.category_changes.filter(status=CategoryChange.Status.RUNNING)[:5]
        ),
    }
    return render(request, "datasets/item_list.html", context, status=status)


@login_required
@require_safe
def item_list_page(request, dataset_id: int):
    return _render_list(request, policy.dataset_for(request.user, dataset_id), request.GET)


@login_required
@require_POST
def item_categories_bulk(request, dataset_id: int):
    """The list page's "Set category" form: the ticked items or all matching the filter."""
    dataset = policy.dataset_for(request.user, dataset_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    query = QueryDict(request.POST.get("filter_query", ""))
    try:
        axis, sep, slug = request.POST.get("set", "").partition("=")
        if not sep or not axis:
            raise DomainError(_("Choose the category to set."), code="nothing_to_set")
        if request.POST.get("all_matching"):
            filters = selectors.filter_params(query, ignore=(BEFORE,))
            selectors.item_list(dataset=dataset, filters=filters)  # bad filters refused
            selection = {"filters": filters}
        else:
            ids = request.POST.getlist("item")
            if not ids or not all(value.isdigit() for value in ids):
                raise DomainError(
                    _("Tick the items to change, or select all items matching the filter."),
                    code="no_selection",
                )
            selection = {"items": [int(value) for value in ids]}
        change = services.category_change_request(
            dataset=dataset, selection=selection, changes={axis: slug or None}, by=request.user
        )
    except DomainError as refusal:
        return _render_list(request, dataset, query, status=refusal.status, error=refusal.message)
    if change.status == CategoryChange.Status.RUNNING:
        messages.info(
            request,
            _(
                "A worker is setting the category on %(count)s items; the progress shows "
                "above the items."
            )
            % {"count": change.total},
        )
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s item changed its category.",
                "%(count)s items changed their category.",
                change.changed,
            )
            % {"count": change.changed},
        )
    url = reverse("datasets:items", args=[dataset.pk])
    return redirect(f"{url}?{query.urlencode()}" if query else url)


def _overlay(item: Item) -> list[dict]:
    """The current ground truth's regions as boxes to draw (none without ground truth)."""
    truth = item.ground_truth
    return selectors.regions_overlay(truth.annotation) if truth is not None else []


def _render_detail(request, dataset: Dataset, item: Item, *, status: int = 200, error: str = ""):
    current = {link.axis_id: link.category for link in item.category_links}
    axes = selectors.axis_list(dataset=dataset)
    regions = _overlay(item)
    versions = list(item.truth_versions.all())
    if len(versions) > 1:
        changes = selectors.ground_truth_latex_changes(item=item)
        for version in versions:
            version.latex_changes = changes.get(version.number, [])
    context = {
        "dataset": dataset,
        "item": item,
        "truth": item.ground_truth,
        "truth_versions": versions,
        "regions": regions,
        "formulas": [region for region in regions if region["type"] == "formula"],
        "category_rows": [{"axis": axis, "category": current.get(axis.pk)} for axis in axes],
        "can_edit": policy.can_edit_dataset(request.user, dataset),
        "error": error,
    }
    return render(request, "datasets/item_detail.html", context, status=status)


def _item(dataset: Dataset, item_id: int) -> Item:
    item = selectors.item_detail(dataset=dataset, item_id=item_id)
    if item is None:
        raise Http404
    return item


@login_required
@require_safe
def item_detail_page(request, dataset_id: int, item_id: int):
    dataset = policy.dataset_for(request.user, dataset_id)
    return _render_detail(request, dataset, _item(dataset, item_id))


@login_required
@require_POST
def item_categories_edit(request, dataset_id: int, item_id: int):
    """The item page's category form: one select per axis, empty clears it."""
    dataset = policy.dataset_for(request.user, dataset_id)
    item = _item(dataset, item_id)
    policy.require(policy.can_edit_dataset(request.user, dataset))
    changes = {
        name.removeprefix("category-"): value or None
        for name, value in request.POST.items()
        if name.startswith("category-")
    }
    try:
        services.item_categories_set(item=item, changes=changes, by=request.user)
    except DomainError as refusal:
        return _render_detail(request, dataset, item, status=refusal.status, error=refusal.message)
    messages.success(request, _("Categories saved."))
    return redirect("datasets:item-detail", dataset.pk, item.pk)
