"""ABC (Pareto) value tiers and the Pareto / Lorenz table behind them.

Shape: one row per customer with a value column (``revenue_12m``) -> the same rows with
``abc_tier``. Only customers with a positive value take part in the Pareto curve; the others
(zero, negative or missing value) get the tier ``"none"``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from segkit.checks import is_number, numeric, require_columns
from segkit.exceptions import ConfigError

__all__ = ["ABCTiers", "pareto_table", "top_share"]

#: Tolerance on cumulative shares, so that 0.1 + 0.7 counts as reaching 0.8.
_EPS = 1e-9


def _check_cuts(cuts, labels) -> None:
    cuts, labels = tuple(cuts), tuple(labels)
    if not cuts or not all(map(is_number, cuts)) or not all(0 < c <= 1 for c in cuts):
        raise ConfigError(f"cuts must be numbers in (0, 1]; got {cuts!r}.")
    if any(a >= b for a, b in zip(cuts, cuts[1:], strict=False)):
        raise ConfigError(f"cuts must be strictly increasing; got {cuts!r}.")
    if len(labels) != len(cuts) + 1 or len(set(labels)) != len(labels) or "none" in labels:
        raise ConfigError(
            f"labels must be {len(cuts) + 1} distinct names (one more than cuts), "
            f"not 'none'; got {labels!r}."
        )


def _sorted_positive(values: pd.Series) -> pd.Series:
    """Positive values, largest first; ties keep the input order."""
    positive = values[values > 0]
    return positive.sort_values(ascending=False, kind="mergesort")


class ABCTiers(TransformerMixin, BaseEstimator):
    """Assign A/B/C tiers on the Pareto curve of a value (ABC analysis).

    ``fit`` sorts the customers with a positive value from largest to smallest and walks the
    cumulative share of the total: a customer is in tier A while the share of the customers
    before it is below ``cuts[0]`` - so the customer that crosses 80% is still A - in B while
    it is below ``cuts[1]`` (95%), in C after that. ``cutoffs_`` keeps the smallest value of
    each tier and ``transform`` assigns by value: A if ``value >= cutoffs_["A"]``, B if
    ``value >= cutoffs_["B"]``, otherwise C; customers tied with the smallest A value are also
    A. Zero, negative or missing values get ``"none"``.

    Parameters
    ----------
    value : str
        Column holding the value (net revenue of the last 12 months by default).
    cuts : tuple of float
        Cumulative value shares closing each tier but the last, strictly increasing, in (0, 1].
    labels : tuple of str
        Tier names, one more than ``cuts``.

    Attributes
    ----------
    cutoffs_ : pandas.Series
        Smallest value of each tier seen in ``fit``, indexed by label; NaN for an empty tier.
    """

    def __init__(self, *, value="revenue_12m", cuts=(0.8, 0.95), labels=("A", "B", "C")):
        self.value = value
        self.cuts = cuts
        self.labels = labels

    def fit(self, X: pd.DataFrame, y=None) -> ABCTiers:
        """Learn the smallest value of each tier."""
        _check_cuts(self.cuts, self.labels)
        require_columns(X, {"value": self.value}, "ABCTiers")
        ordered = _sorted_positive(numeric(X, self.value, "ABCTiers"))
        if ordered.empty:
            raise ConfigError(f"ABCTiers: column {self.value!r} needs a positive value; got none.")
        before = (ordered.cumsum() - ordered) / ordered.sum()
        tier = np.searchsorted(np.asarray(self.cuts, dtype=float) - _EPS, before, side="right")
        minima = ordered.groupby(tier).min()
        self.cutoffs_ = pd.Series(
            [minima.get(i, np.nan) for i in range(len(self.labels))],
            index=list(self.labels),
            name="cutoff",
            dtype=float,
        )
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return a copy of ``X`` with the column ``abc_tier``."""
        check_is_fitted(self)
        require_columns(X, {"value": self.value}, "ABCTiers")
        value = numeric(X, self.value, "ABCTiers")
        cutoffs = self.cutoffs_.iloc[:-1]
        conditions = [value <= 0, value.isna()] + [value >= c for c in cutoffs]
        choices = ["none", "none", *cutoffs.index]
        out = X.copy()
        out["abc_tier"] = np.select(conditions, choices, default=self.cutoffs_.index[-1])
        out["abc_tier"] = out["abc_tier"].astype(object)
        return out


def pareto_table(features: pd.DataFrame, value: str = "revenue_12m") -> pd.DataFrame:
    """Cumulative customer share against cumulative value share (Pareto / Lorenz curve).

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer.
    value : str
        Value column; only positive values are used.

    Returns
    -------
    pandas.DataFrame
        Index of ``features`` (customers with a positive value, largest first, ties in input
        order); columns ``rank`` (1 = largest), ``value`` (named after the column),
        ``cum_customer_share`` (rank / number of such customers) and ``cum_value_share``.
    """
    require_columns(features, {"value": value}, "pareto_table")
    ordered = _sorted_positive(numeric(features, value, "pareto_table"))
    n = len(ordered)
    return pd.DataFrame(
        {
            "rank": np.arange(1, n + 1, dtype="int64"),
            value: ordered,
            "cum_customer_share": np.arange(1, n + 1) / n if n else [],
            "cum_value_share": ordered.cumsum() / ordered.sum() if n else [],
        },
        index=ordered.index,
    )


def top_share(features: pd.DataFrame, value: str = "revenue_12m", top: float = 0.2) -> float:
    """Share of the total positive value held by the top ``top`` fraction of customers.

    The top group is the ``ceil(top * n)`` customers with the largest positive values, ``n``
    being the number of customers with a positive value; NaN when there are none.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer.
    value : str
        Value column.
    top : float
        Fraction of customers, in (0, 1].

    Returns
    -------
    float
        Value share in [0, 1], 1.0 meaning the top group holds everything.
    """
    if not (is_number(top) and 0 < top <= 1):
        raise ConfigError(f"top must be a number in (0, 1]; got {top!r}.")
    table = pareto_table(features, value)
    if table.empty:
        return float("nan")
    k = math.ceil(top * len(table) - _EPS)
    return float(table["cum_value_share"].iloc[k - 1])
