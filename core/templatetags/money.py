"""``{{ amount|money:currency }}``: an amount as the reader's locale writes it (₩1,200, $0.85).

Any app's template may ``{% load money %}``. The amount is rounded to the currency's minor
unit (``core.money.money_format``, Babel's CLDR data); an empty amount shows as a dash, and
an unknown currency shows the plain number with its code rather than failing the page.
"""

from decimal import Decimal, InvalidOperation

from django import template

from core.errors import DomainError
from core.money import money_format

register = template.Library()


@register.filter(name="money")
def money(amount, currency: str) -> str:
    if amount is None or amount == "":
        return "—"
    try:
        return money_format(Decimal(str(amount)), currency)
    except (InvalidOperation, DomainError, ValueError):
        return f"{amount} {currency}"


@register.filter(name="units")
def units(value) -> str:
    """A count that may be fractional (units, regions) without padding: 12, 2.5, 100."""
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except InvalidOperation:
        return str(value)
