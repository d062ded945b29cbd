"""The steps of the credit-risk study: features, out-of-time split, validation and scoring.

The model features (:data:`DEFAULT_MODEL_FEATURES`, with ``overdue_ratio`` added by
:func:`with_derived_features`), the checks of the study's parameters, the out-of-time split of
the development set, the recalibration and validation on the test set (metrics and PSI), the
scoring of the customers owing money at a date (PD, grade, expected loss, limit proposal).
:func:`~segkit.credit.credit_study` chains them; the study's notes are sentences of the text
catalogue (:meth:`~segkit.credit.CreditStudy.notes_text`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from segkit.checks import check_int
from segkit.credit.grades import PDCalibrator
from segkit.credit.limits import expected_loss, propose_limits
from segkit.exceptions import ConfigError, ModelNotFitted
from segkit.metrics import auc, brier, gini, ks, psi, psi_status, psi_table

__all__ = [
    "DEFAULT_MODEL_FEATURES",
    "check_holdout",
    "check_study",
    "finish_scored",
    "out_of_time",
    "score_customers",
    "score_psi",
    "split_out_of_time",
    "usable_features",
    "validation_metrics",
    "with_derived_features",
]

#: Payment behaviour, activity and firmographics known at the observation date.
#: ``tenure_days`` and ``growth_12m`` are left out on purpose: both are censored by the start
#: of the ledger (tenure cannot exceed the history held, growth needs 24 months of it), so in
#: the first snapshots they describe the export, not the customer. On the sample their IV is
#: below 0.01 and their PSI against today's population above 1.
DEFAULT_MODEL_FEATURES = (
    "avg_days_late", "share_paid_late", "max_days_past_due", "overdue_ratio", "dso_days",
    "credit_utilisation", "recency_days", "invoices_12m", "revenue_12m", "size_cn",
    "industry_section",
)  # fmt: skip

_SCORED_COLUMNS = (
    "name", "owner", "contact", "group_id", "industry_section", "size_cn", "credit_limit",
    "revenue_12m", "open_balance", "overdue_balance", "open_days_past_due", "max_days_past_due",
    "avg_days_late", "dso_days", "disputed_share", "days_since_last_payment", "last_payment_date",
    "in_default_at_as_of", "status", "standing", "overdue_undisputed", "overdue_disputed",
    "pd_model", "pd", "points", "grade",
    "expected_loss", "terms_days", "utilisation", "over_limit", "limit_size", "size_basis",
    "limit_proposed", "limit_change", "limit_action",
)  # fmt: skip
_CALIBRATION_METHODS = (None, "platt", "isotonic")


def with_derived_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``overdue_ratio`` = ``overdue_balance / open_balance`` (NaN when nothing is open).

    Parameters
    ----------
    frame : pandas.DataFrame
        Customer features with ``overdue_balance`` and ``open_balance``.

    Returns
    -------
    pandas.DataFrame
        A copy with the ``overdue_ratio`` column.
    """
    missing = [c for c in ("overdue_balance", "open_balance") if c not in frame.columns]
    if missing:
        raise ConfigError(f"frame must have overdue_balance and open_balance; missing {missing}.")
    open_ = frame["open_balance"].astype(float)
    return frame.assign(overdue_ratio=frame["overdue_balance"] / open_.where(open_ > 0))


def check_study(holdout, recalibrate, lgd, features) -> None:
    check_int("holdout_snapshots", holdout, 1)
    if recalibrate not in _CALIBRATION_METHODS:
        raise ConfigError(f"recalibrate must be None, 'platt' or 'isotonic'; got {recalibrate!r}.")
    if isinstance(lgd, bool) or not isinstance(lgd, (int, float)) or not 0 <= lgd <= 1:
        raise ConfigError(f"lgd must be a number in [0, 1]; got {lgd!r}.")
    if isinstance(features, str) or not list(features):
        raise ConfigError(f"features must be a non-empty list of column names; got {features!r}.")


def check_holdout(dates: list[dt.date], holdout: int) -> None:
    if holdout >= len(dates):
        raise ConfigError(
            f"holdout_snapshots must be smaller than the number of development snapshots "
            f"({len(dates)}: {[d.isoformat() for d in dates]}); got {holdout}."
        )


def split_out_of_time(dev: pd.DataFrame, dates: list[dt.date], holdout: int):
    is_test = dev["snapshot"].isin(pd.to_datetime(dates[-holdout:]))
    train, test = dev[~is_test], dev[is_test]
    for name, part in (("training", train), ("out-of-time", test)):
        if part["default"].nunique() < 2:
            raise ModelNotFitted(
                f"the {name} set must hold defaults and non-defaults; got "
                f"{int(part['default'].sum())} defaults in {len(part)} rows.",
                reason="no_defaults",
            )
    return train, test


def usable_features(train: pd.DataFrame, features) -> tuple[list[str], dict]:
    """The model features the ledger holds, and why each other one is left out.

    A feature is usable when its column exists in the development set and takes at least two
    distinct values there: firmographics help when the customers table has them and are never
    required, so a ledger of customer ids and settled invoices gets a behavioural scorecard.

    Returns
    -------
    (list of str, dict)
        The usable features in the given order, and ``{feature: "not_in_ledger"}`` for the rest.
    """
    usable, left_out = [], {}
    for name in features:
        present = name in train.columns and train[name].nunique(dropna=True) >= 2
        (usable.append(name) if present else left_out.__setitem__(name, "not_in_ledger"))
    if not usable:
        raise ModelNotFitted(
            f"none of the model features {list(features)} holds two distinct values in the "
            f"development set.",
            reason="no_features",
        )
    return usable, left_out


def _predict(model, calibrator, frame: pd.DataFrame) -> pd.DataFrame:
    """PD from the scorecard, the recalibrated PD and the points, indexed like ``frame``."""
    pd_model = model.predict_proba(frame)[:, 1]
    calibrated = pd_model if calibrator is None else calibrator.predict_pd(pd_model)
    out = pd.DataFrame(index=frame.index)
    out["pd_model"], out["pd"], out["points"] = pd_model, calibrated, model.points(frame)
    return out


def score_customers(snapshot, day, model, calibrator, scale) -> tuple[pd.DataFrame, dict]:
    """Grade the rows of :func:`~segkit.credit.scoring_snapshot`; also return the counts."""
    counts = dict(snapshot.attrs["counts"])
    frame = with_derived_features(snapshot)
    frame = frame.join(_predict(model, calibrator, frame))
    frame["pd"] = frame["pd"].where(~frame["in_default_at_as_of"], 1.0)
    frame["grade"] = scale.assign(frame["pd"], in_default=frame["in_default_at_as_of"])
    days = pd.to_timedelta(frame["days_since_last_payment"], unit="D")
    frame["last_payment_date"] = pd.Timestamp(day) - days
    return frame, counts


def finish_scored(frame, lgd, policy, features) -> pd.DataFrame:
    frame = frame.copy()
    frame["expected_loss"] = expected_loss(frame["pd"], frame["open_balance"], lgd)
    if "size_cn" not in frame.columns:
        frame["size_cn"] = np.nan
    limits = propose_limits(frame, policy=policy)
    frame["limit_size"], frame["size_basis"] = limits["size_cn"], limits["size_basis"]
    frame["terms_days"], frame["standing"] = limits["terms_days"], limits["standing"]
    frame["overdue_disputed"] = limits["overdue_disputed"]
    frame["limit_proposed"] = limits["limit_proposed"]
    for column in ("limit_change", "utilisation", "over_limit"):
        frame[column] = limits.get(column, np.nan)
    frame["limit_action"] = limits["action"]
    aging = [c for c in frame.columns if c.startswith("aging_")]
    keep = []
    for column in _SCORED_COLUMNS:  # the aging buckets go right after the overdue balance
        keep += [column, *aging] if column == "overdue_balance" else [column]
    keep += [f for f in features if f not in keep]
    return frame[[c for c in keep if c in frame.columns]]


def out_of_time(model, test, recalibrate, scale) -> tuple[PDCalibrator | None, pd.DataFrame]:
    """Fit the recalibration on the test set; return it and the test rows with PD and grade."""
    pd_model = model.predict_proba(test)[:, 1]
    calibrator = None
    if recalibrate is not None:
        calibrator = PDCalibrator(method=recalibrate).fit(pd_model, test["default"])
    oot = test[["snapshot", "customer_id", "default"]].join(_predict(model, calibrator, test))
    oot["grade"] = scale.assign(oot["pd"])
    return calibrator, oot.reset_index(drop=True)


def validation_metrics(train, test, oot, model) -> dict:
    y = test["default"]
    result = {"auc": auc(y, oot["pd_model"]), "gini": gini(y, oot["pd_model"])}
    statistic, threshold = ks(y, oot["pd_model"])
    result |= {"ks": statistic, "ks_threshold": threshold, "brier": brier(y, oot["pd_model"])}
    result["brier_calibrated"] = brier(y, oot["pd"])
    result["auc_train"] = auc(train["default"], model.predict_proba(train)[:, 1])
    for name, part in (("train", train), ("test", test)):
        result[f"n_{name}"] = len(part)
        result[f"n_default_{name}"] = int(part["default"].sum())
        result[f"default_rate_{name}"] = float(part["default"].mean())
    return result


def score_psi(train, model, current, features) -> pd.DataFrame:
    current = current[~current["in_default_at_as_of"]]
    score = psi(model.points(train), current["points"])
    row = pd.DataFrame({"feature": ["score (points)"], "psi": [score], "status": psi_status(score)})
    return pd.concat([row, psi_table(train, current, list(features))], ignore_index=True)
