"""One risk notion: the segmentation study's risk tier is the credit study's grade."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import segkit
from segkit.studies import credit_risk
from segkit.studies import segmentation as study

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
AS_OF = "2025-12-31"


@pytest.fixture(scope="module")
def both():
    ledger = segkit.read_ledger(SAMPLE)
    features = segkit.customer_features(ledger, AS_OF)
    classes = study.classify(ledger, AS_OF, features, clusters=False)
    return classes, credit_risk.prepare(ledger, AS_OF)


def test_customers_the_credit_study_grades_ccc_or_worse_are_not_low_risk(both):
    classes, report = both
    worst = report.scored.index[report.scored["grade"].isin(["CCC", "CC", "D"])]
    assert len(worst) > 50
    assert not classes.loc[worst, "risk_tier"].eq("low").any()
    graded = report.scored["grade"].dropna()
    pd.testing.assert_series_equal(
        classes.loc[graded.index, "grade"].astype(str), graded.astype(str)
    )


def test_value_risk_counts_agree_between_the_studies(both):
    classes, report = both
    credit = report.classes()
    segmentation = classes.loc[credit.index, ["abc_tier", "risk_tier"]]
    pd.testing.assert_frame_equal(
        pd.crosstab(segmentation["abc_tier"], segmentation["risk_tier"]),
        pd.crosstab(credit["abc_tier"], credit["risk_tier"]),
    )
    valuable_high = credit["abc_tier"].isin(["A", "B"]) & credit["risk_tier"].eq("high")
    cc_or_worse = report.scored["grade"].isin(["CC", "D"]) & credit["abc_tier"].isin(["A", "B"])
    assert valuable_high.sum() >= cc_or_worse.sum()
    assert len(segkit.classes.valuable_but_risky(classes)) == valuable_high.sum()


def test_the_report_says_where_the_risk_tier_comes_from(both):
    classes, _ = both
    graded = int(classes["grade"].notna().sum())
    assert study.risk_basis(classes, "en").startswith("Risk here is the credit grade")
    assert f"{graded:,}" in study.risk_basis(classes, "en")
    payment_only = classes.drop(columns="grade")
    payment_only.attrs = {"params": {"risk_basis": "payment"}}
    assert "无法建立信用评分卡" in study.risk_basis(payment_only, "zh")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_scorecard_bins_read_as_words_without_brackets(both, lang):
    """Intervals in words, size classes by name, industry sections by letter: no "[a, b]"."""
    _, report = both
    report.lang = lang
    try:
        table = report.points_export()
        page = report.scorecard()[-1].data  # the page: each feature's safest and riskiest bin
    finally:
        report.lang = "en"
    shown = pd.concat([page["best_bin"], page["worst_bin"]]).astype(str)
    assert not shown.str.contains(r"[\[\]()]|inf").any()
    assert set(page["variable"]) == set(table["variable"]) and len(page) < len(table)
    bins = table["bin"].astype(str)
    assert not bins.str.contains(r"[\[\]()]|inf").any(), bins[bins.str.contains(r"[\[\]]")].tolist()
    joiner = "、" if lang == "zh" else ", "
    assert bins.str.contains(joiner, regex=False).any()
