"""Cells of a CSV that a spreadsheet program opens: text never runs as a formula.

Spreadsheets read a cell beginning with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or a
carriage return before one) as a formula, so text from users ("=HYPERLINK(…)") could run on a
reader's machine. Text cells that begin so get a leading apostrophe, which spreadsheets show
as text. Numbers are written by us, not typed by users, so they stay numbers: a negative
amount such as -0.85 is left as it is and still sums.
"""

from decimal import Decimal

#: What a spreadsheet takes as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """``value`` as a CSV cell: numbers as they are, text neutralised, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, Decimal)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
