"""The planner's vendors side by side: open and accepted work, throughput, cost per item,
budget left and a small chart of accepted work per day, one row per vendor and currency.

Read from the ledger's daily rollup alone. A vendor manager opening it is sent to their own
vendor's page (/vendors/<id>/): the overview compares vendors, and they may see only one.
"""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.money import money_format
from vendors import policy, selectors
from vendors.views.statements import units_text

#: The chart's size in pixels: one bar a day.
BAR_WIDTH, BAR_GAP, CHART_HEIGHT = 5, 1, 32


def daily_chart(daily: list[int]) -> dict:
    """An inline SVG's bars for accepted work per day (oldest first), scaled to the busiest
    day, with the sentence a screen reader says instead."""
    top = max(daily, default=0)
    bars = []
    for index, count in enumerate(daily):
        height = round(CHART_HEIGHT * max(count, 0) / top) if top > 0 else 0
        bars.append(
            {
                "x": index * (BAR_WIDTH + BAR_GAP),
                "y": CHART_HEIGHT - height,
                "height": height,
                "count": count,
                "days_ago": len(daily) - 1 - index,
            }
        )
    return {
        "bars": bars,
        "width": len(daily) * (BAR_WIDTH + BAR_GAP),
        "height": CHART_HEIGHT,
        "bar_width": BAR_WIDTH,
        "title": _(
            "Accepted per day over the last %(days)s days: %(total)s in all, at most %(top)s "
            "on one day."
        )
        % {"days": len(daily), "total": sum(daily), "top": top},
    }


def _shown(row: dict) -> dict:
    if not row["currency"]:
        return {"vendor": row["vendor"], "currency": ""}
    currency = row["currency"]
    per_item = row["cost_per_item"]
    return {
        "vendor": row["vendor"],
        "currency": currency,
        "contracts": row["contracts"],
        "open_work": units_text(row["reserved_units"]),
        "accepted_units": units_text(row["accepted_units"]),
        "accepted": row["accepted"],
        "throughput": formats.number_format(
            row["throughput"].quantize(Decimal("0.1")), decimal_pos=1
        ),
        "cost": money_format(row["cost"], currency),
        "cost_per_item": money_format(per_item, currency) if per_item is not None else "",
        "budget_left": money_format(row["budget_left"], currency),
        "chart": daily_chart(row["daily"]),
    }


@login_required
@require_safe
def vendor_home(request):
    user = request.user
    policy.require(policy.can_view_vendors(user))
    if not policy.can_manage_vendors(user):
        own = policy.vendor_of(user)
        if own is None:
            policy.require(False)
        return redirect(f"/vendors/{own.pk}/")
    rows = selectors.vendor_overview(vendors=policy.vendors_visible_to(user))
    return render(
        request,
        "vendors/overview.html",
        {
            "rows": [_shown(row) for row in rows],
            "can_manage": policy.can_manage_vendors(user),
            "throughput_days": selectors.THROUGHPUT_DAYS,
            "chart_days": selectors.CHART_DAYS,
        },
    )
