"""Limits a credit committee can sign: terms and sales, standing, exposure, the impact in totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from segkit.credit import DEFAULT_LIMIT_POLICY, RatingScale, load_limit_policy, propose_limits
from segkit.credit.advice import limit_advice, limit_reasons
from segkit.credit.exposure import exposure_summary, group_exposure, limit_decisions
from segkit.credit.limits import LIMIT_ACTIONS
from segkit.credit.worklist import short_name, worklist
from segkit.exceptions import ConfigError
from segkit.studies.credit_risk import limit_impact, policy_by_grade, policy_by_size


@pytest.fixture
def book():
    """Seven customers typed by hand, one per rule of the limit policy."""
    grades = pd.Categorical(["A", "BBB", "BB", "B", "D", "AAA", "CCC"],
                            dtype=RatingScale().dtype())  # fmt: skip
    return pd.DataFrame(
        {
            "grade": grades,
            "size_cn": ["small", "small", "small", "small", "micro", "unknown", "small"],
            "revenue": [np.nan, np.nan, np.nan, np.nan, np.nan, 50e6, np.nan],
            "revenue_12m": [
                365_000.0,
                730_000.0,
                365_000.0,
                365_000.0,
                365_000.0,
                10_950_000.0,
                np.nan,
            ],  # fmt: skip
            "terms_days": [60.0, 30.0, 30.0, 90.0, 30.0, np.nan, 30.0],
            "credit_limit": [100_000.0, 50_000.0, 20_000.0, 200_000.0, 50_000.0, np.nan, 1.0],
            "open_balance": [50_000.0, 200_000.0, 30_000.0, 150_000.0, 40_000.0, 100_000.0, 5.0],
            "overdue_balance": [0.0, 0.0, 5_000.0, 10_000.0, 40_000.0, 0.0, 0.0],
            "in_default_at_as_of": [False, False, False, False, True, False, False],
        },
        index=pd.Index([f"C{i}" for i in range(1, 8)], name="customer_id"),
    )


def test_limits_by_hand(book):
    before = book.copy()
    got = propose_limits(book)
    # sales a day x (terms + 30 days' grace) x grade factor, rounded down to 10,000:
    # C1 1,000 x 90 x 1.2 = 108,000; C2 2,000 x 60 x 1.0; C3 1,000 x 60 x 0.85 = 51,000;
    # C4 1,000 x 120 x 0.7 = 84,000; C5 grade D: 0; C6 30,000 x (30 default terms + 30) x 1.5
    # (medium by its own revenue, cap 10m); C7 no sales: no basis
    assert got["limit_formula"].tolist()[:6] == [100_000.0, 120_000.0, 50_000.0, 80_000.0,
                                                 0.0, 2_700_000.0]  # fmt: skip
    assert np.isnan(got.loc["C7", "limit_formula"])
    assert got["standing"].tolist() == ["good_standing", "good_standing", "in_arrears",
                                        "in_arrears", "in_default", "good_standing",
                                        "good_standing"]  # fmt: skip
    # C2 good standing owes 200,000: never below it. C3 in arrears: not above its 20,000 on
    # file, and over it: hold orders. C4 in arrears below what it owes: repayment plan (B).
    # C5 in default: 0 and hold orders. C6 no limit on file: a new limit.
    assert got["limit_proposed"].tolist()[:6] == [100_000.0, 200_000.0, 20_000.0, 80_000.0,
                                                  0.0, 2_700_000.0]  # fmt: skip
    assert got["action"].tolist() == [None, "limit_at_exposure", "hold_orders",
                                      "repayment_plan", "hold_orders", "new_limit", None]  # fmt: skip
    assert got["terms_days"].tolist() == [60.0, 30.0, 30.0, 90.0, 30.0, 30.0, 30.0]
    assert got.loc["C6", "size_cn"] == "medium" and got.loc["C6", "size_basis"] == "own_revenue"
    assert got["limit_change"].tolist()[:5] == [0.0, 150_000.0, 0.0, -120_000.0, -50_000.0]
    assert got.loc["C2", "utilisation"] == 4.0 and got.loc["C2", "over_limit"] == 150_000.0
    assert got.loc["C1", "over_limit"] == 0.0 and np.isnan(got.loc["C6", "over_limit"])
    assert_frame_equal(book, before)


def test_arrears_are_never_rewarded_with_an_increase(book):
    rich = book.assign(revenue_12m=book["revenue_12m"] * 100)  # the formula allows far more
    got = propose_limits(rich)
    assert got.loc["C3", "limit_proposed"] == 20_000.0  # the limit on file, not more
    assert got.loc["C3", "action"] == "hold_orders"  # over its limit with overdue items
    quiet = rich.assign(open_balance=rich["open_balance"].where(rich.index != "C3", 15_000.0))
    assert propose_limits(quiet).loc["C3", "action"] == "no_increase"


def _random_book(seed: int, n: int = 500) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    open_ = rng.lognormal(12, 2, n)
    return pd.DataFrame(
        {
            "grade": rng.choice(list(RatingScale().grades), n),
            "size_cn": rng.choice(["large", "medium", "small", "micro", None], n),
            "revenue_12m": rng.lognormal(13, 2, n) * rng.choice([1, -1, 0], n, p=[0.8, 0.1, 0.1]),
            "terms_days": rng.choice([0, 30, 45, 60, 90, np.nan], n),
            "credit_limit": np.where(rng.random(n) < 0.2, np.nan, rng.lognormal(12, 2, n)),
            "open_balance": open_,
            "overdue_balance": np.where(rng.random(n) < 0.3, open_ * rng.random(n), 0.0),
            "in_default_at_as_of": rng.random(n) < 0.1,
        }
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_policy_holds_on_random_books(seed):
    frame = _random_book(seed)
    got = propose_limits(frame)
    graded = got["limit_proposed"].notna()
    good = graded & (got["standing"] == "good_standing")
    arrears = graded & (got["standing"] == "in_arrears")
    # a customer in good standing is never proposed less than it owes
    assert (got.loc[good, "limit_proposed"] >= frame.loc[good, "open_balance"]).all()
    # arrears are never rewarded with an increase over the limit on file
    on_file = arrears & frame["credit_limit"].notna()
    assert (got.loc[on_file, "limit_proposed"] <= frame.loc[on_file, "credit_limit"]).all()
    # over the limit on file with overdue items: orders held
    over = on_file & (frame["open_balance"] > frame["credit_limit"])
    assert (got.loc[over, "action"] == "hold_orders").all()
    # below what is owed only with an action; in default always hold orders at 0
    below = graded & (got["limit_proposed"] < frame["open_balance"])
    assert got.loc[below, "action"].isin(["hold_orders", "repayment_plan"]).all()
    default = graded & frame["in_default_at_as_of"]
    assert (got.loc[default, "limit_proposed"] == 0).all()
    assert got["action"].dropna().isin(LIMIT_ACTIONS).all()


def test_the_policy_is_data_a_committee_can_change(tmp_path, book):
    path = tmp_path / "policy.yaml"
    path.write_text("grace_days: 0\ngrade_factor: {A: 2.0}\n", encoding="utf-8")
    policy = load_limit_policy(path)
    assert policy["grace_days"] == 0 and policy["grade_factor"]["A"] == 2.0
    assert policy["grade_factor"]["BBB"] == DEFAULT_LIMIT_POLICY["grade_factor"]["BBB"]
    # C1: 1,000 a day x 60 days x 2.0 = 120,000
    assert propose_limits(book, policy=policy).loc["C1", "limit_proposed"] == 120_000.0


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"grace": 10}, r"limit_policy keys must be among .*; got \['grace'\]"),
        ({"grace_days": -1}, r"policy\['grace_days'\] must be a number >= 0; got -1"),
        ({"rounding_unit": 0}, r"policy\['rounding_unit'\] must be > 0; got 0"),
        ({"grade_factor": {"AAA": -1}}, r"policy\['grade_factor'\] values must be >= 0"),
        ({"in_arrears": {"A": "forgive"}}, r"policy\['in_arrears'\] values must be in .*'forgive'"),
        (
            {"size_by_revenue": [[1.0, "huge"]]},
            r"sizes must be keys of cap_by_size; got \['huge'\]",
        ),
        ("missing.yaml", r"limit policy missing.yaml: cannot be read"),
        (3, r"limit_policy must be a mapping or a YAML file; got 3"),
    ],
    ids=["key", "grace", "unit", "factor", "action", "size", "file", "type"],
)
def test_a_bad_policy_is_refused(source, message):
    with pytest.raises(ConfigError, match=message):
        load_limit_policy(source)


def test_bad_frames_are_refused():
    frame = pd.DataFrame({"grade": ["Z"], "size_cn": ["small"], "revenue_12m": [1.0]})
    with pytest.raises(ConfigError, match=r"grade values must be keys of the policy .*'Z'"):
        propose_limits(frame)
    with pytest.raises(ConfigError, match=r"grade and revenue columns; missing \['revenue_12m'\]"):
        propose_limits(frame.drop(columns="revenue_12m"))


def test_policy_tables_show_the_default_policy():
    grades = policy_by_grade()
    assert grades.loc["AAA", "grade_factor"] == 1.5 and grades.loc["D", "grade_factor"] == 0.0
    assert grades.loc["B", "limit_action"] == "repayment_plan"
    sizes = policy_by_size()
    assert sizes.loc["large", "cap"] == 50e6 and sizes.loc["medium", "revenue_from"] == 20e6
    assert np.isnan(sizes.loc["unknown", "revenue_from"])


def test_limit_impact_by_hand(book):
    limits = propose_limits(book)
    scored = book.assign(limit_proposed=limits["limit_proposed"], limit_action=limits["action"],
                         size_basis=limits["size_basis"])  # fmt: skip
    got = limit_impact(scored)
    expected = pd.Series(
        {
            "rated": 7, "with_limit": 6, "cuts": 2, "cut_amount": 170_000.0, "increases": 1,
            "increase_amount": 150_000.0, "new_limits": 1, "above_exposure": 3,
            "above_exposure_amount": 10_000.0 + 70_000.0 + 40_000.0, "raised_to_exposure": 1,
            "no_increase": 0, "repayment_plan": 1, "hold_orders": 2, "size_from_revenue": 1,
        },
        dtype=object,
        name="impact",
    )  # fmt: skip
    assert_series_equal(got, expected)


def test_advice_and_reasons_quote_the_decision(book):
    limits = propose_limits(book)
    scored = book.join(limits[["limit_proposed", "limit_change", "standing", "over_limit"]])
    scored["limit_action"] = limits["action"]
    advice = limit_advice(scored)
    assert advice.tolist()[:6] == ["keep", "increase", "hold_orders", "repayment_plan",
                                   "hold_orders", "new_limit"]  # fmt: skip
    assert advice.iloc[6] is None
    reasons = limit_reasons(scored, "en", "CNY")
    assert reasons["C1"] == (
        "Sales of CNY 1.0k a day × (60 days' terms + 30 days' grace) × the factor of grade A: "
        "CNY 100.0k."
    )
    assert reasons["C2"].startswith("Nothing overdue, and it owes more than the formula gives")
    assert reasons["C3"].startswith("Owes CNY 30.0k, above its limit of CNY 20.0k")
    assert reasons["C5"].startswith("In default")
    assert reasons["C7"] == ""
    zh = limit_reasons(scored, "zh", "CNY")
    assert zh["C4"].startswith("欠款 8.0万元") or "还款计划" in zh["C4"]


def test_exposure_against_limits_by_hand(book):
    scored = book.assign(group_id=["G", "G", "C3", "C4", "C5", "G", "C7"])
    summary = exposure_summary(scored)
    # over their limits on file: C2 by 150,000, C3 by 10,000 and C7 (owes 5 against 1) by 4
    assert summary["over_limit"] == 3 and summary["over_limit_amount"] == 160_004.0
    assert summary["no_limit"] == 1 and summary["no_limit_amount"] == 100_000.0
    groups = group_exposure(scored)
    assert groups.index.tolist() == ["G"]
    assert (
        groups.loc["G", "exposure"] == 350_000.0 and groups.loc["G", "limits_on_file"] == 150_000.0
    )
    assert groups.loc["G", "over_limit"] == 200_000.0 and summary["groups_over_limit"] == 1
    limits = propose_limits(scored)
    decisions = limit_decisions(scored.assign(limit_change=limits["limit_change"]), n=2)
    assert decisions["decision"].tolist() == ["over_limit", "over_limit", "no_limit", "cut", "cut"]
    assert decisions.index.tolist() == ["C2", "C3", "C6", "C4", "C5"]


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


def test_months_over_limit_counts_the_run_back_from_the_date(tmp_path):
    import segkit
    from segkit.credit.exposure import months_over_limit

    folder = tmp_path / "l"
    folder.mkdir()
    pd.DataFrame({"customer_id": ["A", "B"], "name": ["a", "b"]}).to_csv(
        folder / "customers.csv", index=False
    )
    pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3"],
            "customer_id": ["A", "A", "B"],
            "invoice_date": ["2025-09-15", "2025-11-15", "2025-10-01"],
            "due_date": ["2025-10-15", "2025-12-15", "2025-10-31"],
            "amount": [100.0, 100.0, 500.0],
        }
    ).to_csv(folder / "invoices.csv", index=False)
    pd.DataFrame(
        {
            "payment_id": ["P1"],
            "customer_id": ["B"],
            "invoice_id": ["I3"],
            "payment_date": ["2025-11-20"],
            "amount": [500.0],
        }  # fmt: skip
    ).to_csv(folder / "payments.csv", index=False)
    ledger = segkit.read_ledger(folder)
    limits = pd.Series({"A": 150.0, "B": 100.0, "C": np.nan})
    got = months_over_limit(ledger, "2025-12-31", limits, months=3)
    # A owes 100 at the September and October month-ends, 200 from November: over 150 at
    # 2025-11-30 and 2025-12-31; B owed 500 only at 2025-10-31, within nothing today
    assert got.to_dict() == {"A": 2, "B": 0, "C": 0}


def test_one_day_past_due_reads_in_the_singular():
    from segkit.credit.collections import reason

    row = pd.Series({"open_days_past_due": 1.0, "open_balance": 100.0, "overdue_balance": 10.0})
    assert reason(row, "en") == "1 day past due"
    two = row.copy()
    two["open_days_past_due"] = 2.0
    assert reason(two, "en") == "2 days past due"
    assert reason(row, "zh") == "逾期1天"
