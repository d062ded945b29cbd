"""Activity and value features (recency, frequency, monetary value), computed in the engine.

Shape change: invoices (*customer_id, invoice_date, amount*) -> one row per customer
(*recency_days, n_invoices, active_months, net_amount, mean_invoice, tenure_days, ...*).
Only invoices dated on or before ``as_of`` count. Credit notes (negative amounts) count in net
amounts and in the credit-note share, not in invoice counts, activity months or recency.

The aggregates here work on lines repeated per as-of date (:mod:`segkit.features.dates`), so
:mod:`segkit.features.profile` computes them in the same pass as payment behaviour.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
from ibis import _

from segkit.checks import as_date
from segkit.features.allocation import CUSTOMER, left_join_on
from segkit.features.dates import dates_memtable, stamp, window_start

__all__ = ["ACTIVITY_COLUMNS", "EXACT", "activity_features", "exact_sum", "window_start"]

ACTIVITY_COLUMNS = (
    "first_invoice", "last_invoice", "n_invoices", "invoices_12m", "active_months",
    "active_months_12m", "net_amount", "revenue_12m", "revenue_prev_12m", "recency_days",
    "tenure_days", "growth_12m", "mean_invoice", "credit_note_share",
)  # fmt: skip


def activity_features(invoices: ir.Table, as_of: dt.date) -> ir.Table:
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
    dates = dates_memtable([as_date(as_of)])
    lines = stamp(invoices, "invoice_date", dates)
    agg = lines.group_by(CUSTOMER).aggregate(**activity_aggregates(lines))
    agg = left_join_on(agg, active_months(invoices, dates), CUSTOMER)
    return derive_activity(agg).select("customer_id", *ACTIVITY_COLUMNS)


def activity_aggregates(lines: ir.Table) -> dict:
    """Sums and extremes of the lines per (as_of, customer); ``derive_activity`` finishes them."""
    sale = lines.amount > 0
    recent = lines.invoice_date > lines.cut12
    prior = (lines.invoice_date > lines.cut24) & ~recent
    sale_date = ibis.ifelse(sale, lines.invoice_date, None)
    return {
        "first_invoice": sale_date.min(),
        "last_invoice": sale_date.max(),
        "n_invoices": sale.sum(),
        "invoices_12m": (sale & recent).sum(),
        "net_amount": exact_sum(lines.amount),
        "revenue_12m": exact_sum(ibis.ifelse(recent, lines.amount, 0.0)),
        "revenue_prev_12m": exact_sum(ibis.ifelse(prior, lines.amount, 0.0)),
        "gross": exact_sum(ibis.ifelse(sale, lines.amount, 0.0)),
        "credits": exact_sum(ibis.ifelse(sale, 0.0, -lines.amount)),
    }


#: Amounts are summed as exact decimals (to a millionth of the currency unit): a parallel engine
#: adds floats in any order, and the last bits of a sum would change a rounded figure in a
#: report from one run to the next.
EXACT = "decimal(38, 6)"


def exact_sum(amounts: ir.FloatingValue) -> ir.FloatingScalar:
    """The sum of money amounts, the same in every run of a parallel engine (float64)."""
    return amounts.cast(EXACT).sum().cast("float64")


def active_months(invoices: ir.Table, dates: ir.Table) -> ir.Table:
    """Months with a sale per customer and date, without a DISTINCT per date.

    Sales are grouped once per (customer, calendar month) with their first and last day. At
    ``as_of`` a month counts when its first sale is on or before ``as_of``; it counts in the
    last 12 months when, in addition, its last sale is after ``cut12`` (only the month holding
    ``cut12`` can straddle the window's start; ``as_of``'s own month lies inside it).
    """
    sales = invoices.filter(_.amount > 0).mutate(month=_.invoice_date.truncate("M"))
    monthly = sales.group_by(["customer_id", "month"]).aggregate(
        first_sale=_.invoice_date.min(), last_sale=_.invoice_date.max()
    )
    stamped = stamp(monthly, "first_sale", dates.select("as_of", "cut12"))
    return stamped.group_by(CUSTOMER).aggregate(
        active_months=_.count(), active_months_12m=(_.last_sale > _.cut12).sum()
    )


def derive_activity(agg: ir.Table) -> ir.Table:
    """Recency, tenure, growth, mean invoice and credit-note share from the aggregates."""
    day = agg.as_of
    return agg.mutate(
        recency_days=day.delta(agg.last_invoice, unit="day").cast("float64"),
        tenure_days=day.delta(agg.first_invoice, unit="day").cast("float64"),
        growth_12m=ibis.ifelse(
            agg.revenue_prev_12m > 0, agg.revenue_12m / agg.revenue_prev_12m - 1, None
        ),
        mean_invoice=ibis.ifelse(agg.n_invoices > 0, agg.gross / agg.n_invoices, None),
        credit_note_share=ibis.ifelse(agg.gross > 0, agg.credits / agg.gross, None),
        active_months=agg.active_months.fill_null(0),
        active_months_12m=agg.active_months_12m.fill_null(0),
    )
