"""Expected receipts by week from the invoices open today, against the due-date forecast.

:func:`cash_forecast` puts each open invoice's open amount in the week of its expected payment
date (from :meth:`segkit.cash.LatePaymentModel.predict`); the naive forecast puts it in the
week of its due date (the first week when already past due), which is what a plain aging
report implies. :func:`forecast_backtest` measures both against the weeks in which the same
invoices were settled.

Weeks are counted from the as-of date: week 1 is days 1-7 after it, week 2 days 8-14, and so on.
Only invoices open at the as-of date are forecast (not sales still to be made), so the figures
are the collections of today's receivables.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd

from segkit.checks import as_date
from segkit.exceptions import ConfigError, SchemaError

__all__ = ["cash_forecast", "forecast_backtest", "week_number"]

_NEEDED = ("open_amount", "due_date", "expected_payment_date")


def week_number(dates, as_of) -> np.ndarray:
    """Week after ``as_of`` in which each date falls (1 = days 1-7); <= 0 on or before it."""
    days = (pd.to_datetime(pd.Series(dates)) - pd.Timestamp(as_of)).dt.days.to_numpy(float)
    return np.ceil(days / 7)


def _check_weeks(weeks) -> int:
    if isinstance(weeks, bool) or not isinstance(weeks, Integral) or weeks < 1:
        raise ConfigError(f"weeks must be an int >= 1; got {weeks!r}.")
    return int(weeks)


def _weekly(amount, week, weeks: int) -> np.ndarray:
    inside = (week >= 1) & (week <= weeks)
    return np.bincount(week[inside].astype(int) - 1, weights=amount[inside], minlength=weeks)


def cash_forecast(predictions: pd.DataFrame, as_of, weeks: int = 13) -> pd.DataFrame:
    """Expected receipts by week from expected payment dates, beside the due-date forecast.

    Parameters
    ----------
    predictions : pandas.DataFrame
        From :meth:`LatePaymentModel.predict` at ``as_of`` (``open_amount``, ``due_date``,
        ``expected_payment_date``).
    as_of : str or datetime.date
        The date the predictions were made.
    weeks : int, default 13
        Horizon in weeks.

    Returns
    -------
    pandas.DataFrame
        Index ``week`` (1..weeks): ``week_start``, ``week_end``, ``expected`` (model) and
        ``naive`` (paid on the due date; already past due in week 1). ``attrs`` hold
        ``open_amount`` (all open invoices), ``expected_later`` (expected after the horizon)
        and ``in_default`` (no expected date: more than ``max_past_due`` days past due).
    """
    missing = [c for c in _NEEDED if c not in predictions.columns]
    if missing:
        raise SchemaError(f"predictions must have columns {list(_NEEDED)}; missing {missing}.")
    day, weeks = pd.Timestamp(as_date(as_of)), _check_weeks(weeks)
    amount = predictions["open_amount"].to_numpy(float)
    expected = week_number(predictions["expected_payment_date"], day)
    naive = np.maximum(week_number(predictions["due_date"], day), 1)
    starts = day + pd.to_timedelta(7 * np.arange(weeks) + 1, unit="D")
    table = pd.DataFrame(
        {
            "week_start": starts,
            "week_end": starts + pd.Timedelta(days=6),
            "expected": _weekly(amount, expected, weeks),
            "naive": _weekly(amount, naive, weeks),
        },
        index=pd.RangeIndex(1, weeks + 1, name="week"),
    )
    table.attrs = {
        "as_of": day.date().isoformat(),
        "open_amount": float(amount.sum()),
        "expected_later": float(amount[expected > weeks].sum()),
        "in_default": float(amount[np.isnan(expected)].sum()),
    }
    return table


def forecast_backtest(model, rows, outcomes, origins, end, weeks: int = 13):
    """Forecast at each origin and compare with the weeks the invoices were actually settled.

    Parameters
    ----------
    model : LatePaymentModel
        A fitted model (fitted before the first origin for an honest backtest).
    rows : pandas.DataFrame
        Snapshot rows (:func:`segkit.cash.snapshots.invoice_snapshots`) covering the origins.
    outcomes : pandas.DataFrame
        :func:`segkit.cash.snapshots.invoice_outcomes` at ``end``.
    origins : sequence of datetime.date
        Forecast dates; those whose horizon ends after ``end`` are skipped.
    end : datetime.date
        The date of knowledge of the actual receipts.
    weeks : int, default 13

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Per origin and week: ``origin``, ``week``, ``expected``, ``naive``, ``actual``; and per
        forecast (``model``, ``naive``): ``wape`` (sum of absolute weekly errors / actual
        receipts), ``total_error`` (mean absolute error of the 13-week total, as a share of it)
        and ``bias`` (sum of weekly errors / actual).
    """
    weeks = _check_weeks(weeks)
    last = pd.Timestamp(end) - pd.Timedelta(days=7 * weeks)
    parts = []
    for origin in origins:
        part = rows[rows["snapshot"] == pd.Timestamp(origin)]
        if pd.Timestamp(origin) > last or part.empty:
            continue
        table = cash_forecast(model.score_rows(part, reasons=False), origin, weeks)
        paid = outcomes["settled_date"].reindex(part["invoice_id"])
        actual = week_number(paid.to_numpy(), origin)
        table["actual"] = _weekly(part["open_amount"].to_numpy(float), actual, weeks)
        parts.append(table.reset_index().assign(origin=pd.Timestamp(origin)))
    if not parts:
        raise ConfigError(f"no forecast origin has {weeks} weeks of actual receipts before {end}.")
    backtest = pd.concat(parts, ignore_index=True)
    columns = ["origin", "week", "week_start", "expected", "naive", "actual"]
    return backtest[columns], _errors(backtest)


def _errors(backtest: pd.DataFrame) -> pd.DataFrame:
    actual = backtest["actual"]
    totals = backtest.groupby("origin")[["expected", "naive", "actual"]].sum()
    out = {}
    for name, col in (("model", "expected"), ("naive", "naive")):
        gap = backtest[col] - actual
        out[name] = {
            "wape": float(gap.abs().sum() / actual.sum()),
            "total_error": float(
                ((totals[col] - totals["actual"]).abs() / totals["actual"]).mean()
            ),
            "bias": float(gap.sum() / actual.sum()),
        }
    return pd.DataFrame.from_dict(out, orient="index").rename_axis("forecast")
