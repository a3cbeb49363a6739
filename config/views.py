from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from config.navigation import LINKS


@login_required
@require_safe
def home(request):
    """The signed-in start page: one card per room this role may enter."""
    cards = [
        {"name": name, "label": label}
        for name, label, allowed in LINKS[1:]
        if allowed(request.user) and name != "admin:index"
    ]
    return render(request, "home.html", {"cards": cards})
