"""Customer features as of a date: one row per customer, computed in the engine.

Activity and payment behaviour are Ibis expressions executed together in one query, where the
ledger lives; what leaves the engine is one row per customer, to which firmographics (industry,
statutory size, region, scale, group) are added in pandas.
"""

from __future__ import annotations

import dataclasses
from numbers import Integral

import ibis
import pandas as pd

from segkit.checks import as_date
from segkit.exceptions import ConfigError
from segkit.features.activity import activity_features
from segkit.features.firmographics import firmographics, group_ids, group_rollup
from segkit.features.payments import (
    DEFAULT_AGING_EDGES,
    aging_buckets,
    ar_reconciliation,
    invoice_settlement,
    payment_features,
    settlement_available,
)

__all__ = [
    "customer_features",
    "activity_features",
    "payment_features",
    "invoice_settlement",
    "ar_reconciliation",
    "aging_buckets",
    "settlement_available",
    "firmographics",
    "group_ids",
    "group_rollup",
    "DEFAULT_AGING_EDGES",
]

_ = ibis._

COUNT_COLUMNS = ("n_invoices", "invoices_12m", "active_months", "active_months_12m")
AMOUNT_COLUMNS = ("net_amount", "revenue_12m", "revenue_prev_12m")
BALANCE_COLUMNS = ("open_balance", "overdue_balance", "unallocated_cash")
NO_SETTLEMENT = (
    "no payments table and no settled_date column: payment behaviour and aging "
    "are missing (not zero)"
)


def customer_features(
    ledger,
    as_of,
    *,
    aging_edges=DEFAULT_AGING_EDGES,
    dso_window_days: int = 365,
    cny_per_eur: float = 7.8,
    scale_edges: tuple[float, ...] = (1e6, 1e7, 1e8),
    scale_labels: tuple[str, ...] = ("<1m", "1m-10m", "10m-100m", ">=100m"),
    firmographic: bool = True,
    batches: int = 1,
) -> pd.DataFrame:
    """Build the customer profile as of a date.

    Parameters
    ----------
    ledger : segkit.Ledger
        The validated ledger.
    as_of : str or date
        Observation date (ISO 8601 string or date). Only invoices and payments dated on or
        before it count; a settlement after it leaves the invoice open at ``as_of``.
    aging_edges : sequence of int
        Aging bucket edges in days past due (default current, 1-30, 31-60, 61-90, over 90).
    dso_window_days : int
        Credit-sales window of DSO (open balance / credit sales in the window x days).
    cny_per_eur, scale_edges, scale_labels, firmographic
        See :func:`segkit.features.firmographics.firmographics`; ``firmographic=False`` skips it.
    batches : int, default 1
        Split the customers into this many groups by a hash of ``customer_id`` and run one query
        per group. Every feature depends on one customer's lines only, so the result is the
        same; each query holds about ``1/batches`` of the ledger in the engine's joins, windows
        and aggregations. Use it when a ledger outgrows the engine's memory (the README's scale
        section measures 100 million invoices in 8 batches); it costs one scan of the tables
        per batch.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (sorted), one row per customer known at ``as_of``: customers whose
        ``created`` date is on or before it (or unknown), and every customer invoiced by then.
        Columns: the customer master data; activity (:func:`activity_features`); payment
        behaviour and aging (:func:`payment_features`); firmographics. Customers without invoices
        have zero counts, amounts and balances and missing recency and lateness. The notes of
        the computation (e.g. missing settlement data) are in ``frame.attrs["notes"]``.
    """
    day = as_date(as_of)
    if isinstance(batches, bool) or not isinstance(batches, Integral) or batches < 1:
        raise ConfigError(f"batches must be an int >= 1; got {batches!r}.")
    parts = [
        _features_query(
            _batch(ledger, k, int(batches)), day, aging_edges, dso_window_days
        ).execute()
        for k in range(int(batches))
    ]
    settled = settlement_available(ledger.invoices, ledger.payments)
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    parts.clear()  # free the batches before the sorted copy
    frame = _finish(frame, aging_edges, settled)
    if firmographic:
        frame = frame.join(firmographics(frame, cny_per_eur, scale_edges, scale_labels))
    frame.attrs = {"as_of": day.isoformat(), "notes": [] if settled else [NO_SETTLEMENT]}
    return frame


def _features_query(ledger, day, aging_edges, dso_window_days) -> ibis.Table:
    """One Ibis expression: the customers known at ``day`` with activity and payment features."""
    table = _base(ledger, day)
    table = _join(table, activity_features(ledger.invoices, day))
    pay = payment_features(
        ledger.invoices,
        ledger.payments,
        ledger.customers,
        as_of=day,
        aging_edges=aging_edges,
        dso_window_days=dso_window_days,
    )
    return _join(table, pay)


def _batch(ledger, k: int, n: int):
    """The ledger restricted to the customers whose hashed id falls in group ``k`` of ``n``."""
    if n == 1:
        return ledger

    def keep(table):
        if table is None:
            return None
        remainder = table.customer_id.hash() % n  # the hash may be negative
        return table.filter((remainder + n) % n == k)

    return dataclasses.replace(
        ledger,
        invoices=keep(ledger.invoices),
        customers=keep(ledger.customers),
        payments=keep(ledger.payments),
    )


def _join(left: ibis.Table, right: ibis.Table) -> ibis.Table:
    right = right.drop(c for c in right.columns if c in left.columns and c != "customer_id")
    joined = left.left_join(right, "customer_id")
    return joined.drop(c for c in joined.columns if c.endswith("_right"))


def _base(ledger, day) -> ibis.Table:
    customers = ledger.customers
    if "created" not in customers.columns:
        return customers
    invoiced = ledger.invoices.filter(_.invoice_date <= ibis.date(day)).customer_id
    return customers.filter(
        customers.created.isnull()
        | (customers.created <= ibis.date(day))
        | customers.customer_id.isin(invoiced)
    )


def _finish(frame: pd.DataFrame, aging_edges, settled: bool) -> pd.DataFrame:
    frame = frame.set_index("customer_id").sort_index()
    for col in COUNT_COLUMNS:
        frame[col] = frame[col].fillna(0).astype("int64")
    for col in AMOUNT_COLUMNS:
        frame[col] = frame[col].fillna(0.0)
    if settled:
        buckets = [name for name, _low, _high in aging_buckets(aging_edges)]
        for col in (*BALANCE_COLUMNS, *buckets):
            frame[col] = frame[col].fillna(0.0)
        frame["n_settled"] = frame["n_settled"].fillna(0).astype("int64")
    for col in ("first_invoice", "last_invoice", "created"):
        if col in frame.columns:
            frame[col] = pd.to_datetime(frame[col])
    return frame
