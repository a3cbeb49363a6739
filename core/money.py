"""Money: a decimal with its ISO 4217 currency, read from decimal strings, shown by Babel.

Amounts are never floats and never summed across currencies. A currency's minor unit (KRW
none, USD cents, BHD fils) comes from Babel's CLDR data, so "₩12.5" is refused and "$0.855"
too, and the reader's locale decides how an amount looks (₩1,200 / $0.85).
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, list_currencies
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.errors import DomainError

#: A plain decimal string: digits, optionally a point and more digits (no exponent, no
#: thousands separators).
DECIMAL = re.compile(r"-?[0-9]{1,14}(\.[0-9]{1,4})?")


def currency_known(code: object) -> bool:
    return isinstance(code, str) and code in list_currencies()


def currency_check(code: object, *, field: str = "currency") -> str:
    """The ISO 4217 code itself, or a 400 naming the field."""
    if not currency_known(code):
        raise DomainError(
            _("“%(code)s” is not an ISO 4217 currency code (KRW, USD, EUR, …).") % {"code": code},
            code="unknown_currency",
            fields={field: _("Unknown currency.")},
        )
    return code


def currency_digits(code: str) -> int:
    """How many digits the currency has after the point: 0 for KRW, 2 for USD."""
    return get_currency_precision(currency_check(code))


def money_parse(value: object, *, currency: str, field: str, positive: bool = True) -> Decimal:
    """A decimal string in ``currency`` ("1200", "0.85") as a Decimal, or a 400 naming
    ``field``: a JSON number is refused (a float cannot hold 0.1 exactly), and so are more
    decimals than the currency has, and zero or less when ``positive``."""
    digits = currency_digits(currency)
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str) and DECIMAL.fullmatch(value.strip()):
        amount = Decimal(value.strip())
    else:
        amount = None
    if amount is None:
        message = _("Give the amount as a decimal string, e.g. “1200” or “0.85”.")
        raise DomainError(message, code="bad_money", fields={field: message})
    if -amount.as_tuple().exponent > digits:
        message = _("%(currency)s amounts have %(digits)s decimal places at most.") % {
            "currency": currency,
            "digits": digits,
        }
        raise DomainError(message, code="bad_money", fields={field: message})
    if positive and amount <= 0:
        message = _("The amount must be more than zero.")
        raise DomainError(message, code="bad_money", fields={field: message})
    return amount


def money_round(amount: Decimal, currency: str) -> Decimal:
    """``amount`` to the currency's minor unit, halves away from zero."""
    return amount.quantize(Decimal(1).scaleb(-currency_digits(currency)), rounding=ROUND_HALF_UP)


def money_text(amount: Decimal, currency: str) -> str:
    """The amount as a decimal string with exactly the currency's decimals: what the API gives."""
    return str(money_round(Decimal(amount), currency))


def reader_locale(language: str | None = None) -> Locale:
    try:
        return Locale.parse((language or get_language() or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def money_format(amount: Decimal, currency: str, *, language: str | None = None) -> str:
    """The amount as the reader's locale writes it: ₩1,200 or $0.85 (the active language)."""
    return format_currency(
        money_round(Decimal(amount), currency),
        currency,
        locale=reader_locale(language),
        currency_digits=True,
    )
