"""Validation metrics of a risk score: discrimination, calibration and stability.

Discrimination: :func:`auc`, :func:`gini` (``2 * AUC - 1``), :func:`ks` and the tables behind
their plots (:func:`roc_points`, :func:`ks_table`). Calibration: :func:`brier` and
:func:`calibration_table` with Wilson confidence intervals. Stability: :func:`psi` and
:func:`psi_table`, which compare the distribution of a score or a feature between the
development sample (expected) and a recent one (actual).

In every function ``y`` is 1 for a default (bad) and 0 for a good, and ``p`` is a risk
score where higher means riskier (a probability of default). Pass ``-points`` to use
scorecard points, where higher means safer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp, norm
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

from segkit.checks import check_binary_target
from segkit.exceptions import ConfigError

__all__ = [
    "KSResult",
    "PSI_THRESHOLDS",
    "auc",
    "brier",
    "calibration_table",
    "gini",
    "ks",
    "ks_table",
    "psi",
    "psi_status",
    "psi_table",
    "roc_points",
]

#: PSI below 0.10: stable; 0.10 to 0.25: monitor; 0.25 and above: the population has shifted.
#: Rule of thumb from N. Siddiqi, *Credit Risk Scorecards: Developing and Implementing
#: Intelligent Credit Scoring*, Wiley, 2006 (system stability report).
PSI_THRESHOLDS = (0.10, 0.25)


class KSResult(NamedTuple):
    """Kolmogorov-Smirnov statistic and the score where it is reached."""

    statistic: float
    threshold: float


def _check_pair(y, p, name: str = "p") -> tuple[np.ndarray, np.ndarray]:
    target = check_binary_target(y)
    score = np.asarray(p, dtype=float).ravel()
    if score.shape != target.shape:
        raise ConfigError(f"{name} must have one value per y ({target.size}); got {score.size}.")
    if np.isnan(score).any():
        raise ConfigError(f"{name} must not contain missing values; got {np.isnan(score).sum()}.")
    if np.unique(target).size < 2:
        raise ConfigError(f"y must contain both 0 and 1; got only {target[:1].tolist()}.")
    return target, score


def auc(y, p) -> float:
    """Area under the ROC curve: the chance that a random bad scores above a random good.

    Ties count one half. Parameters ``y`` (0/1) and ``p`` (higher = riskier).
    """
    target, score = _check_pair(y, p)
    return float(roc_auc_score(target, score))


def gini(y, p) -> float:
    """Gini coefficient (accuracy ratio) ``2 * AUC - 1``."""
    return 2.0 * auc(y, p) - 1.0


def ks_table(y, p) -> pd.DataFrame:
    """Cumulative shares of goods and bads at each distinct score, for a KS plot.

    Returns
    -------
    pandas.DataFrame
        Columns ``threshold`` (ascending distinct scores), ``cum_good`` and ``cum_bad``
        (share of goods / bads scoring at most ``threshold``) and ``distance``
        (``cum_good - cum_bad``).
    """
    target, score = _check_pair(y, p)
    thresholds = np.unique(score)
    position = np.searchsorted(thresholds, score)
    goods = np.bincount(position, weights=1 - target, minlength=thresholds.size)
    bads = np.bincount(position, weights=target, minlength=thresholds.size)
    cum_good = np.cumsum(goods) / goods.sum()
    cum_bad = np.cumsum(bads) / bads.sum()
    return pd.DataFrame(
        {
            "threshold": thresholds,
            "cum_good": cum_good,
            "cum_bad": cum_bad,
            "distance": cum_good - cum_bad,
        }
    )


def ks(y, p) -> KSResult:
    """Kolmogorov-Smirnov statistic: ``max_t |F_good(t) - F_bad(t)|`` (:func:`scipy.stats.ks_2samp`).

    ``F_good`` and ``F_bad`` are the cumulative score distributions of goods and bads;
    :func:`ks_table` gives them at every score, for a plot.

    Returns
    -------
    KSResult
        ``statistic`` in [0, 1] and ``threshold``, the lowest score where it is reached
        (scores at or below it are on one side of the cut).
    """
    target, score = _check_pair(y, p)
    result = ks_2samp(score[target == 0], score[target == 1])
    return KSResult(float(result.statistic), float(result.statistic_location))


def roc_points(y, p) -> pd.DataFrame:
    """ROC curve: columns ``threshold``, ``fpr`` (goods flagged), ``tpr`` (bads flagged)."""
    target, score = _check_pair(y, p)
    fpr, tpr, thresholds = roc_curve(target, score, drop_intermediate=False)
    return pd.DataFrame({"threshold": thresholds, "fpr": fpr, "tpr": tpr})


def brier(y, p) -> float:
    """Brier score ``mean((p - y)^2)``; ``p`` must be probabilities in [0, 1]."""
    target, score = _check_probabilities(y, p)
    return float(brier_score_loss(target, score))


def _check_probabilities(y, p) -> tuple[np.ndarray, np.ndarray]:
    target = check_binary_target(y)
    score = np.asarray(p, dtype=float).ravel()
    if score.shape != target.shape:
        raise ConfigError(f"pd must have one value per y ({target.size}); got {score.size}.")
    outside = score[~((score >= 0) & (score <= 1))]
    if outside.size:
        raise ConfigError(f"pd must be probabilities in [0, 1]; got {outside[:5].tolist()}.")
    return target, score


def _wilson(events: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    rate = events / n
    centre = (rate + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(rate * (1 - rate) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def _calibration_edges(score: np.ndarray, n_bins: int, strategy: str) -> np.ndarray:
    if not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ConfigError(f"n_bins must be an int >= 1; got {n_bins!r}.")
    if strategy == "quantile":
        return np.unique(np.quantile(score, np.linspace(0, 1, n_bins + 1)))
    if strategy == "uniform":
        return np.linspace(0.0, 1.0, n_bins + 1)
    raise ConfigError(f"strategy must be 'quantile' or 'uniform'; got {strategy!r}.")


def calibration_table(y, pd, n_bins=10, strategy="quantile", confidence=0.95):
    """Predicted PD against the observed default rate, bin by bin.

    Parameters
    ----------
    y : array-like of 0/1
        Observed defaults.
    pd : array-like of float in [0, 1]
        Predicted probabilities of default.
    n_bins : int, default 10
        Number of bins; quantile bins sharing an edge are merged and empty bins dropped.
    strategy : {"quantile", "uniform"}, default "quantile"
        Equal-count bins from the PD quantiles, or equal-width bins on [0, 1].
    confidence : float, default 0.95
        Level of the Wilson score interval of the observed rate.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty bin: ``bin`` (0-based), ``pd_lower``, ``pd_upper``, ``n``,
        ``n_default``, ``mean_pd``, ``default_rate``, ``ci_lower``, ``ci_upper``.
        Bins are closed on the right, the first also on the left.

    Without ties at the quantile edges, ``default_rate`` and ``mean_pd`` are
    :func:`sklearn.calibration.calibration_curve`'s; where PDs tie at an edge, the bins sharing
    it are merged here, while scikit-learn keeps a bin of width zero.
    """
    return _calibration(y, pd, n_bins, strategy, confidence)


def _calibration(y, probabilities, n_bins, strategy, confidence) -> pd.DataFrame:
    target, score = _check_probabilities(y, probabilities)
    if not 0 < confidence < 1:
        raise ConfigError(f"confidence must be in (0, 1); got {confidence!r}.")
    edges = _calibration_edges(score, n_bins, strategy)
    inner = edges[1:-1]
    position = np.searchsorted(inner, score, side="left")
    frame = pd.DataFrame({"bin": position, "y": target, "pd": score})
    table = frame.groupby("bin").agg(
        n=("y", "size"), n_default=("y", "sum"), mean_pd=("pd", "mean")
    )
    table = table.reset_index()
    bounds = np.concatenate([[edges[0]], inner, [edges[-1]]])
    table.insert(1, "pd_lower", bounds[table["bin"]])
    table.insert(2, "pd_upper", bounds[table["bin"] + 1])
    table["default_rate"] = table["n_default"] / table["n"]
    z = float(norm.ppf(0.5 + confidence / 2))
    table["ci_lower"], table["ci_upper"] = _wilson(table["n_default"], table["n"], z)
    return table


def _is_categorical(values: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)


def _numeric_edges(expected: pd.Series, bins) -> np.ndarray:
    if not isinstance(bins, (int, np.integer)):
        edges = np.asarray(bins, dtype=float)
        if edges.ndim != 1 or edges.size == 0 or np.any(np.diff(edges) <= 0):
            raise ConfigError(f"bins must be an int or increasing cut points; got {bins!r}.")
        return edges
    if bins < 2:
        raise ConfigError(f"bins must be an int >= 2; got {bins!r}.")
    values = expected.dropna().to_numpy(dtype=float)
    distinct = np.unique(values)
    if distinct.size <= bins:
        return distinct[:-1]
    return np.unique(np.quantile(values, np.linspace(0, 1, bins + 1))[1:-1])


def _bin_codes(values: pd.Series, edges: np.ndarray | None) -> pd.Series:
    if edges is None:
        codes = values.astype(object).where(values.notna(), "<missing>").astype(str)
        return codes
    numbers = values.to_numpy(dtype=float)
    codes = pd.Series(np.searchsorted(edges, numbers, side="left"), index=values.index)
    return codes.astype(str).where(~np.isnan(numbers), "<missing>")


def _shares(codes: pd.Series, labels: list, eps: float) -> np.ndarray:
    counts = codes.value_counts().reindex(labels, fill_value=0).to_numpy(dtype=float)
    return np.maximum(counts / counts.sum(), eps)


def psi(expected, actual, bins: int | Sequence[float] = 10, eps: float = 1e-4) -> float:
    """Population stability index ``sum((a_i - e_i) * ln(a_i / e_i))`` over bins ``i``.

    Parameters
    ----------
    expected, actual : array-like
        Values in the reference (development) and the recent sample. Object, string,
        boolean and category data are compared category by category.
    bins : int or sequence of float, default 10
        Number of bins cut at the quantiles of ``expected`` (duplicate edges dropped; a
        variable with at most ``bins`` distinct values gets one bin per value), or the
        interior cut points themselves. Bins are closed on the right and the outer bins are
        open, so every actual value falls in a bin. Missing values form their own bin.
    eps : float, default 1e-4
        Floor applied to every bin share before the logarithm, so an empty bin gives a
        large but finite contribution instead of infinity. Shares are not renormalised.

    Returns
    -------
    float
        0 for identical distributions; see :data:`PSI_THRESHOLDS` for reading it.
    """
    expected, actual = pd.Series(expected), pd.Series(actual)
    if expected.dropna().empty or actual.empty:
        raise ConfigError("expected and actual must each hold at least one value; got none.")
    if not 0 < eps < 1:
        raise ConfigError(f"eps must be in (0, 1); got {eps!r}.")
    categorical = _is_categorical(expected) or _is_categorical(actual)
    edges = None if categorical else _numeric_edges(expected, bins)
    codes_e, codes_a = _bin_codes(expected, edges), _bin_codes(actual, edges)
    labels = sorted(set(codes_e) | set(codes_a))
    share_e, share_a = _shares(codes_e, labels, eps), _shares(codes_a, labels, eps)
    return float(np.sum((share_a - share_e) * np.log(share_a / share_e)))


def _column_psi(expected: pd.Series, actual: pd.Series, bins, eps: float) -> float:
    if expected.isna().all() or actual.empty:
        return float("nan")
    return psi(expected, actual, bins=bins, eps=eps)


def psi_status(value: float, thresholds=PSI_THRESHOLDS) -> str:
    """``"stable"`` below the first threshold, ``"monitor"`` below the second, else ``"shift"``.

    A missing value (no data to compare) is ``"unknown"``.
    """
    if np.isnan(value):
        return "unknown"
    low, high = thresholds
    return "stable" if value < low else "monitor" if value < high else "shift"


def psi_table(
    expected_frame: pd.DataFrame,
    actual_frame: pd.DataFrame,
    columns: Sequence[str] | None = None,
    bins: int = 10,
    eps: float = 1e-4,
    thresholds: tuple[float, float] = PSI_THRESHOLDS,
) -> pd.DataFrame:
    """PSI of several columns between a reference and a recent table.

    Parameters
    ----------
    expected_frame, actual_frame : pandas.DataFrame
        Reference (development) and recent feature tables.
    columns : list of str, optional
        Columns to compare; None compares the columns both frames share.
    bins, eps
        Passed to :func:`psi`.
    thresholds : (float, float), default (0.10, 0.25)
        Bounds between ``"stable"``, ``"monitor"`` and ``"shift"`` (Siddiqi, 2006).

    Returns
    -------
    pandas.DataFrame
        Columns ``feature``, ``psi``, ``status``, one row per column in the given order. A
        column without any value in ``expected_frame`` gets a missing PSI and the status
        ``"unknown"``.
    """
    if columns is None:
        columns = [c for c in expected_frame.columns if c in actual_frame.columns]
    absent = [c for c in columns if c not in expected_frame or c not in actual_frame]
    if absent:
        raise ConfigError(f"columns must exist in both frames; missing {absent}.")
    low, high = thresholds
    if not 0 < low < high:
        raise ConfigError(f"thresholds must satisfy 0 < low < high; got {thresholds!r}.")
    values = [_column_psi(expected_frame[c], actual_frame[c], bins, eps) for c in columns]
    status = [psi_status(v, thresholds) for v in values]
    return pd.DataFrame({"feature": list(columns), "psi": values, "status": status})
