"""The vendor portal: a vendor manager's view of their company's batches, throughput,
members and annotators' figures today. Planners pick a vendor (``?vendor=<id>``) and see
it as its manager would."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from labeling import policy
from labeling.annotator_figures import vendor_annotator_figures
from labeling.portal_figures import portal_batches, portal_members, portal_throughput
from vendors import policy as vendors_policy


def _vendor_for(request):
    """The vendor the page shows: a manager's own (a ``?vendor`` is ignored), a planner's
    pick (None until picked; a vendor they cannot see is a 404)."""
    if not vendors_policy.can_manage_vendors(request.user):
        return vendors_policy.vendor_of(request.user)
    picked = request.GET.get("vendor", "")
    if not picked:
        return None
    if not picked.isdigit():
        raise Http404
    return get_object_or_404(vendors_policy.vendors_visible_to(request.user), pk=int(picked))


@login_required
@require_safe
def portal(request):
    policy.require(policy.can_use_portal(request.user))
    picking = vendors_policy.can_manage_vendors(request.user)
    vendor = _vendor_for(request)
    context = {"vendor": vendor, "picking": picking}
    if picking:
        context["vendors"] = vendors_policy.vendors_visible_to(request.user).only("id", "name")
    if vendor is not None:
        context.update(
            batches=portal_batches(vendor=vendor),
            throughput=portal_throughput(vendor=vendor),
            members=portal_members(vendor=vendor),
        )
        if policy.can_see_annotator_figures(request.user, vendor):
            context["annotators"] = vendor_annotator_figures(vendor=vendor)
    return render(request, "labeling/portal.html", context)
