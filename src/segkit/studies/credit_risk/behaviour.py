"""The behavioural view of credit risk: what the ledger shows without a fitted scorecard.

When the history is too short for a scorecard, or the grades are not the question, the
receivables still tell a credit manager a lot: how old the open debt is (aging), how late each
customer pays, whether the past-due share is growing, and who is furthest past due.

- :func:`behaviour_snapshot`: one row per customer owing money at ``as_of``, with balances,
  aging, lateness, days past due and its band (:func:`dpd_band`);
- :func:`past_due_trend`: open, past-due and 90+ amounts at each month-end, point in time.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from segkit.checks import as_date, check_int
from segkit.credit.defaults import scoring_snapshot
from segkit.features import customer_features, profile_frame, settlement_available
from segkit.features.payments import DEFAULT_AGING_EDGES, aging_buckets

__all__ = ["DPD_BANDS", "behaviour_snapshot", "dpd_band", "past_due_trend"]

_ = ibis._
#: Days-past-due bands of the watch-list: code -> (lowest, highest) days past due.
DPD_BANDS = {
    "current": (None, 0),
    "dpd_1_30": (1, 30),
    "dpd_31_60": (31, 60),
    "dpd_61_90": (61, 90),
    "dpd_over_90": (91, None),
}


def dpd_band(days: pd.Series) -> pd.Series:
    """The band of :data:`DPD_BANDS` each number of days past due falls in (None if missing)."""
    values = days.astype(float)
    codes = np.select(
        [values <= 0, values <= 30, values <= 60, values <= 90, values > 90],
        list(DPD_BANDS),
        default="",
    )
    return pd.Series(codes, index=days.index, dtype=object).replace("", None)


def behaviour_snapshot(ledger, as_of, dpd: int = 90, feature_kwargs: dict | None = None):
    """Features at ``as_of`` of the customers owing money, without a score.

    Parameters
    ----------
    ledger : segkit.Ledger
    as_of : str or date
    dpd : int, default 90
        Days past due beyond which a customer is in default.
    feature_kwargs : dict, optional
        Keyword arguments for :func:`segkit.customer_features`.

    Returns
    -------
    pandas.DataFrame
        With settlement data: :func:`segkit.credit.scoring_snapshot` (customers with an open
        balance) plus ``last_payment_date`` and ``dpd_band``. Without it: the customer
        features of every customer known at ``as_of`` (balances are unknown, so nobody can be
        said to owe money), ``attrs["settlement"]`` False.
    """
    day = as_date(as_of)
    kwargs = feature_kwargs or {}
    if not settlement_available(ledger.invoices, ledger.payments):
        frame = customer_features(ledger, day, **kwargs)
        frame.attrs["settlement"] = False
        return frame
    frame = scoring_snapshot(ledger, day, dpd, kwargs)
    days = pd.to_timedelta(frame["days_since_last_payment"], unit="D")
    frame["last_payment_date"] = pd.Timestamp(day) - days
    frame["dpd_band"] = dpd_band(frame["open_days_past_due"])
    frame.attrs["settlement"] = True
    return frame


def past_due_trend(ledger, end, months: int = 12, dpd: int = 90) -> pd.DataFrame:
    """Open, past-due and long-past-due receivables at each month-end, point in time.

    Each month-end uses only the invoices, payments and settlements known that day
    (:func:`segkit.features.invoice_settlement`); month-ends before the first invoice are
    left out, so a short ledger gives a short trend.

    Parameters
    ----------
    ledger : segkit.Ledger
        Needs settlement data (payments or ``invoices.settled_date``).
    end : str or date
        Last date; the trend ends at the last month-end on or before it.
    months : int, default 12
        Month-ends to show.
    dpd : int, default 90
        Days past due of the last column.

    Returns
    -------
    pandas.DataFrame
        Index ``as_of`` (datetime64); ``open_balance``, ``overdue_balance``,
        ``past_due_over_dpd``, ``overdue_share`` and ``share_over_dpd`` (of the open
        balance, NaN when nothing is open).
    """
    months = check_int("months", months, 1)
    dpd = check_int("dpd", dpd, 0)
    last = pd.Timestamp(as_date(end, "end"))
    first = pd.Timestamp(ledger.invoices.invoice_date.min().execute())
    dates = pd.date_range(end=last, periods=months, freq="ME")
    dates = [d for d in dates if d >= first and d <= last]
    frame = _open_at(ledger, [d.date() for d in dates], dpd)
    frame = frame.astype(float)
    open_ = frame["open_balance"].where(frame["open_balance"] > 0)
    frame["overdue_share"] = frame["overdue_balance"] / open_
    frame["share_over_dpd"] = frame["past_due_over_dpd"] / open_
    return frame


def _open_at(ledger, days, dpd: int) -> pd.DataFrame:
    """Portfolio totals at each day, from one query of the customer profile at every day.

    The aging edges gain ``dpd`` so that the buckets beyond it add up to the amount more than
    ``dpd`` days past due; with the default 90 days the query is the one the credit study
    runs, compiled once per ledger.
    """
    columns = ["open_balance", "overdue_balance", "past_due_over_dpd"]
    index = pd.DatetimeIndex(pd.to_datetime(days), name="as_of")
    if not days:
        return pd.DataFrame(columns=columns, index=index)
    edges = tuple(sorted({*DEFAULT_AGING_EDGES, dpd}))
    profile = profile_frame(ledger, days, aging_edges=edges, firmographic=False)
    beyond = [name for name, low, _ in aging_buckets(edges) if low is not None and low >= dpd]
    profile["past_due_over_dpd"] = profile[beyond].sum(axis=1)
    totals = profile[columns].groupby(level="as_of").sum()
    return totals.reindex(index, fill_value=0.0)
