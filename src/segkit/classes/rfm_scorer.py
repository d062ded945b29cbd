"""RFM scores: recency, frequency and monetary value scored 1 (worst) to 5 (best).

Shape: one row per customer with *recency_days, invoices_12m, revenue_12m* ->
*r_score, f_score, m_score, rfm_cell*. This module holds :class:`RFMScorer`, whose quantile
bin edges are learned once by ``fit``, the one-call :func:`rfm_scores`, and
:func:`rfm_values`, which reads the three variables as numbers for the scorer and the
eight-class model. Scores are quintiles in the manner of A. M. Hughes, *Strategic Database
Marketing* (1994). Customers who never bought (recency NaN) get scores 0 and cell ``"000"``;
for customers who did buy, a missing frequency or monetary value means nothing in the window
and counts as 0.

Recency is scored within a horizon (:data:`RECENCY_HORIZON_DAYS`, 365 days by default): its
quintiles are learned over the customers who bought within it, and a customer whose last
purchase is older scores R = 1 whatever the quintiles say. On a mostly dormant base, quintiles
over everyone who ever bought would call a customer silent for over a year "recent" (R 4 or 5);
with the horizon no such customer reaches a segment whose words say recent.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from segkit.checks import is_number, numeric, require_columns
from segkit.exceptions import ConfigError

__all__ = [
    "SCORE_COLUMNS",
    "N_SCORES",
    "RECENCY_HORIZON_DAYS",
    "RFMScorer",
    "rfm_scores",
    "rfm_values",
]

SCORE_COLUMNS = ("r_score", "f_score", "m_score")
N_SCORES = 5
#: Days without a purchase after which a customer is not recent (R = 1; the eight-class
#: model's far, 远): the 12 months of the frequency and monetary windows.
RECENCY_HORIZON_DAYS = 365


def rfm_values(frame: pd.DataFrame, columns: dict[str, str], where: str) -> pd.DataFrame:
    """Read the ``{"r": .., "f": .., "m": ..}`` columns as numbers; missing F and M count as 0."""
    params = dict(zip(("recency", "frequency", "monetary"), columns.values(), strict=True))
    require_columns(frame, params, where)
    values = {key: numeric(frame, column, where) for key, column in columns.items()}
    values["f"], values["m"] = values["f"].fillna(0.0), values["m"].fillna(0.0)
    return pd.DataFrame(values, index=frame.index)


def check_horizon(horizon_days) -> float:
    """The recency horizon in days (inf for None), or :class:`ConfigError`."""
    if horizon_days is None:
        return float("inf")
    if not is_number(horizon_days) or horizon_days <= 0:
        raise ConfigError(f"horizon_days must be a number > 0 or None; got {horizon_days!r}.")
    return float(horizon_days)


def _check_score_thresholds(thresholds) -> dict[str, np.ndarray]:
    if thresholds is None:
        return {}
    if not isinstance(thresholds, dict) or not set(thresholds) <= {"r", "f", "m"}:
        raise ConfigError(
            f"thresholds must be a dict with keys among 'r', 'f', 'm'; got {thresholds!r}."
        )
    checked = {}
    for key, edges in thresholds.items():
        edges = list(edges) if isinstance(edges, list | tuple | np.ndarray) else []
        ok = 1 <= len(edges) < N_SCORES and all(map(is_number, edges))
        if not ok or any(a >= b for a, b in itertools.pairwise(edges)):
            raise ConfigError(
                f"thresholds[{key!r}] must be 1 to 4 strictly increasing numbers; "
                f"got {thresholds[key]!r}."
            )
        checked[key] = np.asarray(edges, dtype=float)
    return checked


def _quantile_edges(values: pd.Series, column: str) -> np.ndarray:
    """Inner bin edges at the 20/40/60/80% quantiles (data values), duplicates dropped."""
    distinct = np.unique(values.to_numpy())
    if distinct.size < 2:
        raise ConfigError(
            f"RFMScorer: column {column!r} needs at least 2 distinct values among customers "
            f"with purchases to compute quantile edges; got {distinct.size}."
        )
    probs = np.arange(1, N_SCORES) / N_SCORES
    edges = np.unique(np.quantile(values.to_numpy(), probs, method="lower"))
    edges = edges[edges < distinct[-1]]
    if edges.size == 0:
        edges = distinct[-2:-1]
    if edges.size + 1 < N_SCORES:
        scores = _spread(np.arange(edges.size + 1), edges.size + 1).tolist()
        warnings.warn(
            f"RFMScorer: column {column!r} has tied quantile edges; {edges.size + 1} bins "
            f"instead of {N_SCORES}, scored {scores}.",
            UserWarning,
            stacklevel=3,
        )
    return edges


def _spread(bins: np.ndarray, n_bins: int) -> np.ndarray:
    """Map bins 0..n_bins-1 evenly onto scores 1..5 (lowest bin 1, highest 5)."""
    return 1 + np.floor((N_SCORES - 1) * bins / (n_bins - 1) + 0.5).astype("int64")


class RFMScorer(TransformerMixin, BaseEstimator):
    """Score recency, frequency and monetary value from 1 (worst) to 5 (best).

    ``fit`` learns, per variable, four inner bin edges: the 20/40/60/80% quantiles
    (``numpy.quantile``, ``method="lower"``, so every edge is an observed value) of the
    customers who bought, unless ``thresholds`` fixes them. Bins are right-closed: a value
    equal to an edge falls in the lower bin, so equal values always share a score. Duplicate
    edges (ties) are dropped; with ``k < 5`` bins left, bin ``i`` (0-based, low to high) scores
    ``1 + round(4 * i / (k - 1))``: 3 bins score 1, 3, 5; 2 bins 1, 5. A ``UserWarning``
    names the column. Fewer than 2 distinct values raise :class:`ConfigError`.
    Recency is reversed: the lowest recency in days scores 5.

    Parameters
    ----------
    recency, frequency, monetary : str
        Column names.
    thresholds : dict, optional
        Fixed inner edges per variable, ``{"r": [30, 90, 180, 365]}``: 1 to 4 strictly
        increasing numbers; variables not given are learned from quantiles.
    horizon_days : float or None, default 365
        Recency beyond which R = 1; the R quintiles are learned over the customers within it
        (over all who bought when fewer than 2 distinct recencies lie within). None: no horizon.

    Attributes
    ----------
    edges_ : dict
        ``{"r": array, "f": array, "m": array}``, the inner edges used.
    """

    def __init__(
        self,
        *,
        recency="recency_days",
        frequency="invoices_12m",
        monetary="revenue_12m",
        thresholds=None,
        horizon_days=RECENCY_HORIZON_DAYS,
    ):
        self.recency = recency
        self.frequency = frequency
        self.monetary = monetary
        self.thresholds = thresholds
        self.horizon_days = horizon_days

    def _columns(self) -> dict[str, str]:
        return {"r": self.recency, "f": self.frequency, "m": self.monetary}

    def fit(self, X: pd.DataFrame, y=None) -> RFMScorer:
        """Learn the bin edges from the customers with purchases (``recency`` known)."""
        fixed = _check_score_thresholds(self.thresholds)
        horizon = check_horizon(self.horizon_days)
        values = rfm_values(X, self._columns(), "RFMScorer")
        bought = values["r"].notna()
        within = bought & (values["r"] <= horizon)
        learn = {"r": within if values.loc[within, "r"].nunique() >= 2 else bought}
        self.edges_ = {
            key: fixed[key]
            if key in fixed
            else _quantile_edges(values.loc[learn.get(key, bought), key], column)
            for key, column in self._columns().items()
        }
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return a copy of ``X`` with ``r_score``, ``f_score``, ``m_score`` and ``rfm_cell``."""
        check_is_fitted(self)
        values = rfm_values(X, self._columns(), "RFMScorer")
        bought = values["r"].notna().to_numpy()
        out = X.copy()
        for key, name in zip("rfm", SCORE_COLUMNS, strict=True):
            edges = self.edges_[key]
            score = _spread(np.searchsorted(edges, values[key], side="left"), edges.size + 1)
            if key == "r":
                horizon = check_horizon(self.horizon_days)
                score = np.where(values["r"] > horizon, 1, N_SCORES + 1 - score)
            out[name] = np.where(bought, score, 0).astype("int64")
        cells = [out[name].astype(str) for name in SCORE_COLUMNS]
        out["rfm_cell"] = cells[0] + cells[1] + cells[2]
        return out


def rfm_scores(
    features: pd.DataFrame,
    recency: str = "recency_days",
    frequency: str = "invoices_12m",
    monetary: str = "revenue_12m",
    thresholds: dict | None = None,
    horizon_days=RECENCY_HORIZON_DAYS,
) -> pd.DataFrame:
    """Fit an :class:`RFMScorer` on ``features`` and return its scores (``horizon_days``: the
    recency horizon of :class:`RFMScorer`).

    Returns
    -------
    pandas.DataFrame
        Index of ``features``; ``r_score``, ``f_score``, ``m_score`` (int 1-5, 0 for
        customers without purchases) and ``rfm_cell`` (str such as ``"545"``).
    """
    scorer = RFMScorer(recency=recency, frequency=frequency, monetary=monetary,
                       thresholds=thresholds, horizon_days=horizon_days)  # fmt: skip
    return scorer.fit_transform(features)[[*SCORE_COLUMNS, "rfm_cell"]]
