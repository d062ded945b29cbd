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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
from ibis import _

from segkit.exceptions import ConfigError, SchemaError

__all__ = ["settlement_available", "invoice_settlement", "ar_reconciliation"]

_TOL = 0.005
_KEYS = ["customer_id", "invoice_id"]
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
    as_of = parse_as_of(as_of)
    return settle(invoices, payments, as_of)[0].select(*_SETTLEMENT_COLUMNS)


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
    settlement, credits, receipts, known = settle(invoices, payments, parse_as_of(as_of))
    totals = _totals(known, settlement, credits, receipts, payments is not None)
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


def _typed(table: ir.Table, required: Sequence[str], name: str) -> ir.Table:
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise SchemaError(
            f"{name} must have columns {list(required)}; missing {missing} "
            f"(got {list(table.columns)})."
        )
    casts = {c: table[c].cast(t) for c, t in _TYPES.items() if c in table.columns}
    return table.mutate(**casts)


def left_join_on(left: ir.Table, right: ir.Table, keys: list[str]) -> ir.Table:
    """``left`` with ``right``'s other columns, joined on equal ``keys``.

    An explicit column list rather than ``drop()``: Ibis then compiles a table used twice as one
    shared CTE instead of repeating it.
    """
    joined = left.left_join(right, keys)
    return joined.select(*left.columns, *[c for c in right.columns if c not in keys])


# -- settlement -------------------------------------------------------------------------------


def settle(invoices, payments, as_of: dt.date):
    """Settle every invoice known at ``as_of``; the rules are in the module docstring.

    Returns (settlement per invoice, credits, receipts, known invoice lines).

    ``credits`` are the customer's credits (``credit``), ``receipts`` the cash received
    (``payment_date``, ``cash``; None without settlement data).
    """
    known = _typed(invoices, _INVOICE_COLUMNS, "invoices").filter(_.invoice_date <= as_of)
    positive = known.filter(_.amount > 0)
    notes = known.filter(_.amount < 0)
    if payments is not None:
        paid = _typed(payments, _PAYMENT_COLUMNS, "payments").filter(_.payment_date <= as_of)
        settlement, credits = _settle_payments(positive, notes, paid)
        receipts = paid.select("customer_id", "payment_date", cash=_.amount)
    elif "settled_date" in known.columns:
        settlement, credits = _settle_dates(positive, notes, as_of)
        receipts = settlement.filter(_.settled_date.notnull()).select(
            "customer_id", payment_date=_.settled_date, cash=ibis.null("float64")
        )
    else:
        unknown = ("paid_allocated", "paid_unallocated", "open_amount")
        settlement = positive.mutate(
            **{c: ibis.null("float64") for c in unknown}, settled_date=ibis.null("date")
        )
        credits = notes.select("customer_id", credit=ibis.null("float64"))
        receipts = None
    settlement = _lateness(settlement, as_of, receipts is not None)
    return settlement, credits, receipts, known


def _settle_dates(positive, notes, as_of):
    done = _.settled_date.notnull() & (_.settled_date <= as_of)
    settlement = positive.mutate(
        paid_allocated=ibis.ifelse(done, _.amount, 0.0),
        paid_unallocated=ibis.literal(0.0),
        open_amount=ibis.ifelse(done, 0.0, _.amount),
        settled_date=ibis.ifelse(done, _.settled_date, ibis.null("date")),
    )
    credits = notes.filter(~done).select("customer_id", credit=-_.amount)
    return settlement, credits


def _settle_payments(positive, notes, paid):
    alloc, excess = _allocate(positive, paid)
    cash = paid.filter(_.invoice_id.isnull())
    credits = ibis.union(
        cash.select("customer_id", credit_date=_.payment_date, credit=_.amount),
        excess,
        notes.select("customer_id", credit_date=_.invoice_date, credit=-_.amount),
    )
    credits = credits.group_by(["customer_id", "credit_date"]).aggregate(credit=_.credit.sum())
    inv = left_join_on(positive, alloc, _KEYS).mutate(
        paid_allocated=_.paid_allocated.fill_null(0.0), alloc_full=_.alloc_full.fill_null(False)
    )
    inv = inv.mutate(remaining=_.amount - _.paid_allocated)
    inv = left_join_on(inv, _fifo(inv, credits), _KEYS)
    covered = inv.alloc_full | inv.cover_date.notnull()
    start = inv.invoice_date
    when = ibis.greatest(
        start, ibis.coalesce(inv.alloc_date, start), ibis.coalesce(inv.cover_date, start)
    )
    fifo = ibis.ifelse(inv.alloc_full, 0.0, inv.fifo_paid.fill_null(0.0))
    fifo = ibis.ifelse(covered & ~inv.alloc_full, inv.remaining, fifo)
    settlement = inv.mutate(
        paid_unallocated=fifo,
        open_amount=ibis.ifelse(covered, 0.0, inv.remaining - fifo),
        settled_date=ibis.ifelse(covered, when, ibis.null("date")),
    )
    return settlement, credits.select("customer_id", "credit")


def _allocate(positive, paid):
    """Apply payments naming an invoice; return (per-invoice allocation, excess credits).

    Most invoices need no running total: when an invoice's payments fall on one day, or never
    reach its amount, the allocation follows from their sum and last date. Only invoices paid
    over several days that reach their amount (when, and with what excess, is a question of
    order) get the running total, over their own payments.
    """
    named = paid.filter(_.invoice_id.notnull())
    per_invoice = named.group_by(_KEYS).aggregate(
        total=_.amount.sum(), first=_.payment_date.min(), last=_.payment_date.max()
    )
    caps = positive.select(*_KEYS, cap=_.amount)
    per_invoice = left_join_on(per_invoice, caps, _KEYS).mutate(cap=_.cap.fill_null(0.0))
    simple = (_.first == _.last) | (_.total < _.cap - _TOL)
    quick = per_invoice.filter(simple).select(
        *_KEYS,
        "cap",
        payment_date=_.last,
        paid=_.total,
        excess=ibis.greatest(_.total - _.cap, 0.0),
        reached=_.total >= _.cap - _TOL,
    )
    ordered = _running(named.semi_join(per_invoice.filter(~simple), _KEYS), caps)
    columns = [*_KEYS, "cap", "payment_date", "paid", "excess", "reached"]
    rows = ibis.union(quick.select(*columns), ordered.select(*columns))
    # one row per invoice in ``quick``: its allocation needs no aggregation
    alloc = ibis.union(
        quick.filter(_.cap > 0).select(
            *_KEYS, alloc_full=_.reached, alloc_date=_.payment_date, total=_.paid, cap=_.cap
        ),
        ordered.filter(_.cap > 0)
        .group_by(_KEYS)
        .aggregate(
            alloc_full=_.reached.any(),
            alloc_date=ibis.coalesce(_.payment_date.min(where=_.reached), _.payment_date.max()),
            total=_.paid.sum(),
            cap=_.cap.max(),
        ),
    )
    alloc = alloc.mutate(paid_allocated=ibis.ifelse(_.alloc_full, _.cap, _.total)).drop(
        "total", "cap"
    )
    excess = rows.filter(_.excess > _TOL)
    return alloc, excess.select("customer_id", credit_date=_.payment_date, credit=_.excess)


def _running(payments, caps):
    """Per invoice and payment day: amount paid, running total, and the excess over the cap."""
    daily = payments.group_by([*_KEYS, "payment_date"]).aggregate(paid=_.amount.sum())
    # one row per day and invoice, so RANGE equals ROWS here; DuckDB runs RANGE faster
    window = ibis.window(group_by=_KEYS, order_by="payment_date", range=(None, 0))
    rows = left_join_on(daily, caps, _KEYS)
    rows = rows.mutate(cap=_.cap.fill_null(0.0), cum=_.paid.sum().over(window))
    return rows.mutate(
        excess=ibis.greatest(_.cum - _.cap, 0.0) - ibis.greatest(_.cum - _.paid - _.cap, 0.0),
        reached=_.cum >= _.cap - _TOL,
    )


def _fifo(inv, credits):
    """Apply credits oldest-first to what invoices still owe; return fifo_paid, cover_date."""
    order = ["due_date", "invoice_date", "invoice_id"]
    # view(): the caller joins ``inv`` too, so it stays one shared subquery (allocated once);
    # only customers with credits: elsewhere fifo_paid is 0 and cover_date NULL anyway
    owing = inv.view().filter(_.remaining > _TOL).semi_join(credits, "customer_id")
    owing = owing.mutate(
        end=_.remaining.sum().over(ibis.cumulative_window(group_by="customer_id", order_by=order))
    )
    running = ibis.cumulative_window(group_by="customer_id", order_by="credit_date")
    cum = credits.mutate(end=_.credit.sum().over(running))
    # One stream ordered by cumulative amount: an invoice's cover date is the earliest credit
    # whose running total reaches the end of its position (credits come later in the order).
    stream = ibis.union(
        owing.select(*_KEYS, key=_.end - _TOL, kind=ibis.literal(0), credit_date=ibis.null("date")),
        cum.select("customer_id", invoice_id=ibis.null("string"), key=_.end, kind=ibis.literal(1),
                   credit_date=_.credit_date),
    )  # fmt: skip
    ahead = ibis.window(group_by="customer_id", order_by=["key", "kind"], rows=(0, None))
    cover = stream.mutate(cover_date=_.credit_date.min().over(ahead)).filter(_.kind == 0)
    totals = credits.group_by("customer_id").aggregate(total_credit=_.credit.sum())
    owing = left_join_on(owing, totals, ["customer_id"])
    share = ibis.greatest(_.total_credit.fill_null(0.0) - (_.end - _.remaining), 0.0)
    owing = owing.select(*_KEYS, fifo_paid=ibis.least(share, _.remaining))
    return left_join_on(owing, cover.select(*_KEYS, "cover_date"), _KEYS)


def _lateness(settlement, as_of, available):
    extra = ["disputed"] if "disputed" in settlement.columns else []
    past_due = ibis.null("int64")
    if available:
        open_ = _.settled_date.isnull()
        past_due = ibis.ifelse(
            open_, ibis.date(as_of).delta(settlement.due_date, unit="day"), past_due
        )
    out = settlement.mutate(
        days_late=_.settled_date.delta(_.due_date, unit="day"), days_past_due=past_due
    )
    return out.select(*_SETTLEMENT_COLUMNS, *extra)


def _totals(known, settlement, credits, receipts, cash_known):
    """Per-customer ledger totals, built as a union of parts then one aggregation."""
    lines = _part(
        known, invoiced=ibis.greatest(_.amount, 0.0), credit_notes=ibis.greatest(-_.amount, 0.0)
    )
    applied = _part(
        settlement,
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
