"""Customer classes over time: snapshots at several dates, migration matrices and stability.

Shape: a ledger and a list of as-of dates -> a long table with one row per snapshot and
customer (*snapshot, customer_id, freq_class, abc_tier, ...*) -> per pair of snapshots a
from-class x to-class matrix, a stayed / upgraded / downgraded summary, and per consecutive
pair the share of customers keeping their class and the PSI of the class distribution.

Every snapshot is classified point in time: the classify function receives the ledger and one
as-of date and only sees what was known then (see :func:`segkit.customer_features`).

Entries and exits. The long table holds every customer seen in any snapshot, in every
snapshot. A customer that the classify function does not return at a date - not yet a customer
then, or removed from the master data - has the class :data:`ABSENT` (``"absent"``) in every
class column. In a migration matrix the row ``absent`` therefore counts entries (customers that
arrived between the two dates) and the column ``absent`` counts exits. A customer that stops
buying but stays in the master data is not an exit: it keeps a class such as ``dormant``.
A present customer without a class (e.g. no eight-class RFM class without purchases) has the
class :data:`UNCLASSIFIED`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from segkit.classify.labels import LABELS, LANGS
from segkit.credit.metrics import psi, psi_status
from segkit.exceptions import ConfigError

__all__ = [
    "ABSENT",
    "UNCLASSIFIED",
    "CLASS_COLUMNS",
    "CLASS_ORDERS",
    "period_ends",
    "lookback",
    "snapshots",
    "migration_matrix",
    "migration_summary",
    "stability",
    "class_labels",
]

ABSENT = "absent"
UNCLASSIFIED = "unclassified"
#: Class columns kept by :func:`snapshots` by default, when the classify function returns them.
CLASS_COLUMNS = (
    "freq_class",
    "amount_class",
    "rfm_segment",
    "rfm_class_cn",
    "abc_tier",
    "risk_tier",
    "cluster_name",
)
#: Ranking of the class codes of :func:`segkit.classify`, best first, used when ``order`` is
#: not given. Frequency classes and clusters have no natural ranking and are not listed.
CLASS_ORDERS: dict[str, tuple[str, ...]] = {
    "amount_class": ("large", "medium", "small", "none"),
    "abc_tier": ("A", "B", "C", "none"),
    "risk_tier": ("low", "medium", "high", "unknown"),
    "rfm_class_cn": (
        "important_value",
        "important_development",
        "important_retention",
        "important_winback",
        "general_value",
        "general_development",
        "general_retention",
        "general_winback",
        UNCLASSIFIED,
    ),
}
#: Labels of the two markers that are not classes.
MARKER_LABELS = {
    ABSENT: {"en": "not a customer", "zh": "非在册客户"},
    UNCLASSIFIED: {"en": "unclassified", "zh": "未分类"},
}
AXES = {"en": ("from", "to"), "zh": ("期初", "期末")}
FREQS = {"ME": "month-ends", "QE": "quarter-ends", "YE": "year-ends"}
NORMALIZE = ("index", None)
MOVES = ("upgraded", "stayed", "downgraded", "exited", "entered")


def _day(value, name: str) -> pd.Timestamp:
    try:
        day = pd.Timestamp(value)
    except (TypeError, ValueError):
        day = pd.NaT
    if pd.isna(day):
        raise ConfigError(f"{name} must be a date (ISO 8601 string or date); got {value!r}.")
    return day.normalize()


def _check_freq(freq: str) -> None:
    if freq not in FREQS:
        raise ConfigError(f"freq must be one of {list(FREQS)}; got {freq!r}.")


def period_ends(start, end, freq: str = "QE") -> list[dt.date]:
    """Calendar period ends between two dates, both included.

    Parameters
    ----------
    start, end : str or date
        First and last day of the range, ``start <= end``.
    freq : {"QE", "ME", "YE"}
        Quarter-ends, month-ends or year-ends (pandas offset aliases).

    Returns
    -------
    list of datetime.date
        Ascending; empty when no period ends in the range.
    """
    _check_freq(freq)
    first, last = _day(start, "start"), _day(end, "end")
    if first > last:
        raise ConfigError(
            f"start must be on or before end; got start={first.date()}, end={last.date()}."
        )
    return [day.date() for day in pd.date_range(first, last, freq=freq)]


def lookback(as_of, periods: int = 4, freq: str = "QE") -> list[dt.date]:
    """The ``periods`` period ends before ``as_of``, then ``as_of`` itself.

    With ``as_of="2025-12-31"``, ``periods=4`` and quarters: 2024-12-31, 2025-03-31,
    2025-06-30, 2025-09-30 and 2025-12-31, so the first and last dates are a year apart.

    Returns
    -------
    list of datetime.date
        ``periods + 1`` ascending dates.
    """
    _check_freq(freq)
    if not isinstance(periods, int | np.integer) or isinstance(periods, bool) or periods < 1:
        raise ConfigError(f"periods must be an int >= 1; got {periods!r}.")
    last = _day(as_of, "as_of")
    ends = pd.date_range(end=last - pd.Timedelta(days=1), periods=periods, freq=freq)
    return [day.date() for day in ends] + [last.date()]


def _default_classify() -> Callable:
    try:
        from segkit.classify_all import classify
    except ImportError as err:
        raise ConfigError(
            "classify_fn: the default segkit.classify (segkit.classify_all.classify) cannot be "
            f"imported ({err}); pass classify_fn=a function (ledger, as_of) -> DataFrame."
        ) from None
    return classify


def _class_frame(frame, columns: Sequence[str] | None, day: dt.date) -> pd.DataFrame:
    where = f"snapshots: classify_fn at {day}"
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(f"{where} must return a DataFrame; got {type(frame).__name__}.")
    if "customer_id" in frame.columns:
        frame = frame.set_index("customer_id")
    elif frame.index.name != "customer_id":
        raise ConfigError(f"{where} must return a customer_id column or index; got neither.")
    if columns is None:
        columns = [c for c in CLASS_COLUMNS if c in frame.columns]
        if not columns:
            raise ConfigError(f"{where} returned none of the class columns {list(CLASS_COLUMNS)}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ConfigError(f"{where} lacks columns {missing} (parameter columns).")
    duplicated = frame.index[frame.index.duplicated()].unique().tolist()
    if duplicated:
        raise ConfigError(f"{where} must return one row per customer; repeated: {duplicated[:5]}.")
    return frame[list(columns)].astype(object).fillna(UNCLASSIFIED)


def snapshots(
    ledger,
    as_of_dates: Sequence,
    classify_fn: Callable | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Classify the customers at every date, each time from the data known at that date.

    Parameters
    ----------
    ledger : segkit.Ledger
        The validated ledger.
    as_of_dates : sequence of str or date
        Observation dates (e.g. :func:`period_ends` or :func:`lookback`); sorted, duplicates
        dropped.
    classify_fn : callable, optional
        ``classify_fn(ledger, as_of) -> DataFrame`` with one row per customer and a
        ``customer_id`` column or index; ``as_of`` is a ``datetime.date``. Default:
        ``segkit.classify``.
    columns : sequence of str, optional
        Class columns to keep; default the columns of :data:`CLASS_COLUMNS` that are present.

    Returns
    -------
    pandas.DataFrame
        Columns ``snapshot`` (datetime64), ``customer_id`` and the class columns (object),
        one row per snapshot and customer seen at any date, sorted by snapshot and customer.
        ``"absent"`` marks a customer not returned at that date, ``"unclassified"`` a
        missing class (see the module notes on entries and exits).
    """
    days = sorted({_day(d, "as_of_dates").date() for d in as_of_dates})
    if not days:
        raise ConfigError("as_of_dates must hold at least one date; got none.")
    classify = classify_fn if classify_fn is not None else _default_classify()
    frames = {}
    for day in days:
        frames[day] = _class_frame(classify(ledger, day), columns, day)
        columns = list(frames[day].columns)  # the first date fixes the default columns
    customers = pd.Index(
        sorted(set().union(*(f.index for f in frames.values()))), name="customer_id"
    )
    parts = [
        frame.reindex(customers, fill_value=ABSENT).reset_index().assign(snapshot=pd.Timestamp(day))
        for day, frame in frames.items()
    ]
    long = pd.concat(parts, ignore_index=True)
    order = ["snapshot", "customer_id", *columns]
    return long[order].astype({"snapshot": "datetime64[ns]", "customer_id": object})


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
    first, last = _day(start, "start"), _day(end, "end")
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
        Output of :func:`snapshots` (columns ``snapshot``, ``customer_id``, ``column``).
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
        Output of :func:`snapshots`.
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
        Output of :func:`snapshots` with at least two snapshot dates.
    column : str
        Class column.
    eps : float
        Floor on class shares in the PSI (see :func:`segkit.credit.metrics.psi`).

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


def class_labels(table: pd.DataFrame, column: str, lang: str = "en", counts=None) -> pd.DataFrame:
    """A copy of a migration table with class codes replaced by labels, for display.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`migration_matrix` (index and columns are relabelled) or any frame
        indexed by class codes (index only).
    column : str
        Class column the codes come from (a key of :data:`segkit.classify.labels.LABELS`);
        codes without a label are kept.
    lang : {"en", "zh"}
        Language of the labels.
    counts : pandas.DataFrame, optional
        The count matrix; row labels then end with the number of customers, e.g. ``A (n=12)``.

    Returns
    -------
    pandas.DataFrame
        Same values; ``from`` and ``to`` axis names translated when ``lang="zh"``.
    """
    if lang not in LANGS:
        raise ConfigError(f"lang must be one of {list(LANGS)}; got {lang!r}.")
    names = {code: entry[lang] for code, entry in LABELS.get(column, {}).items()}
    names.update({code: entry[lang] for code, entry in MARKER_LABELS.items()})
    rows = [names.get(code, code) for code in table.index]
    if counts is not None:
        sizes = counts.sum(axis=1).reindex(table.index).fillna(0).astype(int)
        rows = [f"{name} (n={size})" for name, size in zip(rows, sizes, strict=True)]
    out = table.set_axis(rows, axis=0)
    if table.columns.name == "to":
        out = out.set_axis([names.get(code, code) for code in table.columns], axis=1)
        out = out.rename_axis(index=AXES[lang][0], columns=AXES[lang][1])
    return out
