"""Activity and value features (recency, frequency, monetary value), computed in the engine.

Shape change: invoices (*customer_id, invoice_date, amount*) -> one row per customer
(*recency_days, n_invoices, active_months, net_amount, mean_invoice, tenure_days, ...*).
Only invoices dated on or before ``as_of`` count. Credit notes (negative amounts) count in net
amounts and in the credit-note share, not in invoice counts, activity months or recency.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

__all__ = ["activity_features", "window_start"]

_ = ibis._


def window_start(as_of: dt.date, months: int) -> dt.date:
    """First day *after* the window's start: the window is (as_of - months, as_of]."""
    return (pd.Timestamp(as_of) - pd.DateOffset(months=months)).date()


def activity_features(invoices: ibis.Table, as_of: dt.date) -> ibis.Table:
    """Per-customer activity and value as of a date.

    Parameters
    ----------
    invoices : ibis.Table
        Canonical invoices (customer_id, invoice_date, amount).
    as_of : datetime.date
        Observation date; invoices after it are ignored.

    Returns
    -------
    ibis.Table
        One row per customer with an invoice or credit note by ``as_of``: ``first_invoice``,
        ``last_invoice``, ``recency_days`` (as_of - last invoice), ``tenure_days`` (as_of - first
        invoice), ``n_invoices``, ``invoices_12m``, ``active_months``, ``active_months_12m``,
        ``net_amount``, ``revenue_12m`` and ``revenue_prev_12m`` (net amounts in the 12 months to
        as_of and the 12 before), ``growth_12m`` (revenue_12m / revenue_prev_12m - 1, null when the
        previous year is not positive), ``mean_invoice`` (mean positive invoice),
        ``credit_note_share`` (credit notes / gross invoiced).
    """
    cut12, cut24 = ibis.date(window_start(as_of, 12)), ibis.date(window_start(as_of, 24))
    day = ibis.date(as_of)
    inv = invoices.filter(_.invoice_date <= day).mutate(
        sale=_.amount > 0,
        recent=_.invoice_date > cut12,
        prior=(_.invoice_date > cut24) & (_.invoice_date <= cut12),
        month=_.invoice_date.truncate("M"),
    )
    sale_date = ibis.ifelse(inv.sale, inv.invoice_date, None)
    sale_month = ibis.ifelse(inv.sale, inv.month, None)
    agg = inv.group_by("customer_id").aggregate(
        first_invoice=sale_date.min(),
        last_invoice=sale_date.max(),
        n_invoices=inv.sale.sum(),
        invoices_12m=(inv.sale & inv.recent).sum(),
        active_months=sale_month.nunique(),
        active_months_12m=ibis.ifelse(inv.recent, sale_month, None).nunique(),
        net_amount=inv.amount.sum(),
        revenue_12m=ibis.ifelse(inv.recent, inv.amount, 0.0).sum(),
        revenue_prev_12m=ibis.ifelse(inv.prior, inv.amount, 0.0).sum(),
        gross=ibis.ifelse(inv.sale, inv.amount, 0.0).sum(),
        credits=ibis.ifelse(inv.sale, 0.0, -inv.amount).sum(),
    )
    return agg.mutate(
        recency_days=day.delta(agg.last_invoice, unit="day").cast("float64"),
        tenure_days=day.delta(agg.first_invoice, unit="day").cast("float64"),
        growth_12m=ibis.ifelse(
            _.revenue_prev_12m > 0, _.revenue_12m / _.revenue_prev_12m - 1, None
        ),
        mean_invoice=ibis.ifelse(_.n_invoices > 0, _.gross / _.n_invoices, None),
        credit_note_share=ibis.ifelse(_.gross > 0, _.credits / _.gross, None),
    ).drop("gross", "credits")
