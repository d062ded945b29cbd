"""A customer whose only overdue items are disputed: held apart from arrears, or not, by policy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import segkit
from segkit import Ledger
from segkit.credit import RatingScale, load_limit_policy, propose_limits
from segkit.credit.advice import limit_reasons
from segkit.exceptions import ConfigError

COUNTED = load_limit_policy({"disputed_counts_as_arrears": True})


@pytest.fixture
def book():
    """D1 overdue only on a disputed invoice, under its limit; D2 the same, over its limit;
    D3 overdue on a disputed and an undisputed invoice; D4 a ledger without dispute flags."""
    return pd.DataFrame(
        {
            "grade": pd.Categorical(["A", "A", "A", "A"], dtype=RatingScale().dtype()),
            "size_cn": ["small"] * 4,
            "revenue_12m": [365_000.0] * 4,  # 1,000 a day x (60 + 30) x 1.2: 100,000 (rounded)
            "terms_days": [60.0] * 4,
            "credit_limit": [50_000.0, 50_000.0, 50_000.0, 50_000.0],
            "open_balance": [40_000.0, 160_000.0, 40_000.0, 40_000.0],
            "overdue_balance": [8_000.0, 8_000.0, 8_000.0, 8_000.0],
            "overdue_undisputed": [0.0, 0.0, 3_000.0, np.nan],
            "in_default_at_as_of": [False] * 4,
        },
        index=pd.Index(["D1", "D2", "D3", "D4"], name="customer_id"),
    )


def _scored(book, policy=None):
    limits = propose_limits(book, policy=policy)
    cols = ["limit_proposed", "limit_change", "standing", "over_limit", "overdue_disputed"]
    return limits, book.join(limits[cols]).assign(limit_action=limits["action"])


def test_disputed_only_overdue_keeps_good_standing_by_default(book):
    limits, scored = _scored(book)
    assert limits["standing"].tolist() == ["good_standing", "good_standing", "in_arrears",
                                           "in_arrears"]  # fmt: skip
    assert limits["overdue_disputed"].tolist() == [8_000.0, 8_000.0, 0.0, 0.0]
    # D1: the formula stands (100,000 > 50,000 on file: an increase, not no_increase)
    assert limits.loc["D1", "limit_proposed"] == 100_000.0 and limits.loc["D1", "action"] is None
    # D2 owes 160,000, more than the formula: good standing is never proposed less than it owes
    assert limits.loc["D2", "action"] == "limit_at_exposure"
    assert limits.loc["D2", "limit_proposed"] == 160_000.0
    # D3 has an undisputed overdue item, D4 no dispute flag: both in arrears, no increase
    assert limits.loc[["D3", "D4"], "action"].tolist() == ["no_increase", "no_increase"]
    en, zh = limit_reasons(scored, "en", "CNY"), limit_reasons(scored, "zh", "CNY")
    for key in ("D1", "D2"):
        assert en[key].startswith("Overdue only on disputed invoices (CNY 8.0k), held apart")
        assert "Nothing overdue" not in en[key] and "无逾期" not in zh[key]
        assert zh[key].startswith("逾期款项仅涉及有争议发票（8,000元），单独处理")
    assert en["D1"].endswith("the factor of grade A: CNY 100.0k.")
    assert "the limit covers what it owes (CNY 160.0k)" in en["D2"]
    assert "held apart" not in en["D3"] and "held apart" not in en["D4"]


def test_disputed_overdue_counts_as_arrears_when_the_policy_says_so(book):
    limits, scored = _scored(book, COUNTED)
    assert (limits["standing"] == "in_arrears").all()
    assert (limits["overdue_disputed"] == 0).all()
    assert limits.loc["D1", "action"] == "no_increase" and limits.loc["D1", "limit_proposed"] == 50_000
    assert limits.loc["D2", "action"] == "hold_orders"  # over its limit on file, in arrears
    assert not limit_reasons(scored, "en", "CNY").str.contains("held apart").any()


@pytest.mark.parametrize("value", ["no", 0, None], ids=["text", "zero", "null"])
def test_the_policy_key_must_be_true_or_false(value):
    with pytest.raises(ConfigError, match=r"disputed_counts_as_arrears'\] must be true or false"):
        load_limit_policy({"disputed_counts_as_arrears": value})


def _ledger(disputed: bool) -> Ledger:
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3", "I4"],
            "customer_id": ["A", "A", "B", "B"],
            "invoice_date": ["2025-09-01", "2025-12-01", "2025-09-01", "2025-09-05"],
            "due_date": ["2025-10-01", "2025-12-31", "2025-10-01", "2025-10-05"],
            "amount": [1000.0, 500.0, 800.0, 300.0],
            "settled_date": [None, None, None, None],
        }
    )
    if disputed:
        invoices["disputed"] = [True, False, False, True]
    return Ledger.from_frames(invoices)


def test_overdue_undisputed_feature_by_hand():
    got = segkit.customer_features(_ledger(True), "2025-12-31")
    # A: I1 (1,000) overdue and disputed, I2 due on the day; B: I3 (800) overdue, I4 disputed
    assert got.loc["A", "overdue_balance"] == 1000.0 and got.loc["A", "overdue_undisputed"] == 0.0
    assert got.loc["B", "overdue_balance"] == 1100.0 and got.loc["B", "overdue_undisputed"] == 800.0
    bare = segkit.customer_features(_ledger(False), "2025-12-31")
    assert bare["overdue_undisputed"].isna().all()  # no dispute flags: nothing to hold apart
