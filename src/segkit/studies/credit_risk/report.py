"""The credit-risk report: what the notebook shows, section by section, in the report language.

:func:`prepare` checks what the ledger allows (:func:`~.readiness.readiness`), fits the
scorecard when it can (:func:`segkit.credit.credit_study`) and otherwise builds the
behavioural view (:mod:`~.behaviour`). Each method of :class:`CreditReport` returns the
objects of one section (Markdown, figures, styled tables) for ``display(*...)``; a section
the data cannot support returns a short note saying why, or nothing when an earlier note
already said it. Every table goes through :func:`segkit.studies.display.show`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from IPython.display import Markdown

from segkit.checks import as_date, check_lang
from segkit.credit import (
    CreditStudy,
    aging_by_grade,
    credit_study,
    dso_trend,
    headline_table,
    portfolio_summary,
    segment_behaviour,
)
from segkit.credit.exposure import months_over_limit
from segkit.credit.provision import Provision, provision_matrix
from segkit.exceptions import ConfigError, ModelNotFitted
from segkit.features import customer_features
from segkit.standards.industry import section_label
from segkit.studies.credit_risk import decisions, figures, tables
from segkit.studies.credit_risk.behaviour import DPD_BANDS, behaviour_snapshot, past_due_trend
from segkit.studies.credit_risk.bins import bin_words
from segkit.studies.credit_risk.collections import customer_classes
from segkit.studies.credit_risk.readiness import Readiness, readiness
from segkit.studies.currencies import currency_frame, currency_section
from segkit.studies.display import show
from segkit.text import text

__all__ = ["CreditReport", "prepare"]

#: Columns holding codes, and the catalogue kind of their labels.
_CODES = {
    "size_cn": "credit_size", "limit_size": "credit_size", "limit_action": "limit_action",
    "size_basis": "credit_size_basis", "direction": "limit_direction", "dpd_band": "dpd_band",
    "set": "credit_set", "status": "psi_status", "standing": "credit_standing",
}  # fmt: skip
_NOWRAP = {"selector": "td, th.row_heading", "props": "white-space: nowrap;"}
_PROSE = ("limit_reason",)
#: Number formats of the columns :data:`segkit.studies.display.FORMATS` does not know.
_FORMATS = {
    **dict.fromkeys(("group_exposure", "cap", "revenue_from"), "{:,.0f}"),
    **dict.fromkeys(("n", "n_default", "no_exposure", "in_default", "notches"), "{:,.0f}"),
    "share_90_plus": "{:.1%}", "months": "{:g}", "size_multiplier": "{:.1f}",
    **dict.fromkeys(("over_limit", "limits_on_file", "open_amount", "limit_formula"), "{:,.0f}"),
    "utilisation": "{:.0%}", "terms_days": "{:g}", "days_past_due": "{:,.0f}",
    "months_over_limit": "{:,.0f}",
}  # fmt: skip


def _currency(ledger) -> str:
    """The ledger's functional currency, in which every amount is (CNY without a currency)."""
    return getattr(ledger, "functional_currency", None) or "CNY"


@dataclass
class CreditReport:
    """Everything the credit-risk notebook shows, with the language and currency of the run."""

    as_of: dt.date
    lang: str
    currency: str
    ready: Readiness
    scored: pd.DataFrame
    study: CreditStudy | None = None
    trend: pd.DataFrame | None = None
    past_due: pd.DataFrame | None = None
    params: dict = field(default_factory=dict)
    revenue: pd.Series | None = None
    provision: Provision | None = None
    provision_reason: str = ""
    months_over: pd.Series | None = None
    currencies: pd.DataFrame | None = None  # the currency mix, several currencies only

    def classes(self) -> pd.DataFrame:
        """Value and risk tier of the rated customers, as the segmentation study classes them."""
        return customer_classes(self.scored, revenue=self.revenue)

    # -- helpers ---------------------------------------------------------------------------
    def t(self, key: str, kind: str = "credit_text", **fields) -> str:
        """A sentence of the catalogue in the report language, with the run's fields."""
        base = {"currency": self.currency, "as_of": self.as_of.isoformat(), **self.params}
        return text(kind, key, self.lang, **(base | fields))

    def md(self, *keys: str, **fields) -> Markdown:
        return Markdown("\n\n".join(self.t(k, **fields) for k in keys))

    def heading(self, key: str) -> Markdown:
        return Markdown("## " + self.t(key, "credit_heading"))

    def show(self, frame: pd.DataFrame, **kwargs):
        """``frame`` with its codes in words, through :func:`segkit.studies.display.show`."""
        frame = frame.copy()
        for column, kind in _CODES.items():
            if column in frame.columns:
                frame[column] = frame[column].map(lambda v, k=kind: self._label(k, v))
        if frame.index.name in _CODES:
            kind = _CODES[frame.index.name]
            frame.index = frame.index.map(lambda v: self._label(kind, v))
        formats = {**_FORMATS, **kwargs.pop("formats", {})}
        styled = show(frame, self.lang, currency=self.currency, formats=formats, **kwargs)
        styled = styled.set_table_styles([_NOWRAP], overwrite=False)  # one line per row
        prose = [c for c in _PROSE if c in frame.columns]  # sentences wrap in a column of their own
        if prose:
            styled = styled.set_properties(subset=prose, **{"white-space": "normal", "text-align": "left",
                                                            "min-width": "18em"})  # fmt: skip
        return styled

    def _label(self, kind: str, value):
        if not isinstance(value, str):
            return value
        try:
            return text(kind, value, self.lang)
        except ConfigError:
            return value

    @property
    def fitted(self) -> bool:
        return self.study is not None

    @property
    def settled(self) -> bool:
        return self.ready.settlement

    # -- sections --------------------------------------------------------------------------
    def intro(self) -> list:
        """Title, what the memo does, the history it needs and what this ledger allows."""
        out = [Markdown("# " + self.t("title", "credit_heading")), self.md("intro")]
        out.append(self.md("history", needed=self.ready.months_needed))
        out.append(Markdown("> " + self.ready.text(self.lang)))
        return out

    def headline(self) -> list:
        """Headline paragraph, the headline table and the population notes."""
        out = [self.heading("portfolio")]
        if not self.settled:
            return [*out, self.md("no_settlement_view", customers=len(self.scored))]
        dso = self._dso()
        if self.fitted:
            out.append(Markdown(self.study.headline(dso, self.lang, self.currency)))
        summary = portfolio_summary(self._priced(), dso)
        if not self.fitted:
            summary = summary.drop(["expected_loss", "expected_loss_rate"])
        if dso is None:  # the DSO section says why there is none
            summary = summary.drop("dso_days")
        table = headline_table(summary, self.lang, self.currency)
        out += [self.md("headline_terms"), self.show(table)]
        if self.fitted:
            out.append(Markdown("\n".join(f"- {n}" for n in self.study.notes_text(self.lang))))
        return out

    def aging(self) -> list:
        """Open receivables by days past due, per grade (or per size class without grades)."""
        if not self.settled:
            return []
        by = "grade" if self.fitted else "size_cn"
        frame = self.scored if by in self.scored else self.scored.assign(size_cn="unknown")
        frame = frame.assign(size_cn=frame["size_cn"].fillna("unknown"))
        table = aging_by_grade(frame, grade_col=by)
        if by == "size_cn":
            table = table.rename_axis("size_cn")
        fig = figures.aging(table.drop(columns="total"), self)
        return [self.heading("aging"), self.md(f"aging_{by}"), fig, self.show(table)]

    def dso(self) -> list:
        """Portfolio DSO at month-ends with a full year of sales behind them."""
        if not self.settled:
            return []
        points = self.trend.loc[self.trend["window_complete"], "dso_days"].dropna()
        if len(points) < 2:  # no trend: the reason alone, without the chart's lead-in
            return [self.heading("dso"), self.md("dso_short")]
        return [self.heading("dso"), self.md("dso_definition"), figures.trend(points, self, "dso")]

    def past_due_view(self) -> list:
        """Past-due share of the open receivables at the last twelve month-ends."""
        if not self.settled or self.past_due is None or self.past_due.empty:
            return []
        table = self.past_due.rename(columns={"past_due_over_dpd": "aging_90_plus",
                                              "share_over_dpd": "share_90_plus"})  # fmt: skip
        table.index = table.index.date
        table.index.name = "month_end"
        fig = figures.trend(self.past_due["overdue_share"], self, "past_due")
        return [self.heading("past_due"), self.md("past_due"), fig, self.show(table)]

    def lateness(self) -> list:
        """Lateness and balances per size class and industry section."""
        if not self.settled:
            return []
        frame = self._priced()
        out = [self.heading("lateness"), self.md("lateness")]
        drop = [] if self.fitted else ["mean_pd", "expected_loss", "expected_loss_rate"]
        for by in ("size_cn", "industry_section"):
            if by in frame.columns and frame[by].notna().any():
                table = segment_behaviour(frame, by).drop(columns=drop)
                if by == "industry_section":
                    table.index = table.index.map(self._section)
                out.append(self.show(table))
        return out if len(out) > 2 else [*out[:1], self.md("lateness_none")]

    def _category_bin(self, value, variable: str):
        """A bin of categories (``[large, medium]``, ``[D, H]``) without brackets: size
        classes in words of the report language, industry sections by their letters (named
        in the industry table above)."""
        if not (isinstance(value, str) and value.startswith("[") and value.endswith("]")):
            return value
        names = [v.strip() for v in value.strip("[]").split(",")]
        if variable == "size_cn":
            names = [self._label("credit_size", v) for v in names]
        return "、".join(names) if self.lang == "zh" else ", ".join(names)

    def _section(self, letter):
        """An industry section in words: ``C 制造业`` / ``C Manufacturing``."""
        return section_label(letter, self.lang) or self._label("credit_size", letter)

    def scorecard(self) -> list:
        """The scorecard's features, each with its safest and riskiest bin, or why none was
        fitted; the whole points table is :meth:`points_export` (a sheet of the workbook)."""
        if not self.fitted:
            return [self.heading("no_scorecard"), Markdown(self.ready.text(self.lang))]
        points = self.points_export()
        regular = points[points["bin"] != bin_words("Missing", "", self.lang, self.currency)]
        rows = []
        for feature, bins in regular.groupby("variable", sort=False):
            best, worst = bins.loc[bins["points"].idxmax()], bins.loc[bins["points"].idxmin()]
            rows.append({"variable": feature, "bins": len(bins), "best_bin": best["bin"],
                         "best_points": best["points"], "worst_bin": worst["bin"],
                         "worst_points": worst["points"]})  # fmt: skip
        table = pd.DataFrame(rows)
        iv = self.study.iv.rename(lambda f: self._label("credit_feature", f))
        table.insert(1, "iv", table["variable"].map(iv))
        table = table.sort_values("iv", ascending=False, kind="stable")
        return [self.heading("scorecard"), self.md("scorecard"),
                self.show(table, formats={"bins": "{:,.0f}", "best_points": "{:,.0f}",
                                          "worst_points": "{:,.0f}"})]  # fmt: skip

    def points_export(self) -> pd.DataFrame:
        """Every bin of the fitted scorecard with its points, bins in words: ``variable``,
        ``bin``, ``points`` (for the workbook; the page summarises it)."""
        points = self.study.points_table()
        points["bin"] = [self._category_bin(b, f)
                         for b, f in zip(points["bin"], points["variable"], strict=True)]  # fmt: skip
        points["bin"] = [bin_words(b, f, self.lang, self.currency)
                         for b, f in zip(points["bin"], points["variable"], strict=True)]  # fmt: skip
        points["variable"] = points["variable"].map(lambda f: self._label("credit_feature", f))
        return points

    def points_sheet(self) -> pd.DataFrame:
        """:meth:`points_export` as the workbook's Scorecard sheet: index ``variable``,
        ``points_bin`` and ``points``."""
        sheet = self.points_export().set_index("variable")
        return sheet.rename(columns={"bin": "points_bin"})

    def validation(self) -> list:
        """Development snapshots, out-of-time metrics, ROC, KS and calibration."""
        if not self.fitted:
            return []
        s = self.study
        shots = s.snapshots.rename(columns={"no exposure": "no_exposure",
                                            "in default at as_of": "in_default"})  # fmt: skip
        shots["snapshot"] = shots["snapshot"].dt.date
        calibration = s.calibration.drop(columns="bin")
        return [self.heading("validation"), self.md("validation"), self.show(shots),
                self.show(s.metrics_table(self.lang)), figures.validation(s, self),
                self.show(calibration)]  # fmt: skip

    def stability(self) -> list:
        if not self.fitted:
            return []
        psi = self.study.psi.copy()
        psi["feature"] = psi["feature"].map(lambda f: self._label("credit_feature", f))
        return [self.heading("stability"), self.md("stability"), self.show(psi)]

    def grades(self) -> list:
        if not self.fitted:
            return []
        table = self.study.grades
        return [self.heading("grades"), self.md("grades"), figures.grades(table, self),
                self.show(table)]  # fmt: skip

    def expected_loss(self) -> list:
        """Expected loss per grade (scorecard), then the provision matrix and write-offs."""
        out = []
        if self.fitted:
            table = tables.grade_summary(self.scored, self.study.scale)
            out = [self.heading("expected_loss"), self.md("expected_loss"),
                   figures.loss(table, self), self.show(table)]  # fmt: skip
        return out + (decisions.provision_section(self) if self.settled else [])

    def limits(self) -> list:
        """Exposure against the limits on file, then the limits decided and why."""
        if not self.settled:
            return []
        out = decisions.exposure_section(self)
        out += currency_section(self.currencies if self.currencies is not None else pd.DataFrame(),
                                self.lang)  # exposure by transaction currency  # fmt: skip
        return out + (decisions.limits_section(self) if self.fitted else [])

    def watch(self) -> list:
        """Downgrades since last quarter (scorecard) or customers per days-past-due band."""
        if not self.settled:
            return []
        if self.fitted:
            table = self.study.watch_list.join(self.scored[["name", "pd"]]).head(10)
            return [self.heading("watch"), self.md("watch"), self.show(table)]
        bands = self.scored.groupby("dpd_band").agg(
            customers=("open_balance", "size"),
            open_balance=("open_balance", "sum"),
            overdue_balance=("overdue_balance", "sum"),
        )
        bands = bands.reindex([b for b in DPD_BANDS if b in bands.index])
        return [self.heading("dpd_watch"), self.md("dpd_watch"), self.show(bands)]

    def actions(self) -> list:
        """What to do; without a scorecard, what would let one be fitted, for the reason given."""
        if self.fitted or not self.settled:
            return [self.heading("actions"), self.md("actions" if self.fitted else "actions_none")]
        held, needed = self.ready.months_held, self.ready.months_needed
        rate = f"actions_rate_{self.ready.reason}"
        return [self.heading("actions"), self.md("actions_behaviour", rate, held=held, needed=needed)]

    # -- data ------------------------------------------------------------------------------
    def _dso(self) -> float | None:
        points = self.trend.loc[self.trend["window_complete"], "dso_days"].dropna()
        return float(points.iloc[-1]) if len(points) else None

    def _priced(self) -> pd.DataFrame:
        if self.fitted:
            return self.scored
        return self.scored.assign(pd=float("nan"), expected_loss=0.0)


def prepare(
    ledger, as_of, lang: str = "en", horizon_months: int = 12, dpd: int = 90,
    lgd: float = 0.45, holdout_snapshots: int = 2,
) -> CreditReport:  # fmt: skip
    """Fit the scorecard when the ledger allows it, else build the behavioural view.

    Parameters
    ----------
    ledger : segkit.Ledger
    as_of : str or date
    lang : {"en", "zh"}
    horizon_months, dpd, lgd, holdout_snapshots
        See :func:`segkit.credit.credit_study`.

    Returns
    -------
    CreditReport
        ``study`` is None when no scorecard was fitted; ``ready.reason`` says why.
    """
    check_lang(lang)
    day = as_date(as_of)
    ready = readiness(ledger, day, horizon_months, holdout_snapshots)
    params = {"dpd": dpd, "horizon": horizon_months, "lgd": lgd}
    report = CreditReport(day, lang, _currency(ledger), ready, pd.DataFrame(), params=params)
    if ready.fit:
        try:
            report.study = credit_study(ledger, day, horizon_months=horizon_months, dpd=dpd,
                                        lgd=lgd, holdout_snapshots=holdout_snapshots)  # fmt: skip
        except ModelNotFitted as error:  # the ledger cannot support a card: say why, go on
            report.ready = Readiness(**{**ready.__dict__, "reason": error.reason,
                                        "detail": str(error)})  # fmt: skip
    if report.study is not None:
        report.scored = report.study.scored
    else:
        report.scored = behaviour_snapshot(ledger, day, dpd)
    report.revenue = customer_features(ledger, day)["revenue_12m"]
    report.currencies = currency_frame(ledger, day)
    if ready.settlement:
        report.trend = dso_trend(ledger, end=day)
        report.past_due = past_due_trend(ledger, day, dpd=dpd)
        if "credit_limit" in report.scored.columns:
            report.months_over = months_over_limit(ledger, day, report.scored["credit_limit"])
        try:
            report.provision = provision_matrix(ledger, day)
        except ModelNotFitted as error:  # too little history for a loss rate: say so
            report.provision_reason = str(error)
    return report
