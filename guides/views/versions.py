"""Guides and their versions: the list, a guide, the draft editor, versions, comparing, and
the attachments they show.

The draft editor is a page whose script talks to the guides API (save with the revision,
preview, upload, publish); everything else is server-rendered. Who may see what is decided
in guides.policy; another dataset's guide is not found.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from core.errors import DomainError
from core.files import StoredFile, stored_file_response
from core.forms import show_refusal
from datasets.policy import datasets_visible_to
from guides import policy, services
from guides.models import BODY_LIMIT, Guide
from guides.rendering import anchor_fragment
from guides.selectors.versions import guide_list as guide_rows
from guides.selectors.versions import version_compare, version_for, version_list


class GuideForm(forms.Form):
    dataset = forms.ModelChoiceField(
        label=gettext_lazy("Dataset"),
        queryset=None,
        empty_label=None,
        help_text=gettext_lazy(
            "The dataset's own guide. A guide for one task kind is made through the API."
        ),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets_visible_to(user).order_by("name")


def _guide(request, guide_id: int) -> Guide:
    policy.require(policy.can_view_guides(request.user))
    return policy.guide_for(request.user, guide_id)


@login_required
@require_safe
def guide_list(request):
    policy.require(policy.can_view_guides(request.user))
    return render(
        request,
        "guides/guide_list.html",
        {
            "rows": guide_rows(user=request.user),
            "can_edit": policy.can_edit_guides(request.user),
            "can_read_drafts": policy.can_read_drafts(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def guide_new(request):
    policy.require(policy.can_view_guides(request.user))
    policy.require(policy.can_edit_guides(request.user))
    form = GuideForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                guide = services.guide_create(
                    dataset=form.cleaned_data["dataset"],
                    title=form.cleaned_data["title"],
                    by=request.user,
                )
            except DomainError as error:
                show_refusal(form, error)
                status = error.status
            else:
                return redirect("guides:draft", guide.pk)
        else:
            status = 400
    return render(request, "guides/guide_new.html", {"form": form}, status=status)


def _version_context(request, guide: Guide, version) -> dict:
    sections = [
        {**section, "fragment": anchor_fragment(section["anchor"])}
        for section in (version.sections if version else [])
    ]
    return {
        "guide": guide,
        "version": version,
        "sections": sections,
        "can_edit": policy.can_edit_guides(request.user),
        "can_read_drafts": policy.can_read_drafts(request.user),
    }


@login_required
@require_safe
def guide_detail(request, guide_id: int):
    guide = _guide(request, guide_id)
    versions = list(version_list(guide=guide))
    context = _version_context(request, guide, versions[0] if versions else None)
    context["versions"] = versions
    return render(request, "guides/guide_detail.html", context)


@login_required
@require_safe
def version_detail(request, guide_id: int, number: int):
    guide = _guide(request, guide_id)
    version = version_for(user=request.user, guide=guide, number=number)
    context = _version_context(request, guide, version)
    context["latest_number"] = guide.versions.order_by("-number").values_list("number", flat=True)[
        0
    ]
    return render(request, "guides/version_detail.html", context)


@login_required
@require_safe
def draft_edit(request, guide_id: int):
    guide = _guide(request, guide_id)
    policy.require(policy.can_edit_guides(request.user))
    guide = Guide.objects.select_related("draft_saved_by", "dataset").get(pk=guide.pk)
    preview = services.guide_preview(guide=guide, body=guide.draft_body)
    latest = guide.versions.order_by("-number").first()
    config = {
        "draft": reverse("guides-api:guide-draft", args=[guide.pk]),
        "preview": reverse("guides-api:guide-preview", args=[guide.pk]),
        "publish": reverse("guides-api:guide-publish", args=[guide.pk]),
        "attachments": reverse("guides-api:attachment-list", args=[guide.pk]),
        "revision": guide.draft_revision,
        "bodyLimit": BODY_LIMIT,
        "firstVersion": latest is None,
    }
    return render(
        request,
        "guides/draft_edit.html",
        {
            "guide": guide,
            "preview": preview,
            "latest": latest,
            "attachments": guide.attachments.all(),
            "config": config,
        },
    )


def _chosen(request, key: str, default: int, numbers: list[int]) -> int:
    try:
        number = int(request.GET.get(key, default))
    except ValueError:
        return default
    return number if number in numbers else default


@login_required
@require_safe
def version_compare_page(request, guide_id: int):
    guide = _guide(request, guide_id)
    versions = list(version_list(guide=guide))
    numbers = [v.number for v in versions]
    if not numbers:
        raise Http404
    newest = numbers[0]
    a = _chosen(request, "a", numbers[1] if len(numbers) > 1 else newest, numbers)
    b = _chosen(request, "b", newest, numbers)
    by_number = {v.number: v for v in versions}
    comparison = version_compare(left=by_number[a], right=by_number[b])
    return render(
        request,
        "guides/version_compare.html",
        {
            "guide": guide,
            "versions": versions,
            "a": by_number[a],
            "b": by_number[b],
            "comparison": comparison,
        },
    )


@login_required
@require_safe
def attachment_file(request, guide_id: int, attachment_id: int):
    guide = _guide(request, guide_id)
    attachment = get_object_or_404(guide.attachments, pk=attachment_id)
    return stored_file_response(
        request,
        StoredFile(
            name=attachment.file.name,
            content_type=attachment.content_type,
            filename=attachment.name,
        ),
    )


urlpatterns = [
    path("", guide_list, name="list"),
    path("new/", guide_new, name="new"),
    path("<int:guide_id>/", guide_detail, name="detail"),
    path("<int:guide_id>/draft/", draft_edit, name="draft"),
    path("<int:guide_id>/compare/", version_compare_page, name="compare"),
    path("<int:guide_id>/v<int:number>/", version_detail, name="version-detail"),
    path(
        "<int:guide_id>/attachments/<int:attachment_id>/",
        attachment_file,
        name="attachment-file",
    ),
]
