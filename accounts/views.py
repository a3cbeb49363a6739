from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy, selectors, services
from accounts.forms import LanguageForm, TokenCreateForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    http_method_names = ["get", "head", "post", "options"]  # not PUT, which FormView takes as POST


class LogoutView(auth_views.LogoutView):
    """Signing out. The page's script (static/core/page.js) removes the labeling tool's
    unsaved drafts from this browser as the form is sent (a vendor's annotators often share
    one computer); the site's other storage, such as each user's shortcut settings, stays."""


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def token_list(request):
    policy.require(policy.can_manage_tokens(request.user))
    issued = None
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        issued = services.token_create(user=request.user, name=form.cleaned_data["name"])
        form = TokenCreateForm()
    context = {"form": form, "issued": issued, "tokens": selectors.token_list(user=request.user)}
    return render(request, "accounts/token_list.html", context)


@login_required
@require_POST
def token_revoke(request, token_id: int):
    policy.require(policy.can_manage_tokens(request.user))
    token = get_object_or_404(policy.tokens_visible_to(request.user), pk=token_id)
    services.token_revoke(token=token)
    messages.success(request, _("Token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


@require_POST
def language_set(request):
    """Switch the language: saved on the user when signed in, in a cookie always."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
        )
    return response
