"""The annotator's own figures: what they did today, "today" in their own time zone.

- done: the tasks they submitted today (a task submitted, reopened and submitted again
  counts once);
- released: the leases they gave back to the pool today;
- skipped: the tasks they skipped today;
- median active time: the median, over the tasks done today, of the active time they spent
  on each (their leases of it summed: a task released and taken again counts both).

Everything is read from the leases (``Lease``: who, claimed, ended how and when, active
time), by the index on (annotator, claimed at), and only leases claimed at most
``SCAN_DAYS`` days before the annotator's today began are read: a lease is held for half an
hour, so an older one that ends today is not counted. One statement for one annotator; a
vendor's annotators take two whatever their number: who they are, then every figure at
once. The median is PostgreSQL's ``percentile_cont``; on SQLite (the embedded default) the
middle rows by ``ROW_NUMBER`` give the same number.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import Role, User
from core.zones import day_bounds
from labeling.models import Batch, Lease, Task
from vendors.models import Member, Vendor

#: How far before an annotator's today began a lease may have been claimed to be read.
SCAN_DAYS = 2


@dataclass(frozen=True)
class Figures:
    """One annotator's figures for the day ``day`` in ``zone``."""

    annotator: User
    zone: str
    day: date
    done: int = 0
    released: int = 0
    skipped: int = 0
    median_active_seconds: float | None = None

    @property
    def median_active(self) -> str:
        """The median active time as minutes:seconds ("4:05"); "" with nothing done."""
        if self.median_active_seconds is None:
            return ""
        minutes, seconds = divmod(round(self.median_active_seconds), 60)
        return f"{minutes}:{seconds:02d}"


def _median_sql(dialect: str) -> str:
    """The ``medians`` CTE: per annotator, the median active time over their tasks done."""
    if dialect == "postgresql":
        return (
            "medians AS (SELECT annotator_id, "
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY CAST(active AS double precision)) "
            "AS median "
            "FROM per_task WHERE done = 1 GROUP BY annotator_id)"
        )
    return (
        "ranked AS (SELECT annotator_id, active, "
        "ROW_NUMBER() OVER (PARTITION BY annotator_id ORDER BY active) AS n, "
        "COUNT(*) OVER (PARTITION BY annotator_id) AS c FROM per_task WHERE done = 1), "
        "medians AS (SELECT annotator_id, AVG(active) AS median FROM ranked "
        "WHERE n IN ((c + 1) / 2, (c + 2) / 2) GROUP BY annotator_id)"
    )


def _figures_sql(*, zones: int, who: str, vendor_join: str, dialect: str) -> str:
    """Counts and medians per annotator. ``bounds`` gives each zone's scan start and day;
    an annotator's zone is their own, else the site's (the last parameter of the join)."""
    lease, task, batch = Lease._meta.db_table, Task._meta.db_table, Batch._meta.db_table
    user = User._meta.db_table
    stamp = "CAST(%s AS timestamptz)" if connection.vendor == "postgresql" else "%s"
    rows = ", ".join([f"(%s, {stamp}, {stamp}, {stamp})"] * zones)
    end = connection.ops.quote_name("end")

    def today(how: str) -> str:
        return (
            f"CASE WHEN l.{end} = '{how}' AND l.ended_at >= b.day_start "
            "AND l.ended_at < b.day_end THEN 1 ELSE 0 END"
        )

    joins = ""
    if vendor_join:
        joins = f"JOIN {task} t ON t.id = l.task_id JOIN {batch} v ON v.id = t.batch_id"
    return (
        f"WITH bounds (zone, scan_from, day_start, day_end) AS (VALUES {rows}), "  # noqa: S608 - our names
        "per_task AS (SELECT l.annotator_id, l.task_id, SUM(l.active_seconds) AS active, "
        f"MAX({today(Lease.End.SUBMITTED)}) AS done, "
        f"SUM({today(Lease.End.RELEASED)}) AS released, "
        f"SUM({today(Lease.End.SKIPPED)}) AS skipped "
        f"FROM {lease} l JOIN {user} u ON u.id = l.annotator_id "
        "JOIN bounds b ON b.zone = COALESCE(NULLIF(u.time_zone, ''), %s) "
        f"{joins} WHERE {who} AND l.started_at >= b.scan_from "
        "GROUP BY l.annotator_id, l.task_id), "
        "counts AS (SELECT annotator_id, SUM(done) AS done, SUM(released) AS released, "
        "SUM(skipped) AS skipped FROM per_task GROUP BY annotator_id), "
        f"{_median_sql(dialect)} "
        "SELECT c.annotator_id, c.done, c.released, c.skipped, m.median FROM counts c "
        "LEFT JOIN medians m ON m.annotator_id = c.annotator_id"
    )


def _bounds(zones: set[str], now: datetime) -> tuple[list, dict[str, date]]:
    """The ``bounds`` rows' parameters, zone by zone, and each zone's today."""
    params, days = [], {}
    adapt = connection.ops.adapt_datetimefield_value
    for zone in sorted(zones):
        start, end = day_bounds(zone, now)
        days[zone] = start.date()
        params += [zone, adapt(start - timedelta(days=SCAN_DAYS)), adapt(start), adapt(end)]
    return params, days


def figures_of(
    annotators: list[User],
    *,
    vendor: Vendor | None = None,
    now: datetime | None = None,
    dialect: str | None = None,
) -> list[Figures]:
    """The figures of ``annotators`` (of ``vendor``'s batches only, when given), in their
    order. One statement. ``dialect`` picks the median's SQL (default: the database's)."""
    if not annotators:
        return []
    now = now or timezone.now()
    zones = {person.time_zone or settings.TIME_ZONE for person in annotators}
    params, days = _bounds(zones, now)
    params.append(settings.TIME_ZONE)
    if vendor is not None:
        members = Member._meta.db_table
        who = (
            f"v.vendor_id = %s AND l.annotator_id IN (SELECT user_id FROM {members} "  # noqa: S608
            "WHERE vendor_id = %s AND deactivated_at IS NULL)"
        )
        params += [vendor.pk, vendor.pk]
    else:
        marks = ", ".join(["%s"] * len(annotators))
        who, params = f"l.annotator_id IN ({marks})", [*params, *(a.pk for a in annotators)]
    sql = _figures_sql(
        zones=len(zones),
        who=who,
        vendor_join=vendor is not None,
        dialect=dialect or connection.vendor,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    figures = []
    for person in annotators:
        zone = person.time_zone or settings.TIME_ZONE
        done, released, skipped, median = found.get(person.pk, (0, 0, 0, None))
        figures.append(
            Figures(
                annotator=person,
                zone=person.zone_name,
                day=days[zone],
                done=int(done or 0),
                released=int(released or 0),
                skipped=int(skipped or 0),
                median_active_seconds=float(median) if median is not None else None,
            )
        )
    return figures


def annotator_figures(*, annotator: User, now: datetime | None = None) -> Figures:
    """One annotator's figures today, in their time zone. One query."""
    return figures_of([annotator], now=now)[0]


def vendor_annotator_figures(*, vendor: Vendor, now: datetime | None = None) -> list[Figures]:
    """The figures of each active annotator of ``vendor`` (by name), each today in their
    own time zone, counting only work on the vendor's batches. Two queries."""
    annotators = list(
        User.objects.filter(
            vendor_member__vendor=vendor,
            vendor_member__deactivated_at__isnull=True,
            role=Role.ANNOTATOR,
        )
        .only("id", "username", "first_name", "last_name", "time_zone", "role", "is_active")
        .order_by("username")
    )
    return figures_of(annotators, vendor=vendor, now=now)
