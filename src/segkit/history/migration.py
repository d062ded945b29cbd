"""Migration between class snapshots: from-to matrices, movement summaries and stability.

All functions take the long table of :func:`segkit.history.timeline` (one row per snapshot
and customer) and one class column. :func:`migration_matrix` counts the customers moving
from each class at one date to each class at another, :func:`migration_summary` sums those
moves into upgraded / stayed / downgraded / exited / entered, and :func:`stability` gives per
consecutive pair of dates the share of customers keeping their class and the PSI of the
class distribution. The marker ``absent`` counts entries (row) and exits (column); see
:mod:`segkit.history` for its meaning.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from segkit.exceptions import ConfigError
from segkit.history.classes import ABSENT, CLASS_ORDERS, UNCLASSIFIED
from segkit.history.dates import parse_day
from segkit.metrics import psi, psi_status

__all__ = ["migration_matrix", "migration_summary", "stability"]

NORMALIZE = ("index", None)
MOVES = ("upgraded", "stayed", "downgraded", "exited", "entered")


def _wide(snapshots: pd.DataFrame, column: str) -> pd.DataFrame:
    """One class column as customers x snapshot dates; ``absent`` where a row is missing."""
    missing = [c for c in ("snapshot", "customer_id", column) if c not in snapshots.columns]
    if missing:
        raise ConfigError(
            f"snapshots must have the columns snapshot, customer_id and {column!r} "
            f"(parameter column); missing {missing}."
        )
    day = pd.to_datetime(snapshots["snapshot"]).dt.normalize()
    table = snapshots.assign(snapshot=day, _class=snapshots[column].astype(object))
    if table.duplicated(["snapshot", "customer_id"]).any():
        raise ConfigError("snapshots must hold one row per snapshot and customer_id; got repeats.")
    table["_class"] = table["_class"].fillna(UNCLASSIFIED)
    wide = table.pivot(index="customer_id", columns="snapshot", values="_class")
    return wide.sort_index(axis=1).fillna(ABSENT)


def _pair(snapshots: pd.DataFrame, column: str, start, end) -> pd.DataFrame:
    """Columns ``from`` and ``to`` per customer; customers absent at both dates dropped."""
    wide = _wide(snapshots, column)
    first, last = parse_day(start, "start"), parse_day(end, "end")
    if first >= last:
        raise ConfigError(f"start must be before end; got start={first.date()}, end={last.date()}.")
    for name, day in (("start", first), ("end", last)):
        if day not in wide.columns:
            listed = [d.date().isoformat() for d in wide.columns]
            raise ConfigError(f"{name} must be a snapshot date {listed}; got {day.date()}.")
    pair = wide[[first, last]].set_axis(["from", "to"], axis=1)
    return pair[(pair != ABSENT).any(axis=1)]


def _levels(pair: pd.DataFrame, order) -> list:
    seen = set(pair["from"]) | set(pair["to"])
    listed = list(order) if order is not None else []
    rest = sorted(seen - set(listed) - {ABSENT}, key=str)
    return listed + rest + ([ABSENT] if ABSENT in seen else [])


def migration_matrix(
    snapshots: pd.DataFrame,
    column: str,
    start,
    end,
    normalize: str | None = None,
    order: Sequence | None = None,
) -> pd.DataFrame:
    """Customers moving from each class at ``start`` to each class at ``end``.

    Parameters
    ----------
    snapshots : pandas.DataFrame
        Output of :func:`segkit.history.timeline` (columns ``snapshot``, ``customer_id``,
        ``column``).
    column : str
        Class column.
    start, end : str or date
        Two snapshot dates, ``start`` before ``end``.
    normalize : {None, "index"}
        None: counts; ``"index"``: shares of each row (a row without customers is NaN).
    order : sequence, optional
        Classes in display order (best first), all shown even when empty; classes not
        listed follow, sorted; ``absent`` comes last. Default :data:`CLASS_ORDERS` for the
        column, else sorted.

    Returns
    -------
    pandas.DataFrame
        Square: index ``from`` (class at ``start``), columns ``to`` (class at ``end``), the
        same levels on both axes. Row ``absent`` = entries, column ``absent`` = exits;
        customers absent at both dates are left out. Counts are int64, shares float64.
    """
    if normalize not in NORMALIZE:
        raise ConfigError(f"normalize must be one of {list(NORMALIZE)}; got {normalize!r}.")
    pair = _pair(snapshots, column, start, end)
    levels = _levels(pair, CLASS_ORDERS.get(column) if order is None else order)
    counts = pd.crosstab(pair["from"], pair["to"]).reindex(
        index=levels, columns=levels, fill_value=0
    )
    counts = counts.astype("int64").rename_axis(index="from", columns="to")
    if normalize is None:
        return counts
    return counts.div(counts.sum(axis=1).replace(0, np.nan), axis=0)


def migration_summary(
    snapshots: pd.DataFrame, column: str, start, end, order: Sequence | None = None
) -> pd.DataFrame:
    """How many customers moved up, stayed, moved down, left or arrived between two dates.

    Parameters
    ----------
    snapshots : pandas.DataFrame
        Output of :func:`segkit.history.timeline`.
    column : str
        Class column.
    start, end : str or date
        Two snapshot dates, ``start`` before ``end``.
    order : sequence, optional
        Every class that occurs, best first: moving to an earlier class is an upgrade.
        Default :data:`CLASS_ORDERS` for the column (required for other columns).

    Returns
    -------
    pandas.DataFrame
        Index ``movement``: ``upgraded``, ``stayed``, ``downgraded``, ``exited``, ``entered``;
        columns ``customers`` (int64) and ``share`` (customers / customers present at
        ``start``: the first four sum to 1, ``entered`` is relative to the starting base; NaN
        when nobody was present at ``start``).
    """
    if order is None and column not in CLASS_ORDERS:
        known = list(CLASS_ORDERS)
        raise ConfigError(f"order is required for column {column!r}; defaults exist for {known}.")
    order = CLASS_ORDERS[column] if order is None else order
    pair = _pair(snapshots, column, start, end)
    ranks = {level: rank for rank, level in enumerate(order)}
    unranked = sorted(set(pair.stack()) - set(ranks) - {ABSENT}, key=str)
    if unranked:
        raise ConfigError(f"order must rank every class of {column!r}; missing {unranked}.")
    both = pair[(pair != ABSENT).all(axis=1)]
    step = both["to"].map(ranks) - both["from"].map(ranks)
    counts = [
        (step < 0).sum(),
        (step == 0).sum(),
        (step > 0).sum(),
        ((pair["from"] != ABSENT) & (pair["to"] == ABSENT)).sum(),
        ((pair["from"] == ABSENT) & (pair["to"] != ABSENT)).sum(),
    ]
    base = int((pair["from"] != ABSENT).sum())
    table = pd.DataFrame(
        {"customers": np.array(counts, dtype="int64")}, index=pd.Index(MOVES, name="movement")
    )
    table["share"] = table["customers"] / base if base else np.nan
    return table


def stability(snapshots: pd.DataFrame, column: str, eps: float = 1e-4) -> pd.DataFrame:
    """Stability of a class between consecutive snapshots.

    Parameters
    ----------
    snapshots : pandas.DataFrame
        Output of :func:`segkit.history.timeline` with at least two snapshot dates.
    column : str
        Class column.
    eps : float
        Floor on class shares in the PSI (see :func:`segkit.metrics.psi`).

    Returns
    -------
    pandas.DataFrame
        One row per consecutive pair: ``start``, ``end``, ``customers_start`` and
        ``customers_end`` (present customers), ``stayed`` (present at both dates with the
        same class), ``stayed_share`` (stayed / customers present at both dates),
        ``entries``, ``exits``, ``psi`` (class distribution of the present customers at
        ``end`` against ``start``, class by class) and ``psi_status`` (``stable`` below 0.10,
        ``monitor`` below 0.25, else ``shift``).
    """
    wide = _wide(snapshots, column)
    if wide.shape[1] < 2:
        raise ConfigError(f"snapshots must hold at least 2 snapshot dates; got {wide.shape[1]}.")
    pairs = zip(wide.columns[:-1], wide.columns[1:], strict=True)
    return pd.DataFrame([_step(wide[a], wide[b], eps) for a, b in pairs])


def _step(first: pd.Series, last: pd.Series, eps: float) -> dict:
    before, after = first[first != ABSENT], last[last != ABSENT]
    common = before.index.intersection(after.index)
    stayed = int((before[common] == after[common]).sum())
    value = psi(before, after, eps=eps) if len(before) and len(after) else np.nan
    return {
        "start": first.name,
        "end": last.name,
        "customers_start": len(before),
        "customers_end": len(after),
        "stayed": stayed,
        "stayed_share": stayed / len(common) if len(common) else np.nan,
        "entries": len(after.index.difference(before.index)),
        "exits": len(before.index.difference(after.index)),
        "psi": value,
        "psi_status": psi_status(value),
    }
