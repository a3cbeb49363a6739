"""A guide's examples page: everyone who may read the guide sees its examples by section;
planners add them (an item of the dataset, or an uploaded image), change their caption,
verdict, section or regions, move and remove them. And the image each example shows.

Forms check shapes; policy and services decide. A refused write re-renders the page with the
reason beside its field and a 4xx status, and changes nothing.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema

from core.errors import DomainError
from core.files import FileApiView, stored_file_response
from core.forms import show_refusal
from guides import policy, selectors, services
from guides.models import Example, Guide

# --- forms --------------------------------------------------------------------------------

ANNOTATION_HELP = gettext_lazy(
    "A canonical annotation JSON file. Needed for a bad example and for an uploaded image; a "
    "good item's regions are read from its ground truth."
)


def _section_choices(guide: Guide) -> list[tuple[str, str]]:
    return [("", _("No section"))] + [
        (section["anchor"], f"§ {section['title']}")
        for section in selectors.example_sections(guide)
    ]


class ExampleForm(forms.Form):
    verdict = forms.ChoiceField(
        label=gettext_lazy("Verdict"),
        choices=Example.Verdict.choices,
        widget=forms.RadioSelect,
        initial=Example.Verdict.GOOD,
    )
    caption = forms.CharField(
        label=gettext_lazy("Caption"),
        max_length=500,
        help_text=gettext_lazy("What the example shows, e.g. “Still box the whole formula”."),
    )
    anchor = forms.ChoiceField(label=gettext_lazy("Section"), required=False)
    annotation = forms.FileField(
        label=gettext_lazy("Regions (JSON)"), required=False, help_text=ANNOTATION_HELP
    )

    def __init__(self, *args, guide: Guide, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anchor"].choices = _section_choices(guide)


class ExampleAddForm(ExampleForm):
    item = forms.IntegerField(
        label=gettext_lazy("Item number"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("An item of the dataset, or leave empty and upload an image."),
    )
    image = forms.FileField(
        label=gettext_lazy("Or upload an image"),
        required=False,
        help_text=gettext_lazy("JPEG, PNG or WebP; its metadata is removed. SVG is refused."),
    )
    field_order = ["item", "image", "verdict", "caption", "anchor", "annotation"]


class ExampleEditForm(ExampleForm):
    annotation = forms.FileField(
        label=gettext_lazy("Replace the regions (JSON)"),
        required=False,
        help_text=gettext_lazy("Leave empty to keep the regions drawn now."),
    )


# --- pages --------------------------------------------------------------------------------


def _render(request, guide: Guide, *, add_form=None, edit=None, status: int = 200):
    """The page; ``edit`` is (example id, its bound form) when that form was refused."""
    can_edit = policy.can_edit_guides(request.user)
    groups = selectors.examples_by_section(guide)
    for group in groups:
        for drawn in group["examples"]:
            example = drawn["example"]
            if not can_edit:
                continue
            if edit is not None and edit[0] == example.pk:
                drawn["form"] = edit[1]
            else:
                drawn["form"] = ExampleEditForm(
                    guide=guide,
                    prefix=f"e{example.pk}",
                    initial={
                        "verdict": example.verdict,
                        "caption": example.caption,
                        "anchor": example.anchor,
                    },
                )
    latest = guide.versions.order_by("-number").first()
    context = {
        "guide": guide,
        "dataset": guide.dataset,
        "groups": groups,
        "latest": latest,
        "can_edit": can_edit,
        "add_form": add_form or (ExampleAddForm(guide=guide) if can_edit else None),
        "count": sum(len(group["examples"]) for group in groups),
    }
    return render(request, "guides/example_list.html", context, status=status)


def _editable(request, guide_id: int) -> Guide:
    guide = policy.guide_for(request.user, guide_id)
    policy.require(policy.can_edit_guides(request.user))
    return guide


def _example(guide: Guide, example_id: int) -> Example:
    return get_object_or_404(selectors.example_list(guide), pk=example_id)


def _list_url(guide: Guide, example: Example | None = None) -> str:
    url = reverse("guides:example-list", args=[guide.pk])
    return f"{url}#example-{example.pk}" if example is not None else url


@login_required
@require_safe
def example_list_page(request, guide_id: int):
    guide = policy.guide_for(request.user, guide_id)
    policy.require(policy.can_view_guides(request.user))
    return _render(request, guide)


@login_required
@require_POST
def example_create_page(request, guide_id: int):
    guide = _editable(request, guide_id)
    form = ExampleAddForm(request.POST, request.FILES, guide=guide)
    if not form.is_valid():
        return _render(request, guide, add_form=form, status=400)
    data = form.cleaned_data
    image = data["image"]
    try:
        example = services.example_create(
            guide=guide,
            verdict=data["verdict"],
            caption=data["caption"],
            anchor=data["anchor"],
            item_id=data["item"],
            image=image,
            image_name=image.name if image else "",
            annotation=data["annotation"],
            by=request.user,
        )
    except DomainError as refusal:
        _show_refusal(form, refusal)
        return _render(request, guide, add_form=form, status=refusal.status)
    messages.success(request, _("Example added."))
    return redirect(_list_url(guide, example))


def _show_refusal(form, refusal: DomainError) -> None:
    """The refusal beside its fields; a problem inside the annotation JSON beside the
    annotation field, naming where in it (``regions.w1.type: …``)."""
    show_refusal(form, refusal)
    for field, message in refusal.fields.items():
        if field.startswith("annotation.") and "annotation" not in form.errors:
            form.add_error("annotation", f"{field.removeprefix('annotation.')}: {message}")


@login_required
@require_POST
def example_update_page(request, guide_id: int, example_id: int):
    guide = policy.guide_for(request.user, guide_id)
    example = _example(guide, example_id)
    policy.require(policy.can_edit_guides(request.user))
    form = ExampleEditForm(request.POST, request.FILES, guide=guide, prefix=f"e{example.pk}")
    if not form.is_valid():
        return _render(request, guide, edit=(example.pk, form), status=400)
    data = form.cleaned_data
    try:
        services.example_update(
            example=example,
            caption=data["caption"],
            verdict=data["verdict"],
            anchor=data["anchor"],
            annotation=data["annotation"],
            by=request.user,
        )
    except DomainError as refusal:
        _show_refusal(form, refusal)
        return _render(request, guide, edit=(example.pk, form), status=refusal.status)
    messages.success(request, _("Example saved."))
    return redirect(_list_url(guide, example))


@login_required
@require_POST
def example_move_page(request, guide_id: int, example_id: int):
    guide = policy.guide_for(request.user, guide_id)
    example = _example(guide, example_id)
    policy.require(policy.can_edit_guides(request.user))
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if offset is None:
        messages.error(request, _("Move an example up or down."))
        return _render(request, guide, status=400)
    services.example_move(example=example, offset=offset)
    return redirect(_list_url(guide, example))


@login_required
@require_POST
def example_delete_page(request, guide_id: int, example_id: int):
    guide = policy.guide_for(request.user, guide_id)
    example = _example(guide, example_id)
    policy.require(policy.can_edit_guides(request.user))
    try:
        services.example_delete(example=example)
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return _render(request, guide, status=refusal.status)
    messages.success(request, _("Example removed."))
    return redirect(_list_url(guide))


class ExampleImageApi(FileApiView):
    """An example's image for whoever may read its guide: sessions and tokens."""

    @extend_schema(
        summary="The image an example of a guide shows",
        description=(
            "An uploaded example's image (stored without metadata), or its item's rendition "
            "through the datasets' item-file helper. Whoever may read the guide may see it; "
            "another dataset's guide is a 404."
        ),
        responses={
            (200, "image/*"): OpenApiTypes.BINARY,
            302: OpenApiResponse(description="On S3: the signed URL, in `Location`."),
            304: OpenApiResponse(description="Not modified since the `ETag` given."),
        },
    )
    def get(self, request, guide_id: int, example_id: int):
        guide = policy.guide_for(request.user, guide_id)
        example = _example(guide, example_id)
        file = selectors.example_image_file(example=example, user=request.user)
        return stored_file_response(request, file)


urlpatterns = [
    path("<int:guide_id>/examples/", example_list_page, name="example-list"),
    path("<int:guide_id>/examples/new/", example_create_page, name="example-create"),
    path(
        "<int:guide_id>/examples/<int:example_id>/",
        example_update_page,
        name="example-update",
    ),
    path(
        "<int:guide_id>/examples/<int:example_id>/move/",
        example_move_page,
        name="example-move",
    ),
    path(
        "<int:guide_id>/examples/<int:example_id>/delete/",
        example_delete_page,
        name="example-delete",
    ),
    path(
        "<int:guide_id>/examples/<int:example_id>/image/",
        ExampleImageApi.as_view(),
        name="example-image",
    ),
]
