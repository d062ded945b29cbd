"""The collections section of the credit-risk study: who will pay late, what to do, what cash comes.

:func:`collections_view` runs :mod:`segkit.cash` for one observation date, point in time (every
outcome it uses is known at ``as_of``):

1. out of time: the late-payment model fitted with what was known ``split_months`` before
   ``as_of``, scored at each month-end since, against the logistic baseline, with the 13-week
   cash-forecast backtest (:func:`segkit.cash.time_split_evaluation`);
2. today: the model refitted at ``as_of`` scores every open invoice; the collection strategy
   gives each its plan, next action and date; the open invoices' expected receipts by week.

The section needs payments or ``invoices.settled_date`` and enough history for both outcomes
before the split; otherwise :attr:`CollectionsView.note` says so in the report language and
the tables are empty.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
from IPython.display import Markdown

from segkit.cash import (
    ACTIONS,
    CashValidation,
    LatePaymentModel,
    Strategy,
    cash_forecast,
    collection_worklist,
    invoice_snapshots,
    load_strategy,
    plan_table,
    reason_text,
    time_split_evaluation,
)
from segkit.cash.snapshots import invoice_outcomes
from segkit.checks import as_date, check_lang
from segkit.classes.tiers import ABCTiers
from segkit.classes.value_risk import risk_tier
from segkit.exceptions import ConfigError, SchemaError
from segkit.features import settlement_available
from segkit.studies.display import show
from segkit.text.amounts import format_amount
from segkit.text.catalogue import catalogue, text

__all__ = ["NEEDS", "CollectionsView", "collections_view", "customer_classes"]

#: What the section needs from the ledger.
NEEDS = {"tables": ("invoices", "payments or invoices.settled_date"), "min_months": 15}
_LABELLED = {"action": "cash_action", "plan": "cash_plan", "invoice_risk": "cash_invoice_risk",
             "value": "abc_tier", "risk": "risk_tier"}  # fmt: skip
_FORMATS = {
    "open_amount": "{:,.0f}", "expected": "{:,.0f}", "naive": "{:,.0f}", "invoices": "{:,.0f}",
    "p_late": "{:.0%}", "p_very_late": "{:.0%}", "late_rate": "{:.1%}", "auc": "{:.3f}",
    "brier": "{:.3f}", "top_decile_lift": "{:.2f}", "mean_p_late": "{:.1%}", "wape": "{:.1%}",
    "total_error": "{:.1%}", "bias": "{:+.1%}", "n": "{:,.0f}", "expected_days_late": "{:.0f}",
    "days_past_due": "{:.0f}",
}  # fmt: skip


@dataclasses.dataclass
class CollectionsView:
    """Tables of the collections section; every table method takes the report language."""

    as_of: dt.date
    currency: str = "CNY"
    predictions: pd.DataFrame | None = None
    worklist: pd.DataFrame | None = None
    forecast: pd.DataFrame | None = None
    validation: CashValidation | None = None
    strategy: Strategy | None = None
    note: tuple[str, dict] | None = None  # catalogue key and its fields when the section is empty

    @property
    def available(self) -> bool:
        return self.note is None

    def message(self, lang: str = "en") -> str:
        """Why the section is empty, in ``lang`` (empty string when it is not)."""
        return "" if self.note is None else text("cash_text", self.note[0], lang, **self.note[1])

    def _amount(self, value: float, lang: str) -> str:
        return format_amount(value, lang, self.currency)

    def headline(self, lang: str = "en") -> str:
        """One paragraph: open invoices, the amount expected late, AUC and forecast errors."""
        if not self.available:
            return self.message(lang)
        pred, metrics = self.predictions, self.validation.metrics
        errors = self.validation.forecast_errors
        return text(
            "cash_text", "headline", lang, as_of=self.as_of.isoformat(), n_open=len(pred),
            open=self._amount(pred["open_amount"].sum(), lang),
            late=self._amount((pred["open_amount"] * pred["p_late"]).sum(), lang),
            auc=metrics.loc["gradient_boosting", "auc"], auc_baseline=metrics.loc["logistic", "auc"],
            err_model=errors.loc["model", "total_error"], err_naive=errors.loc["naive", "total_error"],
        )  # fmt: skip

    def sections(self, lang: str = "en") -> list:
        """Everything the section shows, headings and introductions included, for ``display``.

        Without settlement data or with too short a history: the heading and the reason.
        """
        say = lambda key: Markdown(text("cash_text", key, lang))  # noqa: E731
        if not self.available:
            return [say("heading"), Markdown(self.message(lang))]
        return [
            say("heading"), say("intro"), Markdown(self.headline(lang)),
            say("intro_worklist"), self.action_summary(lang), self.worklist_table(lang, n=15),
            say("heading_forecast"), say("intro_forecast"), self.forecast_table(lang),
            say("heading_validation"), say("intro_validation"), self.validation_table(lang),
            self.calibration_table(lang), self.forecast_errors_table(lang),
            say("heading_strategy"), say("intro_strategy"), self.plan_table(lang),
        ]  # fmt: skip

    def action_summary(self, lang: str = "en"):
        """Open invoices and amount by next action and plan, mildest action first."""
        if not self.available:
            return self.message(lang)
        work = self.worklist
        table = work.groupby(["action", "plan"], sort=False).agg(
            invoices=("open_amount", "size"), open_amount=("open_amount", "sum"),
            p_late=("p_late", "mean"), action_date=("action_date", "min"),
        )  # fmt: skip
        plans = list(self.strategy.plans)
        table = table.reset_index()
        order = [
            (ACTIONS.index(a), plans.index(p))
            for a, p in zip(table["action"], table["plan"], strict=True)
        ]
        table = table.iloc[sorted(range(len(table)), key=order.__getitem__)].reset_index(drop=True)
        return self._show(table, lang)

    def worklist_table(self, lang: str = "en", n: int = 20):
        """The first ``n`` invoices of the worklist, with reasons in words."""
        if not self.available:
            return self.message(lang)
        cols = ["customer_id", "value", "risk", "invoice_risk", "plan", "action", "action_date",
                "open_amount", "due_date", "p_late", "expected_payment_date", "reasons"]  # fmt: skip
        table = self.worklist[cols].head(n).copy()
        table["reasons"] = [reason_text(r, lang) for r in table["reasons"]]
        return self._show(table, lang)

    def forecast_table(self, lang: str = "en"):
        """Expected receipts by week against the due-date forecast."""
        if not self.available:
            return self.message(lang)
        return self._show(self.forecast, lang)

    def validation_table(self, lang: str = "en"):
        """Out-of-time AUC, Brier score and lift of the model, the baseline and the history rank."""
        if not self.available:
            return self.message(lang)
        table = self.validation.metrics.copy()
        table.index = [text("cash_score", s, lang) for s in table.index]
        return self._show(table.rename_axis("score"), lang)

    def calibration_table(self, lang: str = "en"):
        """Mean p_late against the share paid late, by decile of p_late (out of time)."""
        if not self.available:
            return self.message(lang)
        cal = self.validation.calibration[["bin", "n", "mean_pd", "default_rate"]]
        table = cal.rename(columns={"mean_pd": "mean_p_late", "default_rate": "late_rate"})
        return self._show(table.assign(bin=table["bin"] + 1), lang)

    def forecast_errors_table(self, lang: str = "en"):
        """Backtest errors of the 13-week forecast from expected payment dates and due dates."""
        if not self.available:
            return self.message(lang)
        table = self.validation.forecast_errors.copy()
        table.index = [text("cash_score", s, lang) for s in table.index]
        return self._show(table.rename_axis("forecast"), lang)

    def plan_table(self, lang: str = "en"):
        """The strategy's plans: day of each action counted from the due date."""
        if not self.available:
            return self.message(lang)
        table = plan_table(self.strategy)
        table.index = [text("cash_plan", p, lang) for p in table.index]
        table.columns = [text("cash_action", a, lang) for a in table.columns]
        return table.rename_axis(text("cash_columns", "plan", lang)).style.format("{:+d}")

    def _show(self, table: pd.DataFrame, lang: str):
        check_lang(lang)
        table = table.copy()
        for col, kind in _LABELLED.items():
            if col in table.columns:
                labels = catalogue()[kind]
                table[col] = [labels[v][lang] if v in labels else v for v in table[col]]
        heads = {c: text("cash_columns", c, lang, currency=self.currency)
                 for c in table.columns if c in catalogue()["cash_columns"]}  # fmt: skip
        if table.index.name in catalogue()["cash_columns"]:
            table.index.name = text("cash_columns", table.index.name, lang)
        return show(table, lang, currency=self.currency, headers=heads, formats=_FORMATS)


def customer_classes(
    scored: pd.DataFrame, grade_map: dict | None = None, revenue: pd.Series | None = None
) -> pd.DataFrame:
    """Value tier and risk tier of the rated customers, for the collection strategy.

    The same classes as ``segkit.classify`` and the segmentation study: ``abc_tier`` from the
    Pareto curve of 12-month revenue (:class:`~segkit.classes.ABCTiers`) over the whole
    customer base ``revenue`` (over the customers of ``scored`` without it), ``risk_tier`` by
    :func:`segkit.classes.risk_tier` (the credit grade through ``grade_map``; without a fitted
    scorecard, payment behaviour alone).

    Parameters
    ----------
    scored : pandas.DataFrame
        The credit study's customers (index ``customer_id``).
    grade_map : dict, optional
        Grade -> risk tier; the classification's default.
    revenue : pandas.Series, optional
        ``revenue_12m`` of every customer of the ledger, index ``customer_id``.
    """
    if revenue is None:
        revenue = scored["revenue_12m"] if "revenue_12m" in scored.columns else pd.Series()
    out = pd.DataFrame(index=scored.index)
    out["abc_tier"] = "none"
    if (revenue > 0).any():
        tiers = ABCTiers().fit_transform(revenue.rename("revenue_12m").to_frame())["abc_tier"]
        out["abc_tier"] = tiers.reindex(scored.index).fillna("none")
    out["risk_tier"] = risk_tier(scored, grade_map=grade_map)
    return out


def collections_view(ledger, as_of, classes=None, *, split_months: int = 12, weeks: int = 13,
                     strategy=None, currency: str = "CNY") -> CollectionsView:  # fmt: skip
    """Run the collections section for ``as_of``; see the module docstring.

    Parameters
    ----------
    ledger : segkit.Ledger
    as_of : str or datetime.date
        Observation date; outcomes are read as known then.
    classes : pandas.DataFrame, optional
        ``abc_tier`` and ``risk_tier`` per customer (:func:`customer_classes` or
        ``segkit.classify``); without it every customer takes the catch-all rule.
    split_months : int, default 12
        The model is validated on the month-ends of the last ``split_months`` months.
    weeks : int, default 13
        Horizon of the cash forecast.
    strategy : Strategy, str, Path or dict, optional
        Collection strategy (:func:`segkit.cash.load_strategy`); the default otherwise.
    currency : str, default "CNY"
        The ledger's currency, for the headers.
    """
    day = as_date(as_of)
    view = CollectionsView(as_of=day, currency=currency)
    if not settlement_available(ledger.invoices, ledger.payments):
        return dataclasses.replace(view, note=("no_settlement", {}))
    split = (pd.Timestamp(day) - pd.DateOffset(months=split_months) + pd.offsets.MonthEnd(0)).date()
    try:
        validation = time_split_evaluation(ledger, split, end=day, weeks=weeks)
    except (ConfigError, SchemaError) as err:
        return dataclasses.replace(
            view,
            note=(
                "too_short",
                {"as_of": str(day), "months": NEEDS["min_months"], "detail": str(err)},
            ),  # detail: for code, not the page
        )
    model = LatePaymentModel(**validation.model.get_params())
    rows = validation.rows
    model.fit_rows(rows, invoice_outcomes(ledger, day), day)
    today = rows[rows["snapshot"] == pd.Timestamp(day)]
    if today.empty:  # as_of is not a month-end: settle the ledger as of that day
        today = invoice_snapshots(ledger, [day])
    predictions = model.score_rows(today)
    strategy = strategy if isinstance(strategy, Strategy) else load_strategy(strategy)
    return dataclasses.replace(
        view,
        predictions=predictions,
        worklist=collection_worklist(predictions, day, classes, strategy),
        forecast=cash_forecast(predictions, day, weeks),
        validation=validation,
        strategy=strategy,
    )
