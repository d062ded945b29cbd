"""Exposure against the limits on file: per customer, per group, and the lists that need a decision.

Exposure is what a customer owes at the date (its open balance). Utilisation is exposure over
the limit on file; a customer is *over its limit* when it owes more than that limit, and *owes
without a limit* when it has a balance and no positive limit on file. A group (``group_id``,
from ``parent_id``) is over its limits when its customers together owe more than the limits
on file of those of them that have one.
"""

from __future__ import annotations

import pandas as pd
from ibis import _

from segkit.checks import as_date, check_int
from segkit.exceptions import ConfigError
from segkit.features.dates import dates_memtable
from segkit.features.settlement import settle

__all__ = [
    "DECISION_VIEW",
    "EXPOSURE_ROWS",
    "exposure_summary",
    "group_exposure",
    "limit_decisions",
    "months_over_limit",
]

#: Rows of :func:`exposure_summary`, in order.
EXPOSURE_ROWS = (
    "customers_owing", "exposure", "with_limit", "limits_on_file", "over_limit",
    "over_limit_amount", "no_limit", "no_limit_amount", "groups_over_limit",
)  # fmt: skip
_NEEDED = ("open_balance", "credit_limit")


def _check(scored: pd.DataFrame) -> None:
    missing = [c for c in _NEEDED if c not in scored.columns]
    if missing:
        raise ConfigError(f"scored must have the columns {list(_NEEDED)}; missing {missing}.")


def _parts(scored: pd.DataFrame):
    exposure = scored["open_balance"].astype(float).fillna(0.0)
    limit = scored["credit_limit"].astype(float)
    limit = limit.where(limit > 0)
    return exposure, limit, (exposure - limit).clip(lower=0).fillna(0.0)


def exposure_summary(scored: pd.DataFrame) -> pd.Series:
    """Exposure against the limits on file, in totals.

    Parameters
    ----------
    scored : pandas.DataFrame
        One row per customer owing money (``open_balance``, ``credit_limit``; optional
        ``group_id``).

    Returns
    -------
    pandas.Series
        Indexed by :data:`EXPOSURE_ROWS`: customers owing and their ``exposure``, customers
        ``with_limit`` and the ``limits_on_file``, customers ``over_limit`` and by how much,
        customers owing with ``no_limit`` and what they owe, and ``groups_over_limit``.
    """
    _check(scored)
    exposure, limit, over = _parts(scored)
    owing = exposure > 0
    values = {
        "customers_owing": int(owing.sum()),
        "exposure": float(exposure.sum()),
        "with_limit": int(limit.notna().sum()),
        "limits_on_file": float(limit.sum()),
        "over_limit": int((over > 0).sum()),
        "over_limit_amount": float(over.sum()),
        "no_limit": int((owing & limit.isna()).sum()),
        "no_limit_amount": float(exposure[owing & limit.isna()].sum()),
        "groups_over_limit": int((group_exposure(scored)["over_limit"] > 0).sum()),
    }
    return pd.Series(values, dtype=object, name="exposure")[list(EXPOSURE_ROWS)]


def group_exposure(scored: pd.DataFrame) -> pd.DataFrame:
    """Exposure and limits of each group of two or more customers, most over first.

    Returns
    -------
    pandas.DataFrame
        Index ``group_id``: ``customers``, ``exposure``, ``limits_on_file`` (of the members
        with one), ``utilisation`` and ``over_limit`` (exposure above the limits, 0 if none);
        empty without a ``group_id`` column.
    """
    _check(scored)
    columns = ["customers", "exposure", "limits_on_file", "utilisation", "over_limit"]
    if "group_id" not in scored.columns:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="group_id"))
    exposure, limit, _over = _parts(scored)
    frame = pd.DataFrame({"exposure": exposure, "limit": limit, "group_id": scored["group_id"]})
    out = frame.groupby("group_id").agg(
        customers=("exposure", "size"), exposure=("exposure", "sum"),
        limits_on_file=("limit", "sum"),
    )  # fmt: skip
    out = out[out["customers"] >= 2]
    out["utilisation"] = out["exposure"] / out["limits_on_file"].where(out["limits_on_file"] > 0)
    out["over_limit"] = (out["exposure"] - out["limits_on_file"]).clip(lower=0)
    return out.sort_values(["over_limit", "exposure"], ascending=False, kind="stable")[columns]


_DECISION_COLUMNS = (
    "decision", "name", "grade", "standing", "terms_days", "open_balance", "overdue_balance",
    "credit_limit", "utilisation", "limit_proposed", "limit_change", "limit_action",
)  # fmt: skip
#: The columns a page shows of :func:`limit_decisions` (the reason sentence says the rest).
DECISION_VIEW = ("decision", "name", "grade", "open_balance", "credit_limit", "limit_proposed")


def limit_decisions(scored: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """What needs a decision first: over-limit exposure, owing without a limit, then changes.

    Parameters
    ----------
    scored : pandas.DataFrame
        ``CreditStudy.scored``.
    n : int, default 10
        Customers per kind of decision.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``; ``decision`` is ``"over_limit"`` (the largest amounts over the
        limit on file), ``"no_limit"`` (the largest balances without a limit), ``"cut"`` and
        ``"increase"`` (the largest proposed changes of the others), in that order, each
        customer once; then the columns present among :data:`_DECISION_COLUMNS`.
    """
    check_int("n", n, 1)
    _check(scored)
    exposure, limit, over = _parts(scored)
    change = scored.get("limit_change", pd.Series(float("nan"), index=scored.index))
    kinds = {
        "over_limit": over[over > 0].sort_values(ascending=False, kind="stable"),
        "no_limit": exposure[(exposure > 0) & limit.isna()].sort_values(ascending=False),
        "cut": change[change < 0].sort_values(kind="stable"),
        "increase": change[change > 0].sort_values(ascending=False, kind="stable"),
    }
    picked: list[tuple[str, str]] = []
    seen: set = set()
    for kind, order in kinds.items():
        ids = [i for i in order.index if i not in seen][:n]
        picked += [(i, kind) for i in ids]
        seen.update(ids)
    out = scored.loc[[i for i, _k in picked]].assign(decision=[k for _i, k in picked])
    return out[[c for c in _DECISION_COLUMNS if c in out.columns]]


def months_over_limit(ledger, as_of, limits: pd.Series, months: int = 12) -> pd.Series:
    """How long each customer has owed more than its limit on file, in month-ends.

    The open balance is computed in the engine at ``as_of`` and the ``months`` month-ends
    before it (point in time, one query); a customer's count is the run of those dates, from
    ``as_of`` back, at which it owed more than ``limits`` (the limit on file today: an export
    holds no history of limits).

    Parameters
    ----------
    ledger : segkit.Ledger
        With settlement data.
    as_of : str or date
    limits : pandas.Series
        The limit on file per customer (index ``customer_id``); no positive limit, no count.
    months : int, default 12
        Month-ends looked back; a customer over at every one of them shows ``months + 1``.

    Returns
    -------
    pandas.Series of int
        Index of ``limits``, named ``months_over_limit``: 0 when within the limit at ``as_of``.
    """
    day = as_date(as_of)
    months = check_int("months", months, 1)
    ends = [d.date() for d in pd.date_range(end=pd.Timestamp(day), periods=months + 1, freq="ME")]
    dates = sorted({*[d for d in ends if d < day], day})
    lines = settle(ledger.invoices, ledger.payments, dates_memtable(dates))[0]
    owed = (
        lines.filter(_.open_amount > 0)
        .group_by(["as_of", "customer_id"])
        .aggregate(open_balance=_.open_amount.sum())
    )
    frame = owed.execute().pivot(index="customer_id", columns="as_of", values="open_balance")
    frame.columns = [pd.Timestamp(c).date() for c in frame.columns]
    frame = frame.reindex(columns=dates[::-1]).fillna(0.0)
    limit = limits.astype(float).where(limits > 0)
    over = frame.reindex(limits.index).fillna(0.0).gt(limit, axis=0)
    run = over.cumprod(axis=1).sum(axis=1).astype(int)
    return run.rename("months_over_limit")
