"""What the credit scorecard needs from a ledger, and whether this ledger has it.

A scorecard learns from quarter-end snapshots (features known on the day, default in the
following ``horizon_months``), holds the latest ``holdout_snapshots`` out for an out-of-time
test and trains on the earlier ones (:func:`segkit.credit.credit_study`). The first snapshot
needs ``history_months`` of history before it (:func:`segkit.credit.snapshot_dates`), so the
least history that can fit a scorecard is

``history_months + 3 x holdout_snapshots + horizon_months`` months

(one training quarter-end, then one quarter per test snapshot, then a complete outcome
window), plus up to three months until the first quarter-end. With the defaults that is 30
months. :func:`readiness` checks it on a ledger, together with settlement data (payments or
``invoices.settled_date``), without which no invoice is known to be paid or past due.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from segkit.checks import as_date, check_int
from segkit.credit.defaults import data_end, snapshot_dates
from segkit.exceptions import ConfigError
from segkit.features import settlement_available
from segkit.text import text

__all__ = ["HISTORY_MONTHS", "Readiness", "months_needed", "readiness"]

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


@dataclass(frozen=True)
class Readiness:
    """Whether a scorecard can be fitted, and why not.

    Attributes
    ----------
    first, last : datetime.date
        First invoice date and last date of data used (the earlier of ``as_of`` and the
        ledger's last date).
    months_held : float
        Months between ``first`` and ``last``.
    months_needed : int
        :func:`months_needed` for the study's parameters.
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
    months_held: float
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
            "held": math.floor(self.months_held),  # whole months: never more than held
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
    needed = months_needed(horizon_months, holdout_snapshots)
    first = pd.Timestamp(ledger.invoices.invoice_date.min().execute()).date()
    last = min(day, data_end(ledger))
    held = round((pd.Timestamp(last) - pd.Timestamp(first)).days / 30.4375, 1)
    base = {"first": first, "last": last, "months_held": held, "months_needed": needed}
    if not settlement_available(ledger.invoices, ledger.payments):
        return Readiness(**base, settlement=False, reason="no_settlement")
    try:
        dates = snapshot_dates(ledger, horizon_months=horizon_months, known_until=last)
    except ConfigError:
        dates = []
    if len(dates) <= holdout_snapshots:
        return Readiness(**base, settlement=True, reason="short_history")
    return Readiness(**base, settlement=True)
