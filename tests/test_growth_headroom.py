"""Headroom against industry x size peers, the growth-potential class and its reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import segkit
from segkit.exceptions import ConfigError, SchemaError
from segkit.growth import GROWTH_CLASSES, growth_class, growth_labels, growth_potential, headroom


@pytest.fixture
def features() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "industry_section": ["C", "C", "C", "C", "C", "C", "F", "F", None],
            "size_cn": [
                "small",
                "small",
                "small",
                "small",
                "small",
                "unknown",
                "medium",
                "medium",
                None,
            ],
            "scale_band": ["<1m"] * 5 + ["1m-10m", "<1m", "<1m", "unknown"],
            "revenue_12m": [100.0, 200.0, 300.0, 400.0, 0.0, 50.0, 1000.0, 3000.0, 10.0],
            "employees": [10.0, 10.0, 20.0, 40.0, 5.0, np.nan, 100.0, 100.0, 1.0],
        },
        index=pd.Index([f"K{i}" for i in range(1, 10)], name="customer_id"),
    )


def test_headroom_by_hand(features):
    before = features.copy()
    got = headroom(features, min_peers=3)
    # C / small: buying peers 100, 200, 300, 400 (K5 bought nothing: not a peer) -> median 250,
    # upper quartile 325.  K6 (size unknown, scale 1m-10m) is alone in "C / scale 1m-10m", so
    # it falls back to section C: 100, 200, 300, 400, 50 -> median 200, quartile 300.  F has
    # two buyers, fewer than 3, and so has the unknown section: both fall back to all 8 buyers.
    everyone = pd.Series([100.0, 200, 300, 400, 50, 1000, 3000, 10])
    all_q3 = everyone.quantile(0.75)
    expected = pd.DataFrame(
        {
            "section": ["C"] * 6 + ["F", "F", "unknown"],
            "size_class": ["small"] * 5 + ["scale 1m-10m", "medium", "medium", "unknown"],
            "peer_group": ["C / small"] * 5 + ["C", "all", "all", "all"],
            "n_peers": [4] * 5 + [5, 8, 8, 8],
            "peer_median": [250.0] * 5 + [200.0] + [everyone.median()] * 3,
            "peer_q3": [325.0] * 5 + [300.0] + [all_q3] * 3,
        },
        index=features.index,
    )
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)
    gap = (got["peer_q3"] - features["revenue_12m"]).clip(lower=0)
    pd.testing.assert_series_equal(got["headroom"], gap, check_names=False)
    assert got.loc["K1", "headroom_share"] == pytest.approx(225 / 325)
    assert got.loc["K4", "headroom"] == 0.0 and got.loc["K8", "headroom"] == 0.0
    pd.testing.assert_frame_equal(features, before)


def test_headroom_per_employee(features):
    got = headroom(features, min_peers=3, per_employee=True)
    # C / small revenue per employee: 10, 20, 15, 10 -> upper quartile 16.25
    assert got.loc["K1", "peer_q3_per_employee"] == pytest.approx(16.25)
    assert got.loc["K1", "headroom_per_employee"] == pytest.approx(16.25 * 10 - 100)
    assert got.loc["K2", "headroom_per_employee"] == 0.0
    assert np.isnan(got.loc["K6", "headroom_per_employee"])  # employees unknown


def test_absent_peer_columns_are_unknown_and_noted(features):
    got = headroom(features[["revenue_12m"]], min_peers=3)
    assert set(got["peer_group"]) == {"unknown / unknown"}
    assert got.attrs["notes"] == [
        "no industry_section column: every customer's industry is unknown",
        "no size_cn column: every customer's size class is unknown",
    ]


@pytest.mark.parametrize(
    ("frame_columns", "kwargs", "error", "match"),
    [
        (["industry_section"], {}, SchemaError, r"lack the columns \['revenue_12m'\]"),
        (None, {"min_peers": 0}, ConfigError, "min_peers must be an int >= 1; got 0"),
        (["revenue_12m"], {"per_employee": True}, SchemaError, r"lack the columns \['employees'\]"),
    ],
    ids=["revenue", "min_peers", "employees"],
)
def test_headroom_errors(features, frame_columns, kwargs, error, match):
    frame = features if frame_columns is None else features[frame_columns]
    with pytest.raises(error, match=match):
        headroom(frame, **kwargs)


@pytest.fixture
def scored() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "p_alive": [np.nan, 0.3, 0.9, 0.95, 0.9, 0.99],
            "expected_purchases": [np.nan, 2.0, 0.4, 6.0, 6.0, 6.0],
            "clv": [np.nan, 100.0, 50.0, 1200.0, 900.0, 4000.0],
            "revenue_12m": [0.0, 500.0, 100.0, 200.0, 700.0, 1500.0],
            "peer_q3": [1000.0] * 6,
            "headroom": [1000.0, 500.0, 900.0, 800.0, 300.0, 0.0],
            "headroom_share": [1.0, 0.5, 0.9, 0.8, 0.3, 0.0],
            "peer_group": ["C / small"] * 6,
        },
        index=["new", "lapsing", "rare", "room", "some", "top"],
    )


def test_growth_class_rules(scored):
    got = growth_class(scored)
    assert got["growth_class"].tolist() == [None, "churn_risk", "low", "high", "medium", "low"]
    assert got["growth_reason_code"].tolist() == [
        "no_purchase",
        "churn",
        "few_purchases",
        "room",
        "room",
        "room",
    ]
    stricter = growth_class(scored, {"high_share": 0.85, "churn_below": 0.92})
    assert stricter["growth_class"].tolist() == [
        None,
        "churn_risk",
        "churn_risk",
        "medium",
        "churn_risk",
        "low",
    ]


def test_growth_labels_in_both_languages(scored):
    frame = scored.join(growth_class(scored))
    english, chinese = growth_labels(frame, "en"), growth_labels(frame, "zh")
    assert english.loc["room", "growth_label"] == "High growth potential"
    assert chinese.loc["room", "growth_label"] == "高增长潜力"
    assert chinese.loc["lapsing", "growth_label"] == "流失风险"
    assert english.loc["room", "growth_reason"] == (
        "buys 20% of the upper quartile of C / small peers; headroom 800, forecast 1,200 in 12 months"
    )
    assert english.loc["lapsing", "growth_reason"] == "probability still active 30% is below 50%"
    assert chinese.loc["rare", "growth_reason"] == "未来 12 个月预计购买 0.4 次（少于 1 次）"
    assert english.loc["top", "growth_reason"].startswith("buys 150% of the upper quartile")
    assert english.loc["new", "growth_label"] is None


@pytest.mark.parametrize(
    ("thresholds", "match"),
    [
        ({"churn": 0.4}, r"thresholds has unknown keys \['churn'\]"),
        ({"high_share": -1}, r"thresholds\['high_share'\] must be a number >= 0; got -1"),
        ({"medium_share": 0.6}, "medium_share must not exceed high_share"),
    ],
    ids=["unknown", "negative", "order"],
)
def test_threshold_errors(scored, thresholds, match):
    with pytest.raises(ConfigError, match=match):
        growth_class(scored, thresholds)


def test_growth_labels_reject_an_unknown_language(scored):
    with pytest.raises(ConfigError, match=r"lang must be one of \['en', 'zh'\]; got 'fr'"):
        growth_labels(scored.join(growth_class(scored)), "fr")


@pytest.fixture(scope="module")
def sample():
    ledger = segkit.read_ledger("data/sample")
    return ledger, segkit.customer_features(ledger, "2024-12-31")


def test_growth_potential_on_the_sample(sample):
    ledger, features = sample
    got = growth_potential(ledger, "2024-12-31", features)
    assert got.index.equals(features.index)
    assert set(got["growth_class"].dropna()) == set(GROWTH_CLASSES)
    assert got["growth_reason"].notna().all()
    never = got["frequency"].isna()
    assert (got.loc[never, "growth_reason_code"] == "no_purchase").all()
    assert got.loc[~never, "growth_class"].notna().all()
    assert got["p_alive"].dropna().between(0, 1).all()
    assert (got["clv"].dropna() >= 0).all() and (got["headroom"] >= 0).all()
    assert set(got.attrs["params"]) == {"bgnbd", "gamma_gamma"}


def test_growth_potential_reads_nothing_after_the_as_of_date(sample):
    ledger, features = sample
    cut = pd.Timestamp("2024-12-31").date()
    early = segkit.Ledger.from_tables(
        ledger.invoices.filter(ledger.invoices.invoice_date <= cut),
        ledger.customers,
        ledger.payments.filter(ledger.payments.payment_date <= cut),
        validate=False,
    )
    a = growth_potential(ledger, cut, features)
    b = growth_potential(early, cut, features)
    # spends are summed as exact decimals, so a parallel engine gives the same fit every run
    pd.testing.assert_frame_equal(a, b, check_exact=True)
