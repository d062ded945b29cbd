"""The repeat-purchase summary behind the BG/NBD and Gamma-Gamma models, computed in the engine.

Shape change: invoices (*customer_id, invoice_date, amount*) -> one row per customer
(*frequency, recency, T, monetary_value*), the input of :class:`segkit.growth.BetaGeo` and
:class:`segkit.growth.GammaGamma`. The definitions follow the convention of lifetimes'
``summary_data_from_transaction_data`` and PyMC-Marketing's ``rfm_summary``:

- a *purchase* is a day with at least one invoice of positive amount: several invoices on one
  day are one purchase of their summed amount; credit notes (negative amounts) are not
  purchases and do not change the spend of a purchase;
- ``frequency`` = number of purchase days after the first (repeat purchases);
- ``recency`` = time from the first to the last purchase day (0 without repeat purchases);
- ``T`` = time from the first purchase day to ``as_of``;
- ``monetary_value`` = mean amount of the repeat purchase days (0 without repeat purchases,
  as in both libraries; the first purchase is left out because it is often atypical).
"""

from __future__ import annotations

import ibis
import pandas as pd

from segkit.checks import as_date
from segkit.exceptions import ConfigError

__all__ = ["recent_purchases", "repeat_summary", "TIME_UNITS"]

_ = ibis._

#: Amounts are summed as exact decimals (to a millionth of the currency unit): a parallel engine
#: adds floats in any order, and the last bits of a sum would change the fitted models from one
#: run to the next.
EXACT = "decimal(38, 6)"

TIME_UNITS = {"D": 1.0, "W": 7.0}
"""Days per unit of ``recency`` and ``T``: days, or weeks (days / 7, as in the CDNOW data)."""


def check_time_unit(time_unit) -> float:
    """Days per ``time_unit``, or :class:`ConfigError` naming the accepted units."""
    if time_unit not in TIME_UNITS:
        raise ConfigError(f"time_unit must be one of {sorted(TIME_UNITS)}; got {time_unit!r}.")
    return TIME_UNITS[time_unit]


def repeat_summary(ledger, as_of, time_unit: str = "D") -> pd.DataFrame:
    """Repeat-purchase summary per customer as of a date.

    Parameters
    ----------
    ledger : segkit.Ledger or ibis.Table
        The ledger, or its invoices table (``customer_id``, ``invoice_date``, ``amount``).
    as_of : str or date
        Observation date; invoices after it are ignored.
    time_unit : {"D", "W"}, default "D"
        Unit of ``recency`` and ``T``: days, or weeks (days / 7).

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (sorted), one row per customer with a purchase (an invoice of
        positive amount) dated on or before ``as_of``; columns ``frequency`` (int),
        ``recency``, ``T`` and ``monetary_value`` (see the module docstring). Customers with
        only credit notes, or no invoice by ``as_of``, have no row: the models need a first
        purchase. ``frame.attrs`` holds ``as_of`` and ``time_unit``.

    Raises
    ------
    ConfigError
        When ``as_of`` is not a date or ``time_unit`` is not "D" or "W".
    """
    days_per_unit = check_time_unit(time_unit)
    day = as_date(as_of)
    invoices = getattr(ledger, "invoices", ledger)
    frame = _summary_query(invoices, day).execute()
    frame = frame.set_index("customer_id").sort_index()
    frame["frequency"] = frame["frequency"].astype("int64")
    for column in ("recency", "T"):
        frame[column] = frame[column].astype("float64") / days_per_unit
    frame["monetary_value"] = frame["monetary_value"].astype("float64")
    frame.attrs = {"as_of": day.isoformat(), "time_unit": time_unit}
    return frame[["frequency", "recency", "T", "monetary_value"]]


def _summary_query(invoices: ibis.Table, day) -> ibis.Table:
    """One Ibis expression: purchase days per customer, then one row per customer."""
    cutoff = ibis.date(day)
    days = (
        invoices.filter((_.invoice_date <= cutoff) & (_.amount > 0))
        .group_by(["customer_id", "invoice_date"])
        .aggregate(spend=_.amount.cast(EXACT).sum())
    )
    first = days.invoice_date.min().over(ibis.window(group_by="customer_id"))
    days = days.mutate(repeat=days.invoice_date != first)
    per_customer = days.group_by("customer_id").aggregate(
        n_days=_.invoice_date.count(),
        first_day=_.invoice_date.min(),
        last_day=_.invoice_date.max(),
        repeat_spend=_.spend.sum(where=_.repeat).cast("float64"),
    )
    frequency = per_customer.n_days - 1
    return per_customer.select(
        "customer_id",
        frequency=frequency,
        recency=per_customer.last_day.delta(per_customer.first_day, unit="day"),
        T=cutoff.delta(per_customer.first_day, unit="day"),
        monetary_value=ibis.ifelse(
            frequency > 0, per_customer.repeat_spend / frequency.cast("float64"), 0.0
        ),
    )


def recent_purchases(ledger, as_of, months: int = 12) -> pd.Series:
    """Purchase days of each customer in the ``months`` calendar months up to ``as_of``.

    A purchase day is as in :func:`repeat_summary` (a day with an invoice of positive amount);
    the window is ``(as_of - months, as_of]``, as the features' ``revenue_12m``.

    Returns
    -------
    pandas.Series
        Index ``customer_id`` (customers with a purchase in the window only), named
        ``recent_purchases``.
    """
    from segkit.features.dates import window_start

    day = as_date(as_of)
    invoices = getattr(ledger, "invoices", ledger)
    start = ibis.date(window_start(day, months))
    days = (
        invoices.filter(
            (_.invoice_date <= ibis.date(day)) & (_.invoice_date > start) & (_.amount > 0)
        )
        .select("customer_id", "invoice_date")
        .distinct()
        .group_by("customer_id")
        .aggregate(recent_purchases=_.invoice_date.count())
    )
    frame = days.execute().set_index("customer_id")
    return frame["recent_purchases"].astype("float64").sort_index()
