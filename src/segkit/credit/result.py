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
from segkit.text import catalogue, text
from segkit.text.amounts import format_amount

__all__ = ["CreditStudy"]

#: Validation metrics of :meth:`CreditStudy.metrics_table` (names in the catalogue kind
#: ``credit_metric``) and their formats.
_METRICS = (
    ("auc", "{:.3f}"),
    ("gini", "{:.3f}"),
    ("ks", "{:.3f}"),
    ("brier", "{:.4f}"),
    ("auc_train", "{:.3f}"),
    ("n_train", "{:,}"),
    ("n_default_train", "{:,}"),
    ("default_rate_train", "{:.2%}"),
    ("n_test", "{:,}"),
    ("n_default_test", "{:,}"),
    ("default_rate_test", "{:.2%}"),
)


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
    data_end : datetime.date or None
        Last date of the ledger's data; a later one than ``as_of`` is noted as ignored.
    features_left_out : dict
        Model features not in the card and why: ``"not_in_ledger"``,
        ``"contradicts_direction"`` or ``"points_against_direction"``.

    Notes
    -----
    The study's notes (population counts, exclusions, modelling choices) are sentences of the
    text catalogue: :meth:`notes_text` gives them in English or Chinese, and :attr:`notes` is
    ``notes_text("en")``, so both always say the same.
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
    data_end: dt.date | None = None
    features_left_out: dict = field(default_factory=dict)

    @property
    def notes(self) -> list[str]:
        """The study's notes in English: ``notes_text("en")``."""
        return self.notes_text("en")

    def points_table(self) -> pd.DataFrame:
        """Points per bin of the fitted scorecard: ``variable``, ``bin``, ``points``.

        optbinning's ``Special`` bins are left out: no special codes are defined, so they
        stay empty; the ``Missing`` bins are kept (missing values are scored).
        """
        table = self.scorecard.points_table()
        return table[table["bin"] != "Special"].reset_index(drop=True)

    def metrics_table(self, lang: str = "en") -> pd.DataFrame:
        """The validation metrics as text, with what each one means: ``measure``, ``value``."""
        check_lang(lang)
        rows = [
            (text("credit_metric", key, lang), pattern.format(self.metrics[key]))
            for key, pattern in _METRICS
        ]
        return pd.DataFrame(rows, columns=["measure", "value"])

    def headline(
        self, dso_days: float | None = None, lang: str = "en", currency: str = "CNY"
    ) -> str:
        """One paragraph (Markdown) with the portfolio's and the model's headline numbers.

        Parameters
        ----------
        dso_days : float, optional
            Portfolio DSO to quote (e.g. the last value of :func:`~segkit.credit.dso_trend`).
        lang : {"en", "zh"}, default "en"
        currency : str, default "CNY"
            The ledger's currency.
        """
        check_lang(lang)
        numbers = portfolio_summary(self.scored, dso_days).to_dict()
        numbers |= {k: self.metrics[k] for k in ("auc", "gini", "ks")}
        numbers |= {"as_of": self.as_of, "previous": self.previous_as_of, "currency": currency}
        numbers["open"] = format_amount(numbers["open_ar"], lang, currency)  # 万/亿 in Chinese
        numbers["loss"] = format_amount(numbers["expected_loss"], lang, currency)
        numbers["downgraded"] = len(self.watch_list)
        keys = ("headline_portfolio", "headline_dso", "headline_model")
        parts = [text("credit_text", k, lang, **numbers) for k in keys]
        if dso_days is None:
            parts.pop(1)
        return "".join(parts).strip()

    def notes_text(self, lang: str = "en") -> list[str]:
        """The study's notes (populations, exclusions, modelling choices) in ``lang``.

        Parameters
        ----------
        lang : {"en", "zh"}, default "en"

        Returns
        -------
        list of str
            One sentence each: the development quarter-ends, who was left out of the model,
            who was rated at ``as_of``, the recalibration (when used) and the ledger data after
            ``as_of`` that was ignored (when there is any).
        """
        check_lang(lang)
        shots = self.snapshots
        dates = {
            s: ", ".join(shots.loc[shots["set"] == s, "snapshot"].dt.strftime("%Y-%m-%d"))
            for s in ("train", "test")
        }
        m = self.metrics
        fields = {
            "train": dates["train"],
            "test": dates["test"],
            "no_exposure": int(shots["no exposure"].sum()),
            "in_default": int(shots["in default at as_of"].sum()),
            "as_of": self.as_of.isoformat(),
            "scored": m["n_scored"],
            "scored_default": m["n_in_default"],
            "not_scored": m.get("n_no_exposure", 0),
            "grade": self.scale.default_grade,
            "data_end": self.data_end.isoformat() if self.data_end else "",
        }
        keys = ["note_snapshots", "note_excluded", "note_scored"]
        keys += ["note_recalibrated"] if self.calibrator is not None else []
        notes = [text("credit_text", k, lang, **fields) for k in keys]
        notes += self._left_out_notes(lang)
        if self.data_end and self.data_end > self.as_of:
            notes.append(text("credit_text", "note_data_after", lang, **fields))
        return notes

    def _left_out_notes(self, lang: str) -> list[str]:
        """One sentence per reason a model feature was left out, naming the features."""
        sep = "、" if lang == "zh" else ", "
        by_reason: dict[str, list[str]] = {}
        for name, reason in self.features_left_out.items():
            known = name in catalogue().get("credit_feature", {})
            label = text("credit_feature", name, lang) if known else name
            by_reason.setdefault(reason, []).append(label)
        return [
            text("credit_text", f"note_left_out_{reason}", lang, features=sep.join(names))
            for reason, names in by_reason.items()
        ]
