"""A customer's standing for its credit limit: in default, in arrears, or in good standing.

Arrears are overdue amounts (:func:`segkit.credit.propose_limits` never rewards them with an
increase). An invoice in dispute is worked on its own route (docs/collections.md); by default
its overdue amount is held apart, so a customer whose only overdue items are disputed keeps
its good standing, and the amount held apart is reported beside the standing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["credit_standing"]

#: Overdue amounts below this (a rounding residue) are nothing overdue.
_TOLERANCE = 0.005


def credit_standing(
    frame: pd.DataFrame,
    overdue_col: str = "overdue_balance",
    undisputed_col: str = "overdue_undisputed",
    in_default_col: str = "in_default_at_as_of",
    disputed_counts_as_arrears: bool = False,
) -> pd.DataFrame:
    """Per customer ``standing`` and ``overdue_disputed`` (the overdue held apart).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer; each column is used when present (no overdue column: nothing
        overdue; no undisputed column, or a missing value: every overdue amount counts).
    overdue_col, undisputed_col, in_default_col : str
        The overdue balance, its part on invoices not in dispute, the default flag.
    disputed_counts_as_arrears : bool, default False
        The policy key of the same name: True counts overdue disputed invoices as arrears.

    Returns
    -------
    pandas.DataFrame
        Index of ``frame``: ``standing`` (``in_default``, ``in_arrears``, ``good_standing``)
        and ``overdue_disputed`` (> 0 only for a customer in good standing whose overdue items
        are all disputed).
    """
    default = _column(frame, in_default_col, False).fillna(False).astype(bool)
    overdue = _column(frame, overdue_col, 0.0).astype(float).fillna(0.0)
    counted = overdue
    if not disputed_counts_as_arrears:
        counted = _column(frame, undisputed_col, np.nan).astype(float).fillna(overdue)
    arrears = counted > _TOLERANCE
    standing = np.where(default, "in_default", np.where(arrears, "in_arrears", "good_standing"))
    apart = (overdue - counted).where(~default & ~arrears, 0.0).clip(lower=0.0)
    return pd.DataFrame({"standing": standing, "overdue_disputed": apart}, index=frame.index)


def _column(frame: pd.DataFrame, name: str, fill) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(fill, index=frame.index)
