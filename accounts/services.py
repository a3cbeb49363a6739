"""Writes of the accounts app: API tokens and the user's language and time zone."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from core.errors import DomainError
from core.zones import unknown_zone_message, zone_known

TOKEN_PREFIX = "gw_"


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_split(key: str) -> tuple[str, str] | None:
    """``gw_<prefix>_<secret>`` → (prefix, key); None when it is not one of ours."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    parts = key[len(TOKEN_PREFIX) :].split("_", 1)
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    return parts[0], key


def token_matches(token: ApiToken, key: str) -> bool:
    return hmac.compare_digest(token.key_hash, token_hash(key))


@transaction.atomic
def token_create(*, user: User, name: str) -> IssuedToken:
    name = name.strip()
    if not name:
        raise DomainError(
            _("Give the token a name, so you can tell it apart later."),
            code="required",
            fields={"name": _("This field is required.")},
        )
    prefix = secrets.token_hex(4)
    key = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=token_hash(key))
    return IssuedToken(token=token, key=key)


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_touch(*, token: ApiToken) -> None:
    """Record use at most once a minute, so reads do not turn into writes."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def user_set_time_zone(*, user: User, time_zone: str) -> User:
    """The zone the user's days are counted in: an IANA name, or empty for the site's."""
    time_zone = (time_zone or "").strip()
    if time_zone and not zone_known(time_zone):
        message = unknown_zone_message(time_zone)
        raise DomainError(message, code="unknown_time_zone", fields={"time_zone": message})
    user.time_zone = time_zone
    user.save(update_fields=["time_zone"])
    return user
