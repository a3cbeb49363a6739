"""The pages of vendors and their people: a company, its members and invites, sign-up.

Forms check shapes; policy and services decide. A refused write re-renders its page with
the reason and a 4xx status, and changes nothing. Another vendor's company is not found.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Role
from core.errors import DomainError
from core.forms import show_refusal
from vendors import policy, selectors, services
from vendors.models import Vendor

# --- forms --------------------------------------------------------------------------------


class VendorForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Company name"), max_length=200)
    contacts = forms.CharField(
        label=gettext_lazy("Contacts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Who to call or write to: names, e-mail addresses, phone numbers."),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("For planners only; the vendor's people do not see them."),
    )


class InviteForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Invite as"))
    email = forms.EmailField(
        label=gettext_lazy("E-mail (optional)"),
        required=False,
        help_text=gettext_lazy("Only a reminder of whom the link is for; no mail is sent."),
    )

    def __init__(self, *args, roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]


class JoinForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    first_name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("As others will see it."),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        choices=[("", gettext_lazy("Follow the browser"))] + list(settings.LANGUAGES),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") != data["password"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


# --- the company page ---------------------------------------------------------------------


def _vendor(request, vendor_id: int) -> Vendor:
    vendor = policy.vendor_for(request.user, vendor_id)
    policy.require(policy.can_view_vendors(request.user))
    return vendor


def render_detail(request, vendor: Vendor, *, status: int = 200, invite_form=None, issued=None):
    user = request.user
    can_manage_members = policy.can_manage_members(user, vendor)
    roles = policy.invite_roles_for(user, vendor) if vendor.closed_at is None else []
    context = {
        "vendor": vendor,
        "can_manage": policy.can_manage_vendors(user),
        "can_see_notes": policy.can_see_vendor_notes(user),
        "can_manage_members": can_manage_members,
        "issued": issued,
    }
    if can_manage_members:
        members = list(selectors.member_list(vendor=vendor))
        context["members"] = [
            {"member": m, "can_deactivate": policy.can_deactivate_member(user, m)} for m in members
        ]
        context["invites"] = [
            {
                "invite": invite,
                "state": services.invite_state(invite),
                "can_revoke": policy.can_invite(user, vendor, invite.role),
            }
            for invite in selectors.invite_list(vendor=vendor)
        ]
        if roles or invite_form:  # a refused form is shown with its reason, closed or not
            context["invite_form"] = invite_form or InviteForm(roles=roles)
    return render(request, "vendors/vendor_detail.html", context, status=status)


@login_required
@require_safe
def vendor_detail(request, vendor_id: int):
    return render_detail(request, _vendor(request, vendor_id))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def vendor_new(request):
    policy.require(policy.can_manage_vendors(request.user))
    form = VendorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vendor = services.vendor_create(**form.cleaned_data, by=request.user)
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Vendor “%(name)s” was created.") % {"name": vendor})
            return redirect("vendors:vendor-detail", vendor.pk)
    status = 400 if form.errors else 200
    return render(
        request, "vendors/vendor_form.html", {"form": form, "vendor": None}, status=status
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def vendor_edit(request, vendor_id: int):
    vendor = _vendor(request, vendor_id)
    policy.require(policy.can_manage_vendors(request.user))
    initial = {field: getattr(vendor, field) for field in VendorForm.base_fields}
    form = VendorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.vendor_update(vendor=vendor, by=request.user, **form.cleaned_data)
        except DomainError as error:
            vendor.refresh_from_db()
            show_refusal(form, error)
        else:
            messages.success(request, _("Vendor “%(name)s” was saved.") % {"name": vendor})
            return redirect("vendors:vendor-detail", vendor.pk)
    status = 400 if form.errors else 200
    return render(
        request, "vendors/vendor_form.html", {"form": form, "vendor": vendor}, status=status
    )


@login_required
@require_POST
def vendor_close(request, vendor_id: int):
    vendor = _vendor(request, vendor_id)
    policy.require(policy.can_manage_vendors(request.user))
    services.vendor_close(vendor=vendor, by=request.user)
    messages.success(
        request,
        _("Vendor “%(name)s” was closed; its open contracts and invites ended with it.")
        % {"name": vendor.name},
    )
    return redirect("vendors:vendor-detail", vendor.pk)


# --- members and invites ------------------------------------------------------------------


def _managed_vendor(request, vendor_id: int) -> Vendor:
    vendor = policy.vendor_for(request.user, vendor_id)
    policy.require(policy.can_manage_members(request.user, vendor))
    return vendor


@login_required
@require_POST
def invite_new(request, vendor_id: int):
    vendor = _managed_vendor(request, vendor_id)
    roles = policy.invite_roles_for(request.user, vendor)
    form = InviteForm(request.POST, roles=roles)
    if not form.is_valid():
        return render_detail(request, vendor, status=400, invite_form=form)
    try:
        invite, key = services.invite_create(vendor=vendor, by=request.user, **form.cleaned_data)
    except DomainError as error:
        show_refusal(form, error)
        return render_detail(request, vendor, status=error.status, invite_form=form)
    issued = {
        "invite": invite,
        "url": request.build_absolute_uri(reverse("vendors:join", args=[key])),
    }
    return render_detail(request, vendor, status=201, issued=issued)


@login_required
@require_POST
def invite_revoke(request, vendor_id: int, invite_id: int):
    vendor = policy.vendor_for(request.user, vendor_id)
    invite = get_object_or_404(selectors.invite_list(vendor=vendor), pk=invite_id)
    policy.require(policy.can_invite(request.user, vendor, invite.role))
    try:
        services.invite_revoke(invite=invite, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The invite was revoked; its link no longer works."))
    return redirect("vendors:vendor-detail", vendor.pk)


@login_required
@require_POST
def member_deactivate(request, vendor_id: int, member_id: int):
    vendor = policy.vendor_for(request.user, vendor_id)
    member = get_object_or_404(selectors.member_list(vendor=vendor), pk=member_id)
    policy.require(policy.can_deactivate_member(request.user, member))
    services.member_deactivate(member=member, by=request.user)
    messages.success(
        request,
        _("%(name)s was deactivated and can no longer sign in.")
        % {"name": member.user.get_full_name() or member.user.username},
    )
    return redirect("vendors:vendor-detail", vendor.pk)


# --- sign-up ------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def join(request, key: str):
    """The sign-up link's page: public. A link that does not work is one 404 page, whatever
    the reason (never existed, forged, used, withdrawn, expired)."""
    try:
        invite = services.invite_for_key(key=key)
    except DomainError as error:
        return render(request, "vendors/join_invalid.html", {"message": error.message}, status=404)
    signed_in = request.user.is_authenticated
    form = None if signed_in else JoinForm(request.POST or None)
    status = 200
    refusal = None
    if request.method == "POST" and (signed_in or form.is_valid()):
        fields = {} if signed_in else form.cleaned_data
        try:
            user = services.invite_accept(
                key=key,
                username=fields.get("username", ""),
                password=fields.get("password", ""),
                first_name=fields.get("first_name", ""),
                language=fields.get("language", ""),
                user=request.user if signed_in else None,
            )
        except DomainError as error:
            if error.code == "invite_invalid":
                return render(
                    request, "vendors/join_invalid.html", {"message": error.message}, status=404
                )
            if form is not None:
                show_refusal(form, error)
            refusal = error.message
            status = error.status
        else:
            if not signed_in:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome to %(vendor)s. You are signed in as %(user)s.")
                % {"vendor": invite.vendor.name, "user": user.username},
            )
            return redirect("/")
    elif request.method == "POST":
        status = 400
    context = {
        "invite": invite,
        "role": services.role_label(invite.role),
        "form": form,
        "refusal": refusal,
        "can_join_as_self": signed_in and policy.can_join_with_own_account(request.user),
    }
    return render(request, "vendors/join.html", context, status=status)
