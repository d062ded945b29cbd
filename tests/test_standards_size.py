"""Golden tests for 统计上大中小微型企业划分办法（2017） and Recommendation 2003/361/EC."""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from segkit.exceptions import ConfigError, SchemaError
from segkit.standards import scale_band, size_cn, size_eu

WAN = 10_000  # yuan per 万元

# The official table, typed from 国统字〔2017〕213号: row -> (a code of the row, lower bounds of
# large, medium and small per indicator; X persons, Y and Z in 万元).
TABLE = {
    "农、林、牧、渔业": ("0111", {"revenue": (20000, 500, 50)}),
    "工业": ("3911", {"employees": (1000, 300, 20), "revenue": (40000, 2000, 300)}),
    "建筑业": ("4710", {"revenue": (80000, 6000, 300), "total_assets": (80000, 5000, 300)}),
    "批发业": ("5174", {"employees": (200, 20, 5), "revenue": (40000, 5000, 1000)}),
    "零售业": ("5211", {"employees": (300, 50, 10), "revenue": (20000, 500, 100)}),
    "交通运输业": ("5430", {"employees": (1000, 300, 20), "revenue": (30000, 3000, 200)}),
    "仓储业": ("5920", {"employees": (200, 100, 20), "revenue": (30000, 1000, 100)}),
    "邮政业": ("6020", {"employees": (1000, 300, 20), "revenue": (30000, 2000, 100)}),
    "住宿业": ("6110", {"employees": (300, 100, 10), "revenue": (10000, 2000, 100)}),
    "餐饮业": ("6210", {"employees": (300, 100, 10), "revenue": (10000, 2000, 100)}),
    "信息传输业": ("6311", {"employees": (2000, 100, 10), "revenue": (100000, 1000, 100)}),
    "软件和信息技术服务业": (
        "6511",
        {"employees": (300, 100, 10), "revenue": (10000, 1000, 50)},
    ),
    "房地产开发经营": (
        "7010",
        {"revenue": (200000, 1000, 100), "total_assets": (10000, 5000, 2000)},
    ),
    "物业管理": ("7020", {"employees": (1000, 300, 100), "revenue": (5000, 1000, 500)}),
    "租赁和商务服务业": (
        "7211",
        {"employees": (300, 100, 10), "total_assets": (120000, 8000, 100)},
    ),
    "其他未列明行业": ("7310", {"employees": (300, 100, 10)}),
}
TIERS = ("large", "medium", "small")
NEXT = {"large": "medium", "medium": "small", "small": "micro"}
ZH = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型", "unknown": "未知"}


def _bound(indicator, value):
    return float(value) if indicator == "employees" else float(value) * WAN


def _golden_cases(bounds):
    """(label, values, expected size) at and one unit below each lower bound of each tier."""
    cases = []
    for t, tier in enumerate(TIERS):
        at = {ind: _bound(ind, b[t]) for ind, b in bounds.items()}
        cases.append((f"{tier} at bounds", at, tier))
        for ind in bounds:
            below = {**at, ind: at[ind] - 1.0}  # one person, or one yuan
            cases.append((f"{tier}, {ind} just below", below, NEXT[tier]))
    return cases


@pytest.mark.parametrize("row", TABLE, ids=list(TABLE))
def test_every_row_at_and_just_below_each_lower_bound(row):
    code, bounds = TABLE[row]
    cases = _golden_cases(bounds)
    labels = [label for label, _, _ in cases]
    frame = pd.DataFrame(
        {
            "industry_code": code,
            "employees": np.nan,
            "revenue": np.nan,
            "total_assets": np.nan,
        },
        index=labels,
    )
    for label, values, _ in cases:
        for ind, value in values.items():
            frame.loc[label, ind] = value
    sizes = [size for _, _, size in cases]
    expected = pd.DataFrame(
        {
            "size_cn": sizes,
            "size_cn_zh": [ZH[s] for s in sizes],
            "size_cn_row": row,
            "size_cn_reason": "",
        },
        index=labels,
    ).astype("string")
    assert_frame_equal(size_cn(frame), expected)


ROWS = {
    "A": "农、林、牧、渔业",
    "05": "农、林、牧、渔业",
    "B": "工业",
    "06": "工业",
    "C": "工业",
    "C3911": "工业",
    "4411": "工业",
    "46": "工业",
    "E": "建筑业",
    "50": "建筑业",
    "51": "批发业",
    "52": "零售业",
    "54": "交通运输业",
    "58": "交通运输业",
    "5910": "交通运输业",
    "591": "交通运输业",
    "5920": "仓储业",
    "5990": "仓储业",
    "60": "邮政业",
    "61": "住宿业",
    "62": "餐饮业",
    "63": "信息传输业",
    "64": "信息传输业",
    "65": "软件和信息技术服务业",
    "7010": "房地产开发经营",
    "7020": "物业管理",
    "7030": "其他未列明行业",
    "7090": "其他未列明行业",
    "L": "租赁和商务服务业",
    "71": "租赁和商务服务业",
    "M": "其他未列明行业",
    "75": "其他未列明行业",
    "N": "其他未列明行业",
    "O": "其他未列明行业",
    "85": "其他未列明行业",
    "R": "其他未列明行业",
    "90": "其他未列明行业",
}

NO_ROW = {
    "53": "industry not covered",
    "5331": "industry not covered",
    "J": "industry not covered",
    "66": "industry not covered",
    "7040": "industry not covered",
    "P": "industry not covered",
    "84": "industry not covered",
    "S": "industry not covered",
    "92": "industry not covered",
    "T": "industry not covered",
    "59": "industry code too coarse",
    "70": "industry code too coarse",
    "F": "industry code too coarse",
    "G": "industry code too coarse",
    "K": "industry code too coarse",
    "Q": "industry code too coarse",
    "98": "unknown industry code",
    "Z9": "unknown industry code",
}


def _by_code(codes):
    values = {"employees": 5.0, "revenue": 1.0, "total_assets": 1.0}
    frame = pd.DataFrame({"industry_code": list(codes), **values}, index=list(codes))
    return size_cn(frame)


def test_codes_map_to_their_industry_row():
    out = _by_code(ROWS)
    assert out["size_cn_row"].to_dict() == ROWS
    assert (out["size_cn"] == "micro").all()


def test_codes_without_a_row_are_unknown_with_a_reason():
    out = _by_code(NO_ROW)
    assert out["size_cn_reason"].to_dict() == NO_ROW
    assert (out["size_cn"] == "unknown").all()
    assert out["size_cn_row"].isna().all()


def _industry(employees, revenue_wan):
    return pd.DataFrame(
        {
            "industry_code": ["3911"] * len(employees),
            "employees": employees,
            "revenue": [np.nan if r is None else r * WAN for r in revenue_wan],
            "total_assets": [np.nan] * len(employees),
        }
    )


def test_falls_to_the_tier_every_indicator_meets():
    # Large on employees but medium on revenue is medium, and the reverse too.
    frame = _industry([1000, 300, 5000, 1000], [2000, 40000, 300, 40000])
    assert size_cn(frame)["size_cn"].tolist() == ["medium", "medium", "small", "large"]


def test_micro_needs_only_one_indicator_below_the_small_bound():
    frame = _industry([5000, 19, 19], [299.9999, 90000, 1])
    assert size_cn(frame)["size_cn"].tolist() == ["micro", "micro", "micro"]


def test_missing_indicator_gives_unknown_unless_micro_is_proven():
    frame = _industry([np.nan, np.nan, np.nan, 50, np.nan], [50000, 299, 1000, None, None])
    out = size_cn(frame)
    assert out["size_cn"].tolist() == ["unknown", "micro", "unknown", "unknown", "unknown"]
    assert out["size_cn_reason"].tolist() == [
        "missing employees",
        "",
        "missing employees",
        "missing revenue",
        "missing employees, missing revenue",
    ]
    # An employee count below the small bound proves micro without revenue.
    assert size_cn(_industry([19], [None])).loc[0, "size_cn"] == "micro"


def test_indicators_a_row_does_not_list_are_ignored():
    frame = pd.DataFrame(
        {
            "industry_code": ["01", "7310"],
            "employees": [np.nan, 300],
            "revenue": [20000 * WAN, np.nan],
            "total_assets": [np.nan, np.nan],
        }
    )
    assert size_cn(frame)["size_cn"].tolist() == ["large", "large"]


def test_negative_or_infinite_values_are_invalid():
    out = size_cn(_industry([-5, 500, 10], [5000, -1, np.inf]))
    assert out["size_cn"].tolist() == ["unknown", "unknown", "micro"]
    assert out["size_cn_reason"].tolist() == [
        "invalid employees (negative or infinite)",
        "invalid revenue (negative or infinite)",
        "",
    ]


def test_whole_frame_with_custom_columns_and_no_assets_column():
    frame = pd.DataFrame(
        {
            "gb": ["C3911", "4710", None, "5174", "66"],
            "staff": [350, 10, 5, np.nan, 10],
            "sales": [2500 * WAN, 500 * WAN, 1 * WAN, 45000 * WAN, 1 * WAN],
        },
        index=pd.Index(["c1", "c2", "c3", "c4", "c5"], name="customer_id"),
    )
    before = frame.copy()
    out = size_cn(frame, "gb", employees_col="staff", revenue_col="sales", assets_col=None)
    expected = pd.DataFrame(
        {
            "size_cn": ["medium", "unknown", "unknown", "unknown", "unknown"],
            "size_cn_zh": ["中型", "未知", "未知", "未知", "未知"],
            "size_cn_row": ["工业", "建筑业", None, "批发业", None],
            "size_cn_reason": [
                "",
                "missing total_assets",
                "missing industry",
                "missing staff",
                "industry not covered",
            ],
        },
        index=frame.index,
    ).astype("string")
    assert_frame_equal(out, expected)
    assert_frame_equal(frame, before)


def test_empty_frames_give_empty_results():
    frame = pd.DataFrame(
        {"industry_code": [], "employees": [], "revenue": [], "total_assets": []}
    ).astype({"industry_code": object})
    assert list(size_cn(frame).columns) == [
        "size_cn",
        "size_cn_zh",
        "size_cn_row",
        "size_cn_reason",
    ]
    assert len(size_cn(frame)) == 0
    assert list(size_eu(frame).columns) == ["size_eu", "size_eu_reason"]
    assert len(size_eu(frame)) == 0


def test_size_cn_rejects_bad_inputs():
    frame = _industry([10], [10])
    with pytest.raises(ConfigError, match="frame must be a pandas DataFrame; got dict"):
        size_cn({"industry_code": ["3911"]})
    with pytest.raises(SchemaError, match="employees_col='staff' is not a column of frame"):
        size_cn(frame, employees_col="staff")
    with pytest.raises(SchemaError, match="industry_col='gb' is not a column"):
        size_cn(frame, industry_col="gb")
    with pytest.raises(SchemaError, match=r"column 'revenue' \(revenue_col\) must be numeric"):
        size_cn(frame.assign(revenue=["ten"]))


# --- EU: Recommendation 2003/361/EC, Annex art. 2 --------------------------------------------

MEUR = 1_000_000 * 7.8  # CNY per million euro at the default rate


def _eu(staff, turnover_meur, balance_meur):
    def cny(values):
        return [np.nan if v is None else v * MEUR for v in values]

    return pd.DataFrame(
        {"employees": staff, "revenue": cny(turnover_meur), "total_assets": cny(balance_meur)}
    )


EU_CASES = {
    "249 staff is medium": (249, 40, 40, "medium"),
    "250 staff is large": (250, 40, 40, "large"),
    "turnover exactly 50m": (100, 50, 100, "medium"),
    "turnover 50m plus one cent": (100, 50.00000001, 100, "large"),
    "turnover over, balance sheet under": (100, 60, 43, "medium"),
    "turnover and balance sheet over": (100, 60, 43.00000001, "large"),
    "49 staff and 10m is small": (49, 10, 30, "small"),
    "50 staff is medium": (50, 10, 10, "medium"),
    "small by balance sheet only": (20, 30, 10, "small"),
    "9 staff and 2m is micro": (9, 2, 5, "micro"),
    "10 staff is small": (10, 2, 2, "small"),
    "micro by balance sheet only": (3, 5, 2, "micro"),
    "micro staff but over 2m is small": (3, 5, 5, "small"),
    "few staff but over the medium ceilings": (3, 60, 50, "large"),
}


@pytest.mark.parametrize("staff, turnover, balance, size", EU_CASES.values(), ids=list(EU_CASES))
def test_eu_boundaries(staff, turnover, balance, size):
    out = size_eu(_eu([staff], [turnover], [balance]))
    expected = pd.DataFrame({"size_eu": [size], "size_eu_reason": [""]}).astype("string")
    assert_frame_equal(out, expected)


def test_eu_headcount_is_mandatory():
    frame = _eu([np.nan, np.nan, 5, 5, 5], [1, 60, None, None, 3], [1, 50, None, 1, None])
    out = size_eu(frame)
    expected = pd.DataFrame(
        {
            "size_eu": ["unknown", "large", "unknown", "micro", "unknown"],
            "size_eu_reason": [
                "missing employees",
                "",
                "missing revenue, missing total_assets",
                "",
                "missing total_assets",
            ],
        }
    ).astype("string")
    assert_frame_equal(out, expected)


def test_eu_rate_and_columns_are_parameters():
    frame = pd.DataFrame({"staff": [100], "sales": [50_000_000.0]}, index=["c1"])
    before = frame.copy()
    out = size_eu(frame, "staff", "sales", assets_col=None, cny_per_eur=1.0)
    expected = pd.DataFrame({"size_eu": ["medium"], "size_eu_reason": [""]}, index=["c1"])
    assert_frame_equal(out, expected.astype("string"))
    # Turnover over EUR 50 m and no balance sheet: undecided between medium and large.
    out = size_eu(frame, "staff", "sales", None, cny_per_eur=0.5)
    assert out.loc["c1"].tolist() == ["unknown", "missing total_assets"]
    assert_frame_equal(frame, before)


@pytest.mark.parametrize("rate", [0, -7.8, np.nan, np.inf, "7.8", True, None])
def test_eu_rejects_a_bad_rate(rate):
    with pytest.raises(ConfigError, match="cny_per_eur must be a positive finite number"):
        size_eu(_eu([1], [1], [1]), cny_per_eur=rate)


def test_size_eu_rejects_bad_frames():
    with pytest.raises(ConfigError, match="frame must be a pandas DataFrame; got list"):
        size_eu([1, 2])
    with pytest.raises(SchemaError, match="assets_col='balance' is not a column"):
        size_eu(_eu([1], [1], [1]), assets_col="balance")
    with pytest.raises(SchemaError, match=r"column 'employees' \(employees_col\) must be numeric"):
        size_eu(_eu([1], [1], [1]).assign(employees=[True]))


# --- Revenue scale bands ------------------------------------------------------------------------


def test_scale_band_default_edges_are_closed_on_the_left():
    revenue = pd.Series(
        [np.nan, -1.0, 0.0, 999_999.99, 1e6, 9_999_999.0, 1e7, 99_999_999.0, 1e8, 5e9],
        index=list("abcdefghij"),
    )
    before = revenue.copy()
    labels = ["<1m", "1m–10m", "10m–100m", "≥100m"]
    expected = pd.Series(
        pd.Categorical(
            ["unknown", "<1m", "<1m", "<1m", "1m–10m", "1m–10m", "10m–100m", "10m–100m"]
            + ["≥100m", "≥100m"],
            categories=[*labels, "unknown"],
        ),
        index=revenue.index,
        name="scale_band",
    )
    assert_series_equal(scale_band(revenue), expected)
    assert_series_equal(revenue, before)


def test_scale_band_custom_edges_and_labels():
    revenue = pd.Series([5, 50, None], dtype="Float64")
    out = scale_band(revenue, edges=[10], labels=["small", "big"])
    expected = pd.Series(
        pd.Categorical(["small", "big", "unknown"], categories=["small", "big", "unknown"]),
        name="scale_band",
    )
    assert_series_equal(out, expected)


BAD_EDGES = {
    "empty": (),
    "decreasing": (1e7, 1e6),
    "repeated": (1e6, 1e6),
    "zero": (0, 1e6),
    "negative": (-1, 1e6),
    "infinite": (1e6, np.inf),
    "text": ("1m",),
    "string": "1e6",
    "none": None,
}


@pytest.mark.parametrize("edges", BAD_EDGES.values(), ids=list(BAD_EDGES))
def test_scale_band_rejects_bad_edges(edges):
    with pytest.raises(ConfigError, match="edges must be a non-empty sequence of positive"):
        scale_band(pd.Series([1.0]), edges=edges, labels=["a", "b"])


BAD_LABELS = {
    "too few": (["a", "b"], "labels must have len\\(edges\\) \\+ 1 = 3 entries; got 2"),
    "too many": (["a", "b", "c", "d"], "labels must have len\\(edges\\) \\+ 1 = 3 entries; got 4"),
    "duplicate": (["a", "a", "b"], "labels must be distinct non-empty strings"),
    "reserved": (["a", "b", "unknown"], "labels must be distinct non-empty strings other than"),
    "not text": (["a", 2, "b"], "labels must be distinct non-empty strings"),
    "string": ("abc", "labels must be a sequence of strings; got 'abc'"),
}


@pytest.mark.parametrize("labels, message", BAD_LABELS.values(), ids=list(BAD_LABELS))
def test_scale_band_rejects_bad_labels(labels, message):
    with pytest.raises(ConfigError, match=message):
        scale_band(pd.Series([1.0]), edges=(1, 2), labels=labels)


def test_scale_band_rejects_bad_revenue():
    with pytest.raises(ConfigError, match="revenue must be a pandas Series; got list"):
        scale_band([1.0])
    with pytest.raises(SchemaError, match="revenue must be numeric; got dtype object"):
        scale_band(pd.Series(["1m"]))
