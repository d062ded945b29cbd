"""The result of the credit-risk study and its reporting views.

:class:`CreditStudy` holds every table :func:`~segkit.credit.credit_study` produces (development
snapshots, fitted scorecard and recalibration, out-of-time validation, scored portfolio, grade
table and watch-list) and renders them for a credit committee: the scorecard's points per bin,
the validation metrics in words, and a one-paragraph headline in English or Chinese.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from segkit.checks import check_lang
from segkit.credit.collections import portfolio_summary
from segkit.credit.grades import PDCalibrator, RatingScale
from segkit.credit.scorecard import CreditScorecard

__all__ = ["CreditStudy"]

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
    """Result of :func:`~segkit.credit.credit_study`; every table is a pandas object.

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
        check_lang(lang)
        numbers = portfolio_summary(self.scored, dso_days).to_dict()
        numbers |= {k: self.metrics[k] for k in ("auc", "gini", "ks")}
        numbers |= {"as_of": self.as_of, "previous": self.previous_as_of}
        numbers |= {"open_m": numbers["open_ar"] / 1e6, "loss_m": numbers["expected_loss"] / 1e6}
        numbers["downgraded"] = len(self.watch_list)
        head, dso, tail = _HEADLINE[lang]
        parts = (head, dso, tail) if dso_days is not None else (head, tail)
        return "".join(parts).format(**numbers).strip()
