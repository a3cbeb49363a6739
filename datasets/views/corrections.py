"""Correcting one part of the spec on its page: the edit form and the delete button beside it.

The taxonomy (dataset page) and the label schema (schema page) correct their parts alike: the
part's own form (``form_class.of(part)``) checks the shape and one service decides. A refusal
renders the page again (``render(request, dataset, status=…, edited=(kind, id, form))``) with
the reason on that part's form, opened, and changes nothing; a success goes back to ``url``
with a message naming the part.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect

from core.errors import DomainError
from core.forms import show_refusal


@dataclass(frozen=True)
class PartPage:
    """Where a kind of part is corrected: the page's render function, its kind, its form."""

    render: Callable
    kind: str
    form_class: type


def _refused(request, page: PartPage, dataset, part, form, error: DomainError):
    show_refusal(form, error)
    return page.render(request, dataset, status=error.status, edited=(page.kind, part.pk, form))


def part_edit(request, page: PartPage, *, dataset, part, update: Callable, saved: str, url: str):
    """Save the posted form of ``part`` through ``update(**fields)``; ``saved`` names it."""
    form = page.form_class.of(part, request.POST)
    if not form.is_valid():
        return page.render(request, dataset, status=400, edited=(page.kind, part.pk, form))
    try:
        update(**form.cleaned_data)
    except DomainError as error:
        part.refresh_from_db()
        return _refused(request, page, dataset, part, form, error)
    messages.success(request, saved % {"name": part.name})
    return redirect(url)


def part_remove(request, page: PartPage, *, dataset, part, delete: Callable, deleted: str, url):
    """Delete ``part`` through ``delete()``; a refusal shows on the part's form."""
    name = part.name
    try:
        delete()
    except DomainError as error:
        form = page.form_class.of(part, bound=True)
        form.is_valid()
        return _refused(request, page, dataset, part, form, error)
    messages.success(request, deleted % {"name": name})
    return redirect(url)
