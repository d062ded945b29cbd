"""What the credit scorecard needs from a ledger, and whether this ledger has it.

A scorecard learns from quarter-end snapshots (features known on the day, default in the
following ``horizon_months``), holds the latest ``holdout_snapshots`` out for an out-of-time
test and trains on the earlier ones (:func:`segkit.credit.credit_study`). The first snapshot
needs ``history_months`` of history before it (:func:`segkit.credit.snapshot_dates`), so the
least history that can fit a scorecard is

``history_months + 3 x holdout_snapshots + horizon_months`` months

(one training quarter-end, then one quarter per test snapshot, then a complete outcome
window), plus up to three months until the first quarter-end. With the defaults that is 30
months. :func:`months_needed_from` counts the same need for a ledger's first invoice date in
calendar months covered, the unit every study states history in
(:func:`segkit.studies.sections.months_covered`). :func:`readiness` checks it on a ledger,
together with settlement data (payments or ``invoices.settled_date``), without which no invoice
is known to be paid or past due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from segkit.checks import as_date, check_int
from segkit.credit.defaults import data_end, snapshot_dates
from segkit.credit.snapshots import horizon_end
from segkit.exceptions import ConfigError
from segkit.features import settlement_available
from segkit.studies.sections import months_covered
from segkit.text import text

__all__ = ["HISTORY_MONTHS", "Readiness", "months_needed", "months_needed_from", "readiness"]

#: Months of history before the first development snapshot (as in ``snapshot_dates``).
HISTORY_MONTHS = 12
_QUARTER = 3
#: Why no scorecard is fitted, in the order they are checked.
REASONS = ("no_settlement", "short_history", "no_defaults", "no_features")


def months_needed(horizon_months: int = 12, holdout_snapshots: int = 2) -> int:
    """Least months of history a scorecard needs: history + snapshots + outcome window.

    Parameters
    ----------
    horizon_months : int, default 12
        Outcome window of the default label.
    holdout_snapshots : int, default 2
        Quarter-end snapshots held out for the out-of-time test (one more trains).

    Returns
    -------
    int
        ``HISTORY_MONTHS + 3 * holdout_snapshots + horizon_months``.
    """
    horizon = check_int("horizon_months", horizon_months, 1)
    holdout = check_int("holdout_snapshots", holdout_snapshots, 1)
    return HISTORY_MONTHS + _QUARTER * holdout + horizon


def months_needed_from(first, horizon_months: int = 12, holdout_snapshots: int = 2) -> int:
    """Calendar months a ledger whose first invoice is dated ``first`` must cover for a scorecard.

    The first snapshot is the first quarter-end at least :data:`HISTORY_MONTHS` after ``first``
    (as in :func:`segkit.credit.snapshot_dates`); ``holdout_snapshots`` more follow, and the last
    needs its complete outcome window. Counted from the month of ``first`` to the month the last
    window ends, both included (:func:`segkit.studies.sections.months_covered`): 30 for a ledger
    starting on the first day of a quarter with the defaults, up to 33 otherwise.
    """
    horizon = check_int("horizon_months", horizon_months, 1)
    holdout = check_int("holdout_snapshots", holdout_snapshots, 1)
    start = pd.Timestamp(first) + pd.DateOffset(months=HISTORY_MONTHS) - pd.Timedelta(days=1)
    last_snapshot = pd.date_range(start, periods=holdout + 1, freq="QE")[-1]
    return months_covered(first, horizon_end(last_snapshot.date(), horizon))


@dataclass(frozen=True)
class Readiness:
    """Whether a scorecard can be fitted, and why not.

    Attributes
    ----------
    first, last : datetime.date
        First invoice date and last date of data used (the earlier of ``as_of`` and the
        ledger's last date).
    months_held : int
        Calendar months from the month of ``first`` to the month of ``last``, both counted.
    months_needed : int
        :func:`months_needed_from` ``first`` for the study's parameters.
    settlement : bool
        The ledger says when invoices were paid (payments or ``settled_date``).
    reason : str or None
        None when a scorecard can be fitted, else one of ``"no_settlement"``,
        ``"short_history"`` or ``"no_defaults"``.
    detail : str
        The engine's message behind ``"no_defaults"`` (empty otherwise).
    """

    first: dt.date
    last: dt.date
    months_held: int
    months_needed: int
    settlement: bool
    reason: str | None = None
    detail: str = ""

    @property
    def fit(self) -> bool:
        """True when a scorecard can be fitted."""
        return self.reason is None

    def text(self, lang: str = "en") -> str:
        """Why no scorecard was fitted (or what history the one fitted used), in ``lang``."""
        fields = {
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "held": self.months_held,
            "needed": self.months_needed,
        }
        return text("credit_skip", self.reason or "fitted", lang, **fields)


def readiness(ledger, as_of, horizon_months: int = 12, holdout_snapshots: int = 2) -> Readiness:
    """Check whether ``ledger`` holds what a scorecard as of ``as_of`` needs.

    Parameters
    ----------
    ledger : segkit.Ledger
    as_of : str or date
    horizon_months, holdout_snapshots : int
        The study's parameters (see :func:`months_needed`).

    Returns
    -------
    Readiness
        ``reason`` is ``"no_settlement"`` without payments or settled dates, and
        ``"short_history"`` when fewer than ``holdout_snapshots + 1`` quarter-ends have
        12 months of history before them and a complete outcome window by ``as_of``.
    """
    day = as_date(as_of)
    first = pd.Timestamp(ledger.invoices.invoice_date.min().execute()).date()
    needed = months_needed_from(first, horizon_months, holdout_snapshots)
    last = min(day, data_end(ledger))
    held = months_covered(first, last)
    base: dict[str, Any] = {
        "first": first,
        "last": last,
        "months_held": held,
        "months_needed": needed,
    }
    if not settlement_available(ledger.invoices, ledger.payments):
        return Readiness(**base, settlement=False, reason="no_settlement")
    try:
        dates = snapshot_dates(ledger, horizon_months=horizon_months, known_until=last)
    except ConfigError:
        dates = []
    if len(dates) <= holdout_snapshots:
        return Readiness(**base, settlement=True, reason="short_history")
    return Readiness(**base, settlement=True)
