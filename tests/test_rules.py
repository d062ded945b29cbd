"""Tests for segkit.classes.rules.apply: YAML rules, reason codes and the points score."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from segkit.classes.rules.apply import NO_MATCH, RuleSet, load_rules
from segkit.exceptions import ConfigError

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "rules.yaml"
IDX = pd.Index(["C1", "C2", "C3", "C4", "C5", "C6"], name="customer_id")
NAN = np.nan
ELSE = "everyone else"


@pytest.fixture
def features():
    return pd.DataFrame(
        {
            "revenue_12m": [2_000_000.0, 1_500_000.0, 50_000.0, NAN, 300_000.0, 800_000.0],
            "avg_days_late": [2.0, 25.0, 0.0, NAN, 12.0, 5.0],
            "aging_90_plus": [0.0, 0.0, 500.0, 0.0, NAN, 0.0],
            "size_cn": ["large", "medium", "small", NAN, "micro", "medium"],
            "invoices_12m": [20.0, 8.0, 2.0, NAN, 4.0, 12.0],
        },
        index=IDX,
    )


def cond(feature, op, value=None):
    out = {"feature": feature, "op": op}
    if value is not None:
        out["value"] = value
    return out


def rule(rid, label, when=None, when_any=None, reason=None, default=False):
    out = {"id": rid, "class": label}
    for key, val in (("when", when), ("when_any", when_any), ("reason", reason)):
        if val is not None:
            out[key] = val
    if default:
        out["default"] = True
    return out


DEFAULT = rule("R99", "standard", default=True)
BIG = rule("R01", "key", [cond("revenue_12m", ">=", 1_000_000)], reason="big")


def expected(classes, ids, reasons, index=IDX):
    return pd.DataFrame(
        {
            "rule_class": pd.Series(classes, index=index, dtype=object),
            "rule_id": pd.Series(ids, index=index, dtype=object),
            "rule_reason": pd.Series(reasons, index=index, dtype=object),
        }
    )


# ---------------------------------------------------------------- applying rules


def test_first_match_wins_in_file_order(features):
    punctual = rule("R02", "punctual", [cond("avg_days_late", "<=", 5)], reason="on time")
    got = load_rules({"rules": [BIG, punctual, DEFAULT]}).apply(features)
    want = expected(
        ["key", "key", "punctual", "standard", "standard", "punctual"],
        ["R01", "R01", "R02", "R99", "R99", "R02"],
        ["big", "big", "on time", ELSE, ELSE, "on time"],
    )
    assert_frame_equal(got, want)
    swapped = load_rules({"rules": [punctual, BIG, DEFAULT]}).apply(features)
    assert swapped["rule_id"].tolist() == ["R02", "R01", "R02", "R99", "R99", "R02"]


def test_and_or_conditions_with_reason_from_conditions(features):
    both = rule(
        "A", "both", [cond("revenue_12m", ">=", 1_000_000), cond("avg_days_late", "<=", 10)]
    )
    either = rule(
        "O", "either", when_any=[cond("aging_90_plus", ">", 0), cond("size_cn", "==", "micro")]
    )
    got = load_rules({"rules": [both, either, DEFAULT]}).apply(features)
    and_text = "revenue_12m >= 1000000 and avg_days_late <= 10"
    or_text = "aging_90_plus > 0 or size_cn == micro"
    want = expected(
        ["both", "standard", "either", "standard", "either", "standard"],
        ["A", "R99", "O", "R99", "O", "R99"],
        [and_text, ELSE, or_text, ELSE, or_text, ELSE],
    )
    assert_frame_equal(got, want)


OPERATOR_CASES = [
    ("revenue_12m", ">=", 1_500_000, [1, 1, 0, 0, 0, 0]),
    ("revenue_12m", ">", 1_500_000, [1, 0, 0, 0, 0, 0]),
    ("revenue_12m", "<", 300_000, [0, 0, 1, 0, 0, 0]),
    ("revenue_12m", "<=", 300_000, [0, 0, 1, 0, 1, 0]),
    ("size_cn", "==", "medium", [0, 1, 0, 0, 0, 1]),
    ("size_cn", "!=", "medium", [1, 0, 1, 0, 1, 0]),
    ("size_cn", "in", ["large", "micro"], [1, 0, 0, 0, 1, 0]),
    ("size_cn", "not in", ["large", "micro"], [0, 1, 1, 0, 0, 1]),
    ("revenue_12m", "between", [300_000, 1_500_000], [0, 0, 0, 0, 1, 1]),
    ("revenue_12m", "is null", None, [0, 0, 0, 1, 0, 0]),
    ("revenue_12m", "not null", None, [1, 1, 1, 0, 1, 1]),
]


@pytest.mark.parametrize(
    ("feature", "op", "value", "hits"),
    OPERATOR_CASES,
    ids=[f"{c[1]} {c[0]}" for c in OPERATOR_CASES],
)
def test_every_operator_and_missing_values_are_false(features, feature, op, value, hits):
    rules = load_rules({"rules": [rule("T", "hit", [cond(feature, op, value)]), DEFAULT]})
    got = rules.apply(features)["rule_id"].tolist()
    assert got == ["T" if h else "R99" for h in hits]


def test_date_comparison_on_a_datetime_column():
    frame = pd.DataFrame(
        {"last_invoice": pd.to_datetime(["2024-01-31", "2025-03-01", None])}, index=IDX[:3]
    )
    recent = rule("D", "recent", [cond("last_invoice", ">=", dt.date(2025, 1, 1))])
    got = load_rules({"rules": [recent, DEFAULT]}).apply(frame)
    assert got["rule_id"].tolist() == ["R99", "D", "R99"]


def test_no_default_warns_and_marks_no_match(features):
    rules = load_rules({"rules": [BIG]})
    with pytest.warns(UserWarning, match="4 of 6 customers matched no rule"):
        got = rules.apply(features)
    nm = "no rule matched"
    want = expected(
        ["key", "key", NAN, NAN, NAN, NAN],
        ["R01", "R01", NO_MATCH, NO_MATCH, NO_MATCH, NO_MATCH],
        ["big", "big", nm, nm, nm, nm],
    )
    assert_frame_equal(got, want)


def test_custom_output_column_and_input_not_modified(features):
    before = features.copy()
    got = load_rules({"output": "policy", "rules": [BIG, DEFAULT]}).apply(features)
    assert got.columns.tolist() == ["policy", "rule_id", "rule_reason"]
    assert_frame_equal(features, before)


# ---------------------------------------------------------------- the points score

SCORE = {
    "points": [
        {
            "id": "P1",
            "feature": "invoices_12m",
            "ranges": [
                {"min": 0, "max": 4, "points": 0},
                {"min": 4, "max": 12, "points": 10},
                {"min": 12, "points": 20},
            ],
        },
        {
            "id": "P2",
            "feature": "size_cn",
            "values": {"large": 20, "medium": 10, "small": 5, "micro": 0},
            "missing": 2,
        },
        {"id": "P3", "feature": "avg_days_late", "ranges": [{"max": 10, "points": 5}]},
    ],
    "classes": [
        {"class": "gold", "min": 30},
        {"class": "silver", "min": 15, "max": 30},
        {"class": "bronze", "max": 15},
    ],
}


def test_score_points_classes_and_detail(features):
    with pytest.warns(UserWarning, match=r"P3 \(avg_days_late\): 2 values are out_of_range"):
        got = load_rules({"rules": [DEFAULT], "score": SCORE}).apply(features)
    want = pd.DataFrame(
        {
            "score": [45.0, 20.0, 10.0, 2.0, 10.0, 35.0],
            "score_class": ["gold", "silver", "bronze", "bronze", "bronze", "gold"],
            "score_detail": [
                "P1=20;P2=20;P3=5",
                "P1=10;P2=10;P3=out_of_range",
                "P1=0;P2=5;P3=5",
                "P1=missing;P2=2;P3=missing",
                "P1=10;P2=0;P3=out_of_range",
                "P1=20;P2=10;P3=5",
            ],
        },
        index=IDX,
    )
    assert_frame_equal(got[["score", "score_class", "score_detail"]], want)


def test_score_only_file_and_unlisted_category(features):
    score = {"points": [{"id": "S", "feature": "size_cn", "values": {"large": 1}}]}
    score["classes"] = [{"class": "low", "max": 1}, {"class": "high", "min": 1}]
    with pytest.warns(UserWarning, match="S \\(size_cn\\): 4 values are unlisted"):
        got = load_rules({"score": score}).apply(features)
    assert got.columns.tolist() == ["score", "score_class", "score_detail"]
    assert got["score_detail"].tolist() == [
        "S=1",
        "S=unlisted",
        "S=unlisted",
        "S=missing",
        "S=unlisted",
        "S=unlisted",
    ]


# ---------------------------------------------------------------- validation


def bad_rules(*rules, score=None):
    raw = {"rules": list(rules)}
    if score:
        raw["score"] = score
    return raw


BAD_FILES = [
    pytest.param(
        bad_rules(rule("R1", "x", [cond("revenue_12m", "=>", 1)]), DEFAULT),
        r"rule R1, condition 1: unknown operator '=>'",
        id="unknown-op",
    ),
    pytest.param(
        bad_rules(rule("R1", "x", [cond("revenue_12m", ">=", "1e6")]), DEFAULT),
        r"rule R1, condition 1: revenue_12m >=: value must be a number or a date; got '1e6'",
        id="string-for-ge",
    ),
    pytest.param(
        bad_rules(rule("R1", "x", [cond("size_cn", "in", "large")]), DEFAULT),
        r"rule R1, condition 1: size_cn in: value must be a non-empty list",
        id="in-needs-list",
    ),
    pytest.param(
        bad_rules(rule("R1", "x", [cond("revenue_12m", "between", [5, 1])]), DEFAULT),
        r"value must be \[low, high\], low < high; got \[5, 1\]",
        id="between-order",
    ),
    pytest.param(
        bad_rules(rule("R1", "x", [cond("revenue_12m", "is null", 0)]), DEFAULT),
        r"revenue_12m is null: takes no value",
        id="null-takes-no-value",
    ),
    pytest.param(
        bad_rules({"class": "x", "when": [cond("revenue_12m", ">", 0)]}, DEFAULT),
        r"rule #1: missing id",
        id="missing-id",
    ),
    pytest.param(
        bad_rules(BIG, BIG, DEFAULT), r"rule R01: duplicate id \(rule #2\)", id="duplicate-id"
    ),
    pytest.param(
        bad_rules(DEFAULT, BIG),
        r"rule R99: default rule must be last; never reached: \['R01'\]",
        id="default-not-last",
    ),
    pytest.param(
        bad_rules(BIG, DEFAULT, rule("R98", "y", default=True)),
        r"more than one default rule: \['R99', 'R98'\]",
        id="two-defaults",
    ),
    pytest.param(
        bad_rules(BIG, rule("R02", "again", [cond("revenue_12m", ">=", 1_000_000)])),
        r"rule R02: can never match: earlier rule\(s\) \['R01'\]",
        id="identical-rule",
    ),
    pytest.param(
        bad_rules(
            BIG,
            rule("R02", "sub", [cond("size_cn", "==", "large"), cond("revenue_12m", ">=", 1e6)]),
        ),
        r"rule R02: can never match: earlier rule\(s\) \['R01'\]",
        id="superset-rule",
    ),
    pytest.param(
        bad_rules(
            BIG,
            rule("R02", "late", [cond("avg_days_late", ">", 30)]),
            rule(
                "R03",
                "any",
                when_any=[cond("revenue_12m", ">=", 1_000_000), cond("avg_days_late", ">", 30)],
            ),
        ),
        r"rule R03: can never match: earlier rule\(s\) \['R01', 'R02'\]",
        id="or-covered-by-earlier-rules",
    ),
    pytest.param(
        bad_rules(rule("R1", "x", [cond("revenue_12m", ">", 0)], when_any=[]), DEFAULT),
        r"rule R1: needs exactly one of when, when_any, default: true",
        id="when-and-when-any",
    ),
    pytest.param(
        bad_rules(rule("R1", "x", []), DEFAULT),
        r"rule R1: when must be a non-empty list",
        id="empty-when",
    ),
]


@pytest.mark.parametrize(
    ("raw", "message"),
    BAD_FILES,
)
def test_invalid_rules_are_rejected(raw, message):
    with pytest.raises(ConfigError, match=message):
        load_rules(raw)


def score_with(points=None, classes=None):
    points = points or [{"id": "P1", "feature": "invoices_12m", "ranges": [{"points": 1}]}]
    classes = classes or [{"class": "all"}]
    return {"points": points, "classes": classes}


def ranges(*bands):
    return [{"id": "P1", "feature": "invoices_12m", "ranges": list(bands)}]


BAD_SCORES = [
    pytest.param(
        score_with(classes=[{"class": "gold", "min": 25}, {"class": "silver", "max": 30}]),
        r"score classes: overlap: 'silver' \[-inf, 30\) and 'gold' \[25, inf\)",
        id="class-overlap",
    ),
    pytest.param(
        score_with(classes=[{"class": "gold", "min": 30}, {"class": "bronze", "max": 15}]),
        r"score classes: gap from 15 to 30 between 'bronze' \[-inf, 15\) and 'gold' \[30, inf\)",
        id="class-gap",
    ),
    pytest.param(
        score_with(classes=[{"class": "gold", "min": 30}, {"class": "low", "min": 0, "max": 30}]),
        r"score classes: nothing covers scores below 0",
        id="class-low-end",
    ),
    pytest.param(
        score_with(classes=[{"class": "gold", "max": 30}]),
        r"score classes: nothing covers scores from 30",
        id="class-high-end",
    ),
    pytest.param(
        score_with(ranges({"min": 0, "max": 5, "points": 0}, {"min": 4, "points": 10})),
        r"points P1 ranges: overlap: \[0, 5\) and \[4, inf\)",
        id="points-overlap",
    ),
    pytest.param(
        score_with(ranges({"max": 4, "points": 0}, {"min": 6, "points": 10})),
        r"points P1 ranges: gap from 4 to 6 between \[-inf, 4\) and \[6, inf\)",
        id="points-gap",
    ),
    pytest.param(
        score_with(ranges({"max": 4, "points": "ten"}, {"min": 4, "points": 10})),
        r"points P1 ranges: range #1: points must be a number; got 'ten'",
        id="points-not-number",
    ),
    pytest.param(
        score_with([{"id": "P1", "feature": "size_cn", "values": {"large": "high"}}]),
        r"points P1: points for 'large' must be a number; got 'high'",
        id="value-points-not-number",
    ),
    pytest.param(
        score_with(ranges({"min": 5, "max": 5, "points": 1})),
        r"points P1 ranges: range #1 has invalid bounds: min 5 >= max 5",
        id="empty-range",
    ),
]


@pytest.mark.parametrize(
    ("score", "message"),
    BAD_SCORES,
)
def test_invalid_scores_are_rejected(score, message):
    with pytest.raises(ConfigError, match=message):
        load_rules(bad_rules(DEFAULT, score=score))


def test_unknown_feature_in_file_names_file_rule_and_closest_column(tmp_path, features):
    path = tmp_path / "policy.yaml"
    path.write_text(
        "rules:\n"
        "  - id: R01\n"
        "    class: key\n"
        "    when:\n"
        "      - {feature: revenue12m, op: '>=', value: 1000000}\n"
        "  - {id: R99, class: standard, default: true}\n",
        encoding="utf-8",
    )
    message = r"(?s)policy\.yaml: 1 problem.*rule R01, condition 1: unknown feature 'revenue12m'; "
    with pytest.raises(ConfigError, match=message + r"did you mean 'revenue_12m'\?"):
        load_rules(path, features=features)
    with pytest.raises(ConfigError, match=r"did you mean 'revenue_12m'\?"):
        RuleSet.from_yaml(path, features=list(features.columns))
    assert load_rules(path).rules["id"].tolist() == ["R01", "R99"]


def test_every_problem_reported_at_once():
    raw = bad_rules(
        rule("R1", "x", [cond("revenue", ">", "a")]),
        rule("R1", "y", [cond("revenue_12m", "~", 1)]),
        score=score_with(classes=[{"class": "a", "max": 1}, {"class": "b", "min": 2}]),
    )
    with pytest.raises(ConfigError, match=r"<dict>: 5 problem\(s\)") as err:
        load_rules(raw, features=["revenue_12m", "invoices_12m"])
    text = str(err.value)
    for part in (
        "unknown feature 'revenue'",
        "value must be a number",
        "duplicate id",
        "unknown operator '~'",
        "gap from 1 to 2",
    ):
        assert part in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("- just\n- a list\n", "top level must be a mapping; got list", id="list"),
        pytest.param("a: [1\n", "not valid YAML", id="broken-yaml"),
    ],
)
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_rules(path)


def test_missing_file():
    with pytest.raises(ConfigError, match=r"rules file 'no/such\.yaml' does not exist"):
        load_rules("no/such.yaml")


def test_apply_checks_columns_and_dtypes(features):
    rules = load_rules({"rules": [BIG, DEFAULT]})
    with pytest.raises(ConfigError, match=r"lack columns \['revenue_12m'\]; did you mean"):
        rules.apply(features.rename(columns={"revenue_12m": "revenue_12"}))
    text = features.assign(revenue_12m=features["revenue_12m"].astype(str))
    with pytest.raises(ConfigError, match=r"rule R01: 'revenue_12m >= 1000000' needs a numeric"):
        rules.apply(text)


# ---------------------------------------------------------------- listing and the example


def test_rules_table():
    rules = load_rules({"name": "p", "rules": [BIG, DEFAULT]})
    want = pd.DataFrame(
        {
            "order": [1, 2],
            "id": ["R01", "R99"],
            "class": ["key", "standard"],
            "match": ["all", "default"],
            "conditions": ["revenue_12m >= 1000000", ELSE],
            "reason": ["big", None],
        }
    )
    assert_frame_equal(rules.rules, want)
    assert rules.name == "p"


def test_example_file_loads_and_applies():
    frame = pd.DataFrame(
        {
            "revenue_12m": [2e6, 5e5, NAN, 1e5],
            "avg_days_late": [3.0, 40.0, NAN, 2.0],
            "aging_90_plus": [0.0, 100.0, 0.0, 0.0],
            "share_paid_late": [0.1, 0.9, NAN, 0.0],
            "recency_days": [10.0, 20.0, NAN, 30.0],
            "size_cn": ["large", "small", None, "medium"],
            "growth_12m": [0.1, 0.1, NAN, 0.5],
            "industry_section": ["C", "C", "F", "F"],
            "invoices_12m": [20.0, 5.0, 0.0, 3.0],
        },
        index=IDX[:4],
    )
    rules = load_rules(EXAMPLE, features=frame)
    want = expected(
        ["key account", "watch", "dormant", "growth"],
        ["R01", "R02", "R03", "R04"],
        [
            "large and pays on time",
            "debt more than 90 days past due, or mostly late payer",
            "no invoice for a year",
            "mid-sized, growing, in manufacturing or wholesale/retail",
        ],
        index=IDX[:4],
    )
    want["score"] = [55.0, 5.0, 0.0, 25.0]
    want["score_class"] = ["gold", "bronze", "bronze", "silver"]
    want["score_detail"] = [
        "P1=20;P2=20;P3=15",
        "P1=10;P2=5;P3=-10",
        "P1=0;P2=0;P3=missing",
        "P1=0;P2=10;P3=15",
    ]
    assert_frame_equal(rules.apply(frame), want)


def test_points_ranges_need_a_numeric_column(features):
    score = {"points": [{"id": "P9", "feature": "size_cn", "ranges": [{"points": 1}]}]}
    score["classes"] = [{"class": "all"}]
    rules = load_rules({"score": score})
    with pytest.raises(
        ConfigError, match="points P9: ranges needs a numeric column; column 'size_cn'"
    ):
        rules.apply(features)
