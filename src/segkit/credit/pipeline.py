"""The credit-risk study: develop a scorecard out of time, then score, grade and limit customers.

:func:`credit_study` runs the whole pipeline for one observation date and returns a
:class:`~segkit.credit.CreditStudy` holding every table a credit committee reviews:

1. development set: quarter-end snapshots whose 12-month outcome window ends by ``as_of``
   (:func:`segkit.credit.defaults.development_set`), so the study only uses data known at
   ``as_of`` and gives the same answer whenever it is run;
2. out-of-time split: the latest ``holdout_snapshots`` snapshots are the test set;
3. a :class:`~segkit.credit.CreditScorecard` fitted on the earlier snapshots;
4. validation on the test set: AUC, Gini, KS, Brier score, calibration, IV, and PSI of the
   score and the features between development and today's population;
5. scoring at ``as_of``: PD (recalibrated to the test period, see below), points, grade,
   expected loss, limit proposal, and the watch-list against the previous quarter-end.

The steps live in :mod:`segkit.credit.steps`, the result class in
:mod:`segkit.credit.result` and the tables of the scored portfolio
(:func:`~segkit.studies.credit_risk.grade_summary`, :func:`~segkit.studies.credit_risk.limit_changes`) in
:mod:`segkit.studies.credit_risk.tables`; this module re-exports their public names.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import pandas as pd

from segkit.checks import as_date, check_int
from segkit.credit.defaults import (
    DEFAULT_DPD,
    DEFAULT_HORIZON_MONTHS,
    data_end,
    require_settlement,
    snapshot_dates,
)
from segkit.credit.grades import RatingScale, grade_table
from segkit.credit.limits import DEFAULT_LGD, load_limit_policy
from segkit.credit.limits import watch_list as _watch_list
from segkit.credit.result import CreditStudy
from segkit.credit.scorecard import CreditScorecard
from segkit.credit.snapshots import credit_snapshots
from segkit.credit.steps import (
    DEFAULT_MODEL_FEATURES,
    check_holdout,
    check_study,
    finish_scored,
    out_of_time,
    score_customers,
    score_psi,
    split_out_of_time,
    usable_features,
    validation_metrics,
    with_derived_features,
)
from segkit.credit.store import stored
from segkit.credit.terms import payment_terms
from segkit.metrics import calibration_table

__all__ = [
    "DEFAULT_MODEL_FEATURES",
    "CreditStudy",
    "credit_study",
    "with_derived_features",
]


def credit_study(
    ledger,
    as_of,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    dpd: int = DEFAULT_DPD,
    features: Sequence[str] = DEFAULT_MODEL_FEATURES,
    holdout_snapshots: int = 2,
    lgd: float = DEFAULT_LGD,
    scale: RatingScale | None = None,
    limit_policy: Mapping | str | None = None,
    random_state: int = 0,
    recalibrate: str | None = "platt",
    feature_kwargs: dict | None = None,
) -> CreditStudy:
    """Develop, validate and apply a credit scorecard as of a date.

    Parameters
    ----------
    ledger : segkit.Ledger
        Needs settlement data (payments, or ``invoices.settled_date``).
    as_of : str or date
        Observation date. Only data up to it is used: development snapshots are the
        quarter-ends (after 12 months of history) whose outcome window ends by ``as_of``.
    horizon_months, dpd : int
        Outcome window and days past due of the default definition
        (:func:`~segkit.credit.defaults.default_labels`).
    features : sequence of str, default :data:`~segkit.credit.DEFAULT_MODEL_FEATURES`
        Model features; ``overdue_ratio`` is derived by
        :func:`~segkit.credit.with_derived_features`.
    holdout_snapshots : int, default 2
        The latest snapshots held out as the out-of-time test set; the others train.
    lgd : float, default 0.45
        Loss given default of the expected loss (Basel II foundation IRB, paragraph 287).
    scale : RatingScale, optional
        Master scale; None uses the default scale.
    limit_policy : mapping or path of a YAML file, optional
        Keys of the limit policy to change (:func:`~segkit.credit.load_limit_policy`); None
        uses the defaults of ``limit_policy.yaml``.
    random_state : int, default 0
        Seed of the scorecard; same input, same numbers.
    recalibrate : {"platt", "isotonic", None}, default "platt"
        Recalibrate the scorecard PD to the out-of-time set (the most recent outcomes)
        before grading. Platt keeps the ranking and needs few defaults. Validation metrics
        use the scorecard PD, so they remain out of time.
    feature_kwargs : dict, optional
        Keyword arguments for :func:`segkit.customer_features`.

    Returns
    -------
    CreditStudy

    Raises
    ------
    ConfigError
        For bad parameters, too few snapshots, or a set without defaults.
    """
    day = as_date(as_of)
    features = list(features) if not isinstance(features, str) else features
    check_study(holdout_snapshots, recalibrate, lgd, features)
    fit = functools.partial(
        _fit, ledger, day, horizon_months, dpd, features, holdout_snapshots, lgd, scale,
        limit_policy, random_state, recalibrate, feature_kwargs,
    )  # fmt: skip
    if scale is not None or not (limit_policy is None or isinstance(limit_policy, Mapping)):
        return fit()  # a scale object or a policy file: not keyed, fitted here
    parameters = {"study": "credit", "as_of": day.isoformat(), "horizon_months": horizon_months,
                  "dpd": dpd, "features": features, "holdout_snapshots": holdout_snapshots,
                  "lgd": lgd, "limit_policy": limit_policy, "random_state": random_state,
                  "recalibrate": recalibrate, "feature_kwargs": feature_kwargs or {}}  # fmt: skip
    return stored(ledger, parameters, fit)


def _fit(
    ledger, day, horizon_months, dpd, features, holdout_snapshots, lgd, scale, limit_policy,
    random_state, recalibrate, feature_kwargs,
) -> CreditStudy:  # fmt: skip
    """:func:`credit_study` after its checks: develop, validate and apply the scorecard."""
    scale = scale or RatingScale()
    kwargs = feature_kwargs or {}
    dates, previous, last = study_dates(ledger, day, horizon_months)
    check_holdout(dates, holdout_snapshots)
    dev, scores = credit_snapshots(
        ledger, dates, [previous, day], last, *_checked(ledger, horizon_months, dpd), kwargs
    )
    train, test = split_out_of_time(with_derived_features(dev), dates, holdout_snapshots)
    usable, left_out = usable_features(train, features)
    model = CreditScorecard(features=usable, random_state=random_state)
    model.fit(train, train["default"])
    left_out |= model.dropped_
    calibrator, oot = out_of_time(model, test, recalibrate, scale)
    current, counts = score_customers(scores[day], day, model, calibrator, scale)
    before = score_customers(scores[previous], previous, model, calibrator, scale)[0]
    policy = load_limit_policy(limit_policy)
    current = current.join(payment_terms(ledger, day))
    scored = finish_scored(current, lgd, policy, features)
    snapshots = dev.attrs["population"].assign(set="train")
    snapshots.loc[snapshots["snapshot"].isin(test["snapshot"]), "set"] = "test"
    metrics = validation_metrics(train, test, oot, model)
    metrics |= {"n_scored": len(scored), "n_in_default": int(scored["in_default_at_as_of"].sum())}
    metrics["n_no_exposure"] = counts["no exposure"]
    return CreditStudy(
        as_of=day,
        previous_as_of=previous,
        snapshots=snapshots,
        scorecard=model,
        calibrator=calibrator,
        scale=scale,
        metrics=metrics,
        calibration=calibration_table(oot["default"], oot["pd_model"]),
        iv=model.iv(),
        psi=score_psi(train, model, current, model.features_in_),
        oot=oot,
        scored=scored,
        grades=grade_table(oot["default"], oot["pd"], oot["grade"], scale),
        watch_list=_watch_list(current, before, scale=scale),
        data_end=last,
        features_left_out=left_out,
    )


def study_dates(ledger, as_of, horizon_months: int = DEFAULT_HORIZON_MONTHS):
    """The development snapshots, the previous quarter-end and the data's end of a study at ``as_of``.

    Returns
    -------
    tuple
        (development dates, the quarter-end before ``as_of``, the ledger's last date); the
        study also scores at ``as_of``.
    """
    day = as_date(as_of)
    last = data_end(ledger)
    dates = snapshot_dates(ledger, horizon_months=horizon_months, known_until=min(day, last))
    previous = (pd.Timestamp(day) - pd.offsets.QuarterEnd(1)).date()
    return dates, previous, last


def _checked(ledger, horizon_months, dpd) -> tuple[int, int]:
    """The outcome window and days past due, checked, for a ledger with settlement data."""
    months, dpd = check_int("horizon_months", horizon_months, 1), check_int("dpd", dpd, 0)
    require_settlement(ledger)
    return months, dpd
