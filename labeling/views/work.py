"""The labeling tool's page: the annotator's next task (or the one named), its photo in the
viewer with the box editor, the side panels, autosave and submit (static/labeling/work.js)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.csp import strict_csp
from labeling import policy, selectors
from labeling.api.handout import task_out


@login_required
@require_safe
@strict_csp
def work(request):
    """Annotators only (403 for others). ``?task=<id>`` opens a task they may read; any
    other task, another annotator's or another vendor's, is a 404 page, not a broken tool."""
    policy.require(policy.can_label(request.user))
    task_id = opened = None
    asked = request.GET.get("task")
    if asked is not None:
        if not asked.isdigit():
            raise Http404
        task = get_object_or_404(
            policy.tasks_readable_by(request.user).select_related("batch__dataset", "task_kind"),
            pk=int(asked),
        )
        task_id = task.pk
        # the page opens at once, with no round trip for what it would ask first
        opened = {"task": task_out(task), "tool": selectors.task_tool(task=task)}
    config = {
        "user": request.user.pk,
        "task": task_id,
        "opened": opened,
        "next_url": reverse("labeling-api:task-next"),
        "task_url": reverse("labeling-api:task-detail", args=[0]),
        "tasks_url": reverse("labeling:tasks"),
    }
    return render(request, "labeling/work.html", {"config": config})
