"""What the pages say about customers, checked against the data, on export shapes unlike the sample.

Each export of ``tests/fixtures/exports/`` is classified as of 2025-12-31 once; the claims the
studies make are then read back against the customers they are made about: segment words
against recency, growth classes against revenue, forecasts against history, and amounts in the
ledger's currency.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

import segkit
from segkit.growth.summary import recent_purchases
from segkit.studies import segmentation as study

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
AS_OF = "2025-12-31"
SHAPES = ("regular_buyers", "dormant_consumers", "retail_returns", "country_names")
CURRENCY = {
    "regular_buyers": "USD",
    "dormant_consumers": "EUR",
    "retail_returns": "GBP",
    "country_names": "EUR",
}
#: Segments and eight-class classes whose words say the customer bought recently.
RECENT_SEGMENTS = {"champions", "loyal", "potential_loyalist", "new_customers", "promising"}
NEAR_CLASSES = {
    "important_value",
    "important_development",
    "general_value",
    "general_development",
}


def _ledger(name: str):
    folder = EXPORTS / name
    return segkit.read_ledger(folder, mapping=folder / "mapping.yaml")


@pytest.fixture(scope="module", params=SHAPES)
def shape(request):
    ledger = _ledger(request.param)
    classes = segkit.classify(ledger, AS_OF, config={"credit": False})
    return request.param, ledger, classes


def test_no_customer_silent_for_a_year_is_called_recent(shape):
    name, _, classes = shape
    recent_words = classes["rfm_segment"].isin(RECENT_SEGMENTS)
    assert (classes.loc[recent_words, "recency_days"] <= 365).all(), name
    near = classes["rfm_class_cn"].isin(NEAR_CLASSES)
    assert (classes.loc[near, "recency_days"] <= 365).all(), name


def test_growth_classes_only_for_buyers(shape):
    name, _, classes = shape
    graded = classes["growth_class"].isin(["high", "medium", "low", "churn_risk"])
    assert (classes.loc[graded, "revenue_12m"] > 0).all(), name
    bought = classes["recency_days"].notna()
    no_revenue = bought & (classes["revenue_12m"] <= 0)
    assert (classes.loc[no_revenue, "growth_class"] == "no_basis").all(), name


def test_forecasts_stay_near_history(shape):
    name, ledger, classes = shape
    history = recent_purchases(ledger, AS_OF).sum()
    forecast = classes["expected_purchases"].sum()
    assert 0.25 <= forecast / history <= 4.0, (name, forecast, history)
    assert (classes["expected_purchases"].dropna() >= 0).all()


def test_regular_buyers_get_the_recent_rate_and_a_sentence_saying_why():
    ledger = _ledger("regular_buyers")
    features = segkit.customer_features(ledger, AS_OF)
    growth = study.growth_frame(ledger, AS_OF, features, "en")
    assert growth.attrs["fit"]["purchases"] == "regular"
    recent = recent_purchases(ledger, AS_OF).reindex(growth.index).fillna(0.0)
    pd.testing.assert_series_equal(
        growth["expected_purchases"], recent, check_names=False, check_exact=False
    )
    text = study.growth_text(growth, "en")
    assert "buy regularly and hardly any has stopped" in text
    assert "models expect" not in text


@pytest.mark.parametrize("name", ["regular_buyers", "retail_returns"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_growth_text_is_in_the_ledger_currency(name, lang):
    ledger = _ledger(name)
    features = segkit.customer_features(ledger, AS_OF)
    text = study.growth_text(study.growth_frame(ledger, AS_OF, features, lang), lang)
    assert CURRENCY[name] in text
    assert "CNY" not in text and "元" not in text


def test_cancel_only_and_lapsed_customers_never_head_the_list_to_grow():
    ledger = _ledger("retail_returns")
    features = segkit.customer_features(ledger, AS_OF)
    growth = study.growth_frame(ledger, AS_OF, features, "en")
    cancelled = [c for c in growth.index if str(c).startswith(("X", "L"))]
    assert len(cancelled) == 13
    assert (growth.loc[cancelled, "growth_class"] == "no_basis").all()
    listed = study.customers_to_grow(growth, top_n=50)
    assert not set(listed.index) & set(cancelled)
    assert (listed["revenue_12m"] > 0).all()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_ledger_across_countries_shows_each_country(lang):
    from segkit import market
    from segkit.studies.segmentation.display import for_display

    spec = importlib.util.spec_from_file_location("make_exports", EXPORTS / "make_exports.py")
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    features = segkit.customer_features(_ledger("country_names"), AS_OF)
    assert features["region_status"].eq("ok").sum() >= len(features) - 5  # 中国 has no province
    written = pd.read_csv(EXPORTS / "country_names" / "customers.csv", index_col="customer_id")
    written.index = written.index.astype(str)
    expected = written["country"].map(maker.COUNTRY_NAMES)
    assert features["country_iso"].reindex(expected.index).tolist() == expected.tolist()
    view = for_display(features, lang)
    table = market.positioning(view, "region")
    assert len(table) == 9  # GB, IE, DE, CN, ZA, FR, US, NL, ES
    assert ("英国" if lang == "zh" else "United Kingdom") in set(view["region"])
    assert not view["region"].isin(["Unknown", "未知", "Foreign", "境外"]).any()


def test_the_index_gives_the_true_reason_for_a_missing_figure(tmp_path):
    from segkit.reports.index import render_index
    from segkit.reports.pack import Pack
    from segkit.reports.run import ReportResult
    from segkit.reports.summary import collect

    # no settlement data: open receivables cannot be computed at any date, all dates classify
    summary = collect(_ledger("invoices_only"), AS_OF, {"credit": False})
    assert summary.figures.loc["active_customers"].notna().all()
    assert summary.figures.loc["open_receivables"].isna().all()
    base = {"data": "d", "as_of": AS_OF, "lang": "en", "mapping": ""}
    page = render_index(
        ReportResult(tmp_path, [], tmp_path / "index.html"), base, [], Pack(summary)
    )
    assert "too little data" not in page
    assert "open receivables, past due, DSO and defaults need payments or settled dates" in page


def test_the_movement_table_says_share_of_customers_and_stability_is_written(tmp_path):
    from segkit.studies import market as study_market

    moves = study_market.migration(_ledger("country_names"), AS_OF)
    html = study_market.show_summary(moves, "en").to_html()
    assert "Share of customers" in html and "Share of revenue" not in html
    written = study_market.export({}, moves, tmp_path)
    assert [p.name for p in written] == ["migration_rfm_class_cn.csv", "class_stability.csv"]
    stability = pd.read_csv(tmp_path / "class_stability.csv")
    assert set(stability["class"]) == {"rfm_class_cn", "abc_tier"}
    assert stability["stayed_share"].between(0, 1).all()
