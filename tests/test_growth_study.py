"""The value-and-growth section of the segmentation study, on hand-typed growth tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit import Ledger
from segkit.exceptions import ConfigError
from segkit.studies import segmentation as study


@pytest.fixture
def growth() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "section": ["C", "C", "C", "F", "F"],
            "size_class": ["small", "small", "small", "micro", "micro"],
            "peer_group": ["C / small"] * 3 + ["F"] * 2,
            "n_peers": [3, 3, 3, 9, 9],
            "peer_median": [200.0] * 3 + [50.0] * 2,
            "peer_q3": [400.0] * 3 + [80.0] * 2,
            "revenue_12m": [100.0, 350.0, 0.0, 20.0, 0.0],
            "clv": [300.0, 360.0, np.nan, 5.0, 40.0],
            "p_alive": [0.9, 0.95, np.nan, 0.2, 0.7],
            "expected_purchases": [4.0, 5.0, np.nan, 0.3, 2.0],
            "headroom": [300.0, 50.0, 400.0, 60.0, 80.0],
            "growth_class": ["high", "low", None, "churn_risk", "high"],
            "growth_reason": ["room a", "room b", "none", "churn", "room e"],
        },
        index=pd.Index(["K1", "K2", "K3", "K4", "K5"], name="customer_id"),
    )
    frame.attrs["horizon_months"] = 12
    return frame


def test_growth_summary_by_hand(growth):
    got = study.growth_summary(growth, "en")
    assert got.index.tolist() == [
        "High growth potential", "Medium growth potential", "Low growth potential",
        "Churn risk", "No basis to grow from", "No purchase yet",
    ]  # fmt: skip
    assert got["customers"].tolist() == [2, 0, 1, 1, 0, 1]
    assert got.loc["High growth potential", "clv"] == 340.0
    assert got.loc["High growth potential", "headroom"] == 380.0
    assert got.loc["High growth potential", "median_p_alive"] == pytest.approx(0.8)
    assert np.isnan(got.loc["Medium growth potential", "clv"])
    assert study.growth_summary(growth, "zh").index[0] == "高增长潜力"


def test_headroom_by_peers_most_headroom_first(growth):
    got = study.headroom_by_peers(growth, top_n=5)
    assert got[["section", "size_class"]].values.tolist() == [["C", "small"], ["F", "micro"]]
    assert got["headroom"].tolist() == [750.0, 140.0]
    assert got["customers"].tolist() == [3, 2]
    assert got["peer_q3"].tolist() == [400.0, 80.0]
    assert len(study.headroom_by_peers(growth, top_n=1)) == 1


def test_customers_to_grow_are_buyers_with_high_potential_and_most_headroom(growth):
    names = pd.Series({"K1": "<b>甲</b>", "K5": "戊"})
    got = study.customers_to_grow(growth, names, top_n=10)
    assert got.index.tolist() == ["K1"]  # K5 is "high" but bought nothing in 12 months
    assert got["name"].tolist() == ["<b>甲</b>"]
    html = study.show_growth(got, "zh").to_html()
    assert "&lt;b&gt;甲&lt;/b&gt;" in html and "<b>甲</b>" not in html
    assert "距同类上四分位的增长空间" in html


def test_growth_text_reads_the_numbers(growth):
    text = study.growth_text(growth, "en")
    assert "**CNY 705**" in text  # 300 + 360 + 5 + 40
    assert "(12-month revenue today: CNY 470)" in text
    assert "**2** customers have high growth potential, together CNY 380 below" in text
    assert "**1** are at risk of churning, with CNY 20 of revenue" in text


def test_growth_text_writes_the_ledger_currency(growth):
    growth.attrs["currency"] = "USD"
    for lang in ("en", "zh"):
        text = study.growth_text(growth, lang)
        assert "USD" in text and "CNY" not in text and "元" not in text


def test_growth_text_under_the_rate_model_names_it_and_why(growth):
    growth.attrs["fit"] = {"purchases": "regular", "spend": None}
    growth.attrs["fit_notes"] = ["Customers here buy regularly and hardly any has stopped."]
    growth.loc["K5", "growth_class"] = "no_basis"
    text = study.growth_text(growth, "en")
    assert text.startswith("At each customer's purchase rate of the last 12 months")
    assert "models expect" not in text and "churning" not in text  # no dropout, no churn claim
    assert "**1** customer has no net revenue in the last 12 months" in text
    assert text.endswith("Customers here buy regularly and hardly any has stopped.")


def test_add_growth_joins_the_growth_columns_for_the_export(growth):
    classes = pd.DataFrame({"abc_tier": ["A", "B", "C", "C", "B"]}, index=growth.index)
    got = study.add_growth(classes, growth)
    assert list(got.columns[:1]) == ["abc_tier"]
    assert got["growth_class"].tolist() == growth["growth_class"].tolist()
    assert "growth_reason" in got.columns and "section" not in got.columns


def test_a_ledger_without_repeat_purchases_gives_a_note_not_an_error():
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2"],
            "customer_id": ["A", "B"],
            "invoice_date": ["2025-01-10", "2025-02-01"],
            "due_date": ["2025-02-10", "2025-03-01"],
            "amount": [100.0, 50.0],
        }
    )
    features = pd.DataFrame({"revenue_12m": [100.0, 50.0]}, index=pd.Index(["A", "B"]))
    got = study.growth_frame(Ledger.from_frames(invoices), "2025-03-31", features)
    assert got.empty
    assert "needs customers with repeat purchases" in study.growth_text(got, "en")
    assert study.growth_summary(got, "en")["customers"].sum() == 0
    assert study.customers_to_grow(got).empty and study.headroom_by_peers(got).empty
    assert study.add_growth(features, got).equals(features)


def test_growth_frame_still_refuses_a_bad_threshold():
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1"],
            "customer_id": ["A"],
            "invoice_date": ["2025-01-10"],
            "due_date": ["2025-02-10"],
            "amount": [100.0],
        }
    )
    features = pd.DataFrame({"revenue_12m": [100.0]}, index=pd.Index(["A"]))
    with pytest.raises(ConfigError, match=r"thresholds has unknown keys \['x'\]"):
        study.growth_frame(
            Ledger.from_frames(invoices), "2025-03-31", features, thresholds={"x": 1}
        )


@pytest.mark.parametrize(
    ("lang", "section", "size", "peers"),
    [("en", "C Manufacturing", "small", "C / small"), ("zh", "C 制造业", "小型", "C / 小型")],
)
def test_peer_tables_show_sections_and_sizes_in_words(growth, lang, section, size, peers):
    table = study.show_growth(study.headroom_by_peers(growth, top_n=5), lang).data
    assert table.iloc[0, :2].tolist() == [section, size]
    grow = study.show_growth(study.customers_to_grow(growth, top_n=5), lang).data
    assert grow.iloc[:, 0].tolist() == [peers]


def test_peer_group_words_name_every_fallback():
    from segkit.growth.headroom import peer_group_words

    assert peer_group_words("E / micro", "zh") == "E / 微型"
    assert peer_group_words("E", "zh") == "E"
    assert peer_group_words("all", "zh") == "全部有采购客户"
    assert peer_group_words("all", "en") == "all buying customers"
    assert peer_group_words("E / scale 1m-10m", "zh") == "E / 营业收入 1m-10m"
    assert peer_group_words("E / scale <1m", "en") == "E / turnover <1m"
