from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from labeling import policy


@login_required
@require_safe
def my_tasks(request):
    policy.require(policy.can_label(request.user))
    return render(request, "labeling/my_tasks.html", {})


@login_required
@require_safe
def review_queue(request):
    policy.require(policy.can_review(request.user))
    return render(request, "labeling/review_queue.html", {})
