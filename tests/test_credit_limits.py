"""Limits a credit manager can sign: exposure, actions, the size fallback, the impact in totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from segkit.credit import DEFAULT_LIMIT_POLICY, RatingScale, propose_limits
from segkit.credit.limits import LIMIT_ACTIONS
from segkit.credit.worklist import short_name, worklist
from segkit.exceptions import ConfigError
from segkit.studies.credit_risk import limit_impact, policy_by_grade, policy_by_size


@pytest.fixture
def book():
    grades = pd.Categorical(["BB", "B", "CC", "D", "AAA"], dtype=RatingScale().dtype())
    return pd.DataFrame(
        {
            "grade": grades,
            "size_cn": ["small", "small", "small", "micro", "unknown"],
            "revenue": [np.nan, np.nan, np.nan, np.nan, 50e6],
            "revenue_12m": [1.2e6, 1.2e6, 1.2e6, 1.2e6, 1.2e6],
            "open_balance": [200_000.5, 200_000.0, 200_000.0, 50_000.0, 10_000.0],
            "in_default_at_as_of": [False, False, False, True, False],
            "credit_limit": [100_000.0, 100_000.0, np.nan, 100_000.0, 100_000.0],
        },
        index=pd.Index(["C1", "C2", "C3", "C4", "C5"], name="customer_id"),
    )


def test_a_proposal_below_exposure_comes_with_an_action(book):
    got = propose_limits(book)
    # policy limits: 1.25, 1.0, 0.5 and 0 months of 100,000 a month (small, x1.0), and for C5
    # 3 months x 1.2 (medium: its own revenue, 50m, is at least 20m) = 360,000
    assert got["limit_proposed"].tolist() == [210_000.0, 100_000.0, 50_000.0, 0.0, 360_000.0]
    assert got["action"].tolist() == ["limit_at_exposure", "repayment_plan", "hold_orders",
                                      "hold_orders", None]  # fmt: skip
    assert got["size_basis"].tolist() == ["statutory"] * 4 + ["own_revenue"]
    assert got.loc["C5", "size_cn"] == "medium"
    below = got["limit_proposed"] < got["open_balance"]
    assert got.loc[below, "action"].isin(["repayment_plan", "hold_orders"]).all()


def test_no_proposal_below_exposure_without_an_action_on_random_books():
    rng = np.random.default_rng(7)
    grades = [g for g in RatingScale().grades]
    n = 400
    frame = pd.DataFrame(
        {
            "grade": rng.choice(grades, n),
            "size_cn": rng.choice(["large", "medium", "small", "micro", None], n),
            "revenue_12m": rng.lognormal(13, 2, n),
            "open_balance": rng.lognormal(12, 2, n),
            "in_default_at_as_of": rng.random(n) < 0.1,
        }
    )
    got = propose_limits(frame)
    covered = got["limit_proposed"] >= got["open_balance"]
    assert (covered | got["action"].isin(["repayment_plan", "hold_orders"])).all()
    assert (got.loc[frame["in_default_at_as_of"] & ~covered, "action"] == "hold_orders").all()
    assert got["action"].dropna().isin(LIMIT_ACTIONS).all()


def test_policy_actions_are_checked():
    policy = {**DEFAULT_LIMIT_POLICY, "above_exposure": {"A": "forgive"}}
    frame = pd.DataFrame({"grade": ["A"], "size_cn": ["small"], "revenue_12m": [1.0]})
    with pytest.raises(ConfigError, match=r"above_exposure'\] values must be in .*'forgive'"):
        propose_limits(frame, policy=policy)
    policy = {**DEFAULT_LIMIT_POLICY, "size_by_revenue": ((1.0, "huge"),)}
    with pytest.raises(ConfigError, match=r"size_by_revenue'\] sizes must be keys .*'huge'"):
        propose_limits(frame, policy=policy)


def test_policy_tables_show_the_default_policy():
    grades = policy_by_grade()
    assert grades.loc["AAA", "months"] == 3.0 and grades.loc["D", "months"] == 0.0
    assert grades.loc["B", "limit_action"] == "repayment_plan"
    sizes = policy_by_size()
    assert sizes.loc["large", "cap"] == 50e6 and sizes.loc["medium", "revenue_from"] == 20e6
    assert np.isnan(sizes.loc["unknown", "revenue_from"])


def test_limit_impact_by_hand(book):
    limits = propose_limits(book)
    scored = book.assign(
        limit_proposed=limits["limit_proposed"],
        limit_action=limits["action"],
        size_basis=limits["size_basis"],
    )
    got = limit_impact(scored)
    expected = pd.Series(
        {
            "rated": 5, "with_limit": 4, "cuts": 1, "cut_amount": 100_000.0, "increases": 2,
            "increase_amount": 110_000.0 + 260_000.0, "new_limits": 1, "above_exposure": 3,
            "above_exposure_amount": 100_000.0 + 150_000.0 + 50_000.0, "raised_to_exposure": 1,
            "repayment_plan": 1, "hold_orders": 2, "size_from_revenue": 1,
        },
        dtype=object,
        name="impact",
    )  # fmt: skip
    assert_series_equal(got, expected)


def test_worklist_by_hand():
    scored = pd.DataFrame(
        {
            "name": ["甲", "乙", "丙", "丁"],
            "owner": ["Li", None, "Wang", "Li"],
            "contact": ["138", None, "139", "137"],
            "group_id": ["G", "C2", "G", "C4"],
            "expected_loss": [100.0, 100.0, 500.0, 0.0],
            "open_balance": [1000.0, 2000.0, 3000.0, 400.0],
            "overdue_balance": [600.0, 100.0, 3000.0, 0.0],
            "open_days_past_due": [10.0, 40.0, 95.0, 0.0],
            "in_default_at_as_of": [False, False, True, False],
            "disputed_share": [0.0, 0.5, np.nan, 0.0],
        },
        index=pd.Index(["C1", "C2", "C3", "C4"], name="customer_id"),
    )
    before = scored.copy()
    got = worklist(scored, lang="zh")
    expected = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "name": ["丙", "乙", "甲"],
            "owner": ["Wang", None, "Li"],
            "contact": ["139", None, "138"],
            "open_days_past_due": [95.0, 40.0, 10.0],
            "overdue_balance": [3000.0, 100.0, 600.0],
            "open_balance": [3000.0, 2000.0, 1000.0],
            "expected_loss": [500.0, 100.0, 100.0],
            "disputed": [False, True, False],
            "group_exposure": [4000.0, np.nan, 4000.0],
            "reason": [
                "已违约：逾期95天；余额的100%已逾期",
                "逾期40天；有争议发票",
                "逾期10天；余额的60%已逾期",
            ],  # fmt: skip
        },
        index=pd.Index(["C3", "C2", "C1"], name="customer_id"),
    )
    assert_frame_equal(got, expected)
    assert_frame_equal(scored, before)
    bare = worklist(scored.drop(columns=["owner", "contact", "group_id", "disputed_share"]))
    assert not {"owner", "contact", "group_exposure", "disputed"} & set(bare.columns)
    with pytest.raises(ConfigError, match=r"missing \['open_days_past_due'\]"):
        worklist(scored.drop(columns="open_days_past_due"))


def test_short_name_counts_chinese_characters_as_two_columns():
    assert short_name("甲公司") == "甲公司"
    assert short_name("北京市海淀区某某科技发展股份有限公司") == "北京市海淀区某某科技发展股…"
    assert short_name("A" * 40) == "A" * 27 + "…"
    assert short_name(None) is None
