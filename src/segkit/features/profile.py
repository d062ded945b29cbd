"""The customer profile at many as-of dates as one Ibis expression.

Shape: the ledger and a dates table -> one row per (``as_of``, ``customer_id``) of the customers
known at that date, with activity, payment behaviour and aging.

One pass where one pass will do. The settled lines of :func:`~segkit.features.settlement.settle`
(every invoice line repeated for each as-of date on or after it) feed a single aggregation that
computes activity and payment behaviour together. With ``invoices.settled_date`` and no payments
table, that aggregation is the whole computation: settlement is a per-line comparison of dates,
unapplied credit notes and the last settlement date are in the same pass. With a payments
table, unallocated credits and the last receipt are two small extra aggregations. Active months
are counted in the same aggregation, as bit masks of the months with a sale
(:func:`~segkit.features.activity.month_masks`); no DISTINCT and no second pass are needed.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from ibis import _

from segkit.features.activity import (
    ACTIVITY_COLUMNS,
    EXACT,
    MonthSpan,
    activity_aggregates,
    derive_activity,
    exact_sum,
    month_span,
    with_line_money,
)
from segkit.features.allocation import CUSTOMER, left_join_on
from segkit.features.dates import stamp
from segkit.features.settlement import settle, settlement_available, typed_invoices

__all__ = ["EXPOSURE", "profile", "line_features", "payment_columns"]

_BEHAVIOUR = (
    "dso_days", "avg_days_late", "share_paid_late", "max_days_past_due", "days_since_last_payment",
    "unallocated_cash", "credit_limit", "credit_utilisation", "disputed_share",
    "overdue_undisputed",
)  # fmt: skip


#: The money columns of settled lines, cast once per row before the sums (``with_line_money``).
_MONEY = ("amount", "open_amount", "paid_unallocated", "credit")

#: Worst days past due of the invoices open at as_of (0 when none is overdue): for credit labels.
EXPOSURE = ("open_days_past_due",)


def payment_columns(buckets) -> list[str]:
    """Names of the payment features, in order, for the given aging buckets."""
    return ["open_balance", "overdue_balance", *[b[0] for b in buckets], *_BEHAVIOUR, "n_settled"]


def profile(
    invoices, payments, customers, dates, buckets, window: int, money: str, span: MonthSpan
) -> ir.Table:
    """Customers known at each date with activity and payment features (one expression).

    ``customers`` keeps its columns; a customer is known at ``as_of`` when ``created`` is
    missing or on or before it, or when it has a line or a payment dated on or before it. Missing
    counts, amounts and balances stay NULL here; the caller fills them.
    """
    features = line_features(invoices, payments, customers, dates, buckets, window, money, span)
    base = customers.cross_join(dates.select("as_of"))
    shared = [c for c in features.columns if c in customers.columns and c not in CUSTOMER]
    out = left_join_on(
        base, features.select(*[c for c in features.columns if c not in shared]), CUSTOMER
    )
    if "created" in customers.columns:
        known = out.created.isnull() | (out.created <= out.as_of) | out.n_lines.notnull()
        out = out.filter(known)
    keep = [*customers.columns, *ACTIVITY_COLUMNS, *payment_columns(buckets), *EXPOSURE]
    keep = [c for c in dict.fromkeys(keep) if c not in ("as_of",)]
    return out.select("as_of", *keep)


def line_features(
    invoices,
    payments,
    customers,
    dates,
    buckets,
    window: int,
    money: str = EXACT,
    span: MonthSpan | None = None,
) -> ir.Table:
    """Activity and payment features of the customers with a line at each date.

    Without a payments table the settled lines are the invoice lines themselves, and one
    aggregation computes everything. With one, activity is summed over the invoice lines and
    behaviour over the settled invoices: the settled rows come out of joins in an order that
    varies from run to run, and sums of amounts in a varying order differ in the last bits,
    enough to turn a rounded revenue in a report; invoice lines keep their order.

    ``money`` is the exact type each line's amounts are cast to once before they are summed
    (:data:`~segkit.features.activity.LINE_EXACT` when the ledger's amounts fit it); ``span``
    the ledger's invoice months, for the month masks (queried when not given).
    """
    span = span if span is not None else month_span(invoices)
    lines, credits, receipts = settle(invoices, payments, dates)
    lines = with_line_money(lines, _MONEY, money)
    available = settlement_available(invoices, payments)
    if payments is None:
        aggregates = {"n_lines": _.count(), **activity_aggregates(lines, span)}
        if available:
            aggregates |= _behaviour(lines, buckets, fused=True)
        agg = lines.group_by(CUSTOMER).aggregate(**aggregates)
    else:
        known = with_line_money(
            stamp(typed_invoices(invoices), "invoice_date", dates), _MONEY, money
        )
        aggregates = {"n_lines": _.count(), **activity_aggregates(known, span)}
        agg = known.group_by(CUSTOMER).aggregate(**aggregates)
        settled = lines.filter(_.amount > 0)
        behaviour = settled.group_by(CUSTOMER).aggregate(**_behaviour(settled, buckets, False))
        credits = with_line_money(credits, _MONEY, money)
        credit = credits.group_by(CUSTOMER).aggregate(credit_total=exact_sum(credits.credit))
        last = receipts.group_by(CUSTOMER).aggregate(last_payment_date=_.payment_date.max())
        agg = _with_payers(agg, last)
        for part in (behaviour, credit):
            agg = left_join_on(agg, part, CUSTOMER)
    agg = _with_credit_limit(agg, customers)
    return _derive(agg, buckets, window, available, span)


def _with_payers(agg, last):
    """``agg`` with the last payment date, plus the customers who paid but have no line yet.

    A customer may pay before its first invoice (a deposit, or cash naming an invoice not yet
    issued): its cash is unallocated and must reach ``unallocated_cash``, so the rows are the
    customers with a line *or* a payment by ``as_of``. Such a customer gets ``n_lines = 0``
    (known at ``as_of``) and NULL activity sums, which the caller fills.
    """
    nulls = {c: ibis.null(t) for c, t in agg.schema().items() if c not in CUSTOMER}
    payers = last.anti_join(agg, CUSTOMER).select(*CUSTOMER, **nulls)
    rows = ibis.union(agg, payers.mutate(n_lines=ibis.literal(0, agg.n_lines.type())))
    return left_join_on(rows, last, CUSTOMER)


def _behaviour(lines, buckets, fused: bool) -> dict:
    """Balances, aging and lateness; with ``fused`` also credits and the last settlement."""
    dpd, open_ = lines.days_past_due, lines.open_amount
    settled = lines.settled_date.notnull()
    aging = {}
    for name, low, high in buckets:
        inside = ibis.literal(True)
        inside = inside & (dpd > low) if low is not None else inside
        inside = inside & (dpd <= high) if high is not None else inside
        aging[name] = exact_sum(open_, where=inside)
    sale = lines.amount > 0
    out = {
        "open_sum": exact_sum(open_),
        "overdue_balance": exact_sum(open_, where=dpd > 0),
        **aging,
        "sales": exact_sum(lines.amount, where=sale & (lines.invoice_date > lines.dso_start)),
        "late_amount": exact_sum(
            lines.amount * ibis.greatest(lines.days_late, 0), where=settled
        ),
        "settled_amount": exact_sum(lines.amount, where=settled),
        "n_late": lines.count(where=lines.days_late > 0),
        "max_days_past_due": ibis.ifelse(
            sale, ibis.greatest(ibis.coalesce(dpd, lines.days_late), 0), None
        ).max(),
        "disputed_open": _disputed_open(lines),
        "overdue_undisputed": _overdue_undisputed(lines),
        "settled_by_credit": exact_sum(lines.paid_unallocated),
        "n_settled": lines.count(where=settled),
        "open_days_past_due": ibis.ifelse(sale, ibis.greatest(dpd.fill_null(0), 0), None).max(),
    }  # fmt: skip
    if fused:  # settled dates: the credits and the last settlement are on the lines
        out["credit_total"] = exact_sum(lines.credit)
        out["last_payment_date"] = lines.settled_date.max()
    return out


def _disputed_open(lines):
    if "disputed" not in lines.columns:
        return ibis.null("float64")
    return exact_sum(lines.open_amount, where=lines.disputed.fill_null(False))


def _overdue_undisputed(lines):
    """Open and past due on invoices not in dispute; NULL when the ledger has no dispute flag."""
    if "disputed" not in lines.columns:
        return ibis.null("float64")
    undisputed = ~lines.disputed.fill_null(False)
    return exact_sum(lines.open_amount, where=(lines.days_past_due > 0) & undisputed)


def _with_credit_limit(agg, customers):
    if customers is not None and "credit_limit" in customers.columns:
        limits = customers.select(
            customer_id=_.customer_id.cast("string"), credit_limit=_.credit_limit.cast("float64")
        )
        return left_join_on(agg, limits, ["customer_id"])
    return agg.mutate(credit_limit=ibis.null("float64"))


def _derive(agg, buckets, window: int, available: bool, span: MonthSpan) -> ir.Table:
    """Ratios and dates from the sums, with the columns and types of the public features."""
    out = derive_activity(agg, span)
    names = [b[0] for b in buckets]
    if not available:
        nulls = [c for c in payment_columns(buckets) if c != "credit_limit"]
        nulls.append("open_days_past_due")
        out = out.mutate(**{c: ibis.null("float64") for c in nulls})
    else:
        out = _derive_behaviour(out, names, window)
    floats = [c for c in payment_columns(buckets) if c != "n_settled"] + ["open_days_past_due"]
    return out.select(
        "as_of", "customer_id", "n_lines", *ACTIVITY_COLUMNS,
        **{c: out[c].cast("float64") for c in floats}, n_settled=out.n_settled,
    )  # fmt: skip


def _derive_behaviour(out, names, window: int):
    counts = ["overdue_balance", *names, "n_settled", "settled_by_credit"]
    out = out.mutate(
        open_balance=out.open_sum.fill_null(0.0),
        dso_days=out.open_sum / out.sales.nullif(0.0) * window,
        avg_days_late=out.late_amount / out.settled_amount.nullif(0.0),
        share_paid_late=out.n_late / out.n_settled.nullif(0),
        disputed_share=out.disputed_open / out.open_sum.fill_null(0.0).nullif(0.0),
        **{c: out[c].fill_null(0) for c in counts},
    )
    return out.mutate(
        unallocated_cash=out.credit_total.fill_null(0.0) - out.settled_by_credit,
        days_since_last_payment=out.as_of.delta(out.last_payment_date, unit="day"),
        credit_utilisation=ibis.ifelse(
            out.credit_limit > 0, out.open_balance / out.credit_limit, ibis.null("float64")
        ),
    )
