from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from guides import policy


@login_required
@require_safe
def guide_list(request):
    policy.require(policy.can_view_guides(request.user))
    return render(request, "guides/guide_list.html", {})
