from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from vendors import policy


@login_required
@require_safe
def vendor_home(request):
    policy.require(policy.can_view_vendors(request.user))
    return render(request, "vendors/vendor_home.html", {})
