"""Default labels without leakage, development snapshots and the scoring population.

A credit model learns from pairs (features known at a date, outcome after that date). This
module builds both sides from one ledger, point in time:

- :func:`default_labels`: per customer, the exposure at ``as_of`` and whether the customer
  defaults in the window ``(as_of, as_of + horizon]``. Default is the Basel definition: an
  obligation more than 90 days past due (BCBS, *International Convergence of Capital
  Measurement and Capital Standards*, June 2006, paragraph 452).
- :func:`development_set`: features and labels at a series of snapshot dates (quarter-ends
  by default), one row per (snapshot, customer) of the modelling population.
- :func:`scoring_snapshot`: features at ``as_of`` of the customers to score (those owing money).

Population rules. A customer known at ``as_of`` is

- ``"no exposure"`` when nothing is open at ``as_of`` (no receivable, nothing to lose);
- ``"in default at as_of"`` when an invoice open at ``as_of`` is already more than ``dpd``
  days past due (the outcome is already known; such customers get the default grade);
- ``"included"`` otherwise: the modelling population.

Every customer is returned with its ``status``, so exclusions are counted, not dropped silently.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from segkit.checks import as_date, check_int
from segkit.credit.snapshots import (
    DEFAULT_DPD,
    DEFAULT_HORIZON_MONTHS,
    LABEL_COLUMNS,
    STATUSES,
    _at,
    _labels_at,
    credit_snapshots,
    horizon_end,
    window_defaults,
)
from segkit.exceptions import ConfigError, SchemaError
from segkit.features import profile_frame, settlement_available

__all__ = [
    "DEFAULT_DPD",
    "DEFAULT_HORIZON_MONTHS",
    "LABEL_COLUMNS",
    "STATUSES",
    "data_end",
    "default_labels",
    "development_set",
    "horizon_end",
    "scoring_snapshot",
    "snapshot_dates",
]


def data_end(ledger) -> dt.date:
    """Last date of the ledger's data: the latest invoice, payment or settlement date.

    Parameters
    ----------
    ledger : segkit.Ledger

    Returns
    -------
    datetime.date
    """
    invoices = ledger.invoices
    dates = [invoices.invoice_date.max()]
    if "settled_date" in invoices.columns:
        dates.append(invoices.settled_date.max())
    if ledger.payments is not None:
        dates.append(ledger.payments.payment_date.max())
    values = [pd.Timestamp(d.execute()) for d in dates]
    return max(v for v in values if not pd.isna(v)).date()


def require_settlement(ledger) -> None:
    """SchemaError unless the ledger says when invoices were paid (payments or settled dates)."""
    if not settlement_available(ledger.invoices, ledger.payments):
        raise SchemaError(
            "default labels need settlement data: a payments table or an invoices.settled_date "
            "column; got neither, so no invoice is known to be paid or past due."
        )


def _labels(ledger, day, months, dpd, last) -> tuple[pd.DataFrame, pd.DataFrame]:
    features = _at(profile_frame(ledger, [day], firmographic=False), day)
    defaults = window_defaults(ledger, [day], months, dpd)
    return _labels_at(features, defaults, day, months, dpd, last)


def default_labels(
    ledger, as_of, horizon_months: int = DEFAULT_HORIZON_MONTHS, dpd: int = DEFAULT_DPD
) -> pd.DataFrame:
    """Exposure at ``as_of`` and default in the following window, per customer.

    Shape: the ledger -> one row per customer known at ``as_of`` (created by then, or
    invoiced by then). Computed in the engine; only the per-customer result is executed.

    Parameters
    ----------
    ledger : segkit.Ledger
        Needs settlement data (payments, or ``invoices.settled_date``).
    as_of : str or date
        Observation date. Features may use data up to it; the label uses the window after it.
    horizon_months : int, default 12
        Length of the outcome window ``(as_of, as_of + horizon_months]``.
    dpd : int, default 90
        Days past due beyond which an invoice is in default (Basel: more than 90).

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (sorted); columns

        - ``exposure``: open balance at ``as_of`` (settlement with data up to ``as_of``);
        - ``in_default_at_as_of``: an invoice open at ``as_of`` is more than ``dpd`` days
          past due;
        - ``default`` (0/1) and ``default_date``: the first day in the window on which an
          invoice is more than ``dpd`` days past due (``due_date + dpd + 1``), the invoice not
          being settled before that day; settlement uses data up to the window's end only,
          and invoices issued after ``as_of`` count too. Computed for every row: only the
          ``"included"`` rows form the modelling population;
        - ``label_complete``: the window ends on or before the last date of the ledger's data
          (:func:`data_end`), so the outcome is fully observed;
        - ``status``: ``"no exposure"`` (exposure <= 0), ``"in default at as_of"``, or
          ``"included"``.

        ``attrs`` holds ``as_of``, ``horizon_end``, ``dpd``, ``data_end`` and ``counts`` (rows
        per status).

    Raises
    ------
    ConfigError
        For a bad ``as_of``, ``horizon_months`` or ``dpd``.
    SchemaError
        When the ledger has no settlement data.
    """
    day = as_date(as_of)
    months = check_int("horizon_months", horizon_months, 1)
    dpd = check_int("dpd", dpd, 0)
    require_settlement(ledger)
    return _labels(ledger, day, months, dpd, data_end(ledger))[0]


def snapshot_dates(
    ledger,
    start=None,
    end=None,
    freq: str = "QE",
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    history_months: int = 12,
    known_until=None,
) -> list[dt.date]:
    """Snapshot dates with enough history before them and a complete outcome window after.

    Parameters
    ----------
    ledger : segkit.Ledger
    start, end : str or date, optional
        Bounds of the schedule (inclusive). ``start`` defaults to the first invoice date plus
        ``history_months`` minus one day; ``end`` to the last possible date.
    freq : str, default "QE"
        pandas frequency of the schedule (quarter-ends; "ME" for month-ends).
    horizon_months : int, default 12
        Outcome window; a date is kept when its window ends by ``known_until``.
    history_months : int, default 12
        History required before the first snapshot.
    known_until : str or date, optional
        Last date of data that may be used; defaults to :func:`data_end`. A study as of a
        date passes that date, so that it ignores later data.

    Returns
    -------
    list of datetime.date

    Raises
    ------
    ConfigError
        When the schedule is empty or a parameter is invalid.
    """
    months = check_int("horizon_months", horizon_months, 1)
    history = check_int("history_months", history_months, 0)
    last = as_date(known_until, "known_until") if known_until is not None else data_end(ledger)
    if start is None:
        first = ledger.invoices.invoice_date.min().execute()
        start = pd.Timestamp(first) + pd.DateOffset(months=history) - pd.Timedelta(days=1)
    stop = as_date(end, "end") if end is not None else last
    try:
        dates = pd.date_range(pd.Timestamp(as_date(start, "start")), pd.Timestamp(stop), freq=freq)
    except ValueError as error:
        raise ConfigError(f"freq must be a pandas frequency such as 'QE'; got {freq!r}.") from error
    kept = [d.date() for d in dates if horizon_end(d, months) <= last]
    if not kept:
        raise ConfigError(
            f"no snapshot date: from {pd.Timestamp(start).date()} to {stop} at freq {freq!r} no "
            f"date has a complete {months}-month outcome window by {last}."
        )
    return kept


def development_set(
    ledger,
    as_of_dates=None,
    start=None,
    end=None,
    freq: str = "QE",
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    dpd: int = DEFAULT_DPD,
    feature_kwargs: dict | None = None,
) -> pd.DataFrame:
    """Point-in-time features and default labels at a series of snapshot dates.

    Shape: the ledger -> one row per (snapshot, customer) of the modelling population
    (status ``"included"`` in :func:`default_labels`).

    Parameters
    ----------
    ledger : segkit.Ledger
    as_of_dates : sequence of str or date, optional
        Snapshot dates. None builds the schedule with :func:`snapshot_dates` from ``start``,
        ``end`` and ``freq``: by default quarter-ends from the first date with 12 months of
        history to the last date whose outcome window is complete.
    start, end, freq
        See :func:`snapshot_dates`; not allowed together with ``as_of_dates``.
    horizon_months, dpd
        See :func:`default_labels`.
    feature_kwargs : dict, optional
        Keyword arguments for :func:`segkit.customer_features`.

    Returns
    -------
    pandas.DataFrame
        Columns ``snapshot`` (datetime64), ``customer_id``, the columns of
        :func:`segkit.customer_features` at that snapshot, then :data:`LABEL_COLUMNS`; rows
        sorted by snapshot and customer. ``attrs["population"]`` is a table with one row per
        snapshot: ``snapshot``, ``n`` (included), ``n_default``, ``default_rate``, the
        counts ``no exposure`` and ``in default at as_of`` (excluded customers) and
        ``label_complete``.
    """
    if as_of_dates is not None and (start is not None or end is not None):
        raise ConfigError("pass either as_of_dates or start/end, not both; got both.")
    months = check_int("horizon_months", horizon_months, 1)
    dpd = check_int("dpd", dpd, 0)
    require_settlement(ledger)
    if as_of_dates is None:
        days = snapshot_dates(ledger, start, end, freq, months)
    else:
        days = sorted({as_date(d, "as_of_dates") for d in as_of_dates})
        if not days:
            raise ConfigError("as_of_dates must hold at least one date; got none.")
    last = data_end(ledger)
    return credit_snapshots(ledger, days, [], last, months, dpd, feature_kwargs)[0]


def scoring_snapshot(
    ledger, as_of, dpd: int = DEFAULT_DPD, feature_kwargs: dict | None = None
) -> pd.DataFrame:
    """Features at ``as_of`` of the customers to score: those with an open balance.

    Parameters
    ----------
    ledger : segkit.Ledger
    as_of : str or date
    dpd : int, default 90
        Days past due beyond which an open invoice puts the customer in default.
    feature_kwargs : dict, optional
        Keyword arguments for :func:`segkit.customer_features`.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``; the columns of :func:`segkit.customer_features` plus
        ``exposure`` (open balance), ``in_default_at_as_of``, ``open_days_past_due`` (worst
        days past due among open invoices, 0 when none is overdue) and ``status``
        (``"included"`` or ``"in default at as_of"``). Customers without exposure are left
        out; their number is in ``attrs["counts"]``.
    """
    day = as_date(as_of)
    dpd = check_int("dpd", dpd, 0)
    require_settlement(ledger)
    return credit_snapshots(ledger, [], [day], day, 1, dpd, feature_kwargs)[1][day]
