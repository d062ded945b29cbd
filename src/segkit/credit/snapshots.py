"""Labels and scoring rows at many snapshot dates, from two queries.

The features of every snapshot come from one multi-date query
(:func:`segkit.features.features_at`, here with ``open_days_past_due``): the exposure at a
date is the open balance, and a customer is in default at that date when an open invoice is
more than ``dpd`` days past due. The outcome after each snapshot comes from a second query that
settles the ledger at the end of every outcome window (:func:`window_defaults`). The public
functions of :mod:`segkit.credit.defaults` and the credit study build on :func:`credit_snapshots`.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
from ibis import _

from segkit.checks import as_date, check_int
from segkit.features import profile_frame
from segkit.features.engine import has_room, ledger_cache, run_query
from segkit.features.profile import EXPOSURE
from segkit.features.settlement import settle

__all__ = [
    "DEFAULT_DPD",
    "DEFAULT_HORIZON_MONTHS",
    "LABEL_COLUMNS",
    "STATUSES",
    "credit_snapshots",
    "horizon_end",
    "window_defaults",
]

#: More than 90 days past due is a default (BCBS 2006, paragraph 452).
DEFAULT_DPD = 90
#: One-year outcome window, the horizon of a Basel PD.
DEFAULT_HORIZON_MONTHS = 12
#: Population status of a customer at ``as_of``, in the order the rules are applied.
STATUSES = ("no exposure", "in default at as_of", "included")
LABEL_COLUMNS = (
    "exposure", "in_default_at_as_of", "default", "default_date", "label_complete", "status",
)  # fmt: skip


def horizon_end(as_of, months: int = DEFAULT_HORIZON_MONTHS) -> dt.date:
    """Last day of the outcome window: ``as_of`` plus ``months`` calendar months.

    A month-end stays a month-end when the target month is shorter (2024-02-29 + 12 months is
    2025-02-28); pandas ``DateOffset`` arithmetic.
    """
    months = check_int("horizon_months", months, 1)
    return (pd.Timestamp(as_date(as_of)) + pd.DateOffset(months=months)).date()


_LABEL_DATES = ibis.schema({"as_of": "date", "horizon_end": "date"})


def window_defaults(ledger, days: list[dt.date], months: int, dpd: int) -> pd.DataFrame:
    """First day in ``(day, end]`` on which an invoice is more than ``dpd`` days past due.

    One query for every snapshot ``day``: settlement uses data up to the window's end
    ``end`` only. An invoice crosses on ``due_date + dpd + 1`` and counts when it was not
    settled before that day (paid on it or later, or still open). Returns ``as_of`` (the
    snapshot), ``customer_id`` and ``default_date``.

    The defaults of each day are kept with the ledger (up to
    :data:`segkit.features.engine.KEEP_ROWS` rows in all): studies at neighbouring dates share
    most of their development dates, and each is queried once.
    """
    days = list(dict.fromkeys(days))
    kept = ledger_cache(ledger, "labels").setdefault((months, dpd), {})
    missing = [d for d in days if d not in kept]
    if missing:
        found = _window_defaults(ledger, missing, months, dpd)
        if not has_room(kept, len(found)):  # the kept dates and the new ones, not kept
            rows = [kept[d] for d in days if d in kept and len(kept[d])]
            return pd.concat([*rows, found], ignore_index=True) if rows else found
        for day in missing:
            kept[day] = found[found["as_of"] == pd.Timestamp(day)].reset_index(drop=True)
    parts = [kept[d] for d in days]
    rows = [part for part in parts if len(part)]
    return pd.concat(rows, ignore_index=True) if rows else parts[0]


def _window_defaults(ledger, days: list[dt.date], months: int, dpd: int) -> pd.DataFrame:
    frame = pd.DataFrame({"as_of": days, "horizon_end": [horizon_end(d, months) for d in days]})

    def build(table):
        ends = table.select(as_of=table.horizon_end).distinct()
        lines = settle(ledger.invoices, ledger.payments, ends)[0].filter(_.amount > 0)
        lines = lines.mutate(cross=_.due_date + ibis.interval(days=dpd + 1))
        late = lines.settled_date.isnull() | (lines.settled_date >= lines.cross)
        events = lines.filter(late & (lines.cross <= lines.as_of))
        events = events.select("customer_id", "cross", end=_.as_of)
        joined = events.inner_join(
            table, [events.end == table.horizon_end, events.cross > table.as_of]
        )
        return joined.group_by(["as_of", "customer_id"]).aggregate(default_date=_.cross.min())

    return run_query(ledger, "labels", (dpd,), frame, _LABEL_DATES, build)


def _labels_at(features: pd.DataFrame, defaults: pd.DataFrame, day, months, dpd, last):
    """Labels and ``open_days_past_due`` at ``day`` from the features and window defaults."""
    end = horizon_end(day, months)
    worst = features["open_days_past_due"]
    frame = pd.DataFrame(
        {
            "customer_id": features.index,
            "exposure": features["open_balance"].to_numpy(),
            "in_default_at_as_of": (worst > dpd).to_numpy(),
            "open_days_past_due": worst.to_numpy(),
        }
    )
    at_day = defaults[defaults["as_of"] == pd.Timestamp(day)]
    frame["default_date"] = frame["customer_id"].map(
        at_day.set_index("customer_id")["default_date"]
    )
    labels, extra = _finish_labels(frame, end <= last)
    labels.attrs = {
        "as_of": day.isoformat(),
        "horizon_end": end.isoformat(),
        "dpd": dpd,
        "data_end": last.isoformat(),
        "counts": {s: int((labels["status"] == s).sum()) for s in STATUSES},
    }
    return labels, extra


def _at(frame: pd.DataFrame, day) -> pd.DataFrame:
    """The rows of a multi-date frame at one date, indexed by customer."""
    rows = frame[frame.index.get_level_values("as_of") == pd.Timestamp(day)]
    return rows.droplevel("as_of")


def _finish_labels(frame: pd.DataFrame, complete: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = frame.set_index("customer_id").sort_index()
    frame.index.name = "customer_id"
    out = pd.DataFrame(index=frame.index)
    out["exposure"] = frame["exposure"].astype(float).fillna(0.0)
    out["in_default_at_as_of"] = frame["in_default_at_as_of"].fillna(0).astype(bool)
    out["default"] = frame["default_date"].notna().astype("int64")
    out["default_date"] = pd.to_datetime(frame["default_date"]).astype("datetime64[ns]")
    out["label_complete"] = complete
    status = pd.Series(STATUSES[2], index=out.index, dtype=object)
    status = status.mask(out["in_default_at_as_of"], STATUSES[1])
    out["status"] = status.mask(out["exposure"] <= 0, STATUSES[0])
    extra = frame[["open_days_past_due"]].astype(float).fillna(0.0)
    return out, extra


def _population(labels: pd.DataFrame, snapshot: dt.date) -> dict:
    included = labels[labels["status"] == STATUSES[2]]
    row = {"snapshot": pd.Timestamp(snapshot).as_unit("ns"), "n": len(included)}
    row["n_default"] = int(included["default"].sum())
    row["default_rate"] = row["n_default"] / row["n"] if row["n"] else float("nan")
    row |= {s: labels.attrs["counts"][s] for s in STATUSES[:2]}
    row["label_complete"] = bool(labels["label_complete"].all()) if len(labels) else False
    return row


def _snapshot_rows(features, defaults, day, months, dpd, last) -> tuple[pd.DataFrame, dict]:
    at_day = _at(features, day)
    labels = _labels_at(at_day, defaults, day, months, dpd, last)[0]
    included = labels[labels["status"] == STATUSES[2]]
    rows = at_day.drop(columns=list(EXPOSURE)).join(included, how="inner")
    rows.insert(0, "snapshot", pd.Timestamp(day).as_unit("ns"))
    return rows.reset_index(), _population(labels, day)


def _scoring_rows(at_day: pd.DataFrame, day, dpd: int) -> pd.DataFrame:
    none = pd.DataFrame({"as_of": [], "customer_id": [], "default_date": []})
    labels, extra = _labels_at(at_day, none, day, DEFAULT_HORIZON_MONTHS, dpd, day)
    owing = labels[labels["status"] != STATUSES[0]]
    columns = ["exposure", "in_default_at_as_of", "status"]
    out = at_day.drop(columns=list(EXPOSURE)).join(owing[columns], how="inner").join(extra)
    out.attrs = {
        "as_of": day.isoformat(),
        "counts": {s: int((labels["status"] == s).sum()) for s in STATUSES},
    }
    return out


def credit_snapshots(
    ledger, dev_days, score_days, last, months: int, dpd: int, feature_kwargs: dict | None = None
) -> tuple[pd.DataFrame, dict]:
    """The development set and the scoring rows, with one feature query for all dates.

    Parameters
    ----------
    ledger : segkit.Ledger
        With settlement data (checked by the caller).
    dev_days : list of datetime.date
        Development snapshots (may be empty); labelled by one more query.
    score_days : list of datetime.date
        Dates at which to score the customers owing money.
    last : datetime.date
        Last date of the ledger's data (labels whose window ends later are incomplete).
    months, dpd : int
        Outcome window and days past due of the default definition.
    feature_kwargs : dict, optional
        Keyword arguments for :func:`segkit.customer_features`.

    Returns
    -------
    (pandas.DataFrame or None, dict)
        The development set of :func:`segkit.credit.development_set` (None without
        ``dev_days``) and ``{day: scoring rows}`` as :func:`segkit.credit.scoring_snapshot`.
    """
    features = profile_frame(ledger, [*dev_days, *score_days], **(feature_kwargs or {}))
    dev = None
    if dev_days:
        defaults = window_defaults(ledger, list(dev_days), months, dpd)
        parts = [_snapshot_rows(features, defaults, d, months, dpd, last) for d in dev_days]
        dev = pd.concat([rows for rows, _info in parts], ignore_index=True)
        dev.attrs = {"population": pd.DataFrame([info for _rows, info in parts])}
    scores = {d: _scoring_rows(_at(features, d), d, dpd) for d in score_days}
    return dev, scores
