"""The collections section of the credit-risk study: who will pay late, what to do, what cash comes.

:func:`collections_view` runs :mod:`segkit.cash` for one observation date, point in time (every
outcome it uses is known at ``as_of``):

1. out of time: the late-payment model fitted with what was known ``split_months`` before
   ``as_of``, scored at each month-end since, against the logistic baseline, with the 13-week
   cash-forecast backtest (:func:`segkit.cash.time_split_evaluation`);
2. today: the model refitted at ``as_of`` scores every open invoice; the collection strategy
   puts each on its plan's ladder or, when disputed, on the dispute route, with the first step
   not done as its next action (:func:`segkit.cash.collection_worklist`); a customer's invoices
   on the ladder make one task, biggest money at risk first (:func:`segkit.cash.customer_tasks`);
   the open invoices' expected receipts by week;
3. the collections KPIs at ``as_of`` and the month-end before (:func:`segkit.cash.collection_kpis`).

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
    DISPUTE_STEPS,
    KPIS,
    CashValidation,
    LatePaymentModel,
    Strategy,
    cash_forecast,
    collection_kpis,
    collection_worklist,
    customer_tasks,
    dispute_list,
    invoice_snapshots,
    load_strategy,
    owner_view,
    people_table,
    plan_table,
    time_split_evaluation,
)
from segkit.cash.evaluation import validation_check
from segkit.cash.kpis import month_end_before
from segkit.cash.snapshots import invoice_outcomes
from segkit.cash.tasks import CUSTOMER_COLUMNS, customer_details, first_ids
from segkit.checks import as_date, check_lang
from segkit.exceptions import ConfigError, ModelNotFitted, SchemaError
from segkit.features import settlement_available
from segkit.studies.credit_risk.tiers import customer_classes
from segkit.studies.display import show
from segkit.text.amounts import format_amount
from segkit.text.catalogue import catalogue, text

__all__ = ["NEEDS", "CollectionsView", "collections_view", "customer_classes"]

#: Rows of the tasks and disputes the page shows; every row is in the files and the workbook.
_SHOWN = 10


#: What the section needs from the ledger.
NEEDS = {"tables": ("invoices", "payments or invoices.settled_date"), "min_months": 15}
_LABELLED = {"action": "cash_action", "plan": "cash_plan", "invoice_risk": "cash_invoice_risk",
             "value": "abc_tier", "risk": "risk_tier"}  # fmt: skip
_FORMATS = {
    "open_amount": "{:,.0f}", "expected": "{:,.0f}", "naive": "{:,.0f}", "invoices": "{:,.0f}",
    "p_late": "{:.0%}", "p_very_late": "{:.0%}", "late_rate": "{:.1%}", "auc": "{:.3f}",
    "brier": "{:.3f}", "top_decile_lift": "{:.2f}", "mean_p_late": "{:.1%}", "wape": "{:.1%}",
    "total_error": "{:.1%}", "bias": "{:+.1%}", "n": "{:,.0f}", "expected_days_late": "{:.0f}",
    "days_past_due": "{:.0f}", "at_risk": "{:,.0f}", "priority": "{:,.0f}",
    "overdue_amount": "{:,.0f}", "days_overdue": "{:.0f}", "max_days_past_due": "{:.0f}",
    "customers": "{:,.0f}", "overdue_tasks": "{:,.0f}", "first_rank": "{:.0f}",
}  # fmt: skip
_ORDER = (*ACTIONS, "follow_up", *DISPUTE_STEPS)
#: Format of each KPI in the table (amounts are written in the units of the language).
_KPI_FORMATS = {"cei": "{:.1%}", "current_share": "{:.1%}", "average_days_delinquent": "{:.1f}",
                "best_possible_dso": "{:.1f}", "dso_days": "{:.1f}", "disputes": "{:,.0f}",
                "dispute_age_days": "{:.0f}"}  # fmt: skip
#: Files the section writes into the report folder.
FILES = {"tasks": "collections_worklist.csv", "disputes": "collections_disputes.csv",
         "invoices": "collections_invoices.csv", "sheet": "collections_tasks.parquet"}  # fmt: skip


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
    tasks: pd.DataFrame | None = None
    disputes: pd.DataFrame | None = None
    kpis: pd.DataFrame | None = None
    model: LatePaymentModel | None = None
    note: tuple[str, dict] | None = None  # catalogue key and its fields when the section is empty
    caveat: tuple[str, dict] | None = None  # an out-of-time check the model failed, said first

    @property
    def available(self) -> bool:
        return self.note is None

    def message(self, lang: str = "en", note: tuple[str, dict] | None = None) -> str:
        """Why the section is empty (or ``note``, e.g. the caveat) in ``lang``; "" without one."""
        note = note or self.note
        return "" if note is None else text("cash_text", note[0], lang, **note[1])

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
            chosen=text("cash_score", self.model.chosen_, lang), why=self.choice(lang),
            err_model=errors.loc["model", "total_error"], err_naive=errors.loc["naive", "total_error"],
        )  # fmt: skip

    def choice(self, lang: str = "en") -> str:
        """Why the late-payment score in use was chosen, in words."""
        table, chosen = self.model.selection_, self.model.chosen_
        if table is None:  # the score was fixed by the model's settings
            return ""
        other = "logistic" if chosen == "gradient_boosting" else "gradient_boosting"
        return text(
            "cash_choice", table.loc[chosen, "note"], lang, months=self.model.holdout_months,
            auc_used=table.loc[chosen, "auc"], auc_other=table.loc[other, "auc"],
        )  # fmt: skip

    def sections(self, lang: str = "en") -> list:
        """Everything the section shows, for ``display``; without a model, the heading and why."""
        say = lambda key: Markdown(text("cash_text", key, lang))  # noqa: E731
        if not self.available:
            return [say("heading"), Markdown(self.message(lang))]
        owners = "owner" in self.tasks.columns
        caveat = [Markdown("> " + self.message(lang, self.caveat))] if self.caveat else []
        return [
            say("heading"), *caveat, say("intro"), Markdown(self.headline(lang)),
            say("heading_kpis"), say("intro_kpis"), self.kpi_table(lang),
            say("intro_worklist"), self.action_summary(lang), self.worklist_table(lang, n=_SHOWN),
            self._more("tasks", lang),
            *([say("intro_owners"), self.owner_table(lang)] if owners else []),
            say("heading_disputes"), say("intro_disputes"), self.dispute_table(lang, n=_SHOWN),
            self._more("disputes", lang),
            say("heading_forecast"), say("intro_forecast"), self.forecast_table(lang),
            say("heading_validation"), say("intro_validation"), self.validation_table(lang),
            self.calibration_table(lang), self.forecast_errors_table(lang),
            say("heading_strategy"), say("intro_strategy"), self.plan_table(lang),
        ]  # fmt: skip

    def _more(self, kind: str, lang: str) -> Markdown:
        """Where the rows the page leaves out are: the CSV files and the workbook."""
        return Markdown(text("cash_text", f"more_{kind}", lang, n=_SHOWN))

    def action_summary(self, lang: str = "en"):
        """Open invoices, amount and overdue steps by next action and plan, ladder order."""
        if not self.available:
            return self.message(lang)
        work = self.worklist.assign(overdue=self.worklist["days_overdue"] > 0)
        table = work.groupby(["action", "plan"], sort=False).agg(
            invoices=("open_amount", "size"), overdue_tasks=("overdue", "sum"),
            open_amount=("open_amount", "sum"), at_risk=("at_risk", "sum"),
            action_date=("action_date", "min"),
        )  # fmt: skip
        plans = [*self.strategy.plans, "dispute"]
        table = table.reset_index()
        order = [
            (_ORDER.index(a), plans.index(p))
            for a, p in zip(table["action"], table["plan"], strict=True)
        ]
        table = table.iloc[sorted(range(len(table)), key=order.__getitem__)].reset_index(drop=True)
        return self._show(table, lang)

    def worklist_table(self, lang: str = "en", n: int = 20):
        """The first ``n`` tasks: whom to call, about what (next action, invoices), and why."""
        if not self.available:
            return self.message(lang)
        cols = ["rank", *[c for c in CUSTOMER_COLUMNS if c in self.tasks.columns], "action",
                "action_date", "days_overdue", "invoices", "invoice_ids", "open_amount", "overdue_amount",
                "max_days_past_due", "p_late", "at_risk", "reasons"]  # fmt: skip
        shown = self.tasks[cols].head(n).copy()  # the page names the first invoices; the
        shown["invoice_ids"] = shown["invoice_ids"].map(first_ids)  # files list them all
        return self._people(shown, lang)

    def owner_table(self, lang: str = "en"):
        """Tasks per account owner."""
        if not self.available:
            return self.message(lang)
        table = owner_view(self.tasks)
        nobody = text("cash_text", "unassigned", lang)
        table.index = [nobody if o == "unassigned" else o for o in table.index]
        return self._show(table.rename_axis("owner"), lang)

    def dispute_table(self, lang: str = "en", n: int = 30):
        """The disputed invoices on their route, oldest first; a sentence when there are none."""
        if not self.available:
            return self.message(lang)
        if self.disputes.empty:
            known = self.kpis is None or pd.notna(self.kpis.loc["disputes"].iloc[0])
            return Markdown(
                text("cash_text", "no_disputes" if known else "no_dispute_column", lang)
            )
        return self._people(self.disputes.head(n), lang)

    def kpi_table(self, lang: str = "en"):
        """The collections KPIs at the as-of date beside the month-end before."""
        if not self.available:
            return self.message(lang)
        check_lang(lang)
        rows = {}
        for kpi in KPIS:
            values = self.kpis.loc[kpi]
            pattern = _KPI_FORMATS.get(kpi)
            shown = [
                "–" if pd.isna(v) else pattern.format(v) if pattern else self._amount(v, lang)
                for v in values
            ]
            rows[text("cash_kpi", kpi, lang, currency=self.currency)] = shown
        dates = [d.isoformat() for d in self.kpis.columns]
        table = pd.DataFrame.from_dict(rows, orient="index", columns=dates)
        heads = [text("cash_columns", k, lang) + f" {d}" for k, d in zip(("as_of", "month"), dates,
                                                                          strict=False)]  # fmt: skip
        table.columns = heads + list(table.columns[len(heads) :])
        return show(table.rename_axis(text("cash_columns", "kpi", lang)), lang)

    def exports(self, lang: str = "en") -> dict[str, pd.DataFrame]:
        """The section's files by name (:data:`FILES`), for ``segkit.reports.write_table``.

        ``collections_worklist.csv`` and ``collections_disputes.csv`` are for people (headers,
        actions and reasons in ``lang``); ``collections_invoices.csv`` keeps codes, one row per
        open invoice, with an empty ``done`` column: kept and filled in, it tells the next run
        which steps are done (``previous`` of :func:`collections_view`). The Parquet file is
        the workbook's Collections sheet (codes as headers, words as values).
        """
        if not self.available:
            return {}
        people = {
            FILES["tasks"]: (self.tasks, "customer_id"),
            FILES["disputes"]: (self.disputes, "invoice_id"),
        }
        out = {
            name: people_table(table, lang, self.currency).set_index(
                text("cash_columns", key, lang)
            )
            for name, (table, key) in people.items()
        }
        out[FILES["invoices"]] = self.worklist.assign(done="")
        out[FILES["sheet"]] = self._words(self.tasks, lang)
        return out

    def _words(self, table: pd.DataFrame, lang: str) -> pd.DataFrame:
        """``table`` with actions, plans and reasons in words, codes as headers (for a sheet)."""
        words = people_table(table, lang, self.currency)
        words.columns = [*table.reset_index().columns]
        words = words.set_index(table.index.name)
        if "p_late" in table.columns:
            words["p_late"] = table["p_late"]
        for col in ("open_amount", "overdue_amount", "at_risk", "priority"):
            if col in table.columns:
                words[col] = table[col].round(0).astype("int64")
        return words

    def _people(self, table: pd.DataFrame, lang: str):
        return self._show(self._words(table, lang), lang)

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
        used = text("cash_score", self.validation.model.chosen_, lang)
        table.index = [text("cash_score", s, lang, score=used) for s in table.index]
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


def collections_view(ledger, as_of, classes=None, *, split_months: int = 12, weeks: int = 13,
                     strategy=None, currency: str = "CNY", previous=None) -> CollectionsView:  # fmt: skip
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
    previous : pandas.DataFrame, str or Path, optional
        The previous run's ``collections_invoices.csv`` with its ``done`` column filled in:
        which steps are done (:func:`segkit.cash.ladder.steps_done`).
    """
    day = as_date(as_of)
    view = CollectionsView(as_of=day, currency=currency)
    if not settlement_available(ledger.invoices, ledger.payments):
        return dataclasses.replace(view, note=("no_settlement", {}))
    split = (pd.Timestamp(day) - pd.DateOffset(months=split_months) + pd.offsets.MonthEnd(0)).date()
    try:
        validation = time_split_evaluation(ledger, split, end=day, weeks=weeks)
    except ModelNotFitted as err:  # history enough, outcomes not: say which are missing
        return dataclasses.replace(view, note=(f"withheld_{err.reason}", err.figures))
    except (ConfigError, SchemaError) as err:
        return dataclasses.replace(
            view,
            note=(
                "too_short",
                {"as_of": str(day), "months": NEEDS["min_months"], "detail": str(err)},
            ),  # detail: for code, not the page
        )
    view = dataclasses.replace(view, caveat=validation_check(validation.metrics))
    model = LatePaymentModel(**validation.model.get_params())
    rows = validation.rows
    model.fit_rows(rows, invoice_outcomes(ledger, day), day)
    today = rows[rows["snapshot"] == pd.Timestamp(day)]
    if today.empty:  # as_of is not a month-end: settle the ledger as of that day
        today = invoice_snapshots(ledger, [day])
    predictions = model.score_rows(today)
    strategy = strategy if isinstance(strategy, Strategy) else load_strategy(strategy)
    work = collection_worklist(predictions, day, classes, strategy, previous=previous)
    customers = customer_details(ledger)
    return dataclasses.replace(
        view,
        predictions=predictions,
        model=model,
        worklist=work,
        tasks=customer_tasks(work, customers),
        disputes=dispute_list(work, customers),
        kpis=collection_kpis(ledger, [day, month_end_before(day)], rows=rows),
        forecast=cash_forecast(predictions, day, weeks),
        validation=validation,
        strategy=strategy,
    )
