"""Observation dates for class snapshots: calendar period ends and look-back series.

:func:`period_ends` lists the month-, quarter- or year-ends between two dates and
:func:`lookback` the period ends before an as-of date followed by that date; either list
can be passed to :func:`segkit.history.timeline`. :func:`parse_day` reads a date parameter
as a normalized timestamp, for the snapshot and migration functions as well.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from segkit.checks import as_date
from segkit.exceptions import ConfigError

__all__ = ["FREQS", "parse_day", "period_ends", "lookback"]

FREQS = {"ME": "month-ends", "QE": "quarter-ends", "YE": "year-ends"}


def parse_day(value, name: str) -> pd.Timestamp:
    """A date parameter (see :func:`segkit.checks.as_date`) as a Timestamp at midnight."""
    return pd.Timestamp(as_date(value, name))


def _check_freq(freq: str) -> None:
    if freq not in FREQS:
        raise ConfigError(f"freq must be one of {list(FREQS)}; got {freq!r}.")


def period_ends(start, end, freq: str = "QE") -> list[dt.date]:
    """Calendar period ends between two dates, both included.

    Parameters
    ----------
    start, end : str or date
        First and last day of the range, ``start <= end``.
    freq : {"QE", "ME", "YE"}
        Quarter-ends, month-ends or year-ends (pandas offset aliases).

    Returns
    -------
    list of datetime.date
        Ascending; empty when no period ends in the range.
    """
    _check_freq(freq)
    first, last = parse_day(start, "start"), parse_day(end, "end")
    if first > last:
        raise ConfigError(
            f"start must be on or before end; got start={first.date()}, end={last.date()}."
        )
    return [day.date() for day in pd.date_range(first, last, freq=freq)]


def lookback(as_of, periods: int = 4, freq: str = "QE") -> list[dt.date]:
    """The ``periods`` period ends before ``as_of``, then ``as_of`` itself.

    With ``as_of="2025-12-31"``, ``periods=4`` and quarters: 2024-12-31, 2025-03-31,
    2025-06-30, 2025-09-30 and 2025-12-31, so the first and last dates are a year apart.

    Returns
    -------
    list of datetime.date
        ``periods + 1`` ascending dates.
    """
    _check_freq(freq)
    if not isinstance(periods, int | np.integer) or isinstance(periods, bool) or periods < 1:
        raise ConfigError(f"periods must be an int >= 1; got {periods!r}.")
    last = parse_day(as_of, "as_of")
    ends = pd.date_range(end=last - pd.Timedelta(days=1), periods=periods, freq=freq)
    return [day.date() for day in ends] + [last.date()]
