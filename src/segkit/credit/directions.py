"""Declared risk directions of the scorecard's features, and the checks that keep points one way.

A credit committee signs a scorecard whose points move one way with each risk driver: paying
later never earns points, selling more never costs them. segkit declares the direction of every
feature it computes (:data:`RISK_DIRECTIONS`) and the scorecard bins each declared feature with
its default rate rising (``"ascending"``) or falling (``"descending"``) across the bins
(optbinning's ``monotonic_trend``). Two checks guard the declaration:

- before fitting, :func:`contradicted` lists the declared features whose training data say the
  opposite (a Spearman rank correlation with the default flag of the other sign, significant at
  the 1 % level); they are left out, never flipped;
- after fitting, :func:`wrong_way` lists the features whose points rise with their bins' default
  rate (the logistic regression gave them the wrong sign, as collinear features can); the card
  is refitted without them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from segkit.exceptions import ConfigError

__all__ = [
    "DIRECTIONS",
    "RISK_DIRECTIONS",
    "check_directions",
    "contradicted",
    "risk_trend",
    "wrong_way",
]

#: The values a declared direction may take (optbinning's names for the default-rate trend).
DIRECTIONS = ("ascending", "descending")

_RISKIER_AS_IT_GROWS = (
    "avg_days_late", "share_paid_late", "max_days_past_due", "open_days_past_due",
    "overdue_ratio", "overdue_balance", "aging_90_plus", "dso_days", "credit_utilisation",
    "recency_days", "days_since_last_payment", "disputed_share", "credit_note_share",
)  # fmt: skip
_SAFER_AS_IT_GROWS = (
    "tenure_days", "revenue_12m", "revenue_prev_12m", "invoices_12m", "n_invoices",
    "active_months", "active_months_12m", "n_settled", "revenue", "employees", "total_assets",
)  # fmt: skip

#: Risk direction of every feature segkit computes that a scorecard may use: ``"ascending"``
#: = riskier as it grows, ``"descending"`` = safer as it grows. Features not listed (a user's
#: own) get a monotone trend chosen by the data (``"auto_asc_desc"``).
RISK_DIRECTIONS = MappingProxyType(
    {
        **dict.fromkeys(_RISKIER_AS_IT_GROWS, "ascending"),
        **dict.fromkeys(_SAFER_AS_IT_GROWS, "descending"),
    }
)

_SIGNIFICANCE = 0.01
_SPECIAL_BINS = ("Special", "Missing")


def check_directions(directions: Mapping | None) -> Mapping:
    """``directions`` checked (None gives :data:`RISK_DIRECTIONS`), or :class:`ConfigError`."""
    if directions is None:
        return RISK_DIRECTIONS
    if not isinstance(directions, Mapping):
        raise ConfigError(
            f"risk_directions must be a mapping of feature to {DIRECTIONS}; got {directions!r}."
        )
    wrong = {k: v for k, v in directions.items() if v not in DIRECTIONS}
    if wrong:
        raise ConfigError(f"risk_directions values must be in {DIRECTIONS}; got {wrong}.")
    return directions


def risk_trend(direction: str | None, default) -> str | None:
    """optbinning's ``monotonic_trend`` for a feature: its declared direction, else ``default``."""
    return direction if direction is not None else default


def contradicted(X: pd.DataFrame, y: np.ndarray, directions: Mapping) -> list[str]:
    """Declared numeric features whose data run significantly against their direction.

    Parameters
    ----------
    X : pandas.DataFrame
        The numeric candidate features (training rows).
    y : numpy.ndarray of 0/1
        Default flags of the rows.
    directions : mapping
        Declared directions; undeclared columns are not checked.

    Returns
    -------
    list of str
        In the order of ``X``'s columns.
    """
    from scipy.stats import spearmanr

    out = []
    for name in X.columns:
        direction = directions.get(name)
        if direction is None:
            continue
        values = pd.to_numeric(X[name], errors="coerce").astype(float)
        known = values.notna().to_numpy()
        if known.sum() < 10 or np.unique(values[known]).size < 2 or np.unique(y[known]).size < 2:
            continue
        rho, p_value = spearmanr(values[known], y[known])
        sign = 1 if direction == "ascending" else -1
        if np.isfinite(rho) and rho * sign < 0 and p_value < _SIGNIFICANCE:
            out.append(str(name))
    return out


def wrong_way(points: pd.DataFrame, directions: Mapping) -> list[str]:
    """Features whose points do not fall as their bins' default rate rises.

    Parameters
    ----------
    points : pandas.DataFrame
        optbinning's detailed scorecard table with ``variable``, ``bin``, ``Event rate`` and
        ``points`` (one row per bin; the special and missing bins are ignored).
    directions : mapping
        Declared directions: a declared feature's points must also move against its
        direction bin by bin (non-increasing for ``"ascending"``).

    Returns
    -------
    list of str
        The offending features, the largest breach first.
    """
    breaches = {}
    for name, bins in points.groupby("variable", sort=False):
        regular = bins[~bins["bin"].astype(str).isin(_SPECIAL_BINS)]
        if len(regular) < 2:
            continue
        breach = _breach(regular, directions.get(name))
        if breach > 1e-9:
            breaches[str(name)] = breach
    return sorted(breaches, key=lambda k: -breaches[k])


def _breach(bins: pd.DataFrame, direction: str | None) -> float:
    """How many points the riskier side of a feature earns over its safer side (0 = none)."""
    values = bins["points"].to_numpy(dtype=float)
    if direction is not None:
        steps = np.diff(values) if direction == "ascending" else -np.diff(values)
        return float(np.clip(steps, 0, None).max())
    rate = bins["Event rate"].to_numpy(dtype=float)
    riskiest, safest = int(np.argmax(rate)), int(np.argmin(rate))
    return max(0.0, float(values[riskiest] - values[safest]))
