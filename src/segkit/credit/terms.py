"""Each customer's payment terms as of a date: the days its invoices give it to pay.

The limit policy (:mod:`segkit.credit.limits`) grants sales over the customer's own terms plus
a grace period, so a customer on 90-day terms carries three times the receivable of one on 30
days at the same sales. The terms are read from the ledger, in the engine, from invoices known
at the date: the average of ``due_date - invoice_date`` over the customer's invoices of the
last 12 months, else over its whole history before the date.
"""

from __future__ import annotations

import ibis
import pandas as pd
from ibis import _

from segkit.checks import as_date

__all__ = ["payment_terms"]


def payment_terms(ledger, as_of, months: int = 12) -> pd.Series:
    """Average payment terms in days per customer, from invoices dated on or before ``as_of``.

    Parameters
    ----------
    ledger : segkit.Ledger
    as_of : str or date
    months : int, default 12
        The recent window; a customer without an invoice in it gets its whole history's terms.

    Returns
    -------
    pandas.Series
        Index ``customer_id``, float days (rounded to one decimal), named ``terms_days``;
        customers without a sales invoice by ``as_of`` are absent.
    """
    day = as_date(as_of)
    start = (pd.Timestamp(day) - pd.DateOffset(months=months)).date()
    inv = ledger.invoices
    sales = inv.filter((_.amount > 0) & (_.invoice_date <= ibis.literal(day, "date")))
    days = sales.due_date.delta(sales.invoice_date, unit="day").cast("float64")
    recent = sales.invoice_date > ibis.literal(start, "date")
    per = (
        sales.mutate(days=days, recent=recent)
        .group_by("customer_id")
        .aggregate(
            all_days=_.days.mean(),
            recent_days=_.days.mean(where=_.recent),
        )
    )
    frame = per.execute().set_index("customer_id")
    terms = frame["recent_days"].astype(float).fillna(frame["all_days"].astype(float))
    return terms.round(1).rename("terms_days").sort_index()
