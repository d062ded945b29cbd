"""Payments applied to invoices: allocation by running totals, then credits oldest-first.

Rules 2 and 3 of :mod:`segkit.features.settlement`, as Ibis expressions: a payment naming an
invoice reduces it until the running total of its payments reaches the invoice's amount; the
excess, payments naming no known invoice, and credit notes are credits applied oldest-first
(FIFO) to what the customer's invoices still owe.

Every table carries an ``as_of`` column (lines repeated per as-of date, see
:mod:`segkit.features.dates`), and every grouping, join and window includes it, so the same
expression settles the ledger at any number of dates.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from ibis import _

__all__ = ["TOL", "KEYS", "CUSTOMER", "left_join_on", "settle_payments"]

#: Amounts within half a cent of settling count as settled, to absorb float sums.
TOL = 0.005
KEYS = ["as_of", "customer_id", "invoice_id"]
CUSTOMER = ["as_of", "customer_id"]


def left_join_on(left: ir.Table, right: ir.Table, keys: list[str]) -> ir.Table:
    """``left`` with ``right``'s other columns, joined on equal ``keys``.

    An explicit column list rather than ``drop()``: Ibis then compiles a table used twice as one
    shared CTE instead of repeating it.
    """
    joined = left.left_join(right, keys)
    return joined.select(*left.columns, *[c for c in right.columns if c not in keys])


def settle_payments(positive, notes, paid):
    """Settle invoices (``amount > 0``) against payments and credits.

    Returns (settlement per invoice with ``paid_allocated``, ``paid_unallocated``,
    ``open_amount`` and ``settled_date``; credits per customer and date, column ``credit``).
    """
    alloc, excess = _allocate(positive, paid)
    cash = paid.filter(_.invoice_id.isnull())
    credits = ibis.union(
        cash.select(*CUSTOMER, credit_date=_.payment_date, credit=_.amount),
        excess,
        notes.select(*CUSTOMER, credit_date=_.invoice_date, credit=-_.amount),
    )
    credits = credits.group_by([*CUSTOMER, "credit_date"]).aggregate(credit=_.credit.sum())
    inv = left_join_on(positive, alloc, KEYS).mutate(
        paid_allocated=_.paid_allocated.fill_null(0.0), alloc_full=_.alloc_full.fill_null(False)
    )
    inv = inv.mutate(remaining=_.amount - _.paid_allocated)
    inv = left_join_on(inv, _fifo(inv, credits), KEYS)
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
    return settlement, credits.select(*CUSTOMER, "credit")


def _allocate(positive, paid):
    """Apply payments naming an invoice; return (per-invoice allocation, excess credits).

    Most invoices need no running total: when an invoice's payments fall on one day, or never
    reach its amount, the allocation follows from their sum and last date. Only invoices paid
    over several days that reach their amount (when, and with what excess, is a question of
    order) get the running total, over their own payments.
    """
    named = paid.filter(_.invoice_id.notnull())
    per_invoice = named.group_by(KEYS).aggregate(
        total=_.amount.sum(), first=_.payment_date.min(), last=_.payment_date.max()
    )
    caps = positive.select(*KEYS, cap=_.amount)
    per_invoice = left_join_on(per_invoice, caps, KEYS).mutate(cap=_.cap.fill_null(0.0))
    simple = (_.first == _.last) | (_.total < _.cap - TOL)
    quick = per_invoice.filter(simple).select(
        *KEYS,
        "cap",
        payment_date=_.last,
        paid=_.total,
        excess=ibis.greatest(_.total - _.cap, 0.0),
        reached=_.total >= _.cap - TOL,
    )
    ordered = _running(named.semi_join(per_invoice.filter(~simple), KEYS), caps)
    columns = [*KEYS, "cap", "payment_date", "paid", "excess", "reached"]
    rows = ibis.union(quick.select(*columns), ordered.select(*columns))
    # one row per invoice in ``quick``: its allocation needs no aggregation
    alloc = ibis.union(
        quick.filter(_.cap > 0).select(
            *KEYS, alloc_full=_.reached, alloc_date=_.payment_date, total=_.paid, cap=_.cap
        ),
        ordered.filter(_.cap > 0)
        .group_by(KEYS)
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
    excess = rows.filter(_.excess > TOL)
    return alloc, excess.select(*CUSTOMER, credit_date=_.payment_date, credit=_.excess)


def _running(payments, caps):
    """Per invoice and payment day: amount paid, running total, and the excess over the cap."""
    daily = payments.group_by([*KEYS, "payment_date"]).aggregate(paid=_.amount.sum())
    # one row per day and invoice, so RANGE equals ROWS here; DuckDB runs RANGE faster
    window = ibis.window(group_by=KEYS, order_by="payment_date", range=(None, 0))
    rows = left_join_on(daily, caps, KEYS)
    rows = rows.mutate(cap=_.cap.fill_null(0.0), cum=_.paid.sum().over(window))
    return rows.mutate(
        excess=ibis.greatest(_.cum - _.cap, 0.0) - ibis.greatest(_.cum - _.paid - _.cap, 0.0),
        reached=_.cum >= _.cap - TOL,
    )


def _fifo(inv, credits):
    """Apply credits oldest-first to what invoices still owe; return fifo_paid, cover_date."""
    order = ["due_date", "invoice_date", "invoice_id"]
    # view(): the caller joins ``inv`` too, so it stays one shared subquery (allocated once);
    # only customers with credits: elsewhere fifo_paid is 0 and cover_date NULL anyway
    owing = inv.view().filter(_.remaining > TOL).semi_join(credits, CUSTOMER)
    owing = owing.mutate(
        end=_.remaining.sum().over(ibis.cumulative_window(group_by=CUSTOMER, order_by=order))
    )
    running = ibis.cumulative_window(group_by=CUSTOMER, order_by="credit_date")
    cum = credits.mutate(end=_.credit.sum().over(running))
    # One stream ordered by cumulative amount: an invoice's cover date is the earliest credit
    # whose running total reaches the end of its position (credits come later in the order).
    stream = ibis.union(
        owing.select(*KEYS, key=_.end - TOL, kind=ibis.literal(0), credit_date=ibis.null("date")),
        cum.select(*CUSTOMER, invoice_id=ibis.null("string"), key=_.end, kind=ibis.literal(1),
                   credit_date=_.credit_date),
    )  # fmt: skip
    ahead = ibis.window(group_by=CUSTOMER, order_by=["key", "kind"], rows=(0, None))
    cover = stream.mutate(cover_date=_.credit_date.min().over(ahead)).filter(_.kind == 0)
    totals = credits.group_by(CUSTOMER).aggregate(total_credit=_.credit.sum())
    owing = left_join_on(owing, totals, CUSTOMER)
    share = ibis.greatest(_.total_credit.fill_null(0.0) - (_.end - _.remaining), 0.0)
    owing = owing.select(*KEYS, fifo_paid=ibis.least(share, _.remaining))
    return left_join_on(owing, cover.select(*KEYS, "cover_date"), KEYS)
