"""Settlement of invoices as of a date: allocated payments, unallocated cash and credit notes.

Every function takes Ibis tables with canonical columns and returns an Ibis expression; nothing
is executed here, so the same code runs on DuckDB, PySpark or a warehouse.

Settlement rules, applied as of a date (point in time):

1. Only invoices with ``invoice_date <= as_of`` and payments with ``payment_date <= as_of``
   count. Lines with ``amount > 0`` are invoices to settle; ``amount < 0`` are credit notes;
   zero-amount lines carry nothing and are ignored.
2. A payment whose ``invoice_id`` names a known invoice of the same customer reduces that
   invoice; the invoice is settled on the date cumulative allocated payments reach its amount.
   The part of a payment beyond the invoice's amount, and a payment naming an unknown invoice
   (not issued by ``as_of``, a credit note, or another customer's), is unallocated cash.
3. Unallocated cash and credit notes (from their ``invoice_date``) are credits applied
   oldest-first (``due_date``, then ``invoice_date``, then ``invoice_id``) to the amounts the
   customer's invoices still owe at ``as_of`` after allocated payments. An invoice's FIFO position
   ends at the cumulative remaining amount of itself and the older invoices; it is settled by
   the credit at which cumulative credits reach that end, on the latest of that credit's date,
   its last allocated payment and its own invoice date. Credit left over is ``unallocated_cash``.
4. With no payments table, an ``invoices.settled_date`` column decides: an invoice is settled
   on ``settled_date`` when it is on or before ``as_of``, else open in full; a credit note not
   settled by ``as_of`` is unapplied credit. When a payments table is given it wins and
   ``settled_date`` is ignored.
5. With neither, settlement is unknown: settlement columns and payment features are NULL,
   never zeros (see :func:`settlement_available`).

Amounts within half a cent (``0.005``) of settling count as settled, to absorb float sums.
Rules 2 and 3 (payments and credits) are in :mod:`segkit.features.allocation`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
from ibis import _

from segkit.exceptions import ConfigError, SchemaError
from segkit.features.allocation import settle_payments
from segkit.features.dates import dates_memtable, stamp

__all__ = [
    "settlement_available",
    "invoice_settlement",
    "ar_reconciliation",
    "settle",
    "typed_invoices",
]

_TYPES = {
    "invoice_id": "string",
    "customer_id": "string",
    "amount": "float64",
    "invoice_date": "date",
    "due_date": "date",
    "payment_date": "date",
    "settled_date": "date",
    "disputed": "boolean",
}
_INVOICE_COLUMNS = ("invoice_id", "customer_id", "invoice_date", "due_date", "amount")
_PAYMENT_COLUMNS = ("customer_id", "invoice_id", "payment_date", "amount")
_SETTLEMENT_COLUMNS = (
    "invoice_id", "customer_id", "invoice_date", "due_date", "amount", "paid_allocated",
    "paid_unallocated", "open_amount", "settled_date", "days_late", "days_past_due",
)  # fmt: skip
_TOTALS = {
    "invoiced": "float64",
    "credit_notes": "float64",
    "cash_received": "float64",
    "settled_allocated": "float64",
    "settled_by_credit": "float64",
    "open_balance": "float64",
    "credit_total": "float64",
    "last_payment_date": "date",
}


def settlement_available(invoices: ir.Table, payments: ir.Table | None = None) -> bool:
    """Tell whether the ledger says when invoices were paid.

    Parameters
    ----------
    invoices : ibis.Table
        Canonical invoices.
    payments : ibis.Table, optional
        Canonical payments.

    Returns
    -------
    bool
        True when a payments table is given or ``invoices`` has a ``settled_date`` column.
        When False, payment features are NULL and a report should say why.
    """
    return payments is not None or "settled_date" in invoices.columns


def invoice_settlement(
    invoices: ir.Table, payments: ir.Table | None = None, *, as_of: dt.date
) -> ir.Table:
    """Settle each invoice known at ``as_of`` against payments and credits.

    Shape: invoices (+ payments) -> one row per invoice with ``amount > 0`` and
    ``invoice_date <= as_of``. The rules are in the module docstring.

    Parameters
    ----------
    invoices : ibis.Table
        Canonical invoices (``invoice_id``, ``customer_id``, ``invoice_date``, ``due_date``,
        ``amount``; optional ``settled_date``).
    payments : ibis.Table, optional
        Canonical payments (``customer_id``, ``invoice_id``, ``payment_date``, ``amount``).
    as_of : datetime.date
        Observation date.

    Returns
    -------
    ibis.Table
        ``invoice_id``, ``customer_id``, ``invoice_date``, ``due_date``, ``amount``,
        ``paid_allocated`` (allocated payments applied), ``paid_unallocated`` (FIFO share of
        unallocated cash and credit notes), ``open_amount`` (>= 0), ``settled_date`` (NULL
        while open), ``days_late`` (settled_date - due_date, negative = early) and
        ``days_past_due`` (open only: as_of - due_date, negative = not yet due). With no
        settlement data the columns from ``paid_allocated`` on are NULL.
    """
    lines = settle(invoices, payments, dates_memtable([parse_as_of(as_of)]))[0]
    return lines.filter(_.amount > 0).select(*_SETTLEMENT_COLUMNS)


def ar_reconciliation(
    invoices: ir.Table,
    payments: ir.Table | None = None,
    *,
    as_of: dt.date,
    by_customer: bool = True,
) -> ir.Table:
    """Show that receivables reconcile as of a date.

    Two identities hold (up to float rounding): ``invoiced = open_balance + settled_allocated +
    settled_by_credit`` (``invoice_gap``) and ``cash_received + credit_notes =
    settled_allocated + settled_by_credit + unallocated_cash`` (``credit_gap``).

    Parameters
    ----------
    invoices, payments : ibis.Table
        Canonical invoices and (optional) payments.
    as_of : datetime.date
        Observation date.
    by_customer : bool, default True
        One row per customer with an invoice or payment by ``as_of``; False gives one total row.

    Returns
    -------
    ibis.Table
        ``customer_id`` (only when ``by_customer``), ``invoiced`` (positive invoices),
        ``credit_notes`` (as a positive amount), ``cash_received``, ``settled_allocated``,
        ``settled_by_credit``, ``open_balance``, ``unallocated_cash``, ``invoice_gap`` and
        ``credit_gap``. ``cash_received`` and ``credit_gap`` are NULL without payments; all but
        the first two amounts are NULL without settlement data.
    """
    lines, credits, receipts = settle(invoices, payments, dates_memtable([parse_as_of(as_of)]))
    totals = _totals(lines, credits, receipts, payments is not None)
    amounts = [c for c in _TOTALS if c not in ("credit_total", "last_payment_date")]
    if not by_customer:
        totals = totals.aggregate(
            **{c: totals[c].sum() for c in [*amounts, "credit_total"]},
        )
    out = totals.mutate(unallocated_cash=_.credit_total - _.settled_by_credit)
    out = out.mutate(
        invoice_gap=_.invoiced - _.open_balance - _.settled_allocated - _.settled_by_credit,
        credit_gap=_.cash_received
        + _.credit_notes
        - _.settled_allocated
        - _.settled_by_credit
        - _.unallocated_cash,
    )
    keys = ["customer_id"] if by_customer else []
    return out.select(*keys, *amounts, "unallocated_cash", "invoice_gap", "credit_gap")


# -- preparation ------------------------------------------------------------------------------


def parse_as_of(value) -> dt.date:
    """An as-of date from a date, a datetime or an ISO 8601 string (ConfigError otherwise)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"as_of must be a datetime.date or an ISO date string; got {value!r}.")


def typed_invoices(invoices: ir.Table) -> ir.Table:
    """Invoices with the canonical column types (SchemaError when a column is missing)."""
    return _typed(invoices, _INVOICE_COLUMNS, "invoices")


def _typed(table: ir.Table, required: Sequence[str], name: str) -> ir.Table:
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise SchemaError(
            f"{name} must have columns {list(required)}; missing {missing} "
            f"(got {list(table.columns)})."
        )
    casts = {c: table[c].cast(t) for c, t in _TYPES.items() if c in table.columns}
    return table.mutate(**casts)


# -- settlement -------------------------------------------------------------------------------


def settle(invoices, payments, dates: ir.Table):
    """Settle every line known at each as-of date; the rules are in the module docstring.

    Parameters
    ----------
    invoices, payments : ibis.Table
        Canonical invoices and (optional) payments.
    dates : ibis.Table
        The as-of dates (column ``as_of``, see :mod:`segkit.features.dates`); its other
        columns are carried to the lines.

    Returns
    -------
    (lines, credits, receipts)
        ``lines``: one row per as-of date and invoice line dated on or before it, with the
        settlement columns (``paid_allocated`` ... ``days_past_due``; NULL on lines with
        ``amount <= 0``); ``credits``: the customer's credits (``credit``) per date;
        ``receipts``: the cash received (``payment_date``, ``cash``; None without settlement
        data).
    """
    known = stamp(typed_invoices(invoices), "invoice_date", dates)
    sale = _.amount > 0
    if payments is not None:
        typed = _typed(payments, _PAYMENT_COLUMNS, "payments").select(*_PAYMENT_COLUMNS)
        paid = stamp(typed, "payment_date", dates.select("as_of"))
        settlement, credits = settle_payments(known.filter(sale), known.filter(_.amount < 0), paid)
        columns = [*[c for c in known.columns if c not in _APPLIED], *_APPLIED]
        rest = known.filter(~sale).mutate(**_unknown()).select(*columns)
        lines = ibis.union(settlement.select(*columns), rest)
        receipts = paid.select("as_of", "customer_id", "payment_date", cash=_.amount)
    elif "settled_date" in known.columns:
        lines, credits = _settle_dates(known)
        receipts = lines.filter(_.settled_date.notnull()).select(
            "as_of", "customer_id", payment_date=_.settled_date, cash=ibis.null("float64")
        )
    else:
        lines = known.mutate(**_unknown())
        credits = known.filter(_.amount < 0).select(
            "as_of", "customer_id", credit=ibis.null("float64")
        )
        receipts = None
    return _lateness(lines, dates, receipts is not None), credits, receipts


_APPLIED = ("paid_allocated", "paid_unallocated", "open_amount", "settled_date")


def _unknown() -> dict:
    nulls = {c: ibis.null("float64") for c in _APPLIED[:3]}
    return {**nulls, "settled_date": ibis.null("date")}


def _settle_dates(known):
    """Rule 4: each line is settled on its ``settled_date`` when that is on or before as_of."""
    sale = _.amount > 0
    done = _.settled_date.notnull() & (_.settled_date <= _.as_of)
    lines = known.mutate(
        paid_allocated=ibis.ifelse(sale, ibis.ifelse(done, _.amount, 0.0), None),
        paid_unallocated=ibis.ifelse(sale, 0.0, None),
        open_amount=ibis.ifelse(sale, ibis.ifelse(done, 0.0, _.amount), None),
        settled_date=ibis.ifelse(sale & done, _.settled_date, ibis.null("date")),
        credit=ibis.ifelse((_.amount < 0) & ~done, -_.amount, None),
    )
    notes = known.filter((_.amount < 0) & ~done)
    return lines, notes.select("as_of", "customer_id", credit=-_.amount)


def _lateness(lines, dates, available):
    extra = [c for c in ("disputed", "credit") if c in lines.columns]
    carried = [c for c in dates.columns if c != "as_of"]
    past_due = ibis.null("int64")
    if available:
        open_ = lines.settled_date.isnull() & (lines.amount > 0)
        past_due = ibis.ifelse(open_, lines.as_of.delta(lines.due_date, unit="day"), past_due)
    out = lines.mutate(
        days_late=_.settled_date.delta(_.due_date, unit="day"), days_past_due=past_due
    )
    return out.select("as_of", *_SETTLEMENT_COLUMNS, *extra, *carried)


def _totals(known, credits, receipts, cash_known):
    """Per-customer ledger totals, built as a union of parts then one aggregation."""
    lines = _part(
        known, invoiced=ibis.greatest(_.amount, 0.0), credit_notes=ibis.greatest(-_.amount, 0.0)
    )
    applied = _part(
        known.filter(_.amount > 0),
        settled_allocated=_.paid_allocated,
        settled_by_credit=_.paid_unallocated,
        open_balance=_.open_amount,
    )
    parts = [lines, applied, _part(credits, credit_total=_.credit)]
    if receipts is not None:
        parts.append(_part(receipts, cash_received=_.cash, last_payment_date=_.payment_date))
    sums = {c: _[c].sum() for c, t in _TOTALS.items() if t == "float64"}
    totals = (
        ibis.union(*parts)
        .group_by("customer_id")
        .aggregate(**sums, last_payment_date=_.last_payment_date.max())
    )
    if receipts is None:
        return totals
    fill = [c for c in sums if cash_known or c != "cash_received"]
    return totals.mutate(**{c: totals[c].fill_null(0.0) for c in fill})


def _part(table, **exprs):
    columns = {n: exprs.get(n, ibis.null(t)) for n, t in _TOTALS.items()}
    return table.select("customer_id", **columns)
