"""Tests of the collections section of the credit-risk study (segkit.studies.credit_risk)."""

import pandas as pd
import pytest

from segkit import Ledger, sample_ledger
from segkit.credit import RatingScale
from segkit.studies.credit_risk import collections_view, customer_classes


def test_without_settlement_data_the_section_says_what_is_missing():
    invoices = pd.DataFrame(
        {"invoice_id": ["I1"], "customer_id": ["C1"], "invoice_date": ["2024-01-05"],
         "due_date": ["2024-02-05"], "amount": [100.0]}
    )  # fmt: skip
    view = collections_view(Ledger.from_frames(invoices), "2024-06-30")
    assert not view.available
    assert "payments table" in view.headline("en")
    assert "回款表" in view.worklist_table("zh")
    assert view.forecast_table("en") == view.message("en")


def test_a_short_history_is_a_note_not_an_error():
    invoices = pd.DataFrame(
        {"invoice_id": ["I1", "I2"], "customer_id": ["C1", "C1"],
         "invoice_date": ["2024-01-05", "2024-02-05"], "due_date": ["2024-02-05", "2024-03-05"],
         "amount": [100.0, 50.0], "settled_date": ["2024-02-01", "2024-03-20"]}
    )  # fmt: skip
    view = collections_view(Ledger.from_frames(invoices), "2024-06-30")
    assert view.note[0] == "too_short"
    assert view.message("en").startswith("This section needs a longer history before 2024-06-30")
    assert "at least 15 months" in view.message("en") and "至少15个月" in view.message("zh")
    assert "as_of" not in view.message("zh")  # the model's own message stays off the page


def test_customer_classes_from_the_scored_portfolio():
    scored = pd.DataFrame(
        {
            "revenue_12m": [900.0, 80.0, 20.0, 0.0],
            "grade": pd.Categorical(["AA", "BB", "CCC", "D"], dtype=RatingScale().dtype()),
        },
        index=pd.Index(["C1", "C2", "C3", "C4"], name="customer_id"),
    )
    classes = customer_classes(scored)
    assert list(classes["abc_tier"]) == ["A", "B", "C", "none"]
    assert list(classes["risk_tier"]) == ["low", "medium", "high", "high"]
    # over the whole customer base, C1 alone is no longer 80% of revenue: tiers follow the base
    base = pd.Series([900.0, 80.0, 20.0, 0.0, 5000.0], index=[*scored.index, "C9"])
    with_base = customer_classes(scored, revenue=base)
    assert list(with_base["abc_tier"]) == ["B", "C", "C", "none"]
    assert list(with_base["risk_tier"]) == ["low", "medium", "high", "high"]


@pytest.fixture(scope="module")
def view():
    frames = sample_ledger(n_customers=200, seed=5)
    ledger = Ledger.from_frames(frames["invoices"], frames["customers"], frames["payments"])
    return collections_view(ledger, "2025-10-31", split_months=9)


def test_the_section_in_both_languages(view):
    assert view.available and len(view.worklist) == len(view.predictions) > 0
    assert view.validation.split.isoformat() == "2025-01-31"
    assert view.validation.end.isoformat() == "2025-10-31"  # outcomes as known at as_of
    assert view.headline("en").startswith(f"At 2025-10-31, {len(view.predictions):,} invoices")
    assert view.headline("zh").startswith("截至2025-10-31")
    open_amount = view.predictions["open_amount"].sum()
    assert f"worth CNY {open_amount / 1e6:,.1f}m are open" in view.headline("en")
    assert f"金额{open_amount / 1e4:,.1f}万元" in view.headline("zh")
    summary = view.action_summary("zh").to_html()
    assert "下一步行动" in summary and ("到期前友情提醒" in summary or "电话催收" in summary)
    assert "Expected receipts (CNY)" in view.forecast_table("en").to_html()
    table = view.validation_table("en").data
    used = (
        "logistic regression (baseline)"
        if view.validation.model.chosen_ == "logistic"
        else ("gradient boosting (calibrated)")
    )
    assert list(table.index) == [
        f"in use: {used}",
        "gradient boosting (calibrated)",
        "logistic regression (baseline)",
        "customer's past share of late invoices",
    ]
    worklist = view.worklist_table("en", n=5).data
    assert len(worklist) == 5 and not worklist["reasons"].str.contains("_").any()
    assert "法律程序" in view.plan_table("zh").to_html()
    assert len(view.forecast) == 13
