"""Key figures and actions of the index page, from classification tables typed by hand, and
once on the sample ledger against segkit.classify."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import segkit
from segkit.reports.actions import top_actions
from segkit.reports.summary import FIGURES, collect, key_figures, period_dates

D = dt.date
DATES = {"as_of": D(2025, 12, 31), "month": D(2025, 11, 30), "quarter": D(2025, 9, 30)}
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def _frame(rows: dict[str, dict]) -> pd.DataFrame:
    columns = [
        "name",
        "invoices_12m",
        "revenue_12m",
        "open_balance",
        "overdue_balance",
        "aging_90_plus",
        "expected_loss",
        "rfm_segment",
        "abc_tier",
        "grade",
        "limit_proposed",
    ]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    # the limit on file and the credit study's decision, as classify gives them: C1 owes 800
    # against a limit of 300 with 300 overdue, so it holds orders
    limits = {"C1": 300.0, "C2": 0.0, "C3": 2000.0}
    frame["credit_limit"] = frame.index.map(limits).astype(float)
    frame["standing"] = ["in_arrears", "in_default", "good_standing", None][: len(frame)]
    decided = {"C1": "hold_orders", "C2": "hold_orders", "C3": None}
    frame["limit_action"] = frame.index.map(decided)
    frame["over_limit"] = (frame["open_balance"] - frame["credit_limit"]).clip(lower=0)
    frame["limit_change"] = frame["limit_proposed"] - frame["credit_limit"]
    return frame.rename_axis("customer_id")


NOW = _frame(
    {
        "C1": ["甲", 3, 1000.0, 800.0, 300.0, 0.0, 10.0, "champions", "A", "BB", 300.0],
        "C2": ["乙", 0, 0.0, 500.0, 500.0, 500.0, 40.0, "lost", "none", "D", 0.0],
        "C3": ["丙", 2, 400.0, 100.0, 0.0, 0.0, 1.0, "loyal", "A", "BBB", 1000.0],
        "C4": ["丁", 1, 50.0, 0.0, 0.0, 0.0, np.nan, "new_customers", "C", np.nan, np.nan],
    }
)
MONTH = _frame(
    {
        "C1": ["甲", 2, 900.0, 600.0, 100.0, 0.0, 8.0, "loyal", "A", "BB", 900.0],
        "C2": ["乙", 1, 100.0, 500.0, 500.0, 0.0, 30.0, "lost", "C", "CCC", 0.0],
        "C3": ["丙", 2, 300.0, 100.0, 0.0, 50.0, 1.0, "loyal", "A", "A", 900.0],
    }
)
OCTOBER = _frame({"C1": ["甲", 1, 500.0, 0.0, 0.0, 0.0, 0.0, "loyal", "A", "BB", 9.0]})
QUARTER = _frame({"C1": ["甲", 1, 400.0, 50.0, 0.0, 20.0, 2.0, "promising", "A", "BB", 9.0]})
FRAMES = {
    D(2025, 12, 31): NOW,
    D(2025, 11, 30): MONTH,
    D(2025, 10, 31): OCTOBER,
    D(2025, 9, 30): QUARTER,
    D(2025, 8, 31): None,
}


def test_period_dates_are_the_month_end_and_quarter_end_before():
    assert period_dates("2025-12-31") == DATES
    assert period_dates("2026-01-15") == {
        "as_of": D(2026, 1, 15),
        "month": D(2025, 12, 31),
        "quarter": D(2025, 12, 31),
    }
    assert period_dates("2024-03-31")["month"] == D(2024, 2, 29)


def test_key_figures_from_classification_tables():
    dso = {D(2025, 12, 31): 45.5, D(2025, 11, 30): 40.0, D(2025, 9, 30): np.nan}
    allowance = {D(2025, 12, 31): 100.0, D(2025, 11, 30): 90.0}
    table = key_figures(FRAMES, DATES, dso, allowance)
    # over the limits on file: C1 owes 800 (600 in November) against 300; C2 owes 500
    # with a limit of 0, which is no limit; in September C1 owes 50 within its limit
    expected = pd.DataFrame(
        {
            "as_of": [3, 1450, 1400, 800, 500, 45.5, 51, 100, 500, 500, 1, 1],
            "month": [3, 1300, 1200, 600, 50, 40.0, 39, 90, 300, 500, 1, 0],
            "quarter": [1, 400, 50, 0, 20, np.nan, 2, np.nan, 0, 0, np.nan, np.nan],
        },
        index=pd.Index(FIGURES, name="figure"),
        dtype=float,
    )
    pd.testing.assert_frame_equal(table, expected)


def test_a_figure_without_its_column_is_missing_not_zero():
    frames = {
        day: (f.drop(columns="expected_loss") if f is not None else None)
        for day, f in FRAMES.items()
    }
    table = key_figures(frames, DATES)
    assert table.loc["expected_loss"].isna().all()
    assert table.loc["dso_days"].isna().all()
    assert table.loc["revenue_12m", "as_of"] == 1450


def test_actions_follow_the_three_rules_ranked_by_amount():
    actions = top_actions(NOW, MONTH, lang="en")
    assert list(actions.index) == ["C1", "C2", "C3"]
    assert actions["rule"].tolist() == ["over_limit", "new_default", "grade_down"]
    assert actions["amount"].tolist() == [500.0, 500.0, 100.0]
    # the action quotes the credit study's decision for the customer, word for word
    assert actions.loc["C1", "action"] == (
        "Owes CNY 500 more than its limit of CNY 300. Owes CNY 800, above its limit of CNY 300, "
        "with CNY 300 overdue: orders are held until it is back within the limit; no increase "
        "while in arrears."
    )
    big = NOW.assign(open_balance=NOW["open_balance"] * 10_000, credit_limit=3_000_000.0,
                     overdue_balance=NOW["overdue_balance"] * 10_000)  # fmt: skip
    big["over_limit"] = (big["open_balance"] - big["credit_limit"]).clip(lower=0)
    prose = top_actions(big, MONTH, lang="en").loc["C1", "action"]
    assert prose.startswith("Owes CNY 5.0m more than its limit of CNY 3.0m")
    zh = top_actions(big, MONTH, lang="zh").loc["C1", "action"]
    assert zh.startswith("欠款超出现有额度300.0万元共500.0万元") and ".00" not in zh
    assert "暂停发货直至回到额度以内" in zh
    assert actions.loc["C3", "action"] == (
        "A-tier customer downgraded from A to BBB; credit limit decision: cut (credit-risk study)"
    )


def test_new_default_is_an_action_when_it_is_the_largest_stake():
    now = NOW.assign(credit_limit=np.nan)
    actions = top_actions(now, MONTH, lang="zh", n=2)
    assert list(actions.index) == ["C2", "C3"]
    assert actions.loc["C2", "action"] == "新增违约：逾期90天以上500元，启动催收"
    assert actions.loc["C3", "rule"] == "grade_down"


def test_without_a_previous_month_only_the_limit_rule_applies():
    assert top_actions(NOW, None)["rule"].unique().tolist() == ["over_limit"]
    empty = top_actions(NOW.drop(columns="credit_limit"), None)
    assert empty.empty and list(empty.columns) == ["name", "rule", "action", "amount"]


@pytest.fixture(scope="module")
def sample_summary():
    ledger = segkit.read_ledger(SAMPLE)
    config = {"credit": False, "clusters": False}
    return ledger, collect(ledger, "2025-12-31", config=config)


def test_sample_figures_match_the_classification_table(sample_summary):
    ledger, summary = sample_summary
    table = segkit.classify(ledger, "2025-11-30", config={"credit": False, "clusters": False})
    features = segkit.customer_features(ledger, "2025-11-30")
    month = summary.figures["month"]
    assert month["active_customers"] == (table["invoices_12m"] > 0).sum()
    assert month["revenue_12m"] == pytest.approx(table["revenue_12m"].sum())
    assert month["open_receivables"] == pytest.approx(table["open_balance"].sum())
    assert month["past_due"] == pytest.approx(table["overdue_balance"].sum())
    assert month["past_due_90"] == pytest.approx(features["aging_90_plus"].sum())
    assert 0 < summary.figures.loc["dso_days", "as_of"] < 365
    assert summary.figures.loc["changed_class", "as_of"] > 0
    assert math.isnan(summary.figures.loc["expected_loss", "as_of"])
    assert summary.missing["expected_loss"][0] == "no_credit"


def test_dates_the_ledger_cannot_classify_give_dashes_with_their_reason():
    rows = []
    for i in range(8):
        dates = [(f"2025-01-{5 + i:02d}", f"2025-02-{5 + i:02d}")]
        dates += [(f"2025-02-{3 + i:02d}", f"2025-03-{3 + i:02d}")] * (i % 2)
        for k, (day, due) in enumerate(dates):
            amount = 100.0 * (i + 1) * (k + 1)
            rows.append(
                {
                    "invoice_id": f"I{i}{k}",
                    "customer_id": f"C{i}",
                    "invoice_date": day,
                    "due_date": due,
                    "amount": amount,
                }
            )
    payments = pd.DataFrame(
        {
            "payment_id": ["P1"],
            "customer_id": ["C0"],
            "invoice_id": ["I00"],
            "payment_date": ["2025-02-01"],
            "amount": [100.0],
        }
    )
    ledger = segkit.Ledger.from_frames(invoices=pd.DataFrame(rows), payments=payments)
    summary = collect(ledger, "2025-02-28", config={"credit": False, "clusters": False})
    assert summary.figures.loc["revenue_12m", "as_of"] == 7600.0
    assert summary.figures["month"].isna().all() and summary.figures["quarter"].isna().all()
    assert summary.missing["revenue_12m"] == ("no_history", "2025-01-31")
    assert summary.missing["expected_loss"] == ("no_credit", "credit: false")


def test_index_notes_say_why_a_figure_is_missing_in_the_reader_s_language(tmp_path):
    from segkit.reports.index import render_index
    from segkit.reports.pack import Pack
    from segkit.reports.run import ReportResult
    from segkit.reports.summary import Summary

    dates = {"as_of": D(2025, 12, 31), "month": D(2025, 11, 30), "quarter": D(2025, 9, 30)}
    figures = pd.DataFrame(1.0, index=pd.Index(FIGURES, name="figure"), columns=list(dates))
    missing = {
        "past_due_90": ("no_settlement", "no aging_90_plus"),
        "expected_loss": ("no_credit", "credit columns left out: no snapshot date"),
    }
    notes = ["credit columns left out: no snapshot date"]
    pack = Pack(Summary(dates, {}, figures, missing, notes), None)
    base = {"data": "d", "as_of": "2025-12-31", "lang": "zh", "mapping": ""}
    page = render_index(ReportResult(tmp_path, [], tmp_path / "index.html"), base, [], pack)
    assert "逾期、周转天数和违约需要回款记录或结清日期，该账簿没有" in page
    assert "预期损失需要信用评分卡，该账簿无法建立评分卡" in page
    for machine in ("aging_90_plus", "left out", "snapshot date"):
        assert machine not in page, machine
