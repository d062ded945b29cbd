"""The growth-potential class in the classification table, its labels and its config section."""

from __future__ import annotations

import pandas as pd
import pytest

import segkit
from segkit.exceptions import ConfigError
from segkit.growth import GROWTH_OUTPUT, growth_potential


@pytest.fixture(scope="module")
def ledger():
    return segkit.read_ledger("data/sample")


@pytest.fixture(scope="module")
def classified(ledger):
    return segkit.classify(ledger, "2025-06-30", config={"credit": False}, lang="zh")


def test_classify_carries_the_growth_columns_of_growth_potential(ledger, classified):
    assert [c for c in classified.columns if c in GROWTH_OUTPUT] == list(GROWTH_OUTPUT)
    direct = growth_potential(ledger, "2025-06-30", lang="zh")
    pd.testing.assert_series_equal(classified["growth_class"], direct["growth_class"])
    pd.testing.assert_series_equal(classified["growth_reason"], direct["growth_reason"])
    assert (
        classified["growth_reason"]
        .str.contains("上四分位|活跃概率|预计购买|无购买记录|无增长基础")
        .all()
    )


def test_with_labels_translates_the_growth_class(classified):
    english = segkit.with_labels(classified, "en")["growth_class"]
    chinese = segkit.with_labels(classified, "zh")["growth_class"]
    high = classified["growth_class"] == "high"
    assert (english[high] == "High growth potential").all() and (
        chinese[high] == "高增长潜力"
    ).all()
    assert english[classified["growth_class"].isna()].isna().all()


def test_growth_section_can_be_turned_off_or_tuned(ledger):
    off = segkit.classify(ledger, "2025-06-30", config={"credit": False, "growth": False})
    assert not set(GROWTH_OUTPUT) & set(off.columns)
    strict = segkit.classify(
        ledger,
        "2025-06-30",
        config={
            "credit": False,
            "clusters": False,
            "growth": {"thresholds": {"churn_below": 0.99}},
        },
    )
    default = growth_potential(ledger, "2025-06-30")
    assert (strict["growth_class"] == "churn_risk").sum() > (
        default["growth_class"] == "churn_risk"
    ).sum()


def test_unknown_growth_keys_are_refused(ledger):
    with pytest.raises(ConfigError, match=r"section 'growth' has unknown key\(s\) \['horizon'\]"):
        segkit.classify(ledger, "2025-06-30", config={"growth": {"horizon": 6}})


def test_classify_says_when_a_growth_model_was_withheld():
    folder = "tests/fixtures/exports/regular_buyers"
    ledger = segkit.read_ledger(folder, mapping=f"{folder}/mapping.yaml")
    classified = segkit.classify(ledger, "2025-12-31", config={"credit": False})
    notes = [n for n in classified.attrs["notes"] if n.startswith("growth:")]
    assert len(notes) == 1 and "buy regularly and hardly any has stopped" in notes[0]
    assert classified["p_alive"].isna().all()  # the recent rate has no dropout
