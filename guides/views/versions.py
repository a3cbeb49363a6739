"""Guides and their versions: the list, a guide, the draft editor, versions, comparing, and
the attachments they show."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from guides import policy


@login_required
@require_safe
def guide_list(request):
    policy.require(policy.can_view_guides(request.user))
    return render(request, "guides/guide_list.html", {})


@login_required
@require_safe
def version_detail(request, guide_id: int, number: int):
    raise Http404  # built with the versions slice


@login_required
@require_safe
def attachment_file(request, guide_id: int, attachment_id: int):
    raise Http404  # built with the versions slice


urlpatterns = [
    path("", guide_list, name="list"),
    path("<int:guide_id>/v<int:number>/", version_detail, name="version-detail"),
    path(
        "<int:guide_id>/attachments/<int:attachment_id>/",
        attachment_file,
        name="attachment-file",
    ),
]
