"""Payment behaviour and receivables aging per customer, computed in the engine with Ibis.

Every function takes Ibis tables with canonical columns and returns an Ibis expression; nothing
is executed here, so the same code runs on DuckDB, PySpark or a warehouse, and only the caller
decides when the (small) per-customer result leaves the engine. Invoices are first settled by
the rules of :mod:`segkit.features.settlement` (re-exported here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from numbers import Integral

import ibis.expr.types as ir

from segkit.exceptions import ConfigError
from segkit.features.dates import dates_memtable
from segkit.features.profile import line_features, payment_columns
from segkit.features.settlement import (
    ar_reconciliation,
    invoice_settlement,
    parse_as_of,
    settlement_available,
)

__all__ = [
    "DEFAULT_AGING_EDGES",
    "aging_buckets",
    "settlement_available",
    "invoice_settlement",
    "payment_features",
    "ar_reconciliation",
]

DEFAULT_AGING_EDGES = (0, 30, 60, 90)


def aging_buckets(
    edges: Sequence[int] = DEFAULT_AGING_EDGES,
) -> list[tuple[str, int | None, int | None]]:
    """Name the AR aging buckets defined by day edges counted from the due date.

    Parameters
    ----------
    edges : sequence of int, default (0, 30, 60, 90)
        Strictly increasing non-negative integers starting at 0.

    Returns
    -------
    list of (name, low, high)
        A bucket holds days past due ``d`` with ``low < d <= high``; ``None`` is unbounded.
        ``(0, 30, 60, 90)`` gives ``aging_current`` (d <= 0, not yet due), ``aging_1_30``,
        ``aging_31_60``, ``aging_61_90`` and ``aging_90_plus`` (d > 90).

    Raises
    ------
    ConfigError
        If ``edges`` is empty, does not start at 0, or is not strictly increasing integers.

    Notes
    -----
    Days are counted from the due date, the usual AR aging convention. The default last edge,
    90 days, matches the past-due threshold of the default definition in Basel Committee on
    Banking Supervision, *International Convergence of Capital Measurement and Capital
    Standards* (Basel II, comprehensive version, June 2006), paragraph 452.
    """
    values = list(edges) if isinstance(edges, Sequence) and not isinstance(edges, str) else []
    valid = (
        bool(values)
        and all(isinstance(e, Integral) and not isinstance(e, bool) for e in values)
        and values[0] == 0
        and all(a < b for a, b in zip(values, values[1:], strict=False))
    )
    if not valid:
        raise ConfigError(
            "aging_edges must be strictly increasing non-negative integers starting at 0, "
            f"e.g. (0, 30, 60, 90); got {edges!r}."
        )
    values = [int(e) for e in values]
    buckets = [("aging_current", None, 0)]
    buckets += [
        (f"aging_{lo + 1}_{hi}", lo, hi) for lo, hi in zip(values, values[1:], strict=False)
    ]
    return [*buckets, (f"aging_{values[-1]}_plus", values[-1], None)]


def payment_features(
    invoices: ir.Table,
    payments: ir.Table | None = None,
    customers: ir.Table | None = None,
    *,
    as_of: dt.date,
    aging_edges: Sequence[int] = DEFAULT_AGING_EDGES,
    dso_window_days: int = 365,
) -> ir.Table:
    """Payment behaviour and AR aging per customer as of a date.

    Shape: invoices (+ payments, customers) -> one row per customer with an invoice, credit
    note or payment dated on or before ``as_of`` (cash from a customer not yet invoiced is its
    ``unallocated_cash``).

    Parameters
    ----------
    invoices, payments : ibis.Table
        Canonical invoices and (optional) payments; see :func:`invoice_settlement`.
    customers : ibis.Table, optional
        Canonical customers; its ``credit_limit`` feeds ``credit_utilisation``.
    as_of : datetime.date
        Observation date.
    aging_edges : sequence of int, default (0, 30, 60, 90)
        Aging bucket edges in days past due, see :func:`aging_buckets`.
    dso_window_days : int, default 365
        Length of the credit-sales window ending at ``as_of`` (inclusive) used by DSO.

    Returns
    -------
    ibis.Table
        ``customer_id``, ``open_balance`` (sum of open_amount), ``overdue_balance`` (open with
        days_past_due > 0), one aging column per bucket (open amount), ``dso_days`` (open_balance
        / credit sales in the window x window days; the Credit Research Foundation's standard
        "AR / credit sales x days" DSO; NULL without sales), ``avg_days_late`` (amount-weighted
        mean of days_late clipped at 0, over invoices settled by as_of), ``share_paid_late``
        (settled with days_late > 0 / settled), ``max_days_past_due`` (worst of days_past_due of
        open and days_late of settled invoices, clipped at 0), ``days_since_last_payment``,
        ``unallocated_cash``, ``credit_limit``, ``credit_utilisation`` (open_balance /
        credit_limit when the limit is > 0), ``disputed_share`` (share of the open balance on
        disputed invoices; NULL without a ``disputed`` column) and ``n_settled`` (int64). All
        but ``customer_id`` and ``n_settled`` are float64. Without settlement data every
        feature except ``credit_limit`` is NULL (``n_settled`` then float64 too).

    Raises
    ------
    ConfigError
        If ``aging_edges``, ``dso_window_days`` or ``as_of`` is invalid.

    References
    ----------
    Credit Research Foundation, *National Summary of Domestic Trade Receivables* (quarterly
    survey): DSO = ending total receivables / credit sales of the period x days in the period.
    CRF measures a quarter (91 days); the default window here is a year.
    """
    buckets = aging_buckets(aging_edges)
    window = _check_window(dso_window_days)
    dates = dates_memtable([parse_as_of(as_of)], window)
    features = line_features(invoices, payments, customers, dates, buckets, window)
    return features.select("customer_id", *payment_columns(buckets))


# -- features ---------------------------------------------------------------------------------


def _check_window(days) -> int:
    if isinstance(days, bool) or not isinstance(days, Integral) or days < 1:
        raise ConfigError(f"dso_window_days must be an int >= 1; got {days!r}.")
    return int(days)
