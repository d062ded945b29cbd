"""Collections KPIs at a date, point in time: did collections improve this month?

For each date, from the invoices open then (:func:`segkit.cash.invoice_snapshots`, settled as
the ledger stood that day) and the invoices issued before it:

=====================  =====================================================================
open_ar                open amount of the open invoices
current_ar             the part not yet due
current_share          current_ar / open_ar
credit_sales_month     positive invoices dated after the month-end before the date
cei                    collection effectiveness index (Credit Research Foundation):
                       (opening AR + credit sales - closing AR) /
                       (opening AR + credit sales - closing current AR); opening AR is
                       open_ar at the month-end before the date
dso_days               open_ar / credit sales of ``window_days`` x ``window_days``
best_possible_dso      current_ar / credit sales of ``window_days`` x ``window_days``
average_days_delinquent  dso_days - best_possible_dso
disputes               open invoices flagged disputed
disputed_amount        their open amount
dispute_age_days       their mean days past due (0 while not yet due)
=====================  =====================================================================

Receivables here are invoice by invoice, before unallocated cash and credit notes are netted
per customer, so ``dso_days`` can exceed the portfolio DSO of
:func:`segkit.credit.dso_trend` where customers hold unallocated cash.
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd

from segkit.checks import as_date

from .snapshots import invoice_snapshots

__all__ = ["KPIS", "collection_kpis", "month_end_before"]

KPIS = ("cei", "average_days_delinquent", "best_possible_dso", "dso_days", "current_share",
        "open_ar", "current_ar", "credit_sales_month", "disputes", "disputed_amount",
        "dispute_age_days")  # fmt: skip


def month_end_before(day) -> dt.date:
    """The last day of the month before ``day``'s month."""
    day = as_date(day)
    return day.replace(day=1) - dt.timedelta(days=1)


def collection_kpis(ledger, dates, rows: pd.DataFrame | None = None,
                    window_days: int = 365) -> pd.DataFrame:  # fmt: skip
    """The :data:`KPIS` at each date (see the module docstring for the formulas).

    Parameters
    ----------
    ledger : segkit.Ledger
        A ledger with payments or ``invoices.settled_date``.
    dates : sequence of str or datetime.date
        The dates, e.g. the as-of date and the month-end before it.
    rows : pandas.DataFrame, optional
        Snapshots already computed (:func:`segkit.cash.invoice_snapshots` without
        ``max_past_due``); used when they hold every date needed.
    window_days : int, default 365
        Credit-sales window of the DSO figures.

    Returns
    -------
    pandas.DataFrame
        Index ``kpi`` (:data:`KPIS`), one column per date (datetime.date); NaN where a ratio
        has no denominator, and for the dispute figures when the invoices have no
        ``disputed`` column.
    """
    days = [as_date(d) for d in dates]
    needed = sorted({*days, *(month_end_before(d) for d in days)})
    stamps = [pd.Timestamp(d) for d in needed]
    if rows is None or not set(stamps) <= set(rows["snapshot"].unique()):
        rows = invoice_snapshots(ledger, needed)
    open_ = _open_figures(rows, stamps)
    sales = _sales(ledger, needed, window_days)
    table = {d: _kpis(d, open_, sales, window_days) for d in days}
    table = pd.DataFrame(table, index=pd.Index(KPIS, name="kpi"), dtype=float)
    if rows["disputed"].isna().all():  # the ledger cannot tell a disputed invoice
        table.loc[["disputes", "disputed_amount", "dispute_age_days"]] = np.nan
    return table


def _open_figures(rows: pd.DataFrame, stamps) -> pd.DataFrame:
    rows = rows[rows["snapshot"].isin(stamps)]
    disputed = rows["disputed"].fillna(0).astype(float) > 0
    frame = pd.DataFrame(
        {
            "snapshot": rows["snapshot"],
            "open_ar": rows["open_amount"],
            "current_ar": rows["open_amount"].where(rows["days_to_due"] >= 0, 0.0),
            "disputes": disputed.astype(float),
            "disputed_amount": rows["open_amount"].where(disputed, 0.0),
            "dispute_age": (-rows["days_to_due"]).clip(lower=0).where(disputed),
        }
    )
    out = frame.groupby("snapshot").agg(
        open_ar=("open_ar", "sum"), current_ar=("current_ar", "sum"),
        disputes=("disputes", "sum"), disputed_amount=("disputed_amount", "sum"),
        dispute_age_days=("dispute_age", "mean"),
    )  # fmt: skip
    out = out.reindex(stamps).fillna({"open_ar": 0.0, "current_ar": 0.0, "disputes": 0.0,
                                      "disputed_amount": 0.0})  # fmt: skip
    out.index = [s.date() for s in out.index]
    return out


def _sales(ledger, dates, window_days: int) -> dict:
    """Credit sales of the month and of the window to each date, in one engine query."""
    inv = ledger.invoices
    day, amount = inv.invoice_date.cast("date"), inv.amount.cast("float64")
    sums = {}
    for i, d in enumerate(dates):
        month = (day > month_end_before(d)) & (day <= d)
        window = (day > d - dt.timedelta(days=window_days)) & (day <= d)
        sums[f"m{i}"] = ibis.ifelse(month & (amount > 0), amount, 0.0).sum()
        sums[f"w{i}"] = ibis.ifelse(window & (amount > 0), amount, 0.0).sum()
    values = inv.aggregate(**sums).execute().iloc[0]
    return {d: (float(values[f"m{i}"] or 0.0), float(values[f"w{i}"] or 0.0))
            for i, d in enumerate(dates)}  # fmt: skip


def _ratio(top: float, bottom: float) -> float:
    return top / bottom if bottom > 0 else np.nan


def _kpis(day, open_, sales, window_days) -> dict:
    now, before = open_.loc[day], open_.loc[month_end_before(day)]
    month, window = sales[day]
    reachable = before["open_ar"] + month
    out = {
        "open_ar": now["open_ar"],
        "current_ar": now["current_ar"],
        "current_share": _ratio(now["current_ar"], now["open_ar"]),
        "credit_sales_month": month,
        "cei": _ratio(reachable - now["open_ar"], reachable - now["current_ar"]),
        "dso_days": _ratio(now["open_ar"], window) * window_days,
        "best_possible_dso": _ratio(now["current_ar"], window) * window_days,
        "disputes": now["disputes"],
        "disputed_amount": now["disputed_amount"],
        "dispute_age_days": now["dispute_age_days"],
    }
    out["average_days_delinquent"] = out["dso_days"] - out["best_possible_dso"]
    return out
