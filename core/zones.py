"""Time zones by their IANA names: which names are known, the validator that says so, and
the bounds of "today" in a zone. An empty name is the site's zone (``settings.TIME_ZONE``)."""

from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def zone_known(name: object) -> bool:
    """Whether ``name`` is an IANA time zone name (``Asia/Seoul``, ``UTC``)."""
    return isinstance(name, str) and name in _zone_names()


def unknown_zone_message(name: object) -> str:
    return _("“%(zone)s” is not a time zone (e.g. Asia/Seoul, UTC).") % {"zone": name}


def validate_time_zone(value: str) -> None:
    """A model or form field's validator: empty (the site's zone) or a known zone name."""
    if value and not zone_known(value):
        raise ValidationError(unknown_zone_message(value), code="unknown_time_zone")


def zone_or_site(name: str) -> str:
    """``name`` if it is a known zone, else the site's."""
    return name if zone_known(name) else settings.TIME_ZONE


def day_bounds(zone_name: str, now: datetime) -> tuple[datetime, datetime]:
    """The start (inclusive) and end (exclusive) of the day ``now`` falls on in the zone
    (empty or unknown: the site's), as aware datetimes. A day with a daylight-saving change
    is 23 or 25 hours long."""
    zone = ZoneInfo(zone_or_site(zone_name))
    day = now.astimezone(zone).date()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end
