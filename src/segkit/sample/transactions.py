"""Invoices, credit notes and payments of the sample ledger, on a timeline of day numbers.

Dates are held as days since 1970-01-01 while the ledger is drawn: :func:`epoch_day`,
:func:`day_timestamp` and :func:`day_dates` convert between the two. :func:`draw_invoices`
draws seasonal Poisson purchases per customer-month plus credit notes, and
:func:`draw_payments` the cash received against them: delays that grow with the hidden risk,
instalments, nothing from a customer's default on, and some cash left unallocated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["day_dates", "day_timestamp", "draw_invoices", "draw_payments", "epoch_day"]

_EPOCH = pd.Timestamp("1970-01-01")
# Monthly demand factors: Spring Festival dip in January/February, peak in the fourth quarter.
_SEASON = np.array([0.80, 0.55, 1.00, 1.00, 1.00, 1.05, 0.95, 0.95, 1.05, 1.10, 1.25, 1.40])


def epoch_day(ts: pd.Timestamp) -> int:
    """Day number (days since 1970-01-01) of a timestamp's date."""
    return (ts.normalize() - _EPOCH).days


def day_timestamp(day: int) -> pd.Timestamp:
    """Timestamp of a day number."""
    return _EPOCH + pd.Timedelta(days=int(day))


def day_dates(days) -> pd.Series:
    """Datetime series of day numbers; infinite ones become ``NaT``.

    The days go to pandas as whole numbers, never as floats holding NaN: pandas 2.x converts a
    float array with a unit through a buffer it leaves uninitialised at NaN positions and then
    rounds it under ``np.errstate(over="raise")``, so whatever bytes sat there could raise
    ``FloatingPointError: overflow`` at random.
    """
    days = np.asarray(days, dtype=float)
    finite = np.isfinite(days)
    whole = pd.to_datetime(np.where(finite, days, 0).astype(np.int64), unit="D")
    return pd.Series(whole).where(finite).astype("datetime64[ns]")


def draw_invoices(rng, cust: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Poisson purchases per customer-month, scaled by season and by the days active."""
    months = pd.period_range(
        day_timestamp(first).to_period("M"), day_timestamp(last).to_period("M") + 1
    )
    starts = np.array([epoch_day(m.to_timestamp()) for m in months])
    lo = np.maximum(starts[None, :-1], cust["begin"].to_numpy()[:, None])
    end = np.minimum(cust["churn"].to_numpy(), last + 1)
    span = np.clip(np.minimum(starts[None, 1:], end[:, None]) - lo, 0, None)
    season = _SEASON[months.month[:-1] - 1]
    lam = cust["rate"].to_numpy()[:, None] * season[None, :] * span / np.diff(starts)[None, :]
    cell = np.repeat(np.arange(lam.size), rng.poisson(lam).ravel())
    day = lo.ravel()[cell] + np.floor(rng.random(len(cell)) * span.ravel()[cell]).astype(int)
    who = cell // lam.shape[1]
    value = np.exp(cust["log_mean"].to_numpy()[who] + rng.normal(0, 0.8, len(who)))
    inv = pd.DataFrame({"who": who, "day": day, "cents": np.maximum(np.round(value * 100), 5000)})
    inv["due"] = inv["day"] + cust["terms"].to_numpy()[who]
    inv["disputed"] = rng.random(len(inv)) < 0.01
    return _add_credit_notes(rng, inv, last)


def _add_credit_notes(rng, inv: pd.DataFrame, last: int) -> pd.DataFrame:
    """About 2 % credit notes, each a 5-40 % share of a recent invoice of the same customer."""
    base = inv[rng.random(len(inv)) < 0.021]
    day = base["day"].to_numpy() + rng.integers(3, 46, len(base))
    cents = -np.round(base["cents"].to_numpy() * rng.uniform(0.05, 0.4, len(base)))
    notes = pd.DataFrame(
        {"who": base["who"].to_numpy(), "day": day, "cents": cents, "due": day, "disputed": False}
    )[day <= last]
    out = pd.concat([inv, notes], ignore_index=True)
    return out.sort_values(["day", "who", "cents"], kind="stable", ignore_index=True)


def draw_payments(rng, inv: pd.DataFrame, cust: pd.DataFrame, last: int) -> pd.DataFrame:
    """Cash received per invoice; nothing after ``end`` or from a customer's default on."""
    bill = inv[inv["cents"] > 0]
    pay = _split(rng, bill, _pay_day(rng, bill, cust))
    keep = (pay["day"] <= last) & (pay["day"] < cust["default"].to_numpy()[pay["who"]])
    pay = pay[keep.to_numpy()].reset_index(drop=True)
    pay["allocated"] = ~_unallocated(rng, inv, pay)
    return pay


def _pay_day(rng, bill: pd.DataFrame, cust: pd.DataFrame) -> np.ndarray:
    """Due date plus a delay that grows with the hidden risk; disputes add one to three months."""
    n = len(bill)
    late = 45 * cust["risk"].to_numpy()[bill["who"]] ** 1.3
    delay = np.round(late * rng.gamma(2.0, 0.5, n) + rng.normal(0, 4, n)) - 4
    delay += bill["disputed"].to_numpy() * rng.integers(30, 90, n)
    return np.maximum(bill["due"].to_numpy() + delay, bill["day"].to_numpy())


def _split(rng, bill: pd.DataFrame, paid: np.ndarray) -> pd.DataFrame:
    """About 8 % of invoices are paid in 2-3 instalments weeks apart; cents add up exactly."""
    n = len(bill)
    parts = np.where(rng.random(n) < 0.92, 1, rng.choice([2, 3], n, p=[0.6, 0.4]))
    pick = np.repeat(np.arange(n), parts)
    row = bill.index.to_numpy()[pick]
    pay = pd.DataFrame({"row": row, "who": bill["who"].to_numpy()[pick], "parts": parts[pick]})
    pay["part"] = pay.groupby("row").cumcount()
    ahead = (pay["parts"] - 1 - pay["part"]).to_numpy()  # instalments still to come
    day = paid[pick] - rng.integers(7, 40, n)[pick] * ahead
    pay["day"] = np.maximum(day, bill["day"].to_numpy()[pick])
    weight = pd.Series(rng.uniform(0.2, 1.0, len(pay)))
    total = bill["cents"].to_numpy()[pick]
    cents = pd.Series(np.floor(total * weight / weight.groupby(row).transform("sum")))
    cents[ahead == 0] = 0
    pay["cents"] = np.where(ahead == 0, total - cents.groupby(row).transform("sum"), cents)
    return pay


def _unallocated(rng, inv: pd.DataFrame, pay: pd.DataFrame) -> np.ndarray:
    """Mark ~3 % of payments as unallocated cash, only where FIFO gives the same allocation.

    A single full payment may lose its invoice reference when every older invoice of the
    customer was settled before it: applying the cash to the oldest open invoice then settles
    exactly the invoice it paid.
    """
    paid = pay.groupby("row").agg(
        cents=("cents", "sum"), day=("day", "max"), parts=("parts", "first")
    )
    bill = inv[inv["cents"] > 0][["who", "day", "cents"]].join(paid, rsuffix="_paid")
    settled = np.where(bill["cents_paid"] == bill["cents"], bill["day_paid"], np.inf)
    bill = bill.assign(settled=settled).sort_values(["who", "day"], kind="stable")
    prior = bill.groupby("who")["settled"].cummax().groupby(bill["who"]).shift(1).fillna(-np.inf)
    same_day = bill.duplicated(["who", "day"], keep=False)
    ok = (bill["parts"] == 1) & np.isfinite(bill["settled"]) & (prior < bill["settled"]) & ~same_day
    eligible = bill.index[ok.to_numpy()].sort_values()
    chosen = eligible[rng.random(len(eligible)) < min(1.0, 0.03 * len(pay) / max(len(eligible), 1))]
    return pay["row"].isin(chosen).to_numpy()
