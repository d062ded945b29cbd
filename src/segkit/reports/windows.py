"""Key figures over a trailing window, and how much of each window the ledger covers.

Revenue and active customers are counted over the 12 months to a date, DSO over the 365 days
to it. When a window starts before the ledger's first invoice, the figure counts fewer months
than its name says, and a change against a date whose window covers more or fewer months
compares unlike spans: the index leaves such a change out and says which months each window
holds (:func:`partial_windows`), in calendar months covered like every study
(:func:`segkit.studies.sections.months_covered`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from segkit.studies.sections import months_covered

__all__ = ["TRAILING", "partial_windows", "window_months"]

#: Key figures over a trailing window, with the window's length in months.
TRAILING = {"active_customers": 12, "revenue_12m": 12, "dso_days": 12}


def window_months(first: dt.date | None, day: dt.date, months: int = 12) -> int:
    """Calendar months of the ``months`` to ``day`` that hold ledger data (``months`` when the
    window starts on or after the first invoice ``first``; 0 without one)."""
    if first is None or pd.Timestamp(first) > pd.Timestamp(day):
        return 0
    start = pd.Timestamp(day) - pd.DateOffset(months=months) + pd.Timedelta(days=1)
    if pd.Timestamp(first) <= start:
        return months
    return min(months_covered(first, day), months)


def partial_windows(
    first: dt.date | None, dates: Mapping[str, dt.date], months: int = 12
) -> dict[str, int]:
    """The periods of ``dates`` (``as_of``, ``month``, ``quarter``) whose ``months`` window
    opens before the ledger's first invoice ``first``, with the calendar months of the window
    that hold ledger data (:func:`window_months`); empty when every window is whole."""
    if first is None:
        return {}
    out = {}
    for period, day in dates.items():
        start = pd.Timestamp(day) - pd.DateOffset(months=months) + pd.Timedelta(days=1)
        if pd.Timestamp(first) > start:  # the window opens before the ledger does
            out[period] = window_months(first, day, months)
    return out
