"""The credit-risk study: develop a scorecard out of time, then score, grade and limit customers.

:func:`credit_study` runs the whole pipeline for one observation date and returns a
:class:`CreditStudy` holding every table a credit committee reviews:

1. development set: quarter-end snapshots whose 12-month outcome window ends by ``as_of``
   (:func:`segkit.credit.labels.development_set`), so the study only uses data known at
   ``as_of`` and gives the same answer whenever it is run;
2. out-of-time split: the latest ``holdout_snapshots`` snapshots are the test set;
3. a :class:`~segkit.credit.CreditScorecard` fitted on the earlier snapshots;
4. validation on the test set: AUC, Gini, KS, Brier score, calibration, IV, and PSI of the
   score and the features between development and today's population;
5. scoring at ``as_of``: PD (recalibrated to the test period, see below), points, grade,
   expected loss, limit proposal, and the watch-list against the previous quarter-end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segkit.credit.collections import portfolio_summary
from segkit.credit.grades import PDCalibrator, RatingScale, grade_table
from segkit.credit.labels import (
    DEFAULT_DPD,
    DEFAULT_HORIZON_MONTHS,
    _check_int,
    data_end,
    development_set,
    scoring_snapshot,
    snapshot_dates,
)
from segkit.credit.limits import DEFAULT_LGD, DEFAULT_LIMIT_POLICY, expected_loss, propose_limits
from segkit.credit.limits import watch_list as _watch_list
from segkit.credit.metrics import (
    auc,
    brier,
    calibration_table,
    gini,
    ks,
    psi,
    psi_status,
    psi_table,
)
from segkit.credit.scorecard import CreditScorecard
from segkit.exceptions import ConfigError
from segkit.features.activity import as_date

__all__ = [
    "DEFAULT_MODEL_FEATURES",
    "CreditStudy",
    "credit_study",
    "grade_summary",
    "limit_changes",
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
    "name", "industry_section", "size_cn", "credit_limit", "revenue_12m", "open_balance",
    "overdue_balance", "open_days_past_due", "max_days_past_due", "avg_days_late", "dso_days",
    "days_since_last_payment", "last_payment_date", "in_default_at_as_of", "status",
    "pd_model", "pd", "points", "grade", "expected_loss", "limit_proposed", "limit_change",
)  # fmt: skip
_CALIBRATION_METHODS = (None, "platt", "isotonic")
_METRICS = (
    ("auc", "AUC, out of time (0.5 = random ranking)", "{:.3f}"),
    ("gini", "Gini = 2 AUC - 1, out of time", "{:.3f}"),
    ("ks", "KS, out of time", "{:.3f}"),
    ("brier", "Brier score of the scorecard PD, out of time", "{:.4f}"),
    ("auc_train", "AUC on the training quarters", "{:.3f}"),
    ("n_train", "training rows (customer-quarters)", "{:,}"),
    ("n_default_train", "training defaults", "{:,}"),
    ("default_rate_train", "training default rate", "{:.2%}"),
    ("n_test", "test rows (customer-quarters)", "{:,}"),
    ("n_default_test", "test defaults", "{:,}"),
    ("default_rate_test", "test default rate", "{:.2%}"),
)
_HEADLINE = {
    "en": (
        "**As of {as_of}**, {customers} customers owe {open_m:,.1f}m CNY: {overdue_share:.1%} is "
        "overdue and {share_90_plus:.1%} more than 90 days past due; {customers_in_default} "
        "customers are in default. ",
        "DSO is {dso_days:.0f} days. ",
        "Expected loss is {loss_m:,.2f}m CNY ({expected_loss_rate:.1%} of open receivables). Out "
        "of time, the scorecard ranks defaults with AUC {auc:.2f} (Gini {gini:.2f}, KS {ks:.2f}); "
        "{downgraded} customers were downgraded since {previous}.",
    ),
    "zh": (
        "**截至 {as_of}**，{customers} 家客户应收余额 {open_m:,.1f} 百万元："
        "逾期占 {overdue_share:.1%}，逾期90天以上占 {share_90_plus:.1%}；"
        "{customers_in_default} 家客户已违约。",
        "应收账款周转天数 {dso_days:.0f} 天。",
        "预期损失 {loss_m:,.2f} 百万元（占应收余额 {expected_loss_rate:.1%}）。"
        "跨时间验证中评分卡的 AUC 为 {auc:.2f}（基尼系数 {gini:.2f}，KS {ks:.2f}）；"
        "自 {previous} 以来 {downgraded} 家客户评级下调。",
    ),
}


@dataclass
class CreditStudy:
    """Result of :func:`credit_study`; every table is a pandas object.

    Attributes
    ----------
    as_of, previous_as_of : datetime.date
        Observation date and the quarter-end before it (for the watch-list).
    snapshots : pandas.DataFrame
        One row per development snapshot: ``snapshot``, ``n`` (customers included),
        ``n_default``, ``default_rate``, ``no exposure`` and ``in default at as_of``
        (excluded customers), ``label_complete``, ``set`` (``"train"`` or ``"test"``).
    scorecard : CreditScorecard
        Fitted on the training snapshots.
    calibrator : PDCalibrator or None
        Recalibration of the PD fitted on the out-of-time set.
    scale : RatingScale
    metrics : dict
        Out-of-time ``auc``, ``gini``, ``ks``, ``ks_threshold``, ``brier`` (model PD) and
        ``brier_calibrated``; ``auc_train``; sizes and default rates of both sets
        (``n_train``, ``n_test``, ``n_default_train``, ``n_default_test``,
        ``default_rate_train``, ``default_rate_test``); ``n_scored`` and ``n_in_default``.
    calibration : pandas.DataFrame
        :func:`~segkit.credit.calibration_table` of the model PD on the out-of-time set.
    iv : pandas.Series
        Information value per feature (training set).
    psi : pandas.DataFrame
        ``feature``, ``psi``, ``status``: the score (points) first, then each feature,
        training population against the customers scored at ``as_of`` (not in default).
    oot : pandas.DataFrame
        Out-of-time rows: ``snapshot``, ``customer_id``, ``default``, ``pd_model``, ``pd``,
        ``points``, ``grade``.
    scored : pandas.DataFrame
        Index ``customer_id``: one row per customer with an open balance at ``as_of``; master
        data, balances, aging buckets, payment behaviour, ``open_days_past_due``,
        ``last_payment_date``, ``in_default_at_as_of``, ``pd_model`` (scorecard),
        ``pd`` (used: recalibrated, 1.0 in default), ``points``, ``grade``,
        ``expected_loss``, ``limit_proposed``, ``limit_change`` and the model features.
    grades : pandas.DataFrame
        :func:`~segkit.credit.grade_table` of the out-of-time set (observed default rates).
    watch_list : pandas.DataFrame
        :func:`~segkit.credit.watch_list` of ``scored`` against ``previous_as_of``.
    notes : list of str
        Population counts, exclusions and modelling choices, in words.
    """

    as_of: dt.date
    previous_as_of: dt.date
    snapshots: pd.DataFrame
    scorecard: CreditScorecard
    calibrator: PDCalibrator | None
    scale: RatingScale
    metrics: dict
    calibration: pd.DataFrame
    iv: pd.Series
    psi: pd.DataFrame
    oot: pd.DataFrame
    scored: pd.DataFrame
    grades: pd.DataFrame
    watch_list: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def points_table(self) -> pd.DataFrame:
        """Points per bin of the fitted scorecard: ``variable``, ``bin``, ``points``.

        optbinning's ``Special`` bins are left out: no special codes are defined, so they
        stay empty; the ``Missing`` bins are kept (missing values are scored).
        """
        table = self.scorecard.points_table()
        return table[table["bin"] != "Special"].reset_index(drop=True)

    def metrics_table(self) -> pd.DataFrame:
        """The validation metrics as text, with what each one means: ``measure``, ``value``."""
        rows = [(label, pattern.format(self.metrics[key])) for key, label, pattern in _METRICS]
        return pd.DataFrame(rows, columns=["measure", "value"])

    def headline(self, dso_days: float | None = None, lang: str = "en") -> str:
        """One paragraph (Markdown) with the portfolio's and the model's headline numbers.

        Parameters
        ----------
        dso_days : float, optional
            Portfolio DSO to quote (e.g. the last value of :func:`~segkit.credit.dso_trend`).
        lang : {"en", "zh"}, default "en"
        """
        if lang not in _HEADLINE:
            raise ConfigError(f"lang must be 'en' or 'zh'; got {lang!r}.")
        numbers = portfolio_summary(self.scored, dso_days).to_dict()
        numbers |= {k: self.metrics[k] for k in ("auc", "gini", "ks")}
        numbers |= {"as_of": self.as_of, "previous": self.previous_as_of}
        numbers |= {"open_m": numbers["open_ar"] / 1e6, "loss_m": numbers["expected_loss"] / 1e6}
        numbers["downgraded"] = len(self.watch_list)
        head, dso, tail = _HEADLINE[lang]
        parts = (head, dso, tail) if dso_days is not None else (head, tail)
        return "".join(parts).format(**numbers).strip()


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


def _check_study(holdout, recalibrate, lgd, features) -> None:
    _check_int("holdout_snapshots", holdout, 1)
    if recalibrate not in _CALIBRATION_METHODS:
        raise ConfigError(f"recalibrate must be None, 'platt' or 'isotonic'; got {recalibrate!r}.")
    if isinstance(lgd, bool) or not isinstance(lgd, (int, float)) or not 0 <= lgd <= 1:
        raise ConfigError(f"lgd must be a number in [0, 1]; got {lgd!r}.")
    if isinstance(features, str) or not list(features):
        raise ConfigError(f"features must be a non-empty list of column names; got {features!r}.")


def _check_holdout(dates: list[dt.date], holdout: int) -> None:
    if holdout >= len(dates):
        raise ConfigError(
            f"holdout_snapshots must be smaller than the number of development snapshots "
            f"({len(dates)}: {[d.isoformat() for d in dates]}); got {holdout}."
        )


def _split(dev: pd.DataFrame, dates: list[dt.date], holdout: int):
    is_test = dev["snapshot"].isin(pd.to_datetime(dates[-holdout:]))
    train, test = dev[~is_test], dev[is_test]
    for name, part in (("training", train), ("out-of-time", test)):
        if part["default"].nunique() < 2:
            raise ConfigError(
                f"the {name} set must hold defaults and non-defaults; got "
                f"{int(part['default'].sum())} defaults in {len(part)} rows."
            )
    return train, test


def _predict(model, calibrator, frame: pd.DataFrame) -> pd.DataFrame:
    """PD from the scorecard, the recalibrated PD and the points, indexed like ``frame``."""
    pd_model = model.predict_proba(frame)[:, 1]
    calibrated = pd_model if calibrator is None else calibrator.predict_pd(pd_model)
    out = pd.DataFrame(index=frame.index)
    out["pd_model"], out["pd"], out["points"] = pd_model, calibrated, model.points(frame)
    return out


def _score(ledger, day, model, calibrator, scale, dpd, kwargs) -> tuple[pd.DataFrame, dict]:
    """Grade the customers owing money at ``day``; also return the population counts."""
    snapshot = scoring_snapshot(ledger, day, dpd, kwargs)
    counts = dict(snapshot.attrs["counts"])
    frame = with_derived_features(snapshot)
    frame = frame.join(_predict(model, calibrator, frame))
    frame["pd"] = frame["pd"].where(~frame["in_default_at_as_of"], 1.0)
    frame["grade"] = scale.assign(frame["pd"], in_default=frame["in_default_at_as_of"])
    days = pd.to_timedelta(frame["days_since_last_payment"], unit="D")
    frame["last_payment_date"] = pd.Timestamp(day) - days
    return frame, counts


def _finish_scored(frame, lgd, policy, features) -> pd.DataFrame:
    frame = frame.copy()
    frame["expected_loss"] = expected_loss(frame["pd"], frame["open_balance"], lgd)
    if "size_cn" not in frame.columns:
        frame["size_cn"] = np.nan
    limits = propose_limits(frame, policy=policy)
    frame["limit_proposed"] = limits["limit_proposed"]
    frame["limit_change"] = limits.get("limit_change", np.nan)
    aging = [c for c in frame.columns if c.startswith("aging_")]
    keep = []
    for column in _SCORED_COLUMNS:  # the aging buckets go right after the overdue balance
        keep += [column, *aging] if column == "overdue_balance" else [column]
    keep += [f for f in features if f not in keep]
    return frame[[c for c in keep if c in frame.columns]]


def _out_of_time(model, test, recalibrate, scale) -> tuple[PDCalibrator | None, pd.DataFrame]:
    """Fit the recalibration on the test set; return it and the test rows with PD and grade."""
    pd_model = model.predict_proba(test)[:, 1]
    calibrator = None
    if recalibrate is not None:
        calibrator = PDCalibrator(method=recalibrate).fit(pd_model, test["default"])
    oot = test[["snapshot", "customer_id", "default"]].join(_predict(model, calibrator, test))
    oot["grade"] = scale.assign(oot["pd"])
    return calibrator, oot.reset_index(drop=True)


def _metrics(train, test, oot, model) -> dict:
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


def _psi(train, model, current, features) -> pd.DataFrame:
    current = current[~current["in_default_at_as_of"]]
    score = psi(model.points(train), current["points"])
    row = pd.DataFrame({"feature": ["score (points)"], "psi": [score], "status": psi_status(score)})
    return pd.concat([row, psi_table(train, current, list(features))], ignore_index=True)


def _notes(snapshots, counts, recalibrate, day, last, scale) -> list[str]:
    train = snapshots[snapshots["set"] == "train"]["snapshot"].dt.date.astype(str).tolist()
    test = snapshots[snapshots["set"] == "test"]["snapshot"].dt.date.astype(str).tolist()
    notes = [
        f"development snapshots: train {', '.join(train)}; out-of-time test {', '.join(test)}.",
        f"excluded from development: {int(snapshots['no exposure'].sum())} customer-snapshots "
        f"without exposure and {int(snapshots['in default at as_of'].sum())} already in default.",
        f"scored at {day}: {counts['included'] + counts['in default at as_of']} customers with "
        f"an open balance, {counts['in default at as_of']} of them in default (grade "
        f"{scale.default_grade}, PD 100%); {counts['no exposure']} customers known at {day} "
        "without exposure not scored.",
    ]
    if recalibrate:
        notes.append(
            f"PD recalibrated ({recalibrate}) on the out-of-time set so that it matches the most "
            "recent default rate; AUC, KS, Brier and the calibration table use the scorecard PD "
            "(pd_model), so they stay out of time; ranking is unchanged by the recalibration."
        )
    if last > day:
        notes.append(f"ledger data after {day} (up to {last}) ignored: the study is point in time.")
    return notes


def credit_study(
    ledger,
    as_of,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    dpd: int = DEFAULT_DPD,
    features: Sequence[str] = DEFAULT_MODEL_FEATURES,
    holdout_snapshots: int = 2,
    lgd: float = DEFAULT_LGD,
    scale: RatingScale | None = None,
    limit_policy: Mapping | None = None,
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
        (:func:`~segkit.credit.labels.default_labels`).
    features : sequence of str, default :data:`DEFAULT_MODEL_FEATURES`
        Model features; ``overdue_ratio`` is derived by :func:`with_derived_features`.
    holdout_snapshots : int, default 2
        The latest snapshots held out as the out-of-time test set; the others train.
    lgd : float, default 0.45
        Loss given default of the expected loss (Basel II foundation IRB, paragraph 287).
    scale : RatingScale, optional
        Master scale; None uses the default scale.
    limit_policy : mapping, optional
        Limit policy of :func:`~segkit.credit.propose_limits`; None uses the default.
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
    _check_study(holdout_snapshots, recalibrate, lgd, features)
    scale = scale or RatingScale()
    kwargs = feature_kwargs or {}
    last = data_end(ledger)
    dates = snapshot_dates(ledger, horizon_months=horizon_months, known_until=min(day, last))
    _check_holdout(dates, holdout_snapshots)
    dev = development_set(ledger, dates, horizon_months=horizon_months, dpd=dpd,
                          feature_kwargs=kwargs)  # fmt: skip
    train, test = _split(with_derived_features(dev), dates, holdout_snapshots)
    model = CreditScorecard(features=features, random_state=random_state)
    model.fit(train, train["default"])
    calibrator, oot = _out_of_time(model, test, recalibrate, scale)
    previous = (pd.Timestamp(day) - pd.offsets.QuarterEnd(1)).date()
    current, counts = _score(ledger, day, model, calibrator, scale, dpd, kwargs)
    before = _score(ledger, previous, model, calibrator, scale, dpd, kwargs)[0]
    policy = DEFAULT_LIMIT_POLICY if limit_policy is None else limit_policy
    scored = _finish_scored(current, lgd, policy, features)
    snapshots = dev.attrs["population"].assign(set="train")
    snapshots.loc[snapshots["snapshot"].isin(test["snapshot"]), "set"] = "test"
    metrics = _metrics(train, test, oot, model)
    metrics |= {"n_scored": len(scored), "n_in_default": int(scored["in_default_at_as_of"].sum())}
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
        psi=_psi(train, model, current, features),
        oot=oot,
        scored=scored,
        grades=grade_table(oot["default"], oot["pd"], oot["grade"], scale),
        watch_list=_watch_list(current, before, scale=scale),
        notes=_notes(snapshots, counts, recalibrate, day, last, scale),
    )


def grade_summary(scored: pd.DataFrame, scale: RatingScale | None = None) -> pd.DataFrame:
    """Customers, exposure, PD, expected loss and limits per grade of the scored portfolio.

    Parameters
    ----------
    scored : pandas.DataFrame
        ``CreditStudy.scored`` (``grade``, ``open_balance``, ``pd``, ``expected_loss``,
        ``credit_limit``, ``limit_proposed``).
    scale : RatingScale, optional
        Gives the grades and their order; None uses the default scale.

    Returns
    -------
    pandas.DataFrame
        Index ``grade`` (every grade of the scale, best first); ``customers``,
        ``open_balance``, ``mean_pd`` (NaN for an empty grade), ``expected_loss``,
        ``credit_limit`` and ``limit_proposed`` (sums).
    """
    scale = scale or RatingScale()
    needed = ["grade", "open_balance", "pd", "expected_loss", "credit_limit", "limit_proposed"]
    missing = [c for c in needed if c not in scored.columns]
    if missing:
        raise ConfigError(f"scored must have the columns {needed}; missing {missing}.")
    grades = scored["grade"].astype(object)
    out = (
        scored[needed[1:]]
        .groupby(grades)
        .agg(
            customers=("open_balance", "size"),
            open_balance=("open_balance", "sum"),
            mean_pd=("pd", "mean"),
            expected_loss=("expected_loss", "sum"),
            credit_limit=("credit_limit", "sum"),
            limit_proposed=("limit_proposed", "sum"),
        )
    )
    out = out.reindex(pd.Index(scale.grades, name="grade"))
    counts = ["customers", "open_balance", "expected_loss", "credit_limit", "limit_proposed"]
    out[counts] = out[counts].fillna(0)
    return out.astype({"customers": "int64"})


def limit_changes(scored: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The largest proposed limit cuts, then the largest increases, against current limits.

    Parameters
    ----------
    scored : pandas.DataFrame
        ``CreditStudy.scored`` (needs ``limit_change``; customers without a current limit or a
        proposal are left out).
    n : int, default 10
        Customers per direction.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``; ``direction`` (``"cut"`` or ``"increase"``) and the columns
        present among ``name``, ``grade``, ``size_cn``, ``revenue_12m``, ``open_balance``,
        ``credit_limit``, ``limit_proposed``, ``limit_change``.
    """
    _check_int("n", n, 1)
    if "limit_change" not in scored.columns:
        raise ConfigError("scored must have the column 'limit_change'; got none.")
    known = scored[scored["limit_change"].notna()].sort_values("limit_change", kind="stable")
    cuts = known[known["limit_change"] < 0].head(n).assign(direction="cut")
    ups = known[known["limit_change"] > 0].iloc[::-1].head(n).assign(direction="increase")
    shown = ["direction", "name", "grade", "size_cn", "revenue_12m", "open_balance",
             "credit_limit", "limit_proposed", "limit_change"]  # fmt: skip
    out = pd.concat([cuts, ups])
    return out[[c for c in shown if c in out.columns]]
