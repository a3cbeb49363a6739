from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from vendors import policy


@login_required
def vendor_home(request):
    policy.require(policy.can_view_vendors(request.user))
    return render(request, "vendors/vendor_home.html", {})
