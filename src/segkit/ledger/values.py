"""Parsing of single values: numbers, dates, flags and text, each with the reason it was refused.

Every parser maps the distinct values of a column once, so a column of a million amounts costs one
Python call per distinct value. A value that cannot be read exactly is never altered to fit: the
parser returns ``None`` and the rule it broke, and the reader records a failure.

Limits (also in ``docs/ledger.md``):

- numbers: at most :data:`MAX_DIGITS` significant digits (what a 64-bit float holds exactly) and an
  absolute value of at most :data:`MAX_ABS` (one quadrillion); ``inf`` and ``nan`` are refused;
- dates: from :data:`MIN_DATE` to :data:`MAX_DATE`;
- text: no control characters (NUL included); keys also no invisible format characters
  (byte-order mark, zero-width space).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
import re
import unicodedata

import pandas as pd

from segkit.checks import MAX_DATE, MIN_DATE

__all__ = [
    "MAX_ABS",
    "MAX_DIGITS",
    "MIN_DATE",
    "MAX_DATE",
    "parse_number",
    "parse_date",
    "text_problem",
    "SYMBOLS",
    "missing",
    "shown",
]

MAX_ABS = 1e15
MAX_DIGITS = 15

#: Currency symbols read in amounts and the ISO 4217 code each stands for.
SYMBOLS = {"¥": "CNY", "￥": "CNY", "$": "USD", "€": "EUR", "£": "GBP", "RMB": "CNY"}
_PREFIX = re.compile(r"^([¥￥$€£]|[A-Za-z]{3})\s*")
_SUFFIX = re.compile(r"\s*([¥￥$€£]|[A-Za-z]{3})$")
_PLAIN = re.compile(r"(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?"
)

RULE_PARENS = "unbalanced parentheses"
RULE_DOUBLE_NEGATIVE = "a minus sign inside accounting parentheses"
RULE_DIGITS = f"at most {MAX_DIGITS} significant digits (more cannot be held exactly)"
RULE_BOUND = f"a finite number of absolute value at most {MAX_ABS:.0e}"
RULE_GROUPS = "thousands separators between groups of three digits"
RULE_RANGE = f"a date from {MIN_DATE} to {MAX_DATE}"


def missing(value) -> bool:
    """True for None, NaN, ``pandas.NA`` and ``NaT``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def parse_number(value, thousands: str | None = None, decimal_sep: str = "."):
    """Read one number.

    Returns
    -------
    (float or None, currency code or None, rule broken or None)
        The value, the currency its symbol or code names (``$`` is USD, ``¥`` CNY), and the rule
        it broke when it cannot be read exactly.
    """
    if missing(value) or isinstance(value, bool):
        return None, None, None if missing(value) else "a number, not true/false"
    if isinstance(value, float):
        return (None, None, None) if math.isnan(value) else _bounded(value, None)
    if isinstance(value, numbers.Integral | decimal.Decimal):
        value = str(value)
    elif isinstance(value, numbers.Real):
        return _bounded(float(value), None)
    if not isinstance(value, str):
        return None, None, "parse as a number"
    text = value.strip()
    if not text:
        return None, None, None
    if text.lstrip("+-").lower() in ("inf", "infinity", "nan"):
        return None, None, RULE_BOUND
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1].strip()
    if "(" in text or ")" in text:
        return None, None, RULE_PARENS
    text, sign, currency = _strip_marks(text)
    if negative and sign:
        return None, currency, RULE_DOUBLE_NEGATIVE
    number, rule = _digits(text, thousands, decimal_sep)
    if rule == RULE_DIGITS and _bounded(float(number), None)[2]:
        rule = RULE_BOUND  # too large says more than too precise
    if rule:
        return None, currency, rule
    value, _, rule = _bounded(float(number), number)
    if value is not None and (negative or sign == "-"):
        value = -value
    return value, currency, rule


def _strip_marks(text: str) -> tuple[str, str, str | None]:
    """Split off one sign and one currency symbol or code (before or after the digits)."""
    sign, currency = "", None
    if text[:1] and text[:1] in "+-":
        sign, text = text[0], text[1:].lstrip()
    match = _PREFIX.match(text)
    if match:
        currency, text = match.group(1), text[match.end() :]
    if not sign and text[:1] and text[:1] in "+-":
        sign, text = text[0], text[1:].lstrip()
    match = _SUFFIX.search(text)
    if match and currency is None:
        currency, text = match.group(1), text[: match.start()]
    if currency is not None:
        currency = SYMBOLS.get(currency, SYMBOLS.get(currency.upper(), currency.upper()))
    return text, sign, currency


def _digits(text: str, thousands: str | None, decimal_sep: str) -> tuple[str, str | None]:
    if thousands and thousands in text:
        whole, _, fraction = text.partition(decimal_sep)
        groups = whole.split(thousands)
        if not groups[0].isdigit() or len(groups[0]) > 3:
            return "", RULE_GROUPS
        if any(len(g) != 3 or not g.isdigit() for g in groups[1:]):
            return "", RULE_GROUPS
        text = "".join(groups) + (decimal_sep + fraction if decimal_sep in text else "")
    if decimal_sep != ".":
        if "." in text:
            return "", "parse as a number"
        text = text.replace(decimal_sep, ".", 1)
    if not _PLAIN.fullmatch(text):
        return "", "parse as a number"
    mantissa = re.split("[eE]", text)[0]
    whole, _, fraction = mantissa.partition(".")
    if len((whole + fraction.rstrip("0")).lstrip("0")) > MAX_DIGITS:
        return text, RULE_DIGITS
    return text, None


def _bounded(value: float, text: str | None):
    if not math.isfinite(value) or abs(value) > MAX_ABS:
        return None, None, RULE_BOUND
    return value, None, None


def parse_date(value, date_format: str | None = None):
    """Read one date; a time of day is dropped, a time-zone offset keeps the date as written.

    Returns
    -------
    (datetime.date or None, rule broken or None)
    """
    if missing(value):
        return None, None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        day = _date_text(value.strip(), date_format)
        if day is None:
            return None, None if not value.strip() else "not a date"
    else:
        return None, "not a date"
    if not MIN_DATE <= day <= MAX_DATE:
        return None, RULE_RANGE
    return day, None


def _date_text(text: str, date_format: str | None) -> dt.date | None:
    if not text:
        return None
    if date_format:
        try:
            return dt.datetime.strptime(text, date_format).date()
        except ValueError:
            return None
    match = _ISO.fullmatch(text)
    if not match or not _valid_time(match):
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _valid_time(match: re.Match) -> bool:
    """The time of day and the offset of an ISO 8601 value exist (23:59:59, +14:00 at most)."""
    hour, minute, second, offset = match[4], match[5], match[6], match[7]
    if hour is not None and not (int(hour) <= 23 and int(minute) <= 59):
        return False
    if second is not None and int(second) > 59:
        return False
    if offset and offset != "Z":
        digits = offset[1:].replace(":", "")
        if int(digits[:2]) > 14 or int(digits[2:]) > 59:
            return False
    return True


#: How many characters of a value a message quotes.
SHOWN = 200


def shown(value, limit: int = SHOWN) -> str:
    """``repr`` of a value for a message: at most ``limit`` characters, with the length said."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text) if isinstance(value, str) else repr(value)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


def text_problem(text: str, key: bool = False) -> str | None:
    """The rule a text value breaks: control characters anywhere, invisible ones in keys."""
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc" and char not in "\t\n\r":
            return f"no control characters (found {char!r})"
        if key and (category == "Cf" or char in "\t\n\r"):
            return f"no invisible characters in a key (found {char!r})"
    return None
