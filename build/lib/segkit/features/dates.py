"""As-of dates as data: a small table crossed with the ledger, so one query serves many dates.

Every feature is computed *per as-of date*: the dates table holds one row per date with the
window bounds derived from it (computed here in Python, so every engine agrees on month
arithmetic), and a ledger line joins every date on or after its own date. Grouping by
``(as_of, customer_id)`` then gives the features of every customer at every date in one pass,
and the compiled SQL does not depend on the dates (see :mod:`segkit.features.engine`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import ibis
import ibis.expr.types as ir
import pandas as pd

from segkit.checks import as_date
from segkit.exceptions import ConfigError

__all__ = ["DATE_COLUMNS", "as_date", "as_of_dates", "dates_frame", "dates_memtable", "stamp"]

#: Columns of the dates table: the date and the starts of its windows (exclusive bounds).
DATE_COLUMNS = ("as_of", "cut12", "cut24", "dso_start")
SCHEMA = ibis.schema({name: "date" for name in DATE_COLUMNS})


def as_of_dates(values, name: str = "as_of_dates") -> list[dt.date]:
    """Sorted distinct dates from one date or an iterable of dates (ConfigError when empty)."""
    if isinstance(values, (str, dt.date, pd.Timestamp)) or not isinstance(values, Iterable):
        values = [values]
    days = sorted({as_date(v, name) for v in values})
    if not days:
        raise ConfigError(f"{name} must hold at least one date; got none.")
    return days


def window_start(as_of: dt.date, months: int) -> dt.date:
    """First day *before* the window: the window is (as_of - months, as_of]."""
    return (pd.Timestamp(as_of) - pd.DateOffset(months=months)).date()


def dates_frame(days: list[dt.date], dso_window_days: int = 365) -> pd.DataFrame:
    """One row per as-of date with the window starts of the features.

    ``cut12`` and ``cut24`` are 12 and 24 calendar months before (pandas ``DateOffset``: a
    month-end stays a month-end), ``dso_start`` is ``dso_window_days`` days before.
    """
    return pd.DataFrame(
        {
            "as_of": days,
            "cut12": [window_start(d, 12) for d in days],
            "cut24": [window_start(d, 24) for d in days],
            "dso_start": [d - dt.timedelta(days=dso_window_days) for d in days],
        },
        columns=list(DATE_COLUMNS),
    )


def dates_memtable(days: list[dt.date], dso_window_days: int = 365) -> ir.Table:
    """The dates table as an in-memory Ibis table (runs on any backend)."""
    return ibis.memtable(dates_frame(days, dso_window_days), schema=SCHEMA)


def stamp(table: ir.Table, column: str, dates: ir.Table) -> ir.Table:
    """Repeat each row of ``table`` for every as-of date on or after its ``column`` date.

    The result has ``table``'s columns followed by the columns of ``dates``: a row dated
    after an as-of date does not exist at that date (point in time).
    """
    joined = table.inner_join(dates, table[column] <= dates.as_of)
    return joined.select(*table.columns, *[c for c in dates.columns if c not in table.columns])
