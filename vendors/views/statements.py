"""Statements: a vendor's list per contract and month, one statement's lines, its CSV, and
the planner's Close button.

A vendor manager reads their own vendor's statements; an annotator none (404); the CSV is
streamed from a server-side cursor, so the server's memory does not grow with the lines.
"""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.errors import DomainError
from core.money import money_format, money_round
from core.spreadsheet import spreadsheet_cell
from vendors import policy, selectors, services
from vendors.models import LedgerLine, Statement, Vendor
from vendors.services.statements import month_of

LINES_PER_PAGE = 100
#: Rows the CSV gathers before it hands a chunk to the server: bounded, never all of them.
CSV_ROWS_PER_CHUNK = 500
#: Rows the database cursor fetches at a time.
CSV_FETCH = 2000


def plain_units(value: Decimal) -> Decimal:
    """Units without trailing zeros: 1, 2.5 (never 1.0000 or 1E+2)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def units_text(value: Decimal) -> str:
    return formats.number_format(plain_units(value), force_grouping=True)


def last_day(statement: Statement) -> date:
    """The period's last day (``period_end`` is the day after it)."""
    return statement.period_end - timedelta(days=1)


def period_text(statement: Statement) -> str:
    """ "November 2026" for a calendar month, else its first and last day."""
    if month_of(statement.period_start) == (statement.period_start, statement.period_end):
        return formats.date_format(statement.period_start, "YEAR_MONTH_FORMAT")
    return _("%(first)s – %(last)s") % {
        "first": formats.date_format(statement.period_start, "SHORT_DATE_FORMAT"),
        "last": formats.date_format(last_day(statement), "SHORT_DATE_FORMAT"),
    }


def _statement_vendor(request, vendor_id: int) -> Vendor:
    vendor = get_object_or_404(policy.statement_vendors_visible_to(request.user), pk=vendor_id)
    policy.require(policy.can_see_cost(request.user, vendor))
    return vendor


def _statement(request, statement_id: int) -> Statement:
    return get_object_or_404(
        policy.statements_visible_to(request.user).select_related("contract__vendor"),
        pk=statement_id,
    )


def _shown(statement: Statement, figures: dict) -> dict:
    currency = statement.contract.currency
    return {
        "statement": statement,
        "period": period_text(statement),
        "line_count": figures["line_count"],
        "units": units_text(figures["total_units"]),
        "total": money_format(figures["total_amount"], currency),
    }


@login_required
@require_safe
def statement_list_page(request, vendor_id: int):
    vendor = _statement_vendor(request, vendor_id)
    contracts = list(vendor.contracts.order_by("name", "id"))
    services.statements_ensure(contracts=contracts)
    statements = list(selectors.statement_list(vendor=vendor))
    figures = selectors.statement_figures(statements=statements)
    per_contract = []
    for contract in contracts:
        rows = [_shown(s, figures[s.pk]) for s in statements if s.contract_id == contract.pk]
        per_contract.append({"contract": contract, "rows": rows})
    return render(
        request,
        "vendors/statement_list.html",
        {"vendor": vendor, "contracts": per_contract},
    )


def _line_row(line: LedgerLine, zone: ZoneInfo, currency: str) -> dict:
    return {
        "line": line,
        "at": line.at.astimezone(zone),
        "units": units_text(line.units),
        "unit_price": money_format(line.unit_price, currency),
        "amount": money_format(line.amount, currency),
    }


def _render_detail(request, statement: Statement, *, status: int = 200, error: str = ""):
    contract = statement.contract
    currency, zone = contract.currency, ZoneInfo(contract.time_zone)
    lines = services.statement_lines(statement=statement)
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    figures = selectors.statement_figures(statements=[statement])[statement.pk]
    subtotals = [
        {
            "unit_price": money_format(row["unit_price"], currency),
            "line_count": row["line_count"],
            "units": units_text(row["units"]),
            "amount": money_format(row["amount"], currency),
        }
        for row in selectors.statement_subtotals(statement=statement)
    ]
    today = services.contract_today(contract)
    context = {
        **_shown(statement, figures),
        "vendor": contract.vendor,
        "contract": contract,
        "page": page,
        "rows": [_line_row(line, zone, currency) for line in page.object_list],
        "subtotals": subtotals,
        "error": error,
        "can_close": statement.closed_at is None
        and policy.can_close_statement(request.user, statement),
        "period_ended": today >= statement.period_end,
        "closes_from": statement.period_end,
    }
    return render(request, "vendors/statement_detail.html", context, status=status)


@login_required
@require_safe
def statement_detail_page(request, statement_id: int):
    return _render_detail(request, _statement(request, statement_id))


@login_required
@require_POST
def statement_close_page(request, statement_id: int):
    statement = _statement(request, statement_id)
    policy.require(policy.can_close_statement(request.user, statement))
    try:
        statement = services.statement_close(statement=statement, by=request.user)
    except DomainError as refusal:
        return _render_detail(request, statement, status=refusal.status, error=refusal.message)
    messages.success(
        request,
        _("The statement for %(period)s is closed; it will not change any more.")
        % {"period": period_text(statement)},
    )
    return redirect("vendors:statement-detail", statement_id=statement.pk)


# --- the CSV ------------------------------------------------------------------------------


class _Buffer(io.StringIO):
    """Where the csv writer puts a chunk of rows; emptied after each chunk."""

    def take(self) -> str:
        text = self.getvalue()
        self.seek(0)
        self.truncate()
        return text


def csv_filename(statement: Statement) -> str:
    """statement-<vendor>-<period>-<contract id>.csv, e.g. statement-hangul-ai-2026-11-7.csv."""
    start, end = statement.period_start, statement.period_end
    period = (
        f"{start:%Y-%m}"
        if month_of(start) == (start, end)
        else f"{start:%Y-%m-%d}_{last_day(statement):%Y-%m-%d}"
    )
    vendor = slugify(statement.contract.vendor.name, allow_unicode=True) or "vendor"
    return f"statement-{vendor}-{period}-{statement.contract_id}.csv"


def statement_csv_chunks(statement: Statement):
    """The statement's CSV, in chunks: a byte-order mark (so spreadsheet programs read UTF-8
    and show Hangul), a header, then one row per line as the cursor reads them. Text cells
    are neutralised (core.spreadsheet); numbers stay numbers. Headers and kind names are
    translated now, in the request's language, not when the server reads the chunks."""
    contract = statement.contract
    currency, zone = contract.currency, ZoneInfo(contract.time_zone)
    kinds = {value: str(label) for value, label in LedgerLine.Kind.choices}
    header = [
        _("Line"),
        _("Date (%(zone)s)") % {"zone": contract.time_zone},
        _("Kind"),
        _("Task"),
        _("Batch"),
        _("Item"),
        _("Units"),
        _("Unit price"),
        _("Amount"),
        _("Currency"),
        _("Reverses line"),
        _("Note"),
    ]
    lines = services.statement_lines(statement=statement).values_list(
        "id",
        "at",
        "kind",
        "task_ref",
        "batch_ref",
        "item_id",
        "units",
        "unit_price",
        "amount",
        "reverses_id",
        "note",
    )

    def chunks():
        buffer = _Buffer()
        writer = csv.writer(buffer)
        writer.writerow([spreadsheet_cell(cell) for cell in header])
        yield "\ufeff" + buffer.take()
        for written, row in enumerate(lines.iterator(chunk_size=CSV_FETCH), start=1):
            line_id, at, kind, task, batch, item, units, price, amount, reverses, note = row
            writer.writerow(
                [
                    line_id,
                    at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                    spreadsheet_cell(kinds.get(kind, kind)),
                    spreadsheet_cell(task),
                    spreadsheet_cell(batch),
                    spreadsheet_cell(item),
                    plain_units(units),
                    money_round(price, currency),
                    money_round(amount, currency),
                    currency,
                    spreadsheet_cell(reverses),
                    spreadsheet_cell(note),
                ]
            )
            if written % CSV_ROWS_PER_CHUNK == 0:
                yield buffer.take()
        rest = buffer.take()
        if rest:
            yield rest

    return chunks()


@login_required
@require_safe
def statement_csv(request, statement_id: int):
    statement = _statement(request, statement_id)
    response = StreamingHttpResponse(
        statement_csv_chunks(statement), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, csv_filename(statement))
    return response
