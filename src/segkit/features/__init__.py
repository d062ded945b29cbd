"""Customer features as of a date: one row per customer, computed in the engine."""

from __future__ import annotations

import ibis
import pandas as pd

from .activity import activity_features, as_date

__all__ = ["customer_features", "activity_features"]

_ = ibis._

COUNT_COLUMNS = ("n_invoices", "invoices_12m", "active_months", "active_months_12m")
AMOUNT_COLUMNS = ("net_amount", "revenue_12m", "revenue_prev_12m")


def customer_features(ledger, as_of) -> pd.DataFrame:
    """Build the customer profile as of a date.

    Parameters
    ----------
    ledger : segkit.Ledger
        The validated ledger.
    as_of : str or date
        Observation date (ISO 8601 string or date). Only data dated on or before it counts.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (sorted), one row per customer known at ``as_of``: customers whose
        ``created`` date is on or before it (or unknown), and every customer invoiced by then.
        Customers without invoices have zero counts and amounts and missing recency.
    """
    day = as_date(as_of)
    table = _base(ledger, day).left_join(activity_features(ledger.invoices, day), "customer_id")
    table = table.drop(c for c in table.columns if c.endswith("_right"))
    return _finish(table.execute())


def _base(ledger, day) -> ibis.Table:
    customers = ledger.customers
    if "created" not in customers.columns:
        return customers
    invoiced = ledger.invoices.filter(_.invoice_date <= ibis.date(day)).customer_id
    return customers.filter(
        customers.created.isnull() | (customers.created <= ibis.date(day))
        | customers.customer_id.isin(invoiced)
    )


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.set_index("customer_id").sort_index()
    for col in COUNT_COLUMNS:
        frame[col] = frame[col].fillna(0).astype("int64")
    for col in AMOUNT_COLUMNS:
        frame[col] = frame[col].fillna(0.0)
    for col in ("first_invoice", "last_invoice", "created"):
        if col in frame.columns:
            frame[col] = pd.to_datetime(frame[col])
    return frame
