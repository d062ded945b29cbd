"""Checks of the fitted growth models before any number is shown, and what replaces a failed fit.

A maximum-likelihood fit can run off to the edge of the parameter space without an error: on a
ledger of business customers who are invoiced every few weeks and none of whom stops buying,
BG/NBD has no dropout to estimate and ``b`` (and ``r``, ``alpha``) grow without bound. Each
fitted model is therefore checked for

- ``converge``: the optimiser reported convergence;
- ``bounds``: every shape parameter within :data:`BOUNDS` (and Gamma-Gamma's ``q > 1``, so that
  the population mean spend exists); when nearly every customer (:data:`REGULAR`) bought in
  the last 12 months the reason is ``regular``: customers buy on and none stops, so there is
  no dropout to estimate;
- ``unstable``: every forecast a finite number >= 0;
- ``ratio``: the purchases forecast for the horizon, per month, within :data:`RATIO` times the
  purchase days of the last 12 months (per month of them the ledger covers); for Gamma-Gamma,
  the mean expected spend within :data:`RATIO` times the mean observed spend.

A purchase model that fails is replaced by :class:`RecentRate` (a rate model without dropout:
each customer's purchase days in the last 12 months, carried forward), a spend model by
:class:`OwnSpend` (each customer's mean spend per repeat purchase). The check says why in the
report language, from the text catalogue (kind ``growth_fit``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segkit.exceptions import SchemaError, SegkitError
from segkit.text.catalogue import text

from .bgnbd import BetaGeo
from .gammagamma import GammaGamma

__all__ = ["BOUNDS", "RATIO", "FitCheck", "OwnSpend", "RecentRate", "fit_models"]

#: Plausible range of each shape parameter; CDNOW's fit is r 0.24, a 0.79, b 2.4, p 6.3, q 3.7.
BOUNDS = {name: (1e-3, 1e3) for name in ("r", "a", "b", "p", "q")}
#: Accepted range of forecast over history (purchases per month; mean spend).
RATIO = (0.25, 4.0)
#: Share of customers buying in the last 12 months above which a failed fit is put down to
#: regular buying without dropout (the sentence says so only then).
REGULAR = 0.9


@dataclass(frozen=True)
class FitCheck:
    """The verdict on one fitted model: ``model`` ("purchases" or "spend"), ``reason`` (None
    when it fits, else "converge", "bounds", "regular" (out of bounds on a ledger where nearly
    every customer bought in the last 12 months), "unstable", "ratio" or, for spend, "few") and ``detail`` (the figures
    the sentence names)."""

    model: str
    reason: str | None = None
    detail: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the model passed every check."""
        return self.reason is None

    def sentence(self, lang: str = "en") -> str:
        """Why the model is withheld and what replaces it, in ``lang`` ("" when it fits)."""
        if self.ok:
            return ""
        return text("growth_fit", f"{self.model}_{self.reason}", lang, **self.detail)


def _outside(params: pd.Series) -> dict:
    for name, value in params.items():
        low, high = BOUNDS.get(name, (0.0, np.inf))
        if not low <= value <= high:
            return {"param": name, "value": f"{value:.3g}"}
    return {}


def check_purchases(model: BetaGeo, summary, recent: pd.Series, horizon: float, window: float):
    """Check a fitted BG/NBD against the history it forecasts.

    Parameters
    ----------
    model : BetaGeo
        Fitted on ``summary``.
    recent : pandas.Series
        Purchase days per customer in the last 12 months (:func:`recent_purchases`).
    horizon, window : float
        Forecast horizon and the 12-month window, in the summary's time unit.
    """
    if not model.converged_:
        return FitCheck("purchases", "converge")
    outside = _outside(model.params_)
    if outside:
        active = (recent.reindex(summary.index).fillna(0.0) > 0).mean()
        return FitCheck("purchases", "regular" if active >= REGULAR else "bounds", outside)
    forecast = model.expected_purchases(horizon, summary).to_numpy()
    if not np.all(np.isfinite(forecast)) or (forecast < 0).any():
        return FitCheck("purchases", "unstable")
    history = float(recent.reindex(summary.index).fillna(0.0).sum())
    covered = min(window, float(summary["T"].max()) or window)
    if history > 0:
        ratio = (forecast.sum() / horizon) / (history / covered)
        if not RATIO[0] <= ratio <= RATIO[1]:
            return FitCheck("purchases", "ratio", {"ratio": f"{ratio:.2g}"})
    return FitCheck("purchases")


def check_spend(model: GammaGamma, summary) -> FitCheck:
    """Check a fitted Gamma-Gamma: convergence, bounds (with ``q > 1``), finite spends, ratio."""
    if not model.converged_:
        return FitCheck("spend", "converge")
    outside = _outside(model.params_)
    if outside or model.params_["q"] <= 1:
        return FitCheck("spend", "bounds", outside or {"param": "q", "value": "≤ 1"})
    spend = model.expected_spend(summary).to_numpy()
    if not np.all(np.isfinite(spend)) or (spend < 0).any():
        return FitCheck("spend", "unstable")
    repeat = summary["frequency"].to_numpy() > 0
    ratio = spend[repeat].mean() / summary["monetary_value"].to_numpy()[repeat].mean()
    if not RATIO[0] <= ratio <= RATIO[1]:
        return FitCheck("spend", "ratio", {"ratio": f"{ratio:.2g}"})
    return FitCheck("spend")


class RecentRate:
    """A rate model without dropout: each customer buys on as many days per time unit as in the
    last ``window`` units (``recent / window``). It has no probability of being active."""

    def __init__(self, recent: pd.Series, window: float):
        self.recent = recent
        self.window = float(window)

    def expected_purchases(self, t: float, summary: pd.DataFrame) -> pd.Series:
        """Purchases in the next ``t`` units at each customer's recent rate."""
        rate = self.recent.reindex(summary.index).fillna(0.0) / self.window
        return (rate * t).rename("expected_purchases")

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        """Missing for every customer: the model has no dropout."""
        return pd.Series(np.nan, index=summary.index, name="p_alive")


class OwnSpend:
    """Each customer's own mean spend per repeat purchase; customers without one get the mean
    over the customers who have one."""

    def expected_spend(self, summary: pd.DataFrame) -> pd.Series:
        """Mean spend per purchase of each customer."""
        own = summary["monetary_value"].where(summary["frequency"] > 0)
        return own.fillna(own.mean()).rename("expected_spend")


def fit_models(summary: pd.DataFrame, recent: pd.Series, horizon: float, window: float):
    """Fit BG/NBD and Gamma-Gamma, check them, and replace a model that fails.

    Returns
    -------
    (purchases model, spend model, list of FitCheck)
        The models to forecast with and the verdict on each fitted model.

    Raises
    ------
    SchemaError
        When no customer has a repeat purchase (nothing to fit or carry forward).
    """
    try:
        beta_geo = BetaGeo().fit(summary)
        purchases = check_purchases(beta_geo, summary, recent, horizon, window)
    except SchemaError:
        raise
    except SegkitError:
        purchases = FitCheck("purchases", "converge")
    try:
        gamma_gamma = GammaGamma().fit(summary)
        spend = check_spend(gamma_gamma, summary)
    except SchemaError:
        gamma_gamma, spend = None, FitCheck("spend", "few")
    except SegkitError:
        spend = FitCheck("spend", "converge")
    purchase_model = beta_geo if purchases.ok else RecentRate(recent, window)
    spend_model = gamma_gamma if spend.ok else OwnSpend()
    return purchase_model, spend_model, [purchases, spend]
