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
import functools
import operator
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis import _

from segkit.checks import as_date
from segkit.features.allocation import CUSTOMER
from segkit.features.dates import dates_memtable, stamp, window_start

__all__ = [
    "ACTIVITY_COLUMNS", "EXACT", "LINE_EXACT", "MonthSpan", "activity_features", "exact_sum",
    "month_span", "with_line_money", "window_start",
]  # fmt: skip

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
    span = month_span(invoices)
    agg = lines.group_by(CUSTOMER).aggregate(**activity_aggregates(lines, span))
    return derive_activity(agg, span).select("customer_id", *ACTIVITY_COLUMNS)


def activity_aggregates(lines: ir.Table, span: MonthSpan) -> dict:
    """Sums and extremes of the lines per (as_of, customer); ``derive_activity`` finishes them."""
    sale = lines.amount > 0
    recent = lines.invoice_date > lines.cut12
    prior = (lines.invoice_date > lines.cut24) & ~recent
    sale_date = ibis.ifelse(sale, lines.invoice_date, None)
    return {
        **month_masks(lines, span, sale, recent),
        "first_invoice": sale_date.min(),
        "last_invoice": sale_date.max(),
        "n_invoices": lines.count(where=sale),
        "invoices_12m": lines.count(where=sale & recent),
        "net_amount": exact_sum(lines.amount),
        "revenue_12m": exact_sum(lines.amount, where=recent),
        "revenue_prev_12m": exact_sum(lines.amount, where=prior),
        "gross": exact_sum(lines.amount, where=sale),
        "credits": exact_sum(-lines.amount, where=~sale),
    }


#: Amounts are summed as exact decimals (to a millionth of the currency unit): a parallel engine
#: adds floats in any order, and the last bits of a sum would change a rounded figure in a
#: report from one run to the next.
EXACT = "decimal(38, 6)"

#: The type of one line's amount when every amount of the ledger is below 10**12 in absolute
#: value (:func:`segkit.features.ledger_shape`): DuckDB sums ``decimal(18, 6)`` values as 64-bit integers and
#: widens only the total, several times faster than summing ``decimal(38, 6)`` values.
LINE_EXACT = "decimal(18, 6)"
LINE_EXACT_LIMIT = 1e12


def exact_sum(amounts: ir.NumericValue, where: ir.BooleanValue | None = None) -> ir.FloatingScalar:
    """The sum of money amounts, the same in every run of a parallel engine (float64).

    Amounts already cast to a decimal type (:func:`with_line_money`) are summed as they are;
    others are cast to :data:`EXACT` first. With ``where``, the sum of the rows where it holds,
    0 when there is none.
    """
    if not amounts.type().is_decimal():
        amounts = amounts.cast(EXACT)
    total = amounts.sum(where=where).cast("float64")
    return total if where is None else total.fill_null(0.0)


def with_line_money(lines: ir.Table, columns, money: str = EXACT) -> ir.Table:
    """``lines`` with its money ``columns`` cast once per row to ``money`` for exact sums.

    A cast inside every sum costs one conversion per sum and row; cast once, the sums of a
    wide aggregation share it.
    """
    present = [c for c in columns if c in lines.columns]
    return lines.mutate(**{c: lines[c].cast(money) for c in present})


#: Bits of a month mask word: 63, so that every mask is a positive 64-bit integer.
MONTH_BITS = 63


@dataclass(frozen=True)
class MonthSpan:
    """The ledger's invoice months: the first (``year * 12 + month - 1``) and mask words needed."""

    first: int
    words: int

    @classmethod
    def between(cls, first, last) -> MonthSpan:
        """The span from the first to the last invoice date (one word when there is none)."""
        if pd.isna(first) or pd.isna(last):
            return cls(0, 1)
        first_month = _month_number(pd.Timestamp(first))
        months = _month_number(pd.Timestamp(last)) - first_month + 1
        return cls(first_month, (months - 1) // MONTH_BITS + 1)


def month_span(invoices: ir.Table) -> MonthSpan:
    """The months of the invoices, from one query of their first and last dates."""
    row = invoices.aggregate(first=_.invoice_date.min(), last=_.invoice_date.max()).execute()
    return MonthSpan.between(row["first"].iloc[0], row["last"].iloc[0])


def _month_number(day: pd.Timestamp) -> int:
    return day.year * 12 + day.month - 1


@ibis.udf.agg.builtin(name="bit_or")
def _bit_or(value: int) -> int:  # type: ignore[empty-body]
    """The engine's bitwise OR of the values (DuckDB, Spark, PostgreSQL: ``bit_or``)."""


@ibis.udf.scalar.builtin(name="bit_count", signature=(("int64",), "int8"))
def _bit_count(value):
    """The number of bits set (DuckDB, Spark: ``bit_count``; a small integer type)."""


#: Engines with ``bit_or`` and ``bit_count`` on 64-bit integers, where active months are
#: counted as bit masks. Elsewhere (PostgreSQL has no ``bit_count(bigint)``) they are counted
#: as distinct months: the same numbers, with a DISTINCT in the aggregation.
BIT_COUNT_ENGINES = ("duckdb", "pyspark")


def _engine_name(table: ir.Table) -> str:
    """The name of the backend ``table`` runs on (DuckDB for in-memory tables)."""
    return ibis.get_backend(table).name


def month_masks(lines: ir.Table, span: MonthSpan, sale, recent) -> dict:
    """Months with a sale as bit masks, in the aggregation of the lines, without a DISTINCT.

    Each sale sets the bit of its month (counted from the ledger's first month, 63 to a word);
    the OR of a customer's sales then has one bit per month with a sale, and
    :func:`derive_activity` counts the bits. ``_months_w`` covers all sales by ``as_of``,
    ``_months12_w`` those after ``cut12``. A count of distinct months per customer and date
    would hold a hash set per group; the masks are one integer each.

    The bit is a 64-bit ``1`` shifted by a 32-bit count, cast explicitly: Spark reads a bare
    ``1`` as a 32-bit integer (month 31 would turn negative and months 32 on wrap), and
    PostgreSQL shifts a ``bigint`` by an ``integer`` only. On an engine outside
    :data:`BIT_COUNT_ENGINES` the months are counted as distinct month numbers instead.
    """
    date = lines.invoice_date
    month = date.year().cast("int64") * 12 + date.month().cast("int64") - 1 - span.first
    if _engine_name(lines) not in BIT_COUNT_ENGINES:
        return {
            "_months_n": month.nunique(where=sale),
            "_months12_n": month.nunique(where=sale & recent),
        }
    one = ibis.literal(1, "int8").cast("int64")  # a literal 1 cast to itself would stay bare
    bit = one << (month % MONTH_BITS).cast("int32")
    out = {}
    for w in range(span.words):
        here = sale & month.between(w * MONTH_BITS, (w + 1) * MONTH_BITS - 1)
        out[f"_months_{w}"] = _bit_or(bit, where=here)
        out[f"_months12_{w}"] = _bit_or(bit, where=here & recent)
    return out


def _months(agg: ir.Table, prefix: str, words: int) -> ir.IntegerValue:
    if f"{prefix}_n" in agg.columns:  # distinct months (engines without bit_count)
        return agg[f"{prefix}_n"].cast("int64").fill_null(0)
    counts = [_bit_count(agg[f"{prefix}_{w}"]).cast("int64").fill_null(0) for w in range(words)]
    return functools.reduce(operator.add, counts)


def derive_activity(agg: ir.Table, span: MonthSpan) -> ir.Table:
    """Recency, tenure, growth, mean invoice and credit-note share from the aggregates."""
    day = agg.as_of
    masks = [c for c in agg.columns if c.startswith(("_months_", "_months12_"))]
    agg = agg.mutate(
        active_months=_months(agg, "_months", span.words),
        active_months_12m=_months(agg, "_months12", span.words),
    ).drop(*masks)
    return agg.mutate(
        recency_days=day.delta(agg.last_invoice, unit="day").cast("float64"),
        tenure_days=day.delta(agg.first_invoice, unit="day").cast("float64"),
        growth_12m=ibis.ifelse(
            agg.revenue_prev_12m > 0, agg.revenue_12m / agg.revenue_prev_12m - 1, None
        ),
        mean_invoice=ibis.ifelse(agg.n_invoices > 0, agg.gross / agg.n_invoices, None),
        credit_note_share=ibis.ifelse(agg.gross > 0, agg.credits / agg.gross, None),
    )
