"""Which late-payment score to use: the boosted model or its logistic baseline, out of time.

:func:`select_late_score` holds out the last ``holdout_months`` month-ends before the fit date:
both scores are fitted on what was known at the cut, then rank the invoices open and not yet
due at each later month-end whose outcome is known at the fit date. The rule, documented in
docs/collections.md: the logistic baseline is used when its AUC on the held-out months is at
least the boosted model's (it is the simpler model, so a tie goes to it); otherwise the boosted
model. When the held-out months cannot decide (too few rows, one outcome only, or too little
history before the cut), the boosted model is used and the table says why.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from segkit.exceptions import ConfigError, ModelNotFitted
from segkit.metrics import auc, brier

__all__ = ["SCORE_NAMES", "check_converged", "fit_converged", "select_late_score"]

#: The two scores, as named in the tables.
SCORE_NAMES = ("gradient_boosting", "logistic")


def outcomes_at(outcomes: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Outcomes known at ``as_of`` reduced to what was known at an earlier ``day``."""
    settled = outcomes["settled_date"].notna() & (outcomes["settled_date"] <= day)
    censored = (day - outcomes["due_date"]).dt.days.astype(float)
    return outcomes.assign(days_late=outcomes["days_late"].where(settled, censored))


def select_late_score(model, rows: pd.DataFrame, outcomes: pd.DataFrame, as_of):
    """Compare the two scores on the last months before ``as_of`` and pick one.

    Parameters
    ----------
    model : LatePaymentModel
        Its settings (``holdout_months`` above all) are used for the comparison fit.
    rows, outcomes, as_of
        As given to :meth:`LatePaymentModel.fit_rows`.

    Returns
    -------
    (pandas.DataFrame, str)
        Index ``score`` (:data:`SCORE_NAMES`): ``n``, ``late_rate``, ``auc``, ``brier`` on
        the held-out months and ``note`` (``compared`` or why not); and the chosen score.
    """
    end = pd.Timestamp(as_of)
    cut = end - pd.DateOffset(months=model.holdout_months) + pd.offsets.MonthEnd(0)
    test = rows[(rows["snapshot"] > cut) & (rows["snapshot"] <= end) & (rows["days_to_due"] >= 0)]
    test = test[test["due_date"] < end]
    y = (outcomes["days_late"].reindex(test["invoice_id"]).to_numpy() > 0).astype(int)
    note = "compared"
    if len(test) < 50 or len(np.unique(y)) < 2:
        note = "too_few_held_out"
    else:
        try:
            early = clone(model).set_params(choice="gradient_boosting")
            early._fit_late(rows, outcomes_at(outcomes, cut), cut.date())
        except ConfigError:
            note = "too_little_history"
    scores = {name: np.full(len(test), np.nan) for name in SCORE_NAMES}
    if note == "compared":
        scores = {"gradient_boosting": early.boosting_proba(test),
                  "logistic": early.baseline_proba(test)}  # fmt: skip
    table = pd.DataFrame(
        {
            name: {"n": len(test), "late_rate": float(y.mean()) if len(y) else np.nan,
                   "auc": auc(y, p) if note == "compared" else np.nan,
                   "brier": brier(y, p) if note == "compared" else np.nan, "note": note}
            for name, p in scores.items()
        }
    ).T.rename_axis("score")  # fmt: skip
    wins = (
        note == "compared" and table.loc["logistic", "auc"] >= table.loc["gradient_boosting", "auc"]
    )
    return table, "logistic" if wins else "gradient_boosting"


def check_converged(logistic, as_of) -> None:
    """The baseline's solver must stop before its iteration limit: a logistic regression that
    ran out of iterations has no optimum, and its coefficients and choice mean nothing."""
    used = int(np.max(logistic.n_iter_))
    if used >= logistic.max_iter or not np.all(np.isfinite(logistic.coef_)):
        raise ModelNotFitted(
            f"fit: at as_of={as_of} the logistic baseline did not converge ({used} iterations, "
            f"limit {logistic.max_iter}); its late-payment probabilities are not shown.",
            "not_converged",
            {"iterations": used},
        )


def fit_converged(pipeline, X, y, as_of):
    """Fit the logistic baseline; scikit-learn's ConvergenceWarning is replaced by the check
    of :func:`check_converged`, which withholds the model in words instead of a console line."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipeline.fit(X, y)
    check_converged(pipeline[-1], as_of)
    return pipeline
