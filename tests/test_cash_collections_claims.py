"""What a collector can rely on, on data/sample and on every export of the corpus that settles.

No disputed invoice has legal action next; no invoice reaches a step without the steps before
it; the largest risks are at the top; one task per customer; the KPIs come with last month's.
"""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import segkit
from segkit.cash import collection_worklist
from segkit.cash.strategy import WEIGHT_DAYS
from segkit.studies.credit_risk import collections_view

ROOT = Path(__file__).parent.parent
EXPORTS = ROOT / "tests" / "fixtures" / "exports"
#: The exports with settlement data and history enough for the section.
SETTLED = ("ar_settled_usd", "kingdee_ar", "odoo_invoices", "sap_line_items", "usd_master")
AS_OF = "2025-12-31"


@pytest.fixture(scope="module", params=["data/sample", *SETTLED])
def view(request):
    if request.param == "data/sample":
        ledger = segkit.read_ledger(ROOT / "data" / "sample")
    else:
        folder = EXPORTS / request.param
        ledger = segkit.read_ledger(folder, mapping=folder / "mapping.yaml")
    result = collections_view(ledger, AS_OF)
    assert result.available, result.message("en")
    return result


def test_no_disputed_invoice_has_legal_action_next(view):
    work = view.worklist
    disputed = work[work["disputed"]]
    assert (disputed["plan"] == "dispute").all() and not (disputed["action"] == "legal").any()
    assert set(view.disputes.index) == set(disputed.index)
    assert len(disputed) == int(view.predictions["disputed"].sum())


def test_a_disputed_invoice_54_days_past_due_is_verified_not_sued():
    work = collection_worklist(
        pd.DataFrame(
            {"customer_id": ["C1"], "due_date": pd.to_datetime(["2025-11-07"]),
             "open_amount": [1_070_000.0], "days_past_due": [54], "disputed": [True],
             "p_late": [1.0], "p_very_late": [1.0], "expected_payment_date": [pd.NaT],
             "reasons": ["past_due;disputed"]},
            index=pd.Index(["I1"], name="invoice_id"),
        ),
        AS_OF,
    )  # fmt: skip
    # the disputed 1.07m invoice 54 days past due: verify the delivery, not legal action
    assert work.loc["I1", "action"] == "verify_delivery" and work.loc["I1", "days_overdue"] == 54


def test_no_invoice_reaches_a_step_without_the_steps_before(view):
    pred, strategy = view.predictions, view.strategy
    previous = collection_worklist(pred, AS_OF, strategy=strategy)
    assert (previous["step"] == 1).all()  # nothing recorded as done: the first step of each
    for _ in range(max(len(s) for s in strategy.ladders().values())):
        kept = previous.assign(done="yes")
        current = collection_worklist(pred, AS_OF, strategy=strategy, previous=kept)
        moving = previous["action"] != "follow_up"
        assert (current["step"] == previous["step"] + moving).all()
        legal = current["action"] == "legal"
        assert (previous.loc[legal, "action"] == "final_notice").all()
        previous = current


def test_the_largest_risks_are_at_the_top_one_task_per_customer(view):
    work = view.worklist[~view.worklist["disputed"]]
    weight = 1 + work["days_past_due"].clip(0, WEIGHT_DAYS) / WEIGHT_DAYS
    risk = (work["open_amount"] * work["p_late"] * weight).groupby(work["customer_id"]).sum()
    tasks = view.tasks
    assert tasks.index.is_unique and set(tasks.index) == set(work["customer_id"])
    top = risk.sort_values(ascending=False).head(20)
    assert set(tasks.index[: len(top)]) == set(top.index)
    assert list(tasks["rank"]) == list(range(1, len(tasks) + 1))
    invoices = sorted(view.worklist["priority"], reverse=True)[:20]
    assert list(view.worklist["priority"].head(20)) == invoices


def test_kpis_come_with_last_months_values(view):
    as_of, month = dt.date(2025, 12, 31), dt.date(2025, 11, 30)
    assert list(view.kpis.columns) == [as_of, month]
    for kpi in ("cei", "average_days_delinquent", "best_possible_dso", "current_share"):
        assert np.isfinite(view.kpis.loc[kpi]).all(), kpi
    assert (view.kpis.loc["cei"] <= 1).all() and (view.kpis.loc["current_share"] <= 1).all()
    for lang in ("en", "zh"):
        html = view.kpi_table(lang).to_html()
        assert "2025-11-30" in html and "2025-12-31" in html


def test_the_page_tells_whom_to_call_about_what_in_words(view):
    for lang in ("en", "zh"):
        table = view.worklist_table(lang, n=10).data
        words = [*table["action"], *table["reasons"]]
        assert len(table) == min(10, len(view.tasks)) and not any("_" in v for v in words)


def test_the_score_in_use_ranks_at_least_as_well_as_the_other_on_the_ledger(view):
    table, chosen = view.model.selection_, view.model.chosen_
    assert (table["note"] == "compared").all()
    other = "logistic" if chosen == "gradient_boosting" else "gradient_boosting"
    assert table.loc[chosen, "auc"] >= table.loc[other, "auc"]
    metrics = view.validation.metrics
    assert list(metrics.index) == ["in_use", "gradient_boosting", "logistic", "share_late"]
    assert f"{table.loc[chosen, 'auc']:.3f}" in view.headline("en")
    assert f"{table.loc[chosen, 'auc']:.3f}" in view.headline("zh")
