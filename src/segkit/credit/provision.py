"""Expected-credit-loss provision for trade receivables: the simplified approach's matrix.

IFRS 9 *Financial Instruments* paragraph 5.5.15 (and 企业会计准则第22号——金融工具确认和计量,
第六十三条) require a loss allowance at lifetime expected credit losses for trade receivables;
paragraph B5.5.35 allows a *provision matrix*: historical loss rates by days past due, adjusted
for forward-looking information. segkit builds it from the ledger itself:

1. snapshots: the last ``lookback`` quarter-ends whose outcome window (``outcome_months``)
   ends on or before the as-of date, so every rate uses only what is known at that date;
2. at each snapshot every open invoice is put in its days-past-due bucket; its *loss* is the
   part of that open amount still unpaid ``outcome_months`` later;
3. the historical loss rate of a bucket = its losses / its open amounts, over all snapshots;
4. the rate used = historical rate × (1 + ``forward_adjustment``), at most 100 %, and never
   below the rate of a younger bucket (a bucket without history takes the younger one's);
5. invoices past due more than ``write_off_days`` (three years: the PRC limitation period for
   claims, 民法典 第188条) are provided in full and listed as write-off candidates;
6. allowance = Σ open balance at the as-of date × rate, per bucket.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import ibis
import pandas as pd
from ibis import _

from segkit.checks import as_date, check_int
from segkit.exceptions import ConfigError, ModelNotFitted
from segkit.features.dates import dates_memtable
from segkit.features.settlement import settle

__all__ = ["BUCKETS", "Provision", "provision_matrix"]

#: Days-past-due buckets of the matrix: (code, lowest, highest days past due), inclusive.
BUCKETS = (
    ("current", -math.inf, 0), ("dpd_1_30", 1, 30), ("dpd_31_60", 31, 60),
    ("dpd_61_90", 61, 90), ("dpd_91_180", 91, 180), ("dpd_181_365", 181, 365),
    ("dpd_1_2y", 366, 730), ("dpd_2_3y", 731, 1095), ("dpd_over_3y", 1096, math.inf),
)  # fmt: skip
_WRITE_OFF_COLUMNS = (
    "customer_id", "invoice_id", "invoice_date", "due_date", "days_past_due", "open_amount"
)  # fmt: skip


@dataclass
class Provision:
    """A provision matrix and what it gives at the as-of date.

    Attributes
    ----------
    as_of : datetime.date
    matrix : pandas.DataFrame
        Index ``bucket`` (codes of :data:`BUCKETS`): ``open_history`` (open amounts at the
        snapshots), ``unpaid_after`` (the part unpaid ``outcome_months`` later),
        ``historical_rate``, ``rate`` (the rate used), ``balance`` (open at ``as_of``) and
        ``allowance``.
    snapshots : list of datetime.date
        The quarter-ends the rates come from.
    write_offs : pandas.DataFrame
        Open invoices past due more than ``write_off_days``, oldest first.
    forward_adjustment, outcome_months, write_off_days
        The parameters used.
    """

    as_of: dt.date
    matrix: pd.DataFrame
    snapshots: list
    write_offs: pd.DataFrame
    forward_adjustment: float
    outcome_months: int
    write_off_days: int

    @property
    def allowance(self) -> float:
        """The loss allowance at ``as_of``: Σ balance × rate."""
        return float(self.matrix["allowance"].sum())

    @property
    def balance(self) -> float:
        """The open receivables the allowance covers."""
        return float(self.matrix["balance"].sum())


def _bucket(days):
    cases = [(days <= high, code) for code, _low, high in BUCKETS if math.isfinite(high)]
    return ibis.cases(*cases, else_=BUCKETS[-1][0])


def _snapshots(ledger, day: dt.date, months: int, lookback: int) -> list[dt.date]:
    first = ledger.invoices.invoice_date.min().execute()
    first = pd.Timestamp(first).date() if first is not None else day
    latest = (pd.Timestamp(day) - pd.DateOffset(months=months)).date()
    ends = pd.date_range(first, latest, freq="QE")
    return [d.date() for d in ends[-lookback:]]


def _history(lines, snapshots: list[dt.date], months: int) -> pd.DataFrame:
    """Open amount per bucket at each snapshot and the part of it unpaid ``months`` later."""
    later = [(pd.Timestamp(s) + pd.DateOffset(months=months)).date() for s in snapshots]
    pairs = ibis.memtable(pd.DataFrame({"snapshot": snapshots, "outcome": later}))
    pairs = pairs.mutate(snapshot=_.snapshot.cast("date"), outcome=_.outcome.cast("date"))
    at = lines.filter((_.open_amount > 0.005) & _.as_of.isin(snapshots))
    at = at.select("invoice_id", snapshot=_.as_of, bucket=_bucket(_.days_past_due),
                   open_amount=_.open_amount)  # fmt: skip
    out = lines.filter(_.as_of.isin(later)).select("invoice_id", outcome=_.as_of,
                                                   open_later=_.open_amount)  # fmt: skip
    at = at.inner_join(pairs, "snapshot")
    joined = at.left_join(out, [at.invoice_id == out.invoice_id, at.outcome == out.outcome])
    unpaid = ibis.least(joined.open_later.fill_null(0.0), joined.open_amount)
    table = (
        joined.mutate(unpaid=unpaid)
        .group_by("bucket")
        .aggregate(open_history=_.open_amount.sum(), unpaid_after=_.unpaid.sum())
    )
    return table.execute().set_index("bucket")


def _rates(history: pd.DataFrame, adjustment: float) -> pd.DataFrame:
    codes = [code for code, _low, _high in BUCKETS]
    out = history.reindex(codes)[["open_history", "unpaid_after"]].fillna(0.0).astype(float)
    held = out["open_history"].where(out["open_history"] > 0)
    out["historical_rate"] = out["unpaid_after"] / held
    adjusted = (out["historical_rate"] * (1 + adjustment)).clip(upper=1.0)
    out["rate"] = adjusted.ffill().fillna(0.0).cummax()
    out.index.name = "bucket"
    return out


def provision_matrix(
    ledger,
    as_of,
    *,
    outcome_months: int = 12,
    lookback: int = 8,
    forward_adjustment: float = 0.0,
    write_off_days: int = 1095,
) -> Provision:
    """The provision matrix of the ledger's own loss history, and the allowance at ``as_of``.

    Parameters
    ----------
    ledger : segkit.Ledger
        With settlement data (payments or settled dates).
    as_of : str or date
    outcome_months : int, default 12
        How long after a snapshot an amount still unpaid counts as lost.
    lookback : int, default 8
        Quarter-ends of history the rates come from (the latest whose window has ended).
    forward_adjustment : float, default 0.0
        Relative adjustment of every historical rate for the outlook (0.10 = rates 10 %
        higher); must be > -1.
    write_off_days : int, default 1095
        Days past due beyond which an invoice is provided in full and listed for write-off.

    Returns
    -------
    Provision

    Raises
    ------
    ModelNotFitted
        When no quarter-end has a complete outcome window before ``as_of``.
    """
    day = as_date(as_of)
    months = check_int("outcome_months", outcome_months, 1)
    lookback = check_int("lookback", lookback, 1)
    write_off_days = check_int("write_off_days", write_off_days, 1)
    if isinstance(forward_adjustment, bool) or not isinstance(forward_adjustment, (int, float)) \
            or not forward_adjustment > -1:  # fmt: skip
        raise ConfigError(f"forward_adjustment must be a number > -1; got {forward_adjustment!r}.")
    snapshots = _snapshots(ledger, day, months, lookback)
    if not snapshots:
        raise ModelNotFitted(
            f"no quarter-end before {day} has {months} months of outcome behind it.",
            reason="short_history",
        )
    later = [(pd.Timestamp(s) + pd.DateOffset(months=months)).date() for s in snapshots]
    days = sorted({*snapshots, *later, day})
    lines = settle(ledger.invoices, ledger.payments, dates_memtable(days))[0]
    matrix = _rates(_history(lines, snapshots, months), float(forward_adjustment))
    now = lines.filter((_.as_of == ibis.literal(day, "date")) & (_.open_amount > 0.005))
    frame = now.select(*_WRITE_OFF_COLUMNS).execute()
    matrix = _allowance(matrix, frame, write_off_days)
    over = frame["days_past_due"].astype(float) > write_off_days
    write_offs = frame[over].sort_values(["days_past_due", "invoice_id"], ascending=[False, True])
    return Provision(day, matrix, snapshots, write_offs.reset_index(drop=True),
                     float(forward_adjustment), months, write_off_days)  # fmt: skip


def _allowance(matrix: pd.DataFrame, frame: pd.DataFrame, write_off_days: int) -> pd.DataFrame:
    """Balance and allowance per bucket at the date; past ``write_off_days``, 100 %."""
    aged = frame["days_past_due"].astype(float).fillna(0.0)
    edges = [-math.inf, *[high for _c, _l, high in BUCKETS[:-1]], math.inf]
    codes = pd.cut(aged, edges, labels=[code for code, _l, _h in BUCKETS])
    rate = codes.map(matrix["rate"]).astype(float).where(aged <= write_off_days, 1.0)
    amount = frame["open_amount"].astype(float)
    matrix = matrix.copy()
    matrix["balance"] = amount.groupby(codes, observed=False).sum().reindex(matrix.index)
    matrix["allowance"] = (amount * rate).groupby(codes, observed=False).sum().reindex(matrix.index)
    matrix[["balance", "allowance"]] = matrix[["balance", "allowance"]].fillna(0.0)
    return matrix
