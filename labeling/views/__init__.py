from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from labeling import policy
from labeling.annotator_figures import annotator_figures


@login_required
@require_safe
def my_tasks(request):
    policy.require(policy.can_label(request.user))
    context = {}
    if policy.can_see_own_figures(request.user):
        context["figures"] = annotator_figures(annotator=request.user)
    return render(request, "labeling/my_tasks.html", context)


@login_required
@require_safe
def review_queue(request):
    policy.require(policy.can_review(request.user))
    return render(request, "labeling/review_queue.html", {})
