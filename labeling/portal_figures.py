"""The figures of the vendor portal: one vendor's batches with their progress, its tasks
submitted per day, and its members. Private to labeling's portal page (views/portal.py).

Every function takes the vendor and reads only that vendor's rows. Days are days in a
contract's time zone: a task submitted at 23:30 UTC counts on the next day for a contract in
Asia/Seoul.
"""

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from labeling.models import Batch, Task
from vendors.models import Contract, Member, Vendor

#: Batches still being worked on or checked; the others show while recent.
UNFINISHED = (
    Batch.Status.OPEN,
    Batch.Status.IN_PROGRESS,
    Batch.Status.SUBMITTED,
    Batch.Status.IN_REVIEW,
    Batch.Status.RETURNED,
)
#: Batches whose work is still the vendor's to deliver: late once past their due date.
OWED = (Batch.Status.OPEN, Batch.Status.IN_PROGRESS, Batch.Status.RETURNED)
#: Finished batches are shown this many days after their last change.
RECENT_DAYS = 30
#: The most batches the page lists (unfinished first).
BATCH_LIMIT = 200
#: The throughput chart's window.
THROUGHPUT_DAYS = 30

#: Stacked progress bar: task status → CSS class, furthest along first.
SEGMENTS = (
    (Task.Status.ACCEPTED, "accepted"),
    (Task.Status.SUBMITTED, "submitted"),
    (Task.Status.LEASED, "leased"),
    (Task.Status.RETURNED, "returned"),
    (Task.Status.OPEN, "open"),
    (Task.Status.UNUSABLE, "unusable"),
    (Task.Status.CANCELLED, "cancelled"),
)


def _today(zone: str, now: datetime) -> date:
    return timezone.localdate(now, ZoneInfo(zone))


def _progress(counts: dict[str, int]) -> dict:
    """Tasks per status, the bar's segments (percent of all tasks) and the share done."""
    total = sum(counts.values())
    segments = [
        {
            "status": status.value,
            "css": css,
            "label": status.label,
            "count": counts.get(status, 0),
            "width": round(100 * counts.get(status, 0) / total, 2) if total else 0,
        }
        for status, css in SEGMENTS
        if counts.get(status, 0)
    ]
    live = total - counts.get(Task.Status.CANCELLED, 0)
    done = counts.get(Task.Status.ACCEPTED, 0) + counts.get(Task.Status.UNUSABLE, 0)
    return {
        "total": total,
        "segments": segments,
        "percent_done": round(100 * done / live) if live else None,
        "summary": ", ".join(
            _("%(count)s %(status)s") % {"count": s["count"], "status": s["label"]}
            for s in segments
        ),
    }


def portal_batches(*, vendor: Vendor, now: datetime | None = None) -> dict:
    """The vendor's unfinished batches (soonest due first) and those finished or cancelled
    in the last RECENT_DAYS days (latest first), each with its progress and whether it is
    overdue (work still owed after its due date, in its contract's time zone). Two queries."""
    now = now or timezone.now()
    recent = now - timedelta(days=RECENT_DAYS)
    batches = list(
        Batch.objects.filter(vendor=vendor)
        .filter(Q(status__in=UNFINISHED) | Q(status_changed_at__gte=recent))
        .select_related("task_kind", "contract", "dataset")
        .order_by("due_on", "id")[:BATCH_LIMIT]
    )
    counts: dict[int, dict[str, int]] = {batch.pk: {} for batch in batches}
    rows = (
        Task.objects.filter(batch_id__in=list(counts))
        .values_list("batch_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for batch_id, status, n in rows:
        counts[batch_id][status] = n
    unfinished, finished = [], []
    for batch in batches:
        today = _today(batch.contract.time_zone, now)
        row = {
            "batch": batch,
            "name": str(batch),
            "url": f"/labeling/batches/{batch.pk}/",
            "progress": _progress(counts[batch.pk]),
            "overdue": batch.status in OWED and batch.due_on < today,
            "days_late": (today - batch.due_on).days if batch.due_on < today else 0,
        }
        (unfinished if batch.status in UNFINISHED else finished).append(row)
    finished.sort(key=lambda row: (row["batch"].status_changed_at, row["batch"].pk), reverse=True)
    return {
        "unfinished": unfinished,
        "finished": finished,
        "overdue": sum(1 for row in unfinished if row["overdue"]),
        "limited": len(batches) == BATCH_LIMIT,
    }


def _chart_zone(vendor: Vendor) -> str:
    """The time zone the chart's window is counted in: the one most of the vendor's
    contracts use (ties: alphabetically), else the site's."""
    zones = Counter(Contract.objects.filter(vendor=vendor).values_list("time_zone", flat=True))
    if not zones:
        return settings.TIME_ZONE
    return sorted(zones.items(), key=lambda pair: (-pair[1], pair[0]))[0][0]


def portal_throughput(
    *, vendor: Vendor, days: int = THROUGHPUT_DAYS, now: datetime | None = None
) -> dict:
    """Tasks submitted per day over the last ``days`` days, each task counted on its day in
    its contract's time zone; the window ends today in the zone most contracts use. One
    query per time zone among the vendor's contracts (usually one), plus one."""
    now = now or timezone.now()
    zone = _chart_zone(vendor)
    end = _today(zone, now)
    start = end - timedelta(days=days - 1)
    # Every zone's day starts within 26 hours of UTC's; take a margin and cut by day below.
    since = datetime.combine(start, datetime.min.time(), tzinfo=ZoneInfo("UTC")) - timedelta(days=2)
    per_day: Counter[date] = Counter()
    zones = (
        Contract.objects.filter(vendor=vendor)
        .values_list("time_zone", flat=True)
        .distinct()
        .order_by("time_zone")
    )
    for contract_zone in zones:
        rows = (
            Task.objects.filter(
                batch__vendor=vendor,
                batch__contract__time_zone=contract_zone,
                submitted_at__gte=since,
            )
            .annotate(day=TruncDate("submitted_at", tzinfo=ZoneInfo(contract_zone)))
            .values_list("day")
            .annotate(n=Count("id"))
            .order_by()
        )
        for day, n in rows:
            if start <= day <= end:
                per_day[day] += n
    series = [(start + timedelta(days=i), per_day[start + timedelta(days=i)]) for i in range(days)]
    return {
        "zone": zone,
        "start": start,
        "end": end,
        "days": days,
        "total": sum(per_day.values()),
        "series": series,
        "chart": throughput_chart(series),
    }


#: The chart's geometry, in SVG user units.
BAR_WIDTH, BAR_GAP, CHART_HEIGHT, AXIS_ROOM, TOP_ROOM = 14, 4, 120, 20, 16


def throughput_chart(series: list[tuple[date, int]]) -> dict:
    """Bars for an inline SVG: one per day, heights relative to the busiest day."""
    peak = max((count for _day, count in series), default=0)
    plot = CHART_HEIGHT - AXIS_ROOM - TOP_ROOM
    bars = []
    for index, (day, count) in enumerate(series):
        height = round(plot * count / peak, 1) if peak else 0
        bars.append(
            {
                "day": day,
                "count": count,
                "x": index * (BAR_WIDTH + BAR_GAP),
                "y": round(TOP_ROOM + plot - height, 1),
                "width": BAR_WIDTH,
                "height": height,
            }
        )
    width = max(len(series) * (BAR_WIDTH + BAR_GAP) - BAR_GAP, 1)
    return {
        "bars": bars,
        "peak": peak,
        "width": width,
        "height": CHART_HEIGHT,
        "baseline": CHART_HEIGHT - AXIS_ROOM,
        "label_y": CHART_HEIGHT - 4,
    }


def portal_members(*, vendor: Vendor) -> dict:
    """The vendor's active members by role. One query."""
    roles = Counter(
        dict(
            Member.objects.filter(vendor=vendor, deactivated_at__isnull=True)
            .values_list("user__role")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    return {
        "total": sum(roles.values()),
        "managers": roles.get(Role.VENDOR_MANAGER, 0),
        "annotators": roles.get(Role.ANNOTATOR, 0),
        "vendor_url": f"/vendors/{vendor.pk}/",
        "statements_url": f"/vendors/{vendor.pk}/statements/",
    }
