"""Tests of payment-risk tiers and the value x risk views."""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from segkit.classes.value_risk import (
    RISK_ORDER,
    payment_risk_tier,
    risk_tier,
    valuable_but_risky,
    value_risk_matrix,
)
from segkit.exceptions import ConfigError
from segkit.text.labels import label

NAN = np.nan
PAYMENT_COLUMNS = ["aging_90_plus", "avg_days_late", "aging_31_60", "aging_61_90"]


def _index(n):
    return pd.Index([f"c{i}" for i in range(1, n + 1)], name="customer_id")


def _payments():
    rows = [
        (100.0, 0.0, 0.0, 0.0),  # c1 high: 90+ days
        (0.0, 31.0, 0.0, 0.0),  # c2 high: a month late on average
        (0.0, 30.0, 0.0, 0.0),  # c3 medium: 30 days is not above 30, but above 10
        (0.0, 10.0, 0.0, 0.0),  # c4 low: 10 days is not above 10
        (0.0, 0.0, 50.0, 0.0),  # c5 medium: 31-60 days past due
        (0.0, 2.0, 0.0, 5.0),  # c6 medium: 61-90 days past due
        (0.0, 2.0, 0.0, 0.0),  # c7 low
        (NAN, NAN, NAN, NAN),  # c8 unknown: no payment data
        (NAN, NAN, 0.0, NAN),  # c9 low: judged on what is known
        (10.0, NAN, NAN, NAN),  # c10 high
    ]
    return pd.DataFrame(rows, columns=PAYMENT_COLUMNS, index=_index(len(rows)))


def _risk(values):
    return pd.Series(values, index=_index(len(values)), name="risk_tier", dtype=object)


def test_payment_risk_tier_default_rules():
    features = _payments()
    before = features.copy()
    expected = _risk(
        ["high", "high", "medium", "low", "medium", "medium", "low", "unknown", "low", "high"]
    )
    assert_series_equal(payment_risk_tier(features), expected)
    assert_frame_equal(features, before)


def test_payment_risk_tier_single_customer_and_custom_rules():
    features = pd.DataFrame({"dso_days": [75.0], "disputed_share": [0.0]}, index=_index(1))
    rules = {"high": {"dso_days": 90}, "medium": {"dso_days": 60, "disputed_share": 0.1}}
    assert_series_equal(payment_risk_tier(features, rules=rules), _risk(["medium"]))
    assert_series_equal(
        payment_risk_tier(features, rules={"high": {"dso_days": 60}}), _risk(["high"])
    )


def test_payment_risk_tier_uses_credit_grade_when_present():
    features = _payments().iloc[:4].assign(grade=["AAA", None, "C", "BB"])
    grade_map = {"AAA": "low", "BB": "medium", "C": "high"}
    result = payment_risk_tier(features, grade_col="grade", grade_map=grade_map)
    assert_series_equal(result, _risk(["low", "high", "high", "medium"]))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"rules": {"severe": {"dso_days": 1}}},
            r"rules must be a dict with keys among 'high', 'medium'",
        ),
        (
            {"rules": {"high": {}}},
            r"rules\['high'\] must be a non-empty dict \{column: number\}; got \{\}",
        ),
        ({"rules": {"high": {"dso_days": "x"}}}, r"rules\['high'\] .* got \{'dso_days': 'x'\}"),
        (
            {"rules": {"high": {"dso": 1}}},
            r"column 'dso' \(parameter rules column 'dso'\) is not in",
        ),
        ({"grade_col": "grade"}, r"grade_map must be a non-empty dict grade -> tier; got None"),
        ({"grade_map": {"A": "low"}}, r"grade_map is only used with grade_col; got grade_col=None"),
        (
            {"grade_col": "grade", "grade_map": {"A": "safe"}},
            r"grade_map values must be 'low', 'medium' or 'high'; got \{'A': 'safe'\}",
        ),
        (
            {"grade_col": "grade", "grade_map": {"A": "low"}},
            r"grades in column 'grade' missing from grade_map; got \['B'\]",
        ),
    ],
    ids=["tier", "empty", "not-number", "column", "no-map", "no-column", "map-value", "unmapped"],
)
def test_payment_risk_tier_rejects_bad_parameters(kwargs, match):
    features = _payments().iloc[:2].assign(grade=["A", "B"])
    with pytest.raises(ConfigError, match=match):
        payment_risk_tier(features, **kwargs)


def _classified():
    return pd.DataFrame(
        {
            "abc_tier": ["A", "A", "B", "C", "B", "none"],
            "risk_tier": ["high", "low", "high", "high", "medium", "unknown"],
            "revenue_12m": [300.0, 500.0, 120.0, 30.0, 50.0, 0.0],
        },
        index=_index(6),
    )


def test_value_risk_matrix_counts_and_shares():
    frame = _classified()
    before = frame.copy()
    filled = {
        ("A", "low"): (1, 500.0),
        ("A", "high"): (1, 300.0),
        ("B", "medium"): (1, 50.0),
        ("B", "high"): (1, 120.0),
        ("C", "high"): (1, 30.0),
        ("none", "unknown"): (1, 0.0),
    }
    tiers, risks = ["A", "B", "C", "none"], ["low", "medium", "high", "unknown"]
    rows = [(t, r, *filled.get((t, r), (0, 0.0))) for t in tiers for r in risks]
    expected = pd.DataFrame(rows, columns=["abc_tier", "risk_tier", "customers", "revenue"])
    expected["revenue_share"] = expected["revenue"] / 1000.0
    assert_frame_equal(value_risk_matrix(frame), expected)
    assert_frame_equal(frame, before)


def test_valuable_but_risky_sorted_by_revenue():
    frame = _classified()
    frame.loc["c7"] = ["B", "high", 300.0]  # ties with c1: input order kept
    expected = frame.loc[["c1", "c7", "c3"]]
    assert_frame_equal(valuable_but_risky(frame), expected)
    assert valuable_but_risky(frame, tiers=("C",)).index.tolist() == ["c4"]
    with pytest.raises(ConfigError, match=r"column 'sales' \(parameter revenue_col\) is not in"):
        valuable_but_risky(frame, revenue_col="sales")


def test_every_risk_tier_has_both_labels():
    for code in RISK_ORDER:
        assert label(code, "en", "risk_tier") and label(code, "zh", "risk_tier")
    assert label("high", "zh") == "高风险"


def test_risk_tier_takes_the_grade_where_there_is_one_else_payment():
    frame = pd.DataFrame(
        {
            "grade": ["AAA", "CCC", None, None, "BB"],
            "aging_90_plus": [500.0, 0.0, 10.0, NAN, 0.0],
            "avg_days_late": [40.0, 0.0, 0.0, NAN, 0.0],
        },
        index=list("abcde"),
    )
    # a: graded AAA outranks its bad payment; b: CCC is high whatever it pays; c: no grade,
    # 90+ balance; d: no grade and no payment data (the medium-rule aging columns are absent)
    expected = pd.Series(["low", "high", "high", "unknown", "medium"], index=frame.index)
    assert_series_equal(risk_tier(frame), expected.rename("risk_tier"), check_dtype=False)
    no_scorecard = risk_tier(frame.drop(columns="grade"))
    assert no_scorecard.tolist() == ["high", "low", "high", "unknown", "low"]
    assert risk_tier(frame.assign(grade=None)).tolist() == no_scorecard.tolist()
    with pytest.raises(ConfigError, match=r"grades in column 'grade' missing from grade_map"):
        risk_tier(frame, grade_map={"AAA": "low"})
