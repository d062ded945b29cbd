"""Golden tests for the NBS economic regions (2011) and the seven geographic regions."""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from segkit.exceptions import ConfigError, SchemaError
from segkit.standards import classify_region
from segkit.standards.regions import country_code, country_name, unreadable_countries

# (short, official, pinyin, NBS economic region, geographic region), typed from the sources.
PROVINCES = [
    ("北京", "北京市", "Beijing", "east", "North China"),
    ("天津", "天津市", "Tianjin", "east", "North China"),
    ("河北", "河北省", "Hebei", "east", "North China"),
    ("山西", "山西省", "Shanxi", "central", "North China"),
    ("内蒙古", "内蒙古自治区", "Neimenggu", "west", "North China"),
    ("辽宁", "辽宁省", "Liaoning", "northeast", "Northeast China"),
    ("吉林", "吉林省", "Jilin", "northeast", "Northeast China"),
    ("黑龙江", "黑龙江省", "Heilongjiang", "northeast", "Northeast China"),
    ("上海", "上海市", "Shanghai", "east", "East China"),
    ("江苏", "江苏省", "Jiangsu", "east", "East China"),
    ("浙江", "浙江省", "Zhejiang", "east", "East China"),
    ("安徽", "安徽省", "Anhui", "central", "East China"),
    ("福建", "福建省", "Fujian", "east", "East China"),
    ("江西", "江西省", "Jiangxi", "central", "East China"),
    ("山东", "山东省", "Shandong", "east", "East China"),
    ("河南", "河南省", "Henan", "central", "Central China"),
    ("湖北", "湖北省", "Hubei", "central", "Central China"),
    ("湖南", "湖南省", "Hunan", "central", "Central China"),
    ("广东", "广东省", "Guangdong", "east", "South China"),
    ("广西", "广西壮族自治区", "Guangxi", "west", "South China"),
    ("海南", "海南省", "Hainan", "east", "South China"),
    ("重庆", "重庆市", "Chongqing", "west", "Southwest China"),
    ("四川", "四川省", "Sichuan", "west", "Southwest China"),
    ("贵州", "贵州省", "Guizhou", "west", "Southwest China"),
    ("云南", "云南省", "Yunnan", "west", "Southwest China"),
    ("西藏", "西藏自治区", "Xizang", "west", "Southwest China"),
    ("陕西", "陕西省", "Shaanxi", "west", "Northwest China"),
    ("甘肃", "甘肃省", "Gansu", "west", "Northwest China"),
    ("青海", "青海省", "Qinghai", "west", "Northwest China"),
    ("宁夏", "宁夏回族自治区", "Ningxia", "west", "Northwest China"),
    ("新疆", "新疆维吾尔自治区", "Xinjiang", "west", "Northwest China"),
]
REGION_ZH = {"east": "东部", "central": "中部", "west": "西部", "northeast": "东北"}
GEO_ZH = {
    "North China": "华北",
    "Northeast China": "东北",
    "East China": "华东",
    "Central China": "华中",
    "South China": "华南",
    "Southwest China": "西南",
    "Northwest China": "西北",
}
COLUMNS = ["province_std", "region_cn", "region_cn_zh", "geo_region", "geo_region_zh"]


@pytest.mark.parametrize(
    "short, full, pinyin, region, geo", PROVINCES, ids=[p[2] for p in PROVINCES]
)
def test_every_province_in_every_spelling(short, full, pinyin, region, geo):
    spellings = [short, full, pinyin, pinyin.upper(), f" {pinyin.lower()} "]
    frame = pd.DataFrame({"province": spellings, "country": "CN"})
    row = [full, region, REGION_ZH[region], geo, GEO_ZH[geo], "ok"]
    expected = pd.DataFrame([row] * 5, columns=[*COLUMNS, "region_status"]).astype("string")
    assert_frame_equal(classify_region(frame).drop(columns="country_iso"), expected)


def test_region_sizes_match_the_nbs_division():
    frame = pd.DataFrame({"province": [p[0] for p in PROVINCES]})
    counts = classify_region(frame, country_col=None)["region_cn"].value_counts().to_dict()
    assert counts == {"west": 12, "east": 10, "central": 6, "northeast": 3}


def test_common_aliases_and_suffixes():
    names = ["Inner Mongolia", "Nei Mongol", "内蒙", "Tibet", "Guangdong Province", "广西省"]
    names += ["Shanghai Shi", "Shaanxi", "shanxi", "Peking"]
    out = classify_region(pd.DataFrame({"province": names}), country_col=None)
    assert out["province_std"].tolist() == [
        "内蒙古自治区",
        "内蒙古自治区",
        "内蒙古自治区",
        "西藏自治区",
        "广东省",
        "广西壮族自治区",
        "上海市",
        "陕西省",
        "山西省",
        "北京市",
    ]


def test_hong_kong_macao_taiwan_foreign_and_unknown():
    frame = pd.DataFrame(
        {
            "province": ["香港", "Macau", None, "台湾", "广东", "火星", None, "北京", "Hubei"],
            "country": ["CN", None, "TW", "cn", "us", "CN", "CN", "China?", "中国"],
        },
        index=pd.Index([f"c{i}" for i in range(9)], name="customer_id"),
    )
    before = frame.copy()
    hmt = ["hmt", "港澳台", "Hong Kong, Macao and Taiwan", "港澳台", "ok"]
    unknown = [None, "unknown", "未知", "unknown", "未知"]
    rows = [
        ["香港特别行政区", *hmt],
        ["澳门特别行政区", *hmt],
        ["台湾省", *hmt],
        ["台湾省", *hmt],
        [None, "foreign", "境外", "foreign", "境外", "ok"],
        [*unknown, "unknown province"],
        [*unknown, "missing"],
        [*unknown, "unknown country"],
        ["湖北省", "central", "中部", "Central China", "华中", "ok"],
    ]
    expected = pd.DataFrame(rows, index=frame.index, columns=[*COLUMNS, "region_status"])
    got = classify_region(frame)
    assert_frame_equal(got.drop(columns="country_iso"), expected.astype("string"))
    assert got["country_iso"].tolist() == ["CN", "CN", "TW", "CN", "US", "CN", "CN", pd.NA, "CN"]
    assert_frame_equal(frame, before)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("United Kingdom", "GB"), ("UK", "GB"), ("uk", "GB"), ("EIRE", "IE"),
        ("Deutschland", "DE"), ("中国", "CN"), ("RSA", "ZA"), ("England", "GB"),
        (" united  kingdom ", "GB"), ("GBR", "GB"), ("英国", "GB"), ("Korea, Republic of", "KR"),
        ("de", "DE"), ("Hong Kong", "HK"),
    ],
)  # fmt: skip
def test_countries_are_read_as_people_write_them(written, code):
    assert country_code(written) == code


def test_a_country_that_cannot_be_read_is_counted_not_guessed():
    assert (
        country_code("Atlantis") == "" and country_code("XX") == "" and country_code(None) is None
    )
    values = pd.Series(["France", "Atlantis", "European Community", "Atlantis", None, "UK"])
    got = unreadable_countries(values)
    assert got.to_dict() == {"Atlantis": 2, "European Community": 1}
    regions = classify_region(pd.DataFrame({"province": None, "country": values}))
    assert regions["region_status"].tolist()[:3] == ["ok", "unknown country", "unknown country"]
    assert regions["region_cn"].tolist()[0] == "foreign"
    assert regions["country_iso"].tolist() == ["FR", pd.NA, pd.NA, pd.NA, "CN", "GB"]


def test_country_names_in_both_languages():
    assert country_name("GB", "en") == "United Kingdom" and country_name("GB", "zh") == "英国"
    assert country_name("ZA", "zh") == "南非" and country_name("XX") is None


def test_non_text_provinces_are_unknown_and_blanks_missing():
    frame = pd.DataFrame({"prov": [44, "  ", np.nan], "iso": ["HK", "CN", "CN"]})
    out = classify_region(frame, province_col="prov", country_col="iso")
    assert out["region_status"].tolist() == ["ok", "missing", "missing"]
    out = classify_region(frame, province_col="prov", country_col=None)
    assert out["region_status"].tolist() == ["unknown province", "missing", "missing"]


def test_classify_region_rejects_bad_inputs():
    with pytest.raises(ConfigError, match="frame must be a pandas DataFrame; got Series"):
        classify_region(pd.Series(["广东"]))
    frame = pd.DataFrame({"province": ["广东"]})
    with pytest.raises(SchemaError, match="country_col='country' is not a column of frame"):
        classify_region(frame)
    with pytest.raises(SchemaError, match="province_col='prov' is not a column of frame"):
        classify_region(frame, province_col="prov", country_col=None)


def test_validate_names_the_countries_it_cannot_read(tmp_path):
    from typer.testing import CliRunner

    from segkit.cli import app

    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3", "I4"],
            "customer_id": ["A", "B", "C", "D"],
            "invoice_date": ["2025-01-10"] * 4,
            "due_date": ["2025-02-10"] * 4,
            "amount": [100.0, 50.0, 70.0, 20.0],
        }
    )
    customers = pd.DataFrame(
        {"customer_id": list("ABCD"), "country": ["UK", "Atlantis", "Atlantis", "European Union"]}
    )
    invoices.to_csv(tmp_path / "invoices.csv", index=False)
    customers.to_csv(tmp_path / "customers.csv", index=False)
    result = CliRunner().invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "2 value(s) cannot be read as a country" in result.output
    assert "'Atlantis' (2 rows), 'European Union' (1 row)" in result.output
    assert "NaT" not in result.output and "NaN" not in result.output
    assert "no problems found beyond the warning above" in result.output
