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

The module holds the snapshot runner :func:`snapshots`; the observation dates come from
:mod:`segkit.history.dates`, the class markers, default columns and labels from
:mod:`segkit.history.classes`, and the migration matrices and stability measures from
:mod:`segkit.history.migration`. All of them can be imported from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import pandas as pd

from segkit.exceptions import ConfigError
from segkit.history.classes import (
    ABSENT,
    CLASS_COLUMNS,
    CLASS_ORDERS,
    UNCLASSIFIED,
    class_labels,
)
from segkit.history.classes import AXES as AXES
from segkit.history.classes import MARKER_LABELS as MARKER_LABELS
from segkit.history.dates import FREQS as FREQS
from segkit.history.dates import lookback, parse_day, period_ends
from segkit.history.migration import MOVES as MOVES
from segkit.history.migration import NORMALIZE as NORMALIZE
from segkit.history.migration import migration_matrix, migration_summary, stability

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


def _default_classify(ledger, days: list[dt.date], config) -> Callable:
    """``segkit.classify`` with ``config``, reading the features of every date from one query."""
    try:
        from segkit.classes.pipeline import classify_at, resolve_config
        from segkit.features import features_at
    except ImportError as err:
        raise ConfigError(
            "classify_fn: the default segkit.classify (segkit.classes.pipeline.classify) cannot be "
            f"imported ({err}); pass classify_fn=a function (ledger, as_of) -> DataFrame."
        ) from None
    cfg = resolve_config(config)
    features = features_at(ledger, days, **cfg["features"])

    def classify(ledger, day):
        rows = features[features.index.get_level_values("as_of") == pd.Timestamp(day)]
        rows = rows.droplevel("as_of")
        rows.attrs = {"as_of": day.isoformat(), "notes": features.attrs["notes"]}
        return classify_at(ledger, day, rows, cfg, "en")

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
    config: dict | None = None,
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
        ``segkit.classify`` with ``config``, which then builds the features of every date in
        one query (:func:`segkit.features.features_at`) rather than one per date.
    columns : sequence of str, optional
        Class columns to keep; default the columns of :data:`CLASS_COLUMNS` present at any date
        (a class withheld at one date, such as clusters, is unclassified there).
    config : dict, str or Path, optional
        Configuration of the default ``segkit.classify`` (e.g. ``{"credit": False}``); not
        allowed together with ``classify_fn``.

    Returns
    -------
    pandas.DataFrame
        Columns ``snapshot`` (datetime64), ``customer_id`` and the class columns (object),
        one row per snapshot and customer seen at any date, sorted by snapshot and customer.
        ``"absent"`` marks a customer not returned at that date, ``"unclassified"`` a
        missing class (see the module notes on entries and exits).
    """
    days = sorted({parse_day(d, "as_of_dates").date() for d in as_of_dates})
    if not days:
        raise ConfigError("as_of_dates must hold at least one date; got none.")
    if classify_fn is not None and config is not None:
        raise ConfigError("pass either classify_fn or config (of segkit.classify); got both.")
    classify = classify_fn or _default_classify(ledger, days, config)
    frames = {day: _class_frame(classify(ledger, day), columns, day) for day in days}
    if columns is None:  # every class any date has: a model withheld at one date leaves its
        held = set().union(*(f.columns for f in frames.values()))  # column missing there
        columns = [c for c in CLASS_COLUMNS if c in held]
        frames = {
            day: f.reindex(columns=columns, fill_value=UNCLASSIFIED) for day, f in frames.items()
        }
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
