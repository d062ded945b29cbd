"""The month's key figures against the previous month-end and quarter-end.

:func:`collect` classifies the customers (:func:`segkit.classify`, which includes the credit
scorecard, joined with :func:`segkit.customer_features`) at the as-of date, the month-end before
it and the quarter-end before it, and without credit at the month-end before each of those two
(new defaults and class changes are counts over a month). Every date sees only the data known
at that date. :func:`key_figures` reduces the snapshots to one table:

===================  ===========================================================================
active_customers     customers with an invoice in the 12 months to the date
revenue_12m          sum of ``revenue_12m``
open_receivables     sum of ``open_balance``
past_due             sum of ``overdue_balance``
past_due_90          sum of ``aging_90_plus``
dso_days             open receivables / credit sales of 365 days x 365
                     (:func:`segkit.credit.dso_trend`, the credit study's definition)
expected_loss        sum of ``expected_loss`` (PD x LGD x exposure, from the scorecard)
loss_allowance       the IFRS 9 simplified-approach allowance of the provision matrix
                     (:func:`segkit.credit.provision.provision_matrix`)
over_limit           what customers owe above their limits on file (sum of the excesses)
no_limit_exposure    what customers owe without a limit on file
new_defaults         customers with a balance more than 90 days past due at the date that had
                     none at the month-end before (Basel II default, paragraph 452)
changed_class        customers present at both month-ends whose ``rfm_segment`` differs
===================  ===========================================================================

followed by the collections KPIs of :data:`COLLECTION_FIGURES` (:func:`segkit.cash.collection_kpis`,
formulas in docs/collections.md).

A figure the ledger cannot give (no payments, no credit model, a date before the ledger) is NaN
and :attr:`Summary.missing` says why.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segkit.checks import as_date
from segkit.exceptions import SegkitError, SegkitWarning

__all__ = [
    "COLLECTION_FIGURES",
    "FIGURES",
    "PERIODS",
    "Summary",
    "collect",
    "key_figures",
    "period_dates",
]

FIGURES = (
    "active_customers",
    "revenue_12m",
    "open_receivables",
    "past_due",
    "past_due_90",
    "dso_days",
    "expected_loss",
    "loss_allowance",
    "over_limit",
    "no_limit_exposure",
    "new_defaults",
    "changed_class",
)
#: Collections KPIs among the key figures, after :data:`FIGURES`.
COLLECTION_FIGURES = ("cei", "average_days_delinquent", "best_possible_dso", "current_share",
                      "disputes", "dispute_age_days")  # fmt: skip
#: The three dates of the summary: the as-of date, the month-end and quarter-end before it.
PERIODS = ("as_of", "month", "quarter")
#: Figures that are sums of one column of the snapshot.
_SUMS = {
    "revenue_12m": "revenue_12m",
    "open_receivables": "open_balance",
    "past_due": "overdue_balance",
    "past_due_90": "aging_90_plus",
    "expected_loss": "expected_loss",
}
_CLASS = "rfm_segment"


@dataclass
class Summary:
    """Snapshots and key figures of one report date.

    ``dates`` maps each of :data:`PERIODS` to its date; ``frames`` holds the snapshot of every
    date computed (None where it could not be), ``figures`` the table of :func:`key_figures`,
    ``missing`` the reason code and detail of each missing figure, ``notes`` the classification's notes.
    """

    dates: dict[str, dt.date]
    frames: dict[dt.date, pd.DataFrame | None]
    figures: pd.DataFrame
    missing: dict[str, tuple[str, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    provision: object | None = None  # the provision matrix at the as-of date, when there is one
    first: dt.date | None = None  # the ledger's first invoice date (trailing windows' coverage)

    @property
    def current(self) -> pd.DataFrame | None:
        """The snapshot at the as-of date."""
        return self.frames[self.dates["as_of"]]

    @property
    def previous(self) -> pd.DataFrame | None:
        """The snapshot at the month-end before the as-of date."""
        return self.frames[self.dates["month"]]


def month_end_before(day) -> dt.date:
    """The last day of the month before ``day``'s month."""
    day = as_date(day)
    return day.replace(day=1) - dt.timedelta(days=1)


def period_dates(as_of) -> dict[str, dt.date]:
    """The as-of date, the month-end before it and the quarter-end before it.

    >>> period_dates("2025-12-31")["quarter"]
    datetime.date(2025, 9, 30)
    """
    day = as_date(as_of)
    quarter_start = day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    return {
        "as_of": day,
        "month": month_end_before(day),
        "quarter": quarter_start - dt.timedelta(days=1),
    }


def snapshot(
    ledger, day: dt.date, credit: bool, config: Mapping | None = None, clusters: bool = False
) -> pd.DataFrame:
    """The classification at ``day`` with the features it was built from (``aging_90_plus``).

    The growth section is left out: no figure, action or workbook column reads it.
    """
    from segkit.classes.pipeline import classify_at, resolve_config
    from segkit.features import customer_features

    cfg = resolve_config(dict(config or {}))
    cfg["credit"]["enabled"] = credit and cfg["credit"].get("enabled", True)
    cfg["clusters"]["enabled"] = clusters and cfg["clusters"].get("enabled", True)
    cfg["growth"]["enabled"] = False
    features = customer_features(ledger, day, **cfg["features"])
    with warnings.catch_warnings():  # a figure left out is said on the page, with its reason
        warnings.simplefilter("ignore", SegkitWarning)
        classes = classify_at(ledger, day, features, cfg, "en")
    extra = [c for c in ("aging_90_plus",) if c in features.columns and c not in classes.columns]
    frame = classes.join(features[extra])
    frame.attrs = dict(classes.attrs)
    return frame


def collect(ledger, as_of, config: Mapping | None = None) -> Summary:
    """Classify at the summary dates and compute :func:`key_figures`.

    Parameters
    ----------
    ledger : segkit.Ledger
    as_of : str or date
    config : mapping, optional
        Classification config (see :func:`segkit.classify`); the credit section's
        ``horizon_months``, ``dpd`` and ``lgd`` are those of the credit study.
    """
    from segkit.classes.pipeline import features_first, resolve_config

    dates = period_dates(as_of)
    before = {p: month_end_before(dates[p]) for p in ("as_of", "month", "quarter")}
    wanted = {d: True for d in dates.values()} | {
        d: False for d in before.values() if d not in dates.values()
    }
    frames, errors = {}, {}
    features_first(ledger, list(wanted), resolve_config(dict(config or {})))
    for day, credit in sorted(wanted.items(), reverse=True):
        try:
            frames[day] = snapshot(ledger, day, credit, config, clusters=day == dates["as_of"])
        except SegkitError as exc:
            if day == dates["as_of"]:
                raise
            frames[day], errors[day] = None, str(exc).splitlines()[0]
    dso, dso_error = _dso(ledger, dates)
    provisions, allowance_error = _allowance(ledger, dates)
    allowance = {d: (p.allowance if p is not None else np.nan) for d, p in provisions.items()}
    kpis, kpi_reason = _collection_figures(ledger, dates, frames)
    figures = pd.concat([key_figures(frames, dates, dso, allowance), kpis])
    notes = list(frames[dates["as_of"]].attrs.get("notes", []))
    missing = _missing(figures, frames[dates["as_of"]], dso_error, notes, allowance_error)
    for figure in set(missing) & set(COLLECTION_FIGURES):
        if kpi_reason[figure] is not None:
            missing[figure] = kpi_reason[figure]
    for figure, (reason, _) in missing.items():
        if reason == "no_history":  # detail: the latest date the ledger cannot classify
            missing[figure] = (reason, str(max(errors)) if errors else "")
    first = ledger.invoices.invoice_date.min().execute()
    first = None if pd.isna(first) else pd.Timestamp(first).date()
    return Summary(dates, frames, figures, missing, notes, provisions[dates["as_of"]], first)


def _dso(ledger, dates: Mapping[str, dt.date]) -> tuple[dict[dt.date, float], str]:
    from segkit.credit.collections import dso_trend

    values, error = {}, ""
    for day in dates.values():
        try:
            trend = dso_trend(ledger, start=day, end=day, freq="D")
            values[day] = float(trend["dso_days"].iloc[-1])
        except SegkitError as exc:
            values[day], error = np.nan, str(exc).splitlines()[0]
    return values, error


def _allowance(ledger, dates: Mapping[str, dt.date]) -> tuple[dict, str]:
    """The provision matrix at each date (None where the ledger cannot give one), and why."""
    from segkit.credit.provision import provision_matrix

    found, error = {}, ""
    for day in dates.values():
        try:
            found[day] = provision_matrix(ledger, day)
        except SegkitError as exc:  # no settlement data, or too little history for a rate
            found[day], error = None, str(exc).splitlines()[0]
    return found, error


def _collection_figures(ledger, dates, frames):
    """The collections KPIs at the summary dates (NaN where the date has no snapshot), and
    why a figure is missing when the ledger cannot give it at any date."""
    from segkit.cash import collection_kpis

    columns = pd.Index(COLLECTION_FIGURES, name="figure")
    reason = dict.fromkeys(COLLECTION_FIGURES)
    try:
        kpis = collection_kpis(ledger, list(dates.values())).loc[list(COLLECTION_FIGURES)]
    except SegkitError as exc:  # no settlement data: said on the page
        detail = str(exc).splitlines()[0]
        table = pd.DataFrame(np.nan, index=columns, columns=list(dates))
        return table, dict.fromkeys(COLLECTION_FIGURES, ("no_settlement", detail))
    table = pd.DataFrame(
        {p: kpis[d] if frames.get(d) is not None else np.nan for p, d in dates.items()}
    ).set_axis(columns)
    if table.loc["disputes"].isna().all():
        for figure in ("disputes", "dispute_age_days"):
            reason[figure] = ("no_disputes", "no invoices.disputed")
    return table, reason


def key_figures(
    frames: Mapping[dt.date, pd.DataFrame | None],
    dates: Mapping[str, dt.date],
    dso: Mapping[dt.date, float] | None = None,
    allowance: Mapping[dt.date, float] | None = None,
) -> pd.DataFrame:
    """One row per figure of :data:`FIGURES`, one column per period of :data:`PERIODS`.

    Parameters
    ----------
    frames : mapping
        Snapshot by date (index ``customer_id``; columns of :func:`segkit.classify` and
        ``aging_90_plus``) for every date of ``dates`` and the month-end before each; None
        for a date without data.
    dates : mapping
        Date of each period (:func:`period_dates`).
    dso : mapping, optional
        Portfolio DSO by date.
    allowance : mapping, optional
        Loss allowance by date.

    Returns
    -------
    pandas.DataFrame
        Index ``figure``, columns ``as_of``, ``month``, ``quarter`` (float; NaN when the
        figure cannot be computed).
    """
    columns = {}
    for period, day in dates.items():
        frame = frames.get(day)
        earlier = frames.get(month_end_before(day))
        columns[period] = _figures_at(frame, earlier, (dso or {}).get(day, np.nan))
        columns[period]["loss_allowance"] = (allowance or {}).get(day, np.nan)
    table = pd.DataFrame(columns, index=pd.Index(FIGURES, name="figure"), dtype=float)
    return table[list(dates)]


def _figures_at(frame, earlier, dso: float) -> dict[str, float]:
    if frame is None:
        return dict.fromkeys(FIGURES, np.nan)
    out = {"active_customers": float((frame["invoices_12m"].fillna(0) > 0).sum())}
    for figure, column in _SUMS.items():
        known = column in frame.columns and frame[column].notna().any()
        out[figure] = float(frame[column].sum()) if known else np.nan
    out["dso_days"] = dso
    out |= _limits(frame)
    out["new_defaults"] = _new_defaults(frame, earlier)
    out["changed_class"] = _changed(frame, earlier)
    return out


def _limits(frame: pd.DataFrame) -> dict[str, float]:
    """What is owed above the limits on file, and what is owed without one."""
    if "credit_limit" not in frame.columns or "open_balance" not in frame.columns:
        return {"over_limit": np.nan, "no_limit_exposure": np.nan}
    owed = frame["open_balance"].astype(float)
    if owed.isna().all():
        return {"over_limit": np.nan, "no_limit_exposure": np.nan}
    limit = frame["credit_limit"].astype(float).where(frame["credit_limit"] > 0)
    over = (owed - limit).clip(lower=0).fillna(0.0)
    none = owed.where(limit.isna() & (owed > 0)).fillna(0.0)
    return {"over_limit": float(over.sum()), "no_limit_exposure": float(none.sum())}


def _in_default(frame: pd.DataFrame) -> pd.Index:
    return frame.index[frame["aging_90_plus"].fillna(0) > 0]


def _new_defaults(frame, earlier) -> float:
    if "aging_90_plus" not in frame.columns or frame["aging_90_plus"].isna().all():
        return np.nan
    if earlier is None or "aging_90_plus" not in earlier.columns:
        return np.nan
    return float(len(_in_default(frame).difference(_in_default(earlier))))


def _changed(frame, earlier) -> float:
    if earlier is None or _CLASS not in frame.columns or _CLASS not in earlier.columns:
        return np.nan
    both = frame.index.intersection(earlier.index)
    now, then = frame.loc[both, _CLASS].astype(object), earlier.loc[both, _CLASS].astype(object)
    return float((now.fillna("") != then.fillna("")).sum())


def _missing(figures, current, dso_error: str, notes, allowance_error: str = "") -> dict:
    """Why each figure with a missing value is missing: a reason code and its detail."""
    credit_note = next((n for n in notes if n.startswith("credit")), "credit: false")
    reasons = {}
    for figure in figures.index[figures.isna().any(axis=1)]:
        column = _SUMS.get(figure, "aging_90_plus")
        if figure == "dso_days" and dso_error:
            reasons[figure] = ("no_settlement", dso_error)
        elif figure == "loss_allowance" and allowance_error:
            reasons[figure] = ("no_allowance", allowance_error)
        elif figure in ("over_limit", "no_limit_exposure") and "credit_limit" not in current:
            reasons[figure] = ("no_limits", "no credit_limit")
        elif figure == "expected_loss" and column not in current.columns:
            reasons[figure] = ("no_credit", credit_note)
        elif figure in ("past_due", "past_due_90", "new_defaults", "over_limit",
                        "no_limit_exposure") and (
            column not in current.columns or current[column].isna().all()
        ):  # fmt: skip
            reasons[figure] = ("no_settlement", f"no {column}")
        else:
            reasons[figure] = ("no_history", "")
    return reasons
