"""The navigation each role needs: every link shown only when that app's policy allows it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import policy as accounts_policy
from datasets import policy as datasets_policy
from guides import policy as guides_policy
from guides import selectors as guides_selectors
from labeling import policy as labeling_policy
from vendors import policy as vendors_policy

LINKS = [
    ("home", _("Home"), lambda user: True),
    ("datasets:list", _("Datasets"), datasets_policy.can_view_datasets),
    ("labeling:tasks", _("My tasks"), labeling_policy.can_label),
    ("labeling:review", _("Review"), labeling_policy.can_review),
    ("guides:list", _("Work guides"), guides_policy.can_view_guides),
    ("vendors:home", _("Vendors"), vendors_policy.can_view_vendors),
    ("labeling:contract-list", _("Contracts"), vendors_policy.can_view_contracts),
    ("labeling:portal", _("Portal"), labeling_policy.can_use_portal),
    ("accounts:tokens", _("API tokens"), accounts_policy.can_manage_tokens),
    ("admin:index", _("Admin"), accounts_policy.is_staff_admin),
]


def navigation(request):
    """The shell's links and notices, worked out once per request: a page whose template
    tags render templates of their own with the request runs this again for each."""
    if not hasattr(request, "_navigation"):
        request._navigation = _navigation(request)
    return request._navigation


def _navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": [], "notices": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    links = [
        {"url": reverse(name), "label": label, "active": name == current}
        for name, label, allowed in LINKS
        if allowed(user)
    ]
    return {"nav_links": links, "notices": guides_selectors.guide_notices(user)}
