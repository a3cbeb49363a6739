"""Days in a time zone: 23:30 UTC is already tomorrow in Seoul, and a day with a clock
change is as long as the clocks say."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from core.zones import day_bounds, validate_time_zone


def test_today_in_seoul_starts_at_1500_utc_the_day_before():
    start, end = day_bounds("Asia/Seoul", datetime(2026, 12, 2, 23, 30, tzinfo=UTC))

    assert start.astimezone(UTC) == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)


def test_the_day_clocks_go_back_in_new_york_lasts_25_hours():
    start, end = day_bounds("America/New_York", datetime(2026, 11, 1, 12, 0, tzinfo=UTC))

    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=25)


def test_an_unknown_zone_is_refused_by_name_and_empty_is_the_sites():
    with pytest.raises(ValidationError, match="Mars/Olympus"):
        validate_time_zone("Mars/Olympus")

    validate_time_zone("")
    assert day_bounds("", datetime(2026, 12, 3, tzinfo=UTC))[0].tzinfo.key == "UTC"
