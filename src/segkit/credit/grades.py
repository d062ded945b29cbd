"""Rating grades from probabilities of default, and PD recalibration.

A :class:`RatingScale` is a master scale: contiguous PD bands, one per non-default grade,
plus one grade for customers already in default. :func:`grade_table` checks a scale against
outcomes, and :class:`PDCalibrator` maps scores or PDs from a model to PDs that match the
default rate of a recent period.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from segkit.checks import check_binary_target
from segkit.exceptions import ConfigError

__all__ = ["DEFAULT_GRADES", "MIN_NON_DEFAULT_GRADES", "PDCalibrator", "RatingScale", "grade_table"]

#: Basel II requires at least seven grades for non-defaulted borrowers and one for
#: defaulted ones (BCBS, International Convergence of Capital Measurement and Capital
#: Standards, June 2006, paragraph 404).
MIN_NON_DEFAULT_GRADES = 7

#: Default scale, modelled on a 1-year PD master scale of the kind banks keep under the
#: Basel II IRB approach: PD bands widen roughly threefold per grade. Each tuple is
#: (grade, pd_min, pd_max), the band being [pd_min, pd_max). The last tuple, with
#: pd_min == pd_max == 1, is the default grade: more than 90 days past due on a material
#: obligation (BCBS 2006, paragraph 452). The letters are labels, not agency ratings.
DEFAULT_GRADES = (
    ("AAA", 0.0, 0.0005),
    ("AA", 0.0005, 0.0015),
    ("A", 0.0015, 0.005),
    ("BBB", 0.005, 0.015),
    ("BB", 0.015, 0.04),
    ("B", 0.04, 0.10),
    ("CCC", 0.10, 0.25),
    ("CC", 0.25, 1.0),
    ("D", 1.0, 1.0),
)


_COUNTS = {"n": ("y", "size"), "n_default": ("y", "sum"), "mean_pd": ("pd", "mean")}


def _describe(bands) -> str:
    return ", ".join(f"{g} [{lo}, {hi})" for g, lo, hi in bands)


def _check_bands(bands: list[tuple[str, float, float]]) -> None:
    names = [g for g, _, _ in bands]
    if len(set(names)) != len(names):
        raise ConfigError(f"grades must have distinct names; got {names}.")
    defaults = [b for b in bands if b[1] == b[2] == 1.0]
    if len(defaults) != 1:
        raise ConfigError(
            f"grades must hold exactly one default grade with pd_min == pd_max == 1; "
            f"got {len(defaults)}: {_describe(defaults)}."
        )
    others = [b for b in bands if b not in defaults]
    if len(others) < MIN_NON_DEFAULT_GRADES:
        raise ConfigError(
            f"grades must hold at least {MIN_NON_DEFAULT_GRADES} non-default grades; "
            f"got {len(others)}: {_describe(others)}."
        )
    if others[0][1] != 0.0 or others[-1][2] != 1.0:
        raise ConfigError(f"grades must cover [0, 1) from 0 to 1; got {_describe(others)}.")
    for (g1, lo1, hi1), (g2, lo2, hi2) in zip(others, others[1:], strict=False):
        if not lo1 < hi1 or hi1 != lo2:
            raise ConfigError(
                "grades must be ordered, contiguous and non-overlapping; "
                f"got {g1} [{lo1}, {hi1}) followed by {g2} [{lo2}, {hi2})."
            )
    if not others[-1][1] < others[-1][2]:
        raise ConfigError(f"grades must have pd_min < pd_max; got {_describe(others[-1:])}.")


def _flags(in_default, size: int) -> np.ndarray:
    flags = pd.Series(np.asarray(in_default, dtype=object).ravel())
    if flags.size != size:
        raise ConfigError(f"in_default must have one value per pd ({size}); got {flags.size}.")
    if flags.isna().any():
        n_missing = int(flags.isna().sum())
        raise ConfigError(
            f"in_default must be True or False for every customer; got {n_missing} missing."
        )
    return flags.astype(bool).to_numpy()


class RatingScale:
    """A PD master scale: ordered non-default grades plus one default grade.

    Parameters
    ----------
    grades : sequence of (str, float, float), optional
        ``(grade, pd_min, pd_max)`` from best to worst. Non-default bands are
        ``[pd_min, pd_max)``, ordered, contiguous and covering [0, 1) (a PD of exactly 1
        falls in the last one); at least seven of them. Exactly one grade written with
        ``pd_min == pd_max == 1`` is the default grade. None uses :data:`DEFAULT_GRADES`.

    Raises
    ------
    ConfigError
        When the bands break any of these rules; the message names grades and bounds.
    """

    def __init__(self, grades: Sequence[tuple[str, float, float]] | None = None):
        raw = DEFAULT_GRADES if grades is None else grades
        try:
            bands = [(str(g), float(lo), float(hi)) for g, lo, hi in raw]
        except (TypeError, ValueError) as error:
            raise ConfigError(
                f"grades must be (grade, pd_min, pd_max) tuples; got {raw!r}."
            ) from error
        _check_bands(bands)
        self.default_grade = next(g for g, lo, hi in bands if lo == hi == 1.0)
        self.bands = [b for b in bands if b[0] != self.default_grade]
        self.grades = [g for g, _, _ in self.bands] + [self.default_grade]

    def __repr__(self) -> str:
        return f"RatingScale({_describe(self.bands)}; default {self.default_grade})"

    def table(self) -> pd.DataFrame:
        """Columns ``grade``, ``pd_min``, ``pd_max``, ``is_default``, best grade first."""
        rows = [(g, lo, hi, False) for g, lo, hi in self.bands]
        rows.append((self.default_grade, 1.0, 1.0, True))
        return pd.DataFrame(rows, columns=["grade", "pd_min", "pd_max", "is_default"])

    def dtype(self) -> pd.CategoricalDtype:
        """Ordered categorical dtype of the grades, best first."""
        return pd.CategoricalDtype(self.grades, ordered=True)

    def assign(self, pd, in_default=None):
        """Grade of each PD; customers in default get the default grade.

        Parameters
        ----------
        pd : array-like of float in [0, 1]
            Probabilities of default; missing values give a missing grade.
        in_default : array-like of bool, optional
            True where the customer is already in default (more than 90 days past due),
            matched by position; no missing values.

        Returns
        -------
        pandas.Series
            Ordered categorical (best grade first) named ``grade``, with the index of
            ``pd`` when it is a Series.
        """
        return self._assign(pd, in_default)

    def _assign(self, probabilities, in_default) -> pd.Series:
        index = probabilities.index if isinstance(probabilities, pd.Series) else None
        values = np.asarray(probabilities, dtype=float).ravel()
        outside = values[(values < 0) | (values > 1)]
        if outside.size:
            raise ConfigError(f"pd must be in [0, 1]; got {outside[:5].tolist()}.")
        uppers = np.array([hi for _, _, hi in self.bands[:-1]])
        position = np.searchsorted(uppers, values, side="right")
        labels = np.array([g for g, _, _ in self.bands], dtype=object)[
            np.minimum(position, len(self.bands) - 1)
        ]
        labels = np.where(np.isnan(values), None, labels)
        if in_default is not None:
            labels = np.where(_flags(in_default, values.size), self.default_grade, labels)
        return pd.Series(pd.Categorical(labels, dtype=self.dtype()), index=index, name="grade")

    def notch(self, grades) -> np.ndarray:
        """Position of each grade on the scale (0 = best, default grade last); NaN if missing.

        Raises ConfigError for a label that is not on the scale.
        """
        values = pd.Series(np.asarray(grades, dtype=object))
        unknown = sorted({str(g) for g in values.dropna() if g not in self.grades})
        if unknown:
            raise ConfigError(f"grades must be on the scale {self.grades}; got {unknown}.")
        lookup = {g: float(i) for i, g in enumerate(self.grades)}
        return values.map(lookup).to_numpy(dtype=float)


def grade_table(y, pd, grades, scale: RatingScale | None = None) -> pd.DataFrame:
    """Counts, mean PD and observed default rate per grade, and a monotonicity check.

    Parameters
    ----------
    y : array-like of 0/1
        Observed defaults in the outcome window.
    pd : array-like of float
        Predicted probabilities of default.
    grades : array-like of str
        Grade of each customer (from :meth:`RatingScale.assign`).
    scale : RatingScale, optional
        Scale giving the grade order; None uses the default scale.

    Returns
    -------
    pandas.DataFrame
        One row per grade of the scale, best first: ``grade``, ``n``, ``n_default``,
        ``mean_pd``, ``default_rate`` (NaN for an empty grade) and ``monotonic``
        (nullable boolean: the observed rate is at least that of the previous non-empty
        grade; NA for the default grade, whose customers are graded by their arrears, not
        by PD). ``attrs["monotonic"]`` is True when every checked row is; a break is
        reported, not raised.
        Customers without a grade are left out and counted in ``attrs["n_ungraded"]``.
    """
    return _grade_table(y, pd, grades, scale or RatingScale())


def _monotonic(rates: pd.Series, checked: pd.Series) -> pd.Series:
    """True where a rate is at least the last non-missing rate above it; NA where unchecked."""
    rates = rates.where(checked)
    ok = pd.Series(~(rates < rates.ffill().shift(1)), dtype="boolean")
    return ok.mask(~checked, pd.NA)


def _grade_table(y, probabilities, grades, scale: RatingScale) -> pd.DataFrame:
    target = check_binary_target(y)
    values = np.asarray(probabilities, dtype=float).ravel()
    labels = np.asarray(grades, dtype=object).ravel()
    if not target.size == values.size == labels.size:
        raise ConfigError(
            f"y, pd and grades must have the same length; got {target.size}, "
            f"{values.size} and {labels.size}."
        )
    scale.notch(labels)
    frame = pd.DataFrame({"grade": labels, "y": target, "pd": values})
    table = frame.groupby("grade").agg(**_COUNTS)
    table = table.reindex(scale.grades).rename_axis("grade").reset_index()
    table["n"] = table["n"].fillna(0).astype(int)
    table["n_default"] = table["n_default"].fillna(0).astype(int)
    table["default_rate"] = table["n_default"] / table["n"].where(table["n"] > 0)
    table["monotonic"] = _monotonic(table["default_rate"], table["grade"] != scale.default_grade)
    table.attrs["monotonic"] = bool(table["monotonic"].all())
    table.attrs["n_ungraded"] = int(pd.isna(labels).sum())
    return table


class PDCalibrator(ClassifierMixin, BaseEstimator):
    """Map model scores or PDs to calibrated PDs (Platt scaling or isotonic regression).

    A scorecard's logistic output is usually calibrated on its development sample; fit this
    on a recent period's scores and outcomes to recalibrate the PDs to the current default
    rate without refitting the scorecard.

    Parameters
    ----------
    method : {"platt", "isotonic"}, default "platt"
        Platt: logistic regression of the outcome on the input (two parameters, keeps the
        ranking, needs few defaults). Isotonic: monotone step function (flexible, needs
        many defaults).
    kind : {"pd", "score"}, default "pd"
        ``"pd"``: inputs are probabilities and Platt works on their log-odds, so a
        calibrated input stays unchanged, and the isotonic map increases with the PD.
        ``"score"``: inputs are points, used as they are; the isotonic direction is taken
        from the data.

    Attributes
    ----------
    model_ : LogisticRegression or IsotonicRegression
    classes_ : ndarray, ``[0, 1]``
    """

    def __init__(self, *, method="platt", kind="pd"):
        self.method = method
        self.kind = kind

    def _column(self, X) -> np.ndarray:
        values = np.asarray(X, dtype=float)
        if values.ndim == 2 and values.shape[1] == 1:
            values = values[:, 0]
        if values.ndim != 1:
            raise ConfigError(f"X must be one column of scores; got shape {values.shape}.")
        if np.isnan(values).any():
            raise ConfigError(f"X must not contain missing values; got {np.isnan(values).sum()}.")
        if self.kind == "pd":
            if ((values < 0) | (values > 1)).any():
                raise ConfigError("X must be probabilities in [0, 1] when kind='pd'.")
            clipped = np.clip(values, 1e-9, 1 - 1e-9)
            return np.log(clipped / (1 - clipped))
        return values

    def fit(self, X, y):
        """Fit the calibration map on scores ``X`` (n,) or (n, 1) and outcomes ``y`` (0/1)."""
        if self.method not in ("platt", "isotonic"):
            raise ConfigError(f"method must be 'platt' or 'isotonic'; got {self.method!r}.")
        if self.kind not in ("pd", "score"):
            raise ConfigError(f"kind must be 'pd' or 'score'; got {self.kind!r}.")
        x, target = self._column(X), check_binary_target(y)
        if x.size != target.size or np.unique(target).size < 2:
            raise ConfigError(
                f"y must hold both 0 and 1, one value per score ({x.size}); got {target.size}."
            )
        if self.method == "platt":
            self.model_ = LogisticRegression(C=1e6, max_iter=1000).fit(x[:, None], target)
        else:
            increasing = True if self.kind == "pd" else "auto"
            iso = IsotonicRegression(
                y_min=0.0, y_max=1.0, increasing=increasing, out_of_bounds="clip"
            )
            self.model_ = iso.fit(x, target)
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = 1
        return self

    def predict_pd(self, X) -> np.ndarray:
        """Calibrated probability of default, shape (n,)."""
        check_is_fitted(self)
        x = self._column(X)
        if self.method == "platt":
            return self.model_.predict_proba(x[:, None])[:, 1]
        return self.model_.predict(x)

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of no default and default, shape (n, 2)."""
        default = self.predict_pd(X)
        return np.column_stack([1 - default, default])

    def predict(self, X) -> np.ndarray:
        """1 where the calibrated PD is at least 0.5, else 0."""
        return (self.predict_pd(X) >= 0.5).astype(int)
