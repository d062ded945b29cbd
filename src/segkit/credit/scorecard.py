"""A points scorecard for customer default risk: optimal binning, WoE and logistic regression.

:class:`CreditScorecard` wraps optbinning's ``BinningProcess`` and ``Scorecard`` in a
scikit-learn classifier, so it can be cloned, tuned and cross-validated like any other
estimator. It reads a customer feature table (one row per customer) and a binary target
(1 = the customer defaulted in the outcome window), and produces a probability of default,
scorecard points and the tables a credit committee reviews: bins with their WoE and IV, and
the points per bin.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd
from optbinning import BinningProcess, Scorecard
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.utils.validation import check_is_fitted

from segkit.checks import check_binary_target
from segkit.credit.directions import check_directions, contradicted, risk_trend, wrong_way
from segkit.exceptions import ConfigError, ModelNotFitted

__all__ = ["CreditScorecard", "check_binary_target"]

_BINNING_COLUMNS = {
    "Bin": "bin",
    "Count": "count",
    "Event": "n_events",
    "Event rate": "event_rate",
    "WoE": "woe",
    "IV": "iv",
}


def _as_frame(X) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    array = np.asarray(X)
    if array.ndim != 2:
        raise ConfigError(f"X must be a 2-D table; got an array with {array.ndim} dimension(s).")
    return pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])


def _points(scorecard: Scorecard) -> pd.DataFrame:
    """The fitted card's bins in order: ``variable``, ``bin``, ``Event rate``, ``points``."""
    table = scorecard.table(style="detailed").reset_index(drop=True)
    return table.rename(columns={"Variable": "variable", "Bin": "bin", "Points": "points"})


def _bin_label(value) -> str:
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


class CreditScorecard(ClassifierMixin, BaseEstimator):
    """Binned logistic-regression scorecard with points on a PDO scale.

    Each feature is cut into at most ``max_n_bins`` optimal bins (optbinning), each bin is
    replaced by its weight of evidence (WoE), a logistic regression is fitted on the WoE
    values and its coefficients are turned into points. Missing values get their own bin.

    Parameters
    ----------
    features : list of str, optional
        Columns of ``X`` to use. None uses every numeric, boolean and categorical column.
    categorical : list of str, optional
        Columns to bin as categories. None treats object, string and category columns as
        categorical; list numeric codes (industry codes, say) here to bin them by value.
    risk_directions : mapping or None, default None
        Declared risk direction per feature: ``"ascending"`` (riskier as it grows: days late,
        days past due, share paid late, utilisation) or ``"descending"`` (safer as it grows:
        tenure, revenue, invoices). The default risk rate of a declared feature's bins follows
        its direction (optbinning's per-variable ``monotonic_trend``), so its points move one
        way only. None uses :data:`segkit.credit.directions.RISK_DIRECTIONS`; pass ``{}`` to
        declare nothing. A declared feature whose training data contradict its direction
        (a significant rank correlation the other way) is left out, not flipped, and a
        feature whose fitted points move against its direction is left out and the card
        refitted; both are listed in ``dropped_`` with the reason.
    monotonic_trend : str or None, default "auto_asc_desc"
        Trend of the numeric features without a declared direction (optbinning's
        ``monotonic_trend``): the default lets the data choose ascending or descending, so
        every feature's points still read one way. ``"auto"`` also allows peaks and valleys;
        None imposes no trend. Categorical features are ordered by event rate.
    min_bin_size : float or None, default None
        Smallest share of the rows in one bin; None leaves it to the pre-binning (optbinning's
        default: pre-bins of at least 5 % of the rows).
    max_n_bins : int or None, default None
        Largest number of bins per feature (the missing bin not counted); None: no cap beyond
        the pre-binning (at most 20 pre-bins).
    selection_criteria : dict, optional
        optbinning's variable selection, e.g. ``{"iv": {"min": 0.02}}``.
    C : float, default 1.0
        Inverse regularisation strength of the logistic regression.
    pdo : float, default 20
        Points to double the odds: 20 more points mean twice the good:bad odds.
    base_score : float, default 600
        Score at the base odds.
    base_odds : float, default 50
        Good:bad odds scored ``base_score`` (600 points at 50:1).
    rounding : bool, default True
        Round the points of each bin to whole numbers.
    metric_missing : "empirical" or float, default "empirical"
        WoE given to the missing bin: its observed WoE, or a fixed value (0 = neutral).
    random_state : int, default 0
        Seed of the logistic regression.

    Attributes
    ----------
    scorecard_ : optbinning.Scorecard
    binning_process_ : optbinning.BinningProcess
    classes_ : ndarray, ``[0, 1]``
    feature_names_in_ : ndarray of str
        Columns of the table seen in ``fit``.
    features_in_ : list of str
        Features binned (before selection).
    dropped_ : dict
        Features left out, with the reason: ``"contradicts_direction"`` (the data say the
        opposite of the declared direction) or ``"points_against_direction"`` (the fitted
        points moved against it).
    n_features_in_ : int

    Notes
    -----
    ``points = base_score + pdo / ln 2 * (ln(good:bad odds) - ln(base_odds))``, so with
    ``rounding=False`` the points and ``predict_proba`` are two views of one model.
    ``score(X)`` returns points (higher = safer); ``score(X, y)`` returns the AUC, so that
    model selection tools which call ``score(X, y)`` rank models by discrimination.
    """

    def __init__(
        self,
        *,
        features=None,
        categorical=None,
        risk_directions=None,
        monotonic_trend="auto_asc_desc",
        min_bin_size=None,
        max_n_bins=None,
        selection_criteria=None,
        C=1.0,
        pdo=20,
        base_score=600,
        base_odds=50,
        rounding=True,
        metric_missing="empirical",
        random_state=0,
    ):
        self.features = features
        self.categorical = categorical
        self.risk_directions = risk_directions
        self.monotonic_trend = monotonic_trend
        self.min_bin_size = min_bin_size
        self.max_n_bins = max_n_bins
        self.selection_criteria = selection_criteria
        self.C = C
        self.pdo = pdo
        self.base_score = base_score
        self.base_odds = base_odds
        self.rounding = rounding
        self.metric_missing = metric_missing
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags

    def _check_params(self) -> None:
        for name in ("pdo", "base_score", "base_odds", "C"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"{name} must be a positive number; got {value!r}.")
        size = self.min_bin_size
        if size is not None and (
            not isinstance(size, numbers.Real) or isinstance(size, bool) or not 0 < size <= 0.5
        ):
            raise ConfigError(f"min_bin_size must be None or in (0, 0.5]; got {size!r}.")
        bins = self.max_n_bins
        if bins is not None and (
            not isinstance(bins, numbers.Integral) or isinstance(bins, bool) or bins < 2
        ):
            raise ConfigError(f"max_n_bins must be None or an int >= 2; got {bins!r}.")

    def _select_features(self, X: pd.DataFrame) -> tuple[list[str], list[str]]:
        if self.features is None:
            usable = X.select_dtypes(include=["number", "bool", "object", "string", "category"])
            features = list(usable.columns)
        else:
            features = list(self.features)
        missing = [f for f in features if f not in X.columns]
        if missing or not features:
            raise ConfigError(
                f"features must name columns of X; missing {missing}, "
                f"available {list(X.columns)[:20]}."
            )
        text = X[features].select_dtypes(include=["object", "string", "category"]).columns
        categorical = list(text) if self.categorical is None else list(self.categorical)
        stray = [c for c in categorical if c not in features]
        if stray:
            raise ConfigError(f"categorical must be a subset of the features; got {stray}.")
        return features, list(dict.fromkeys(categorical + list(text)))

    def _build(self, features: list[str], categorical: list[str], directions) -> Scorecard:
        trends = {
            name: {"monotonic_trend": risk_trend(directions.get(name), self.monotonic_trend)}
            for name in features
            if name not in categorical
        }
        process = BinningProcess(
            variable_names=features,
            categorical_variables=categorical or None,
            min_bin_size=self.min_bin_size,
            max_n_bins=self.max_n_bins,
            selection_criteria=self.selection_criteria,
            binning_fit_params=trends,
        )
        model = LogisticRegression(C=self.C, random_state=self.random_state, max_iter=1000)
        scaling = {"pdo": self.pdo, "odds": self.base_odds, "scorecard_points": self.base_score}
        return Scorecard(
            binning_process=process,
            estimator=model,
            scaling_method="pdo_odds",
            scaling_method_params=scaling,
            rounding=bool(self.rounding),
        )

    def _fit_scorecard(self, scorecard: Scorecard, X: pd.DataFrame, y: np.ndarray) -> Scorecard:
        try:
            with warnings.catch_warnings():  # convergence is checked below and said in words
                warnings.simplefilter("ignore", ConvergenceWarning)
                fitted = scorecard.fit(X, y, metric_missing=self.metric_missing)
        except ValueError as error:
            process = scorecard.binning_process_
            if process is not None and not process.get_support().any():
                raise ConfigError(
                    f"selection_criteria {self.selection_criteria} kept no feature."
                ) from error
            raise
        logistic = fitted.estimator_
        if int(np.max(logistic.n_iter_)) >= logistic.max_iter:
            raise ModelNotFitted(
                f"the scorecard's logistic regression did not converge in {logistic.max_iter} "
                "iterations; its points and PDs would mean nothing.",
                "not_converged",
            )
        return fitted

    def fit(self, X, y):
        """Bin the features, fit the logistic regression and scale the points.

        Parameters
        ----------
        X : pandas.DataFrame of shape (n_customers, n_columns)
            Feature table; missing values allowed.
        y : array-like of shape (n_customers,)
            1 = default, 0 = no default; both classes present, no missing values.

        Returns
        -------
        self
        """
        self._check_params()
        X = _as_frame(X)
        target = check_binary_target(y)
        if len(target) != len(X):
            raise ConfigError(f"y must have one value per row of X ({len(X)}); got {len(target)}.")
        if np.unique(target).size < 2:
            raise ConfigError(f"y must contain both 0 and 1; got only {target[0]}.")
        features, categorical = self._select_features(X)
        directions = check_directions(self.risk_directions)
        numeric = [f for f in features if f not in categorical]
        dropped = dict.fromkeys(
            contradicted(X[numeric], target, directions), "contradicts_direction"
        )
        features = [f for f in features if f not in dropped]
        while True:
            if not features:
                raise ConfigError(
                    f"no feature is left to fit: every candidate contradicts its declared risk "
                    f"direction ({sorted(dropped)})."
                )
            build = self._build(features, categorical, directions)
            scorecard = self._fit_scorecard(build, X[features], target)
            against = wrong_way(_points(scorecard), directions)
            if not against:
                break
            dropped[against[0]] = "points_against_direction"
            features = [f for f in features if f != against[0]]
        self.dropped_ = dropped
        self.scorecard_ = scorecard
        self.binning_process_ = scorecard.binning_process_
        self.features_in_ = features
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.n_features_in_ = X.shape[1]
        self.classes_ = np.array([0, 1])
        return self

    def _features(self, X) -> pd.DataFrame:
        check_is_fitted(self)
        if (
            not isinstance(X, pd.DataFrame)
            and np.ndim(X) == 2
            and np.shape(X)[1] != self.n_features_in_
        ):
            raise ConfigError(
                f"X has {np.shape(X)[1]} features, but CreditScorecard is expecting "
                f"{self.n_features_in_} features as input (an array has no column names to match)."
            )
        X = _as_frame(X)
        missing = [f for f in self.features_in_ if f not in X.columns]
        if missing:
            raise ConfigError(f"X lacks the fitted features {missing}.")
        return X[self.features_in_]

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of no default (column 0) and default (column 1), shape (n, 2)."""
        features = self._features(X)
        return self.scorecard_.predict_proba(features)

    def predict(self, X) -> np.ndarray:
        """1 where the probability of default is at least 0.5, else 0."""
        default = self.predict_proba(X)[:, 1]
        return self.classes_[(default >= 0.5).astype(int)]

    def points(self, X) -> np.ndarray:
        """Scorecard points per row (higher = lower risk), shape (n,)."""
        features = self._features(X)
        return self.scorecard_.score(features)

    def score(self, X, y, sample_weight=None) -> float:
        """The AUC of the default probability against ``y`` (points: :meth:`points`).

        Parameters
        ----------
        X : pandas.DataFrame
        y : array-like of 0/1
        sample_weight : array-like, optional
            Weights of the rows in the AUC.

        Returns
        -------
        float
        """
        target = check_binary_target(y)
        return float(
            roc_auc_score(target, self.predict_proba(X)[:, 1], sample_weight=sample_weight)
        )

    def binning_table(self) -> pd.DataFrame:
        """Bins of every binned feature.

        Returns
        -------
        pandas.DataFrame
            Columns ``variable``, ``bin``, ``count``, ``n_events``, ``event_rate``, ``woe``,
            ``iv`` and ``selected`` (kept by the selection criteria), one row per bin,
            including the special and missing bins.
        """
        check_is_fitted(self)
        selected = set(self.binning_process_.get_support(names=True))
        tables = []
        for name in self.features_in_:
            optb = self.binning_process_.get_binned_variable(name)
            table = optb.binning_table.build(add_totals=False)[list(_BINNING_COLUMNS)]
            table = table.rename(columns=_BINNING_COLUMNS)
            table.insert(0, "variable", name)
            table["selected"] = name in selected
            tables.append(table)
        result = pd.concat(tables, ignore_index=True)
        result["bin"] = result["bin"].map(_bin_label)
        return result

    def points_table(self) -> pd.DataFrame:
        """Points per bin of the selected features: columns ``variable``, ``bin``, ``points``."""
        check_is_fitted(self)
        table = self.scorecard_.table(style="summary").reset_index(drop=True)
        table = table.rename(columns={"Variable": "variable", "Bin": "bin", "Points": "points"})
        table["bin"] = table["bin"].map(_bin_label)
        return table[["variable", "bin", "points"]]

    def iv(self) -> pd.Series:
        """Information value per binned feature, highest first (index ``variable``)."""
        check_is_fitted(self)
        summary = self.binning_process_.summary().set_index("name")["iv"].astype(float)
        summary.index.name = "variable"
        return summary.rename("iv").sort_values(ascending=False, kind="stable")
