"""Writes of vendors and their people: companies, members, invites and sign-up.

A vendor is closed, never deleted: not even one without contracts, so every member, invite
and ledger line keeps the company it names. An invite's link carries a random key; the row
keeps only its prefix and a SHA-256 over the key, the vendor and the role, so a link works
for the vendor and role it was made for only, and a row edited afterwards matches no link.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.errors import DomainError
from vendors.models import MEMBER_ROLES, Contract, Invite, Member, Vendor

#: The fields of a vendor its planner edits.
VENDOR_FIELDS = ("name", "contacts", "notes")


# --- vendors -----------------------------------------------------------------------------


def _clean_name(name: str, *, exclude: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise DomainError(
            _("Give the company a name."),
            code="required",
            fields={"name": _("This field is required.")},
        )
    if Vendor.objects.filter(name__iexact=name).exclude(pk=exclude).exists():
        raise DomainError(
            _("A vendor named “%(name)s” already exists.") % {"name": name},
            code="duplicate_name",
            fields={"name": _("This name is taken.")},
        )
    return name


@transaction.atomic
def vendor_create(*, name: str, contacts: str = "", notes: str = "", by: User | None) -> Vendor:
    """A new company. Its name is unique whatever its letters' case."""
    return Vendor.objects.create(
        name=_clean_name(name), contacts=contacts.strip(), notes=notes.strip(), created_by=by
    )


@transaction.atomic
def vendor_update(*, vendor: Vendor, by: User | None, **changes: str) -> Vendor:
    """Change the name, contacts or notes (any of them)."""
    unknown = set(changes) - set(VENDOR_FIELDS)
    if unknown:
        raise TypeError(f"vendor_update() got unknown fields {sorted(unknown)}")
    if "name" in changes:
        changes["name"] = _clean_name(changes["name"], exclude=vendor.pk)
    for field in ("contacts", "notes"):
        if field in changes:
            changes[field] = changes[field].strip()
    for field, value in changes.items():
        setattr(vendor, field, value)
    if changes:
        vendor.save(update_fields=list(changes))
    return vendor


@transaction.atomic
def vendor_close(*, vendor: Vendor, by: User | None) -> Vendor:
    """Close the company: its open contracts close with it and its unused invites are
    revoked. Nothing is deleted; members keep reading what they did. Closing twice is
    harmless."""
    locked = Vendor.objects.select_for_update().get(pk=vendor.pk)
    if locked.closed_at is not None:
        vendor.closed_at = locked.closed_at
        return vendor
    now = timezone.now()
    vendor.closed_at = now
    vendor.save(update_fields=["closed_at"])
    Contract.objects.filter(vendor=vendor, closed_at__isnull=True).update(closed_at=now)
    Invite.objects.filter(vendor=vendor, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    return vendor


def _require_open(vendor: Vendor) -> None:
    if Vendor.objects.filter(pk=vendor.pk, closed_at__isnull=False).exists():
        raise DomainError(
            _("Vendor “%(name)s” is closed.") % {"name": vendor.name},
            code="vendor_closed",
            status=409,
        )


# --- members -----------------------------------------------------------------------------


def _require_no_vendor(user: User) -> None:
    member = Member.objects.filter(user=user).select_related("vendor").first()
    if member is not None:
        raise DomainError(
            _("%(user)s already belongs to vendor “%(vendor)s”; a person works for one vendor.")
            % {"user": user.username, "vendor": member.vendor.name},
            code="already_member",
            status=409,
        )


@transaction.atomic
def member_add(*, vendor: Vendor, user: User, by: User | None) -> Member:
    """Make an existing user with a vendor role (manager or annotator) a member: for the
    demo and the admin. People normally join through an invite (``invite_accept``)."""
    _require_open(vendor)
    if user.is_staff or user.role not in MEMBER_ROLES:
        raise DomainError(
            _("Only a vendor manager or an annotator can belong to a vendor."),
            code="not_a_vendor_role",
            fields={"user": _("This user's role is not a vendor's.")},
        )
    _require_no_vendor(user)
    return Member.objects.create(vendor=vendor, user=user, invited_by=by)


def user_sessions_end(*, user: User) -> int:
    """Sign ``user`` out everywhere: delete each stored session that is theirs. (Their user
    is inactive too, which alone makes Django refuse the session; this also frees the rows.)
    Returns how many were deleted."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


#: What apps above this one do, in the same transaction, when a member is deactivated:
#: ``step(user=…)`` each. Labeling registers the end of the member's task leases when it
#: starts (``LabelingConfig.ready``), so every page and API that deactivates ends them.
DEACTIVATION_STEPS: list[Callable[..., object]] = []


def deactivation_step_register(step: Callable[..., object]) -> None:
    if step not in DEACTIVATION_STEPS:
        DEACTIVATION_STEPS.append(step)


@transaction.atomic
def member_deactivate(*, member: Member, by: User | None) -> Member:
    """Stop a member: they can no longer sign in, every session of theirs ends, and the
    steps apps above registered run (labeling: their task leases end at once).

    Who may deactivate whom is the policy's (``can_deactivate_member``). Deactivating twice
    is harmless.
    """
    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    if member.deactivated_at is not None:
        return member
    member.deactivated_at = timezone.now()
    member.deactivated_by = by
    member.save(update_fields=["deactivated_at", "deactivated_by"])
    user = member.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    user_sessions_end(user=user)
    for step in DEACTIVATION_STEPS:
        step(user=user)
    return member


# --- invites -----------------------------------------------------------------------------


def invite_hash(*, key: str, vendor_id: int, role: str) -> str:
    """What an invite row keeps of its link: bound to the vendor and role it invites to."""
    return hashlib.sha256(f"{key}\n{vendor_id}\n{role}".encode()).hexdigest()


def _key_prefix(key: str) -> str | None:
    prefix, sep, rest = key.partition("_")
    if not sep or not rest or len(prefix) != 8:
        return None
    return prefix


@transaction.atomic
def invite_create(
    *, vendor: Vendor, role: str, email: str = "", by: User | None
) -> tuple[Invite, str]:
    """A single-use sign-up link for ``role`` at ``vendor``, good for VENDOR_INVITE_DAYS.
    Returns the invite and its key: the key is shown once and never stored."""
    _require_open(vendor)
    if role not in MEMBER_ROLES:
        raise DomainError(
            _("An invite is for a vendor manager or an annotator."),
            code="invalid_role",
            fields={"role": _("Choose vendor manager or annotator.")},
        )
    prefix = secrets.token_hex(4)
    while Invite.objects.filter(prefix=prefix).exists():  # 1 in 4 billion: try again
        prefix = secrets.token_hex(4)
    key = f"{prefix}_{secrets.token_urlsafe(32)}"
    invite = Invite.objects.create(
        vendor=vendor,
        role=role,
        email=email.strip(),
        prefix=prefix,
        key_hash=invite_hash(key=key, vendor_id=vendor.pk, role=role),
        created_by=by,
        expires_at=timezone.now() + timedelta(days=settings.VENDOR_INVITE_DAYS),
    )
    return invite, key


def invite_state(invite: Invite, *, now=None) -> str:
    """``open``, ``used``, ``revoked`` or ``expired``."""
    if invite.used_at is not None:
        return "used"
    if invite.revoked_at is not None:
        return "revoked"
    if invite.expires_at <= (now or timezone.now()):
        return "expired"
    return "open"


def _invalid_link() -> DomainError:
    # One answer for a link that never existed, was forged, used, revoked or has expired.
    return DomainError(
        _(
            "This invitation link does not work: it may have expired, been used already or "
            "been withdrawn. Ask whoever invited you for a new link."
        ),
        code="invite_invalid",
        status=404,
    )


def invite_for_key(*, key: str) -> Invite:
    """The open invite a link's key names, with its vendor; a 404 otherwise, the same for
    a forged, used, revoked or expired link and for one whose vendor is closed."""
    prefix = _key_prefix(key)
    invite = (
        Invite.objects.select_related("vendor").filter(prefix=prefix).first() if prefix else None
    )
    if invite is None:
        raise _invalid_link()
    expected = invite_hash(key=key, vendor_id=invite.vendor_id, role=invite.role)
    if not hmac.compare_digest(invite.key_hash, expected):
        raise _invalid_link()
    if invite_state(invite) != "open" or invite.vendor.closed_at is not None:
        raise _invalid_link()
    return invite


@transaction.atomic
def invite_revoke(*, invite: Invite, by: User | None) -> Invite:
    """Withdraw an unused invite; its link stops working. Revoking twice is harmless."""
    if invite.used_at is not None:
        raise DomainError(
            _("This invite was already used; deactivate the member instead."),
            code="invite_used",
            status=409,
        )
    if invite.revoked_at is None:
        invite.revoked_at = timezone.now()
        invite.save(update_fields=["revoked_at"])
    return invite


def _new_user(*, username: str, password: str, first_name: str, language: str, role: str):
    username = username.strip()
    if not username:
        raise DomainError(
            _("Choose a user name."),
            code="required",
            fields={"username": _("This field is required.")},
        )
    try:
        User.username_validator(username)
    except ValidationError as error:
        raise DomainError(
            " ".join(error.messages), code="invalid", fields={"username": " ".join(error.messages)}
        ) from None
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            _("The user name “%(name)s” is taken; choose another.") % {"name": username},
            code="duplicate_username",
            fields={"username": _("This user name is taken.")},
        )
    if language and language not in dict(settings.LANGUAGES):
        raise DomainError(
            _("Choose one of the languages offered."),
            code="invalid",
            fields={"language": _("Choose one of the languages offered.")},
        )
    user = User(username=username, first_name=first_name.strip(), language=language, role=role)
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise DomainError(
            " ".join(error.messages),
            code="weak_password",
            fields={"password": " ".join(error.messages)},
        ) from None
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def invite_accept(
    *,
    key: str,
    username: str = "",
    password: str = "",
    first_name: str = "",
    language: str = "",
    user: User | None = None,
) -> User:
    """Take an invite: a new user (``username``, ``password``…) with the invite's role, or
    the signed-in ``user`` when they have no role yet and belong to no vendor, and their
    Member row at the invite's vendor. The link is used up at once.

    Two sign-ups racing on one link make one account: the invite is claimed by one
    conditional UPDATE, on which the second waits and then finds nothing to claim.
    """
    invite = invite_for_key(key=key)
    now = timezone.now()
    claimed = Invite.objects.filter(
        pk=invite.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not claimed:
        raise _invalid_link()
    if user is not None:
        if user.is_staff or user.role:
            raise DomainError(
                _(
                    "You are signed in as %(user)s, who already has a role here. Sign out to "
                    "create the account this invitation is for."
                )
                % {"user": user.username},
                code="has_role",
                status=409,
            )
        _require_no_vendor(user)
        user.role = invite.role
        user.save(update_fields=["role"])
    else:
        user = _new_user(
            username=username,
            password=password,
            first_name=first_name,
            language=language,
            role=invite.role,
        )
    Member.objects.create(vendor=invite.vendor, user=user, invited_by=invite.created_by)
    Invite.objects.filter(pk=invite.pk).update(used_by=user)
    return user


def role_label(role: str) -> str:
    """The role's name people read ("Annotator"), translated."""
    return str(Role(role).label)
