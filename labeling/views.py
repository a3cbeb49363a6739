from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from labeling import policy


@login_required
def my_tasks(request):
    policy.require(policy.can_label(request.user))
    return render(request, "labeling/my_tasks.html", {})


@login_required
def review_queue(request):
    policy.require(policy.can_review(request.user))
    return render(request, "labeling/review_queue.html", {})
