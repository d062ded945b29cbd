"""Tests of the segmentation study helpers on a hand-typed customer table of six customers."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from pandas.testing import assert_frame_equal, assert_series_equal  # noqa: E402

from segkit.classes import frequency_amount_matrix  # noqa: E402
from segkit.exceptions import ConfigError  # noqa: E402
from segkit.studies import segmentation as study  # noqa: E402
from segkit.text import segment_actions  # noqa: E402

NAN = np.nan
IDX = pd.Index(["C1", "C2", "C3", "C4", "C5", "C6"], name="customer_id")


@pytest.fixture
def customers() -> pd.DataFrame:
    """C1-C4 bought in the last 12 months, C5 only before, C6 never; C2 and C3 are risky."""
    frame = pd.DataFrame(
        {
            "name": ["甲", "乙", "丙", "丁", "戊", "己"],
            "revenue_12m": [700.0, 250.0, 100.0, 50.0, 0.0, 0.0],
            "revenue_prev_12m": [400.0, 300.0, 100.0, 0.0, 200.0, 0.0],
            "invoices_12m": [12, 6, 3, 1, 0, 0],
            "recency_days": [5.0, 20.0, 60.0, 200.0, 400.0, NAN],
            "avg_days_late": [2.0, 40.0, 12.0, NAN, 10.0, NAN],
            "dso_days": [30.0, 90.0, 60.0, NAN, NAN, NAN],
            "open_balance": [100.0, 80.0, 20.0, 0.0, 30.0, 0.0],
            "overdue_balance": [0.0, 60.0, 20.0, 0.0, 30.0, 0.0],
            "aging_current": [100.0, 20.0, 0.0, 0.0, 0.0, 0.0],
            "aging_1_30": [0.0, 10.0, 20.0, 0.0, 0.0, 0.0],
            "aging_31_60": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            "aging_61_90": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            "aging_90_plus": [0.0, 50.0, 0.0, 0.0, 30.0, 0.0],
            "size_cn": ["large", "medium", "small", "micro", "unknown", "small"],
            "size_cn_zh": ["大型", "中型", "小型", "微型", "未知", "小型"],
            "industry_section": ["C", "C", "F", "I", "C", "F"],
            "industry_section_name_en": [
                "Manufacturing",
                "Manufacturing",
                "Wholesale and retail trade",
                "Information transmission, software and information technology services",
                "Manufacturing",
                "Wholesale and retail trade",
            ],  # fmt: skip
            "industry_section_name_zh": [
                "制造业",
                "制造业",
                "批发和零售业",
                "信息传输、软件和信息技术服务业",
                "制造业",
                "批发和零售业",
            ],
            "geo_region": [
                "East China",
                "East China",
                "South China",
                "foreign",
                "North China",
                "East China",
            ],
            "geo_region_zh": ["华东", "华东", "华南", "境外", "华北", "华东"],
            "region_cn": ["east", "east", "east", "foreign", "east", "central"],
            "freq_class": ["frequent", "regular", "occasional", "occasional", "dormant", "none"],
            "amount_class": ["large", "medium", "small", "small", "none", "none"],
            "r_score": [5, 4, 3, 2, 1, 0],
            "f_score": [5, 4, 3, 2, 1, 0],
            "m_score": [5, 4, 3, 2, 1, 0],
            "rfm_segment": [
                "champions",
                "champions",
                "loyal",
                "about_to_sleep",
                "lost",
                "no_purchase",
            ],
            "rfm_class_cn": [
                "important_value",
                "important_value",
                "general_development",
                "general_development",
                "general_winback",
                NAN,
            ],
            "abc_tier": ["A", "A", "B", "C", "none", "none"],
            "risk_tier": ["low", "high", "high", "low", "high", "unknown"],
            "cluster_name": ["big", "big", "small", "small", "gone", "gone"],
        },  # fmt: skip
        index=IDX,
    )
    frame.attrs = {"as_of": "2025-12-31", "params": PARAMS}
    return frame


PARAMS = {
    "rfm": {
        "edges": {
            "r": [10.0, 31.0, 106.0, 405.0],
            "f": [0.0, 2.0, 5.0, 11.0],
            "m": [0.0, 40264.5, 149093.78, 606789.84],
        },
        "cn_splits": {"r": 206.6447, "f": 6.6911, "m": 1109861.97},
    },
    "abc_cutoffs": {"A": 250.0, "B": 100.0, "C": 50.0},
    "clusters": {"k": 3, "scores": {2: 0.4, 3: 0.45, 4: 0.3}, "stability": 0.9,
                 "names": {0: "big", 1: "small", 2: "gone"}},
}  # fmt: skip


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_heading_in_both_languages():
    assert study.heading("revenue_share") == "Share of revenue"
    assert study.heading("revenue_share", "zh") == "收入占比"


@pytest.mark.parametrize(
    ("key", "lang", "message"),
    [
        (
            "nope",
            "en",
            "heading: key must be a key of the catalogue kind 'segmentation'; got 'nope'",
        ),
        ("revenue_share", "fr", r"lang must be one of \['en', 'zh'\]; got 'fr'"),
    ],
    ids=["unknown-key", "unknown-lang"],
)
def test_heading_rejects_unknown_key_or_lang(key, lang, message):
    with pytest.raises(ConfigError, match=message):
        study.heading(key, lang)


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (2_055_464_369.5, "en", "CNY 2.06bn"),
        (392_401_051.0, "en", "CNY 392.4m"),
        (1_100.0, "en", "CNY 1.1k"),
        (230.0, "en", "CNY 230"),
        (-2_500_000.0, "en", "CNY -2.5m"),
        (2_055_464_369.5, "zh", "20.55亿元"),
        (32_312_803.0, "zh", "3,231.3万元"),
        (230.0, "zh", "230元"),
        (NAN, "en", "n/a"),
        (NAN, "zh", "无数据"),
    ],
    ids=["bn", "m", "k", "plain", "negative", "yi", "wan", "yuan", "nan-en", "nan-zh"],
)
def test_format_amount(value, lang, expected):
    assert study.format_amount(value, lang) == expected


def test_join_classes_adds_missing_columns_and_params():
    features = pd.DataFrame({"name": ["a", "b"], "x": [1.0, 2.0]}, index=["C1", "C2"])
    features.attrs = {"as_of": "2025-12-31"}
    classes = pd.DataFrame({"name": ["a", "b"], "abc_tier": ["A", "C"]}, index=["C1", "C2"])
    classes.attrs = {"params": {"abc_cutoffs": {"A": 2.0}}}
    before = features.copy()
    out = study.join_classes(features, classes)
    expected = pd.DataFrame(
        {"name": ["a", "b"], "x": [1.0, 2.0], "abc_tier": ["A", "C"]}, index=["C1", "C2"]
    )
    assert_frame_equal(out, expected)
    assert out.attrs == {"as_of": "2025-12-31", "params": {"abc_cutoffs": {"A": 2.0}},
                         "currency": "CNY", "regions": "economic"}  # fmt: skip
    assert_frame_equal(features, before)


@pytest.mark.parametrize(
    ("lang", "size", "industry", "region"),
    [
        ("en", ["Large", "Medium", "Small", "Micro", "Unknown", "Small"],
         ["C Manufacturing", "C Manufacturing", "F Wholesale and retail trade",
          "I Information transmission, software…", "C Manufacturing",
          "F Wholesale and retail trade"],
         ["East China", "East China", "South China", "Foreign", "North China", "East China"]),
        ("zh", ["大型", "中型", "小型", "微型", "未知", "小型"],
         ["C 制造业", "C 制造业", "F 批发和零售业", "I 信息传输、软件和信息技术服务业", "C 制造业",
          "F 批发和零售业"],
         ["华东", "华东", "华南", "境外", "华北", "华东"]),
    ],
    ids=["en", "zh"],
)  # fmt: skip
def test_for_display_labels_classes_and_adds_display_columns(customers, lang, size, industry,
                                                             region):  # fmt: skip
    before = customers.copy()
    out = study.for_display(customers, lang, regions="geographic")
    expected = pd.DataFrame({"size": size, "industry": industry, "region": region}, index=IDX)
    assert_frame_equal(out[["size", "industry", "region"]], expected)
    no_purchase = "No purchases" if lang == "en" else "无购买记录"
    assert out.loc["C6", ["rfm_segment", "rfm_class_cn"]].tolist() == [no_purchase] * 2
    assert_frame_equal(customers, before)


def test_headline_numbers_by_hand(customers):
    before = customers.copy()
    numbers = study.headline_numbers(customers)
    expected = pd.Series(
        {
            "customers": 6.0,
            "active_12m": 4.0,
            "revenue_12m": 1100.0,
            "revenue_prev_12m": 1000.0,
            "revenue_growth": 0.1,
            "top_share": 700.0 / 1100.0,  # ceil(0.2 x 4 customers with revenue) = C1 alone
            "open_ar": 230.0,
            "overdue_ar": 110.0,
            "overdue_share": 110.0 / 230.0,
            "valuable_but_risky": 2.0,  # C2 (A, high) and C3 (B, high); C5 has no tier
        },
        name="value",
    )
    assert_series_equal(numbers, expected)
    assert_frame_equal(customers, before)


def test_headline_numbers_without_previous_revenue_or_open_items(customers):
    frame = customers.assign(revenue_prev_12m=0.0, open_balance=0.0, overdue_balance=0.0)
    numbers = study.headline_numbers(frame)
    assert math.isnan(numbers["revenue_growth"])
    assert math.isnan(numbers["overdue_share"])


def test_headline_numbers_names_a_missing_column(customers):
    with pytest.raises(ConfigError, match="column 'risk_tier' .* is not in the frame"):
        study.headline_numbers(customers.drop(columns="risk_tier"))


def test_headline_table_formats_every_number(customers):
    table = study.headline_table(study.headline_numbers(customers), "en")
    expected = pd.DataFrame(
        {
            "measure": [
                "Customers", "Active in the last 12 months", "Revenue, last 12 months (CNY)",
                "Revenue, previous 12 months (CNY)", "Revenue growth",
                "Revenue share of the top 20% of customers", "Open receivables (CNY)",
                "Past due (CNY)", "Share past due", "Valuable but risky customers",
            ],
            "value": ["6", "4 (66.7%)", "1,100", "1,000", "+10.0%", "63.6%", "230", "110",
                      "47.8%", "2"],
        }
    )  # fmt: skip
    assert_frame_equal(table, expected)


def test_headline_text_english(customers):
    text = study.headline_text(study.headline_numbers(customers), "2025-12-31", "en")
    assert text == (
        "As of 2025-12-31 the ledger knows **6** customers; **4** (66.7%) bought in the last "
        "12 months. Revenue over those 12 months was **CNY 1.1k**, **up 10.0%** on the previous "
        "12 months, and the top 20% of customers with revenue brought **63.6%** of it. Open "
        "receivables stand at **CNY 230**, of which **47.8%** is past due; **2** valuable "
        "customers (ABC tier A or B) carry a high risk (listed in section 8)."
    )


def test_headline_text_chinese_with_falling_revenue(customers):
    numbers = study.headline_numbers(customers.assign(revenue_prev_12m=[1375.0, 0, 0, 0, 0, 0]))
    text = study.headline_text(numbers, "2025-12-31", "zh")
    assert text == (
        "截至2025-12-31，共有客户<strong>6</strong>家，其中近12个月有开票的活跃客户<strong>4</strong>家（66.7%）。"
        "近12个月收入<strong>1,100元</strong>，较前12个月<strong>下降20.0%</strong>；收入前20%的客户贡献了<strong>63.6%</strong>的收入。"
        "应收账款余额<strong>230元</strong>，其中逾期占<strong>47.8%</strong>；<strong>2</strong>家高价值客户（ABC分级A或B）风险高，"
        "名单见第8节。"
    )


@pytest.mark.parametrize(
    ("previous", "phrase"),
    [(1100.0, "about the same as in the previous 12 months"),
     (0.0, "with no revenue in the previous 12 months to compare")],
    ids=["flat", "no-previous"],
)  # fmt: skip
def test_headline_text_growth_phrases(customers, previous, phrase):
    frame = customers.assign(revenue_prev_12m=[previous, 0.0, 0.0, 0.0, 0.0, 0.0])
    assert phrase in study.headline_text(study.headline_numbers(frame), "2025-12-31")


def test_segment_profile_by_rfm_segment(customers):
    before = customers.copy()
    profile = study.segment_profile(customers, "rfm_segment", "en")
    expected = pd.DataFrame(
        {
            "customers": np.array([2, 1, 1, 1, 1], dtype="int64"),
            "customer_share": [2 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6],
            "revenue_12m": [950.0, 100.0, 50.0, 0.0, 0.0],
            "revenue_share": [950 / 1100, 100 / 1100, 50 / 1100, 0.0, 0.0],
            "median_recency_days": [12.5, 60.0, 200.0, 400.0, NAN],
            "median_invoices_12m": [9.0, 3.0, 1.0, 0.0, 0.0],
            "avg_days_late": [21.0, 12.0, NAN, 10.0, NAN],
            "open_balance": [180.0, 20.0, 0.0, 30.0, 0.0],
            "overdue_share": [60 / 180, 1.0, NAN, 1.0, NAN],
            "group_dso_days": [180 / 950 * 365, 20 / 100 * 365, 0.0, NAN, NAN],
        },
        index=pd.Index(
            ["Champions", "Loyal", "About to Sleep", "Lost", "No purchases"], name="rfm_segment"
        ),
    )
    assert_frame_equal(profile, expected)
    assert_frame_equal(customers, before)


@pytest.mark.parametrize(
    ("by", "lang", "groups", "counts"),
    [
        (
            "rfm_class_cn",
            "zh",
            ["重要价值客户", "一般发展客户", "一般挽留客户", "无购买记录"],
            [2, 2, 1, 1],
        ),
        ("size", "en", ["Large", "Medium", "Small", "Micro", "Unknown"], [1, 1, 2, 1, 1]),
        ("size", "zh", ["大型", "中型", "小型", "微型", "未知"], [1, 1, 2, 1, 1]),
        ("region", "en", ["East", "Outside China", "Central"], [4, 1, 1]),
        ("cluster_name", "en", ["big", "small", "gone"], [2, 2, 2]),
    ],
    ids=["eight-class-zh", "size-en", "size-zh", "region-most-first", "clusters"],
)
def test_segment_profile_groups_in_reading_order(customers, by, lang, groups, counts):
    profile = study.segment_profile(customers, by, lang)
    expected = pd.Series(np.array(counts, dtype="int64"), index=pd.Index(groups, name=by),
                         name="customers")  # fmt: skip
    assert_series_equal(profile["customers"], expected)
    assert profile["customer_share"].sum() == pytest.approx(1.0)


def test_segment_profile_names_a_missing_group_column(customers):
    with pytest.raises(ConfigError, match="column 'tier' \\(parameter by\\) is not in the frame"):
        study.segment_profile(customers, "tier")


def test_lead_text_names_the_group_with_most_revenue(customers):
    profile = study.segment_profile(customers, "rfm_segment", "en")
    assert study.lead_text(profile, "en") == (
        "Most revenue comes from **Champions**: 33.3% of customers (2) bring **86.4%** of revenue."
    )
    assert study.lead_text(study.segment_profile(customers, "rfm_segment", "zh"), "zh") == (
        "收入贡献最大的是<strong>冠军客户</strong>：2家客户（占33.3%）贡献了<strong>86.4%</strong>的收入。"
    )


def test_labelled_matrix_and_its_sentence(customers):
    table = frequency_amount_matrix(customers)
    wide = study.labelled_matrix(table, "customers", "zh")
    expected = pd.DataFrame(
        [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1], [0, 0, 0, 1]],
        index=pd.Index(
            ["高频客户", "常规客户", "偶发客户", "休眠客户", "无开票记录"], name="频次分类"
        ),
        columns=pd.Index(["大额客户", "中额客户", "小额客户", "无收入"], name="金额分类"),
    )  # fmt: skip
    assert_frame_equal(wide, expected, check_dtype=False)
    assert study.matrix_text(table, "en") == (
        "Most revenue comes from **Frequent × Large**: 16.7% of customers (1) bring **63.6%** "
        "of revenue."
    )


def test_rfm_splits_table_from_the_sample_params():
    table = study.rfm_splits_table(PARAMS, "en")
    expected = pd.DataFrame(
        {
            "score_1": ["> 405", "≤ 0", "≤ 0"],
            "score_2": ["(106, 405]", "(0, 2]", "(0, 40,264]"],
            "score_3": ["(31, 106]", "(2, 5]", "(40,264, 149,094]"],
            "score_4": ["(10, 31]", "(5, 11]", "(149,094, 606,790]"],
            "score_5": ["≤ 10", "> 11", "> 606,790"],
            "cn_split": ["near if ≤ 207", "high if ≥ 6.7", "high if ≥ 1,109,862"],
        },
        index=pd.Index(
            [
                "R: Days since last invoice",
                "F: Invoices, last 12 months",
                "M: Revenue, last 12 months (CNY)",
            ],
            name="variable",
        ),
    )
    assert_frame_equal(table, expected)


def test_rfm_splits_table_with_tied_edges_in_chinese():
    params = {"rfm": {"edges": {"r": [30.0, 90.0], "f": [2.0], "m": [10.5, 20.0, 30.0, 40.0]},
                      "cn_splits": {"r": 45.0, "f": 1.5, "m": 25.25}}}  # fmt: skip
    table = study.rfm_splits_table(params, "zh")
    expected = pd.DataFrame(
        {
            "score_1": ["> 90", "≤ 2", "≤ 10.5"],
            "score_2": ["", "", "(10.5, 20]"],
            "score_3": ["(30, 90]", "", "(20, 30]"],
            "score_4": ["", "", "(30, 40]"],
            "score_5": ["≤ 30", "> 2", "> 40"],
            "cn_split": ["≤ 45 为近", "≥ 1.5 为高", "≥ 25.2 为高"],
        },
        index=pd.Index(
            ["R：距上次开票天数", "F：近12个月发票数", "M：近12个月收入（CNY）"], name="variable"
        ),
    )
    assert_frame_equal(table, expected)


def test_abc_table_with_cutoffs_from_attrs(customers):
    table = study.abc_table(customers, "en")
    expected = pd.DataFrame(
        {
            "min_revenue_12m": [250.0, 100.0, 50.0, NAN],
            "customers": np.array([2, 1, 1, 2], dtype="int64"),
            "customer_share": [2 / 6, 1 / 6, 1 / 6, 2 / 6],
            "revenue_12m": [950.0, 100.0, 50.0, 0.0],
            "revenue_share": [950 / 1100, 100 / 1100, 50 / 1100, 0.0],
        },
        index=pd.Index(["A", "B", "C", "No revenue"], name="abc_tier"),
    )
    assert_frame_equal(table, expected)


@pytest.mark.parametrize(
    ("ari", "start"),
    [(0.85, "Stable:"), (0.8, "Stable:"), (0.7, "Moderately stable:"), (0.59, "Unstable:"),
     (NAN, "Stability was not measured.")],
    ids=["high", "at-0.8", "moderate", "low", "missing"],
)  # fmt: skip
def test_stability_text_bands(ari, start):
    assert study.stability_text(ari, "en").startswith(start)


def test_cluster_text_states_k_silhouette_and_stability():
    assert study.cluster_text(PARAMS, "en") == (
        "k-means tried k = 2–4 and chose **k = 3**, the highest silhouette (0.450). The mean "
        "adjusted Rand index of bootstrap refits is **0.90**. Stable: resampling the customers "
        "gives essentially the same groups, so they can be used in day-to-day steering."
    )
    assert study.cluster_text({}, "zh") == "本次未进行聚类（`clusters = False`）。"


def test_risky_customers_largest_first_with_labels(customers):
    before = customers.copy()
    table = study.risky_customers(customers, top_n=15, lang="zh")
    expected = pd.DataFrame(
        {
            "name": ["乙", "丙"],
            "abc_tier": ["A类客户", "B类客户"],
            "rfm_segment": ["冠军客户", "忠诚客户"],
            "revenue_12m": [250.0, 100.0],
            "open_balance": [80.0, 20.0],
            "overdue_balance": [60.0, 20.0],
            "aging_90_plus": [50.0, 0.0],
            "avg_days_late": [40.0, 12.0],
        },
        index=pd.Index(["C2", "C3"], name="customer_id"),
    )
    assert_frame_equal(table, expected)
    assert list(study.risky_customers(customers, top_n=1).index) == ["C2"]
    assert study.show(table, "zh").data.index.name == "客户编号"
    assert_frame_equal(customers, before)


def test_risky_customers_show_the_credit_grade_when_there_is_one(customers):
    graded = customers.assign(grade=["AA", "CCC", "B", None, None, None])
    table = study.risky_customers(graded, lang="en")
    assert list(table.columns[:4]) == ["name", "abc_tier", "grade", "rfm_segment"]
    assert table["grade"].tolist() == ["CCC", "B"]
    assert "grade" not in study.risky_customers(customers.assign(grade=None)).columns


@pytest.mark.parametrize("top_n", [0, 2.5, True], ids=["zero", "float", "bool"])
def test_risky_customers_rejects_bad_top_n(customers, top_n):
    with pytest.raises(ConfigError, match=f"top_n must be an int >= 1; got {top_n!r}"):
        study.risky_customers(customers, top_n=top_n)


def test_actions_table_joins_sizes_to_every_segment(customers):
    table = study.actions_table(customers, "rfm_class_cn", "en")
    expected = pd.DataFrame(
        {
            "segment": [
                "Important value", "Important development", "Important retention",
                "Important win-back", "General value", "General development",
                "General retention", "General win-back",
            ],
            "customers": np.array([2, 0, 0, 0, 0, 2, 0, 1], dtype="int64"),
            "customer_share": [2 / 6, 0.0, 0.0, 0.0, 0.0, 2 / 6, 0.0, 1 / 6],
            "revenue_share": [950 / 1100, 0.0, 0.0, 0.0, 0.0, 150 / 1100, 0.0, 0.0],
            "action": segment_actions("en", model="rfm_class_cn")["action"],
        }
    )  # fmt: skip
    assert_frame_equal(table, expected)


def test_export_classification_writes_codes_and_reasons(tmp_path):
    classes = pd.DataFrame(
        {
            "revenue_12m": [5377.719999999999, 3.14159],
            "rfm_segment": ["champions", "lost"],
            "reason": ["12 invoices in 12 months", "近12个月开票0张"],
        },
        index=pd.Index(["C1", "C2"], name="customer_id"),
    )
    before = classes.copy()
    path = study.export_classification(classes, str(tmp_path / "out"))
    assert path == tmp_path / "out" / "classification.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM for Excel
    expected = classes.assign(revenue_12m=[5377.72, 3.14])
    assert_frame_equal(pd.read_csv(path, encoding="utf-8-sig", index_col=0), expected)
    assert_frame_equal(classes, before)


def test_export_classification_skips_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    classes = pd.DataFrame({"reason": ["x"]}, index=["C1"])
    assert study.export_classification(classes, "") is None
    assert list(tmp_path.iterdir()) == []


def test_show_renames_and_formats(customers):
    styler = study.show(study.segment_profile(customers, "rfm_segment", "en"), "en")
    html = styler.to_html()
    for text in (">Customers<", ">Share of customers<", ">Revenue, last 12 months (CNY)<",
                 ">Share of revenue<", ">RFM segment<", ">33.3%<", ">950<", ">21.0<", ">–<"):  # fmt: skip
        assert text in html


def test_show_caps_dso_above_a_year():
    table = pd.DataFrame({"group_dso_days": [73.0, 153585.4, NAN]}, index=["a", "b", "c"])
    html = study.show(table, "en").to_html()
    for text in (">73.0<", ">365+<", ">–<"):
        assert text in html


def test_show_hides_a_range_index():
    table = pd.DataFrame({"measure": ["Customers"], "value": ["6"]})
    html = study.show(table, "zh").to_html()
    assert "指标" in html and "数值" in html
    assert 'class="row_heading' not in html


def test_plot_shares_labels_in_chinese(customers):
    fig = study.plot_shares(customers, "rfm_segment", "zh")
    ax = fig.axes[0]
    assert ax.get_title() == "RFM细分：客户数与收入占比"
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["冠军客户", "忠诚客户", "即将沉睡客户", "已流失客户", "无购买记录"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["客户数占比", "近12个月收入占比"]


def test_plot_distributions_titles_count_hidden_values(customers):
    fig = study.plot_distributions(customers, "en")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [
        "Revenue, last 12 months (CNY)\n2 at or below 0 not shown",
        "Days since last invoice",
        "Invoices, last 12 months\n2 at or below 0 not shown",
    ]


def test_plot_matrices_two_labelled_heatmaps(customers):
    fig = study.plot_matrices(frequency_amount_matrix(customers), "en", "Frequency × amount")
    assert [ax.get_title() for ax in fig.axes] == ["Customers", "Share of revenue"]
    assert fig.axes[0].get_ylabel() == "Frequency class"
    assert fig.get_suptitle() == "Frequency × amount"


def test_plot_scores_counts_buyers_only(customers):
    fig = study.plot_scores(customers, "en")
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == [1, 1, 1, 1, 1]  # C6 (score 0, no purchase) is left out


def test_plot_pareto_annotates_the_top_share(customers):
    fig = study.plot_pareto(customers, "zh")
    ax = fig.axes[0]
    # same number as the headline: ceil(0.2 x 4) = 1 customer (C1) holds 700 / 1100
    assert ax.texts[0].get_text() == "前20%客户：\n收入占比64%"
    assert ax.get_xlabel() == "有收入客户占比（从大到小）"


def test_plot_silhouette_marks_the_chosen_k():
    fig = study.plot_silhouette(PARAMS, "en")
    ax = fig.axes[0]
    assert list(ax.lines[0].get_xdata()) == [2, 3, 4]
    assert list(ax.lines[1].get_xdata()) == [3]
    assert study.plot_silhouette({}, "en") is None


def test_plot_payment_by_size(customers):
    fig = study.plot_payment(customers, "size", "en")
    assert fig.get_suptitle() == "How customers pay, by company size (2017 standard)"
    assert [ax.get_title() for ax in fig.axes] == ["Avg days late", "DSO, days"]


@pytest.mark.parametrize(
    ("past_due_only", "legend"),
    [(True, ["1–30 days", "31–60 days", "61–90 days", "over 90 days"]),
     (False, ["not yet due", "1–30 days", "31–60 days", "61–90 days", "over 90 days"])],
    ids=["past-due", "all"],
)  # fmt: skip
def test_plot_aging_buckets_and_groups(customers, past_due_only, legend):
    before = customers.copy()
    fig = study.plot_aging(customers, "rfm_segment", "en", past_due_only=past_due_only)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == legend
    groups = [t.get_text() for t in ax.get_yticklabels()]
    assert groups == ["No purchases", "Lost", "About to Sleep", "Loyal", "Champions"]
    assert_frame_equal(customers, before)


def test_segment_guide_names_only_the_segments_present():
    frame = pd.DataFrame(
        {"rfm_segment": ["champions", "lost", "new_customers", "no_purchase", "lost"]}
    )
    frame.attrs = {"params": {"new_days": 60}}
    guide = " ".join(study.segment_guide(frame, "en").data.split())
    assert "fall in 3 segments" in guide  # no_purchase is not a segment
    assert "*Champions*" in guide and "*Lost*" in guide and "within the last 60 days" in guide
    for absent in ("Can't Lose Them", "Loyal", "At Risk", "Promising"):
        assert absent not in guide
    zh = study.segment_guide(frame.iloc[:2], "zh").data
    assert "本月客户分布在2个细分中" in zh and "新客户" not in zh


def test_new_customers_in_the_eight_class_model_are_counted():
    frame = pd.DataFrame(
        {
            "freq_class": ["new", "new", "new", "regular"],
            "rfm_class_cn": ["general_development", "important_development", "general_value",
                             "general_development"],
        }
    )  # fmt: skip
    frame.attrs = {"params": {"new_days": 90}}
    got = study.new_customers_cn8(frame, "en").data
    got = " ".join(got.split())
    assert "(first invoice within the last 90 days: 3 this month)" in got
    assert "2 of the 3 are there now, 1 elsewhere" in got
    assert study.new_customers_cn8(frame.iloc[3:], "zh").data == ""
