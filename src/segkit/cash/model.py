"""Which open invoice will be paid late: a calibrated gradient-boosting model per invoice.

Each training row is an invoice open at a month-end before (or shortly after) its due date,
with features as the ledger stood that month-end (:mod:`segkit.cash.snapshots`); the label is
what happened next, as known at the fit date. Three targets are learnt:

- late (paid after the due date), on rows not yet due at the snapshot;
- very late (more than ``very_late_days`` days), on rows at most that many days past due;
- days late (capped at ``days_cap``), on every row up to ``max_past_due`` days past due.

A row counts only when its outcome is settled in the sense of the target at the fit date
(e.g. late needs the due date to have passed), so recent invoices do not bias the labels toward
the quick payers. The classifiers are scikit-learn ``HistGradientBoostingClassifier`` wrapped in
``CalibratedClassifierCV`` (folds grouped by customer), with a logistic regression on seven
history features fitted beside them as the baseline.
"""

from __future__ import annotations

import datetime as dt
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from segkit.checks import as_date
from segkit.exceptions import ConfigError, ModelNotFitted

from .reasons import REASON_GROUPS, reason_codes
from .selection import SCORE_NAMES, fit_converged, select_late_score
from .snapshots import invoice_outcomes, invoice_snapshots, month_ends, training_ledger

__all__ = ["BASELINE_FEATURES", "FEATURES", "MIN_OUTCOMES", "LatePaymentModel"]

#: Model inputs, grouped as in :data:`segkit.cash.reasons.REASON_GROUPS`.
FEATURES = tuple(col for cols in REASON_GROUPS.values() for col in cols)
#: The logistic baseline's inputs: payment history, exposure and the invoice itself.
BASELINE_FEATURES = ("share_late", "mean_days_late", "n_settled", "n_open", "log_amount",
                     "disputed", "terms_days")  # fmt: skip
MIN_ROWS = 50
#: Late and on-time outcomes the late classifier needs, at least, of each.
MIN_OUTCOMES = 10
_OUTPUT = ("customer_id", "invoice_date", "due_date", "open_amount", "days_past_due", "disputed",
           "p_late", "p_very_late", "expected_days_late", "expected_payment_date",
           "reasons")  # fmt: skip


class LatePaymentModel(BaseEstimator):
    """Probability that an open invoice is paid late, how late, and why.

    Parameters
    ----------
    very_late_days : int, default 30
        An invoice paid more than this many days after its due date is *very late*.
    max_past_due : int, default 90
        Invoices further past due are treated as in default (the Basel past-due line, see
        :func:`segkit.features.aging_buckets`): left out of training, and given no expected
        payment date.
    days_cap : int, default 90
        Days late are modelled up to this cap; the expected days late is the mean of the capped
        days.
    calibration : {"isotonic", "sigmoid"}, default "isotonic"
        Calibration method of ``CalibratedClassifierCV``.
    cv : int, default 3
        Calibration folds, grouped by customer.
    max_iter, learning_rate, min_samples_leaf : gradient-boosting settings, default 80, 0.15, 40
        (as good out of time as 150 at 0.1 in half the time: docs/collections.md).
    n_reasons : int, default 3
        At most this many reasons per invoice.
    n_threads : int, default 1
        OpenMP threads of the boosting (spin-waiting threads slow a small fit on a busy machine).
    random_state : int, default 0
        Seed of the boosting's early-stopping split.
    choice : {"auto", "gradient_boosting", "logistic"}, default "auto"
        Which score gives ``p_late``. ``"auto"`` compares the two out of time on the ledger
        itself, on the last ``holdout_months`` month-ends before the fit date, and uses the
        logistic baseline when it ranks at least as well (:mod:`segkit.cash.selection`).
    holdout_months : int, default 6
        Months held out for that comparison.
    max_customers : int or None, default 50_000
        :meth:`fit` learns from a seeded sample (``random_state``) of this many invoiced
        customers when the ledger has more, so that the rows read from the engine stay
        bounded (:func:`segkit.cash.snapshots.training_ledger`); None reads them all.

    Attributes
    ----------
    late_model_, very_late_model_, days_model_ : fitted estimators (``very_late_model_`` is
        None when no training invoice was very late).
    baseline_ : the logistic regression on :data:`BASELINE_FEATURES`.
    chosen_ : str, the score that gives ``p_late`` (``gradient_boosting`` or ``logistic``).
    selection_ : pandas.DataFrame or None, both scores on the held-out months (``choice="auto"``).
    reference_ : pandas.Series, the training medians used to explain a prediction.
    features_ : tuple of str, the features used (:data:`FEATURES` that the ledger has).
    as_of_ : datetime.date, the fit date. n_rows_ : dict, training rows per target.
    """

    def __init__(self, *, very_late_days=30, max_past_due=90, days_cap=90,
                 calibration="isotonic", cv=3, max_iter=80, learning_rate=0.15,
                 min_samples_leaf=40, n_reasons=3, n_threads=1, random_state=0, choice="auto",
                 holdout_months=6, max_customers=50_000):  # fmt: skip
        self.very_late_days = very_late_days
        self.max_past_due = max_past_due
        self.days_cap = days_cap
        self.calibration = calibration
        self.cv = cv
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.min_samples_leaf = min_samples_leaf
        self.n_reasons = n_reasons
        self.n_threads = n_threads
        self.random_state = random_state
        self.choice = choice
        self.holdout_months = holdout_months
        self.max_customers = max_customers

    # -- public ---------------------------------------------------------------------------

    def fit(self, ledger, as_of) -> LatePaymentModel:
        """Learn from the invoices whose outcome is known at ``as_of``.

        Parameters
        ----------
        ledger : segkit.Ledger
            A ledger with payments or ``invoices.settled_date``.
        as_of : str or datetime.date
            The fit date: training rows are the invoices open at each month-end up to it, with
            features as of that month-end and outcomes as known at ``as_of``.

        Returns self. Raises ConfigError on an invalid parameter or too few invoices with a
        known outcome, ModelNotFitted when fewer than :data:`MIN_OUTCOMES` were late or on time or the
        logistic baseline does not converge,
        SchemaError when the ledger has no settlement data.
        """
        day = as_date(as_of)
        first = ledger.invoices.invoice_date.min().execute()
        dates = month_ends(pd.Timestamp(first).date(), day)
        if not dates:
            raise ConfigError(f"as_of must be after the first month-end of the ledger; got {day}.")
        self._check_params()
        ledger = training_ledger(ledger, self.max_customers, self.random_state)
        rows = invoice_snapshots(ledger, dates, max_past_due=self.max_past_due)
        return self.fit_rows(rows, invoice_outcomes(ledger, day), day)

    def predict(self, ledger, as_of) -> pd.DataFrame:
        """Score every invoice open at ``as_of``.

        Parameters
        ----------
        ledger : segkit.Ledger
            The ledger; only data dated on or before ``as_of`` is used.
        as_of : str or datetime.date
            Scoring date.

        Returns
        -------
        pandas.DataFrame
            Index ``invoice_id``, one row per invoice open at ``as_of``: ``customer_id``,
            ``invoice_date``, ``due_date``, ``open_amount``, ``days_past_due`` (negative = not
            yet due), ``p_late`` (calibrated; 1 once past due), ``p_very_late``,
            ``disputed`` (bool), ``expected_days_late`` and ``expected_payment_date`` (NaN / NaT beyond
            ``max_past_due``: in default), ``reasons`` (reason codes, ``;``-separated, most
            important first; labels in :func:`segkit.cash.reason_text`).
        """
        check_is_fitted(self, "late_model_")
        day = as_date(as_of)
        return self.score_rows(invoice_snapshots(ledger, [day]))

    # -- on prepared rows -----------------------------------------------------------------

    def fit_rows(self, rows: pd.DataFrame, outcomes: pd.DataFrame, as_of: dt.date):
        """Fit on snapshot rows (:func:`invoice_snapshots`) and outcomes known at ``as_of``."""
        self._check_params()
        with threadpool_limits(self.n_threads, user_api="openmp"):
            return self._fit_rows(rows, outcomes, as_of)

    def score_rows(self, rows: pd.DataFrame, reasons: bool = True) -> pd.DataFrame:
        """Predictions for snapshot rows of one date (see :meth:`predict`).

        ``reasons=False`` leaves the ``reasons`` column empty, which is faster.
        """
        check_is_fitted(self, "late_model_")
        with threadpool_limits(self.n_threads, user_api="openmp"):
            return self._score_rows(rows, reasons)

    def _fit_late(self, rows, outcomes, as_of):
        """Fit the late classifier and the logistic baseline; the rest of a fit needs these."""
        rows = rows[
            (rows["snapshot"] <= pd.Timestamp(as_of)) & (rows["days_to_due"] >= -self.max_past_due)
        ]
        targets = _targets(rows, outcomes, as_of, self.very_late_days, self.days_cap)
        late = targets["late"].notna() & (rows["days_to_due"] >= 0)
        very = targets["very_late"].notna() & (rows["days_to_due"] >= -self.very_late_days)
        known = targets["days"].notna()
        self._check_rows(late, targets["late"], known, as_of)
        X, groups = rows[list(FEATURES)].astype(float), rows["customer_id"].to_numpy()
        # a feature the ledger lacks (all missing) is left out: the boosting cannot bin it
        present = [
            c for c in FEATURES if all(X.loc[m, c].notna().any() for m in (late, very, known))
        ]
        self.features_ = tuple(present)
        X = X[present]
        self.late_model_ = self._classifier(X[late], targets["late"][late], groups[late])
        self.baseline_ = fit_converged(
            _baseline(), rows.loc[late, list(BASELINE_FEATURES)].astype(float),
            targets["late"][late], as_of,
        )  # fmt: skip
        return rows, targets, (late, very, known), X, groups

    def _fit_rows(self, given, outcomes, as_of):
        rows, targets, masks, X, groups = self._fit_late(given, outcomes, as_of)
        late, very, known = masks
        y_very = targets["very_late"][very]
        self.very_late_model_ = None
        if y_very.nunique() == 2:
            self.very_late_model_ = self._classifier(X[very], y_very, groups[very])
        self.very_late_rate_ = float(y_very.mean()) if len(y_very) else 0.0
        self.days_model_ = HistGradientBoostingRegressor(**self._boosting()).fit(
            X[known], targets["days"][known]
        )
        self.selection_, self.chosen_ = None, self.choice
        if self.choice == "auto":
            self.selection_, self.chosen_ = select_late_score(self, given, outcomes, as_of)
        self.reference_ = X[late].median()
        self.as_of_ = as_of
        self.n_rows_ = {
            "late": int(late.sum()),
            "very_late": int(very.sum()),
            "days": int(known.sum()),
        }
        return self

    def _score_rows(self, rows, reasons):
        if rows.empty:
            empty = pd.DataFrame(columns=list(_OUTPUT), index=pd.Index([], name="invoice_id"))
            return empty
        X = rows[list(self.features_)].astype(float)
        dpd = -rows["days_to_due"].to_numpy()
        p_late = np.where(dpd > 0, 1.0, _proba(self._late_score(), X))
        p_very = self._p_very(X)
        p_very = np.where(dpd > self.very_late_days, 1.0, p_very)
        out = rows[["invoice_id", "customer_id", "invoice_date", "due_date", "open_amount"]].copy()
        out["days_past_due"] = dpd
        out["disputed"] = rows["disputed"].fillna(0).astype(float) > 0
        out["p_late"], out["p_very_late"] = p_late, np.maximum(p_very, 0.0)
        out = out.join(self._timing(rows, X, dpd))
        out["reasons"] = self._reasons(X, dpd) if reasons else ""
        return out.set_index("invoice_id").sort_index()[list(_OUTPUT)]

    def baseline_proba(self, rows: pd.DataFrame) -> np.ndarray:
        """Probability of late payment from the logistic baseline."""
        check_is_fitted(self, "baseline_")
        return _OnColumns(self.baseline_).predict_proba(rows)[:, 1]

    def boosting_proba(self, rows: pd.DataFrame) -> np.ndarray:
        """Probability of late payment from the calibrated boosting, whichever score is used."""
        check_is_fitted(self, "late_model_")
        return _proba(self.late_model_, rows[list(self.features_)].astype(float))

    def _late_score(self):
        """The classifier that scores lateness: the boosting or the baseline (``chosen_``)."""
        if getattr(self, "chosen_", "gradient_boosting") == "logistic":
            return _OnColumns(self.baseline_)
        return self.late_model_

    # -- pieces ---------------------------------------------------------------------------

    def _p_very(self, X):
        if self.very_late_model_ is None:
            return np.full(len(X), self.very_late_rate_)
        return _proba(self.very_late_model_, X)

    def _timing(self, rows, X, dpd) -> pd.DataFrame:
        days = np.round(self.days_model_.predict(X))
        days = np.maximum(days, dpd + 1)  # an open invoice is paid after the snapshot
        days = np.where(dpd > self.max_past_due, np.nan, days)
        when = rows["due_date"] + pd.to_timedelta(days, unit="D")
        return pd.DataFrame(
            {"expected_days_late": days, "expected_payment_date": when}, index=rows.index
        )

    def _reasons(self, X, dpd) -> list[str]:
        """Reason codes: the feature groups whose typical values lower the score the most."""
        due = dpd <= 0
        codes = np.array([""] * len(X), dtype=object)
        if due.any():
            codes[due] = reason_codes(self._late_score(), X[due], self.reference_, self.n_reasons)
        mid = (dpd > 0) & (dpd <= self.max_past_due)
        if mid.any() and self.very_late_model_ is not None:
            found = reason_codes(self.very_late_model_, X[mid], self.reference_, self.n_reasons)
            codes[mid] = ["past_due" + (";" + c if c else "") for c in found]
        elif mid.any():
            codes[mid] = "past_due"
        codes[dpd > self.max_past_due] = "in_default"
        return list(codes)

    def _boosting(self) -> dict:
        return {
            "max_iter": self.max_iter,
            "learning_rate": self.learning_rate,
            "min_samples_leaf": self.min_samples_leaf,
            "random_state": self.random_state,
        }

    def _classifier(self, X, y, groups):
        folds = list(GroupKFold(n_splits=self.cv).split(X, y, groups))
        model = CalibratedClassifierCV(
            HistGradientBoostingClassifier(**self._boosting()), method=self.calibration, cv=folds
        )
        return model.fit(X, y.astype(int))

    def _check_params(self) -> None:
        names = ("very_late_days", "max_past_due", "days_cap", "cv", "n_reasons", "max_iter",
                 "n_threads", "holdout_months")  # fmt: skip
        for name in names:
            value = getattr(self, name)
            low = 2 if name == "cv" else 1
            if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
                raise ConfigError(f"{name} must be an int >= {low}; got {value!r}.")
        if self.max_customers is not None and (
            isinstance(self.max_customers, bool)
            or not isinstance(self.max_customers, Integral)
            or self.max_customers < 1
        ):
            raise ConfigError(
                f"max_customers must be an int >= 1 or None; got {self.max_customers!r}."
            )
        if self.choice not in ("auto", *SCORE_NAMES):
            raise ConfigError(
                f"choice must be 'auto', 'gradient_boosting' or 'logistic'; got {self.choice!r}."
            )
        if self.calibration not in ("isotonic", "sigmoid"):
            raise ConfigError(
                f"calibration must be 'isotonic' or 'sigmoid'; got {self.calibration!r}."
            )

    def _check_rows(self, mask, y, known, as_of) -> None:
        y = y[mask]
        late = int(y.sum())
        if len(y) >= MIN_ROWS and min(late, len(y) - late) < MIN_OUTCOMES:
            raise ModelNotFitted(
                f"fit: at as_of={as_of} the {len(y)} invoice-month rows with a known outcome "
                f"hold {late} late and {len(y) - late} on-time payments; the model needs at "
                f"least {MIN_OUTCOMES} of each to learn which invoices are paid late.",
                "few_outcomes",
                {"n": len(y), "late": late, "on_time": len(y) - late, "needed": MIN_OUTCOMES},
            )
        if len(y) < MIN_ROWS or y.nunique() < 2:
            raise ConfigError(
                f"fit: at as_of={as_of} the ledger has {len(y)} invoice-month rows with a known "
                f"outcome ({int(y.sum())} late); need at least {MIN_ROWS} with both on-time and "
                "late payments. Choose a later as_of or a longer ledger."
            )
        if known.sum() < MIN_ROWS:
            raise ConfigError(
                f"fit: at as_of={as_of} only {int(known.sum())} invoice-month rows are due "
                f"{self.days_cap} days (days_cap) or more before it; need at least {MIN_ROWS} "
                "to learn how late invoices are paid. Choose a later as_of or a smaller days_cap."
            )


def _targets(rows, outcomes, as_of, very_late_days, days_cap) -> pd.DataFrame:
    """Labels as known at ``as_of``; NaN where the outcome window has not passed yet."""
    days = outcomes["days_late"].reindex(rows["invoice_id"]).to_numpy()
    elapsed = (pd.Timestamp(as_of) - rows["due_date"]).dt.days.to_numpy()
    late = np.where(elapsed >= 1, (days > 0).astype(float), np.nan)
    very = np.where(elapsed > very_late_days, (days > very_late_days).astype(float), np.nan)
    capped = np.where(elapsed >= days_cap, np.minimum(days, days_cap), np.nan)
    return pd.DataFrame({"late": late, "very_late": very, "days": capped}, index=rows.index)


class _OnColumns:
    """The baseline seen as a classifier of any feature frame (it takes its own columns)."""

    def __init__(self, pipeline):
        self.pipeline = pipeline

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.pipeline.predict_proba(X.reindex(columns=list(BASELINE_FEATURES)).astype(float))


def _baseline():
    return make_pipeline(
        SimpleImputer(strategy="median", keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(max_iter=1000),
    )


def _proba(model, X) -> np.ndarray:
    return model.predict_proba(X)[:, 1]
