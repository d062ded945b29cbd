"""The checks every module shares, each with one wording of its error.

- :func:`as_date`: the one parser of as-of and other date parameters (ISO 8601 dates only);
- :func:`check_lang`: the report languages;
- :func:`check_currency`: the ledger's currency, an ISO 4217 code, wherever a page shows it;
  :func:`iso_codes`: the codes ISO 4217 lists, which ledger rows and rates are checked against;
- :func:`check_int`, :func:`is_number`: numeric parameters;
- :func:`check_binary_target`: a 0/1 target (1 = the event, such as a default);
- :func:`require_columns`, :func:`numeric`: columns of a feature table named by parameters.

Every failure is a :class:`~segkit.exceptions.ConfigError` naming the parameter, the rule and the
value received.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re

import numpy as np
import pandas as pd

from segkit.exceptions import ConfigError

__all__ = [
    "LANGS",
    "as_date",
    "check_binary_target",
    "check_currency",
    "check_int",
    "check_lang",
    "iso_codes",
    "is_number",
    "numeric",
    "require_columns",
]

#: Report languages: English and simplified Chinese.
LANGS = ("en", "zh")

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: The dates a ledger and a parameter may hold (the engines' nanosecond timestamps end in 2262).
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)


def as_date(value, name: str = "as_of") -> dt.date:
    """A date parameter as a :class:`datetime.date`.

    Accepts a ``date``, a ``datetime`` or ``pandas.Timestamp`` at midnight, a ``numpy.datetime64``
    and an ISO 8601 date string ``YYYY-MM-DD``, from :data:`MIN_DATE` to :data:`MAX_DATE`.
    Anything else, among them ``01/02/2025`` (2 January or 1 February?), ``now``, a time of day,
    a time zone and ``9999-12-31``, is refused.

    Raises
    ------
    ConfigError
        Naming the parameter and the value.
    """
    day = _day(value, name)
    if not MIN_DATE <= day <= MAX_DATE:
        raise ConfigError(f"{name} must be a date from {MIN_DATE} to {MAX_DATE}; got {day}.")
    return day


def _day(value, name: str) -> dt.date:
    if isinstance(value, np.datetime64):
        try:
            value = pd.Timestamp(value)
        except (ValueError, OverflowError):  # beyond the nanosecond range
            raise _not_a_date(name, value) from None
    if isinstance(value, dt.datetime):  # pandas.Timestamp included
        if pd.isna(value) or value.tzinfo is not None or value.time() != dt.time(0):
            raise _not_a_date(name, value)
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _not_a_date(name, value)


def _not_a_date(name: str, value) -> ConfigError:
    shown = repr(value)
    shown = shown if len(shown) <= 100 else f"{shown[:100]}... ({len(shown)} characters)"
    return ConfigError(f"{name} must be a date in ISO 8601 form (YYYY-MM-DD); got {shown}.")


_CURRENCY = re.compile(r"[A-Z]{3}")
_ISO_CODES: frozenset[str] = frozenset()


def iso_codes() -> frozenset[str]:
    """The ISO 4217 alphabetic codes of current currencies (the list ``pycountry`` ships)."""
    global _ISO_CODES  # noqa: PLW0603 - read once, on first use (import segkit stays cheap)
    if not _ISO_CODES:
        import pycountry

        _ISO_CODES = frozenset(c.alpha_3 for c in pycountry.currencies)
    return _ISO_CODES


def check_currency(currency) -> str:
    """``currency`` when it is an ISO 4217 code (three capital letters), else a ConfigError.

    The ledger's currency is printed in headings and sentences of every page; a code is the only
    form it takes there, so nothing the data holds can become markup.
    """
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
        shown = repr(currency)
        shown = shown if len(shown) <= 100 else f"{shown[:100]}... ({len(shown)} characters)"
        raise ConfigError(
            f"currency must be an ISO 4217 code of three capital letters (CNY, USD); got {shown}."
        )
    return currency


def check_lang(lang) -> str:
    """``lang`` when it is a report language, else a ConfigError."""
    if lang not in LANGS:
        raise ConfigError(f"lang must be one of {list(LANGS)}; got {lang!r}.")
    return lang


def check_int(name: str, value, minimum: int) -> int:
    """``value`` as an int, or a ConfigError naming ``name`` when it is not an int >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ConfigError(f"{name} must be an int >= {minimum}; got {value!r}.")
    return int(value)


def is_number(value) -> bool:
    """True for a finite real number (not a bool): the check of every numeric parameter."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)


def require_columns(frame: pd.DataFrame, columns: dict[str, str], where: str) -> None:
    """Raise :class:`ConfigError` when ``frame`` is not a DataFrame or a column named by a
    parameter is not in it (a NumPy array has no column names to look up)."""
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(
            f"{where}: expected a pandas DataFrame with the columns {sorted(set(columns.values()))}; "
            f"got {type(frame).__name__}."
        )
    for param, column in columns.items():
        if column not in frame.columns:
            raise ConfigError(
                f"{where}: column {column!r} (parameter {param}) is not in the frame; "
                f"available columns: {list(frame.columns)}."
            )


def numeric(frame: pd.DataFrame, column: str, where: str) -> pd.Series:
    """Return ``frame[column]`` as float64 (missing values as NaN) or raise ConfigError."""
    try:
        return frame[column].astype("float64")
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{where}: column {column!r} must be numeric; got {err}.") from None


def check_binary_target(y, name: str = "y") -> np.ndarray:
    """Return ``y`` as an int array of 0/1, or raise :class:`ConfigError`.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Target: 1 (or True) = default, 0 (or False) = no default. No missing values.
    name : str, default "y"
        Name used in error messages.

    Returns
    -------
    numpy.ndarray of int
    """
    values = pd.Series(np.asarray(y).ravel())
    if values.isna().any():
        raise ConfigError(f"{name} must not contain missing values; got {values.isna().sum()}.")
    bad = sorted({str(v) for v in values.unique() if v not in (0, 1)})
    if bad:
        raise ConfigError(f"{name} must be binary with values 0 and 1; got {bad[:5]}.")
    return values.astype(int).to_numpy()
