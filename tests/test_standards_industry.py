"""Golden tests for GB/T 4754-2017 codes and the ISIC Rev.4 section crosswalk."""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from segkit.exceptions import ConfigError
from segkit.standards import (
    classify_industry,
    industry_divisions,
    industry_sections,
    unknown_industry_codes,
)

# GB/T 4754-2017: section -> (first division, last division, Chinese name).
SECTIONS = {
    "A": (1, 5, "农、林、牧、渔业"),
    "B": (6, 12, "采矿业"),
    "C": (13, 43, "制造业"),
    "D": (44, 46, "电力、热力、燃气及水生产和供应业"),
    "E": (47, 50, "建筑业"),
    "F": (51, 52, "批发和零售业"),
    "G": (53, 60, "交通运输、仓储和邮政业"),
    "H": (61, 62, "住宿和餐饮业"),
    "I": (63, 65, "信息传输、软件和信息技术服务业"),
    "J": (66, 69, "金融业"),
    "K": (70, 70, "房地产业"),
    "L": (71, 72, "租赁和商务服务业"),
    "M": (73, 75, "科学研究和技术服务业"),
    "N": (76, 79, "水利、环境和公共设施管理业"),
    "O": (80, 82, "居民服务、修理和其他服务业"),
    "P": (83, 83, "教育"),
    "Q": (84, 85, "卫生和社会工作"),
    "R": (86, 90, "文化、体育和娱乐业"),
    "S": (91, 96, "公共管理、社会保障和社会组织"),
    "T": (97, 97, "国际组织"),
}

DIVISION_NAMES = {
    "01": "农业",
    "05": "农、林、牧、渔专业及辅助性活动",
    "06": "煤炭开采和洗选业",
    "13": "农副食品加工业",
    "39": "计算机、通信和其他电子设备制造业",
    "43": "金属制品、机械和设备修理业",
    "46": "水的生产和供应业",
    "51": "批发业",
    "52": "零售业",
    "59": "装卸搬运和仓储业",
    "60": "邮政业",
    "65": "软件和信息技术服务业",
    "70": "房地产业",
    "72": "商务服务业",
    "79": "土地管理业",
    "85": "社会工作",
    "96": "基层群众自治组织及其他组织",
    "97": "国际组织",
}

# Code -> expected ISIC Rev.4 section: section level, division and group refinements.
ISIC = {
    "A": "A",
    "B": "B",
    "C": "C",
    "D": "D",
    "E": "F",
    "F": "G",
    "G": "H",
    "H": "I",
    "I": "J",
    "J": "K",
    "K": "L",
    "M": "M",
    "P": "P",
    "Q": "Q",
    "R": "R",
    "T": "U",
    "0111": "A",
    "0610": "B",
    "3911": "C",
    "4210": "E",
    "43": "C",
    "4411": "D",
    "45": "D",
    "4610": "E",
    "4710": "F",
    "5174": "G",
    "52": "G",
    "53": "H",
    "5920": "H",
    "60": "H",
    "61": "I",
    "62": "I",
    "63": "J",
    "64": "J",
    "65": "J",
    "66": "K",
    "69": "K",
    "70": "L",
    "71": "N",
    "72": "M",
    "7241": "M",
    "7221": "N",
    "7262": "N",
    "73": "M",
    "76": "E",
    "7721": "E",
    "7711": "R",
    "78": "N",
    "7850": "R",
    "79": "O",
    "80": "S",
    "8010": "T",
    "8020": "Q",
    "8060": "M",
    "81": "S",
    "8111": "G",
    "8121": "S",
    "82": "S",
    "8211": "N",
    "83": "P",
    "84": "Q",
    "85": "Q",
    "86": "J",
    "87": "J",
    "88": "R",
    "90": "R",
    "91": "O",
    "92": "O",
    "9310": "O",
    "9320": "S",
    "94": "O",
    "95": "S",
    "96": "S",
    "97": "U",
}


def test_twenty_sections_with_their_division_ranges():
    sections = industry_sections().set_index("section")
    assert list(sections.index) == list(SECTIONS)
    for letter, (first, last, name) in SECTIONS.items():
        assert sections.loc[letter, "name_zh"] == name
        assert sections.loc[letter, "first_division"] == f"{first:02d}"
        assert sections.loc[letter, "last_division"] == f"{last:02d}"
    assert sections["name_en"].str.len().gt(0).all()


def test_ninety_seven_divisions_each_in_its_section():
    divisions = industry_divisions()
    assert divisions["division"].tolist() == [f"{d:02d}" for d in range(1, 98)]
    expected = {
        f"{d:02d}": letter
        for letter, (first, last, _) in SECTIONS.items()
        for d in range(first, last + 1)
    }
    assert dict(zip(divisions["division"], divisions["section"], strict=True)) == expected


def test_division_names():
    out = classify_industry(pd.Series(list(DIVISION_NAMES), index=list(DIVISION_NAMES)))
    assert out["industry_division_name_zh"].to_dict() == DIVISION_NAMES


def test_isic_crosswalk():
    out = classify_industry(pd.Series(list(ISIC), index=list(ISIC)))
    assert out["isic_section"].to_dict() == ISIC


def test_classify_industry_accepts_the_usual_spellings():
    codes = pd.Series(
        ["5174", "C3911", "C", "51", " 5174 ", 5174, 5174.0, 111, "c 3911", "Ｃ３９１１", 1],
        index=list("abcdefghijk"),
        dtype=object,
    )
    before = codes.copy()
    out = classify_industry(codes)
    wholesale = ["F", "批发和零售业", "Wholesale and retail trade", "51", "批发业", "G", "ok"]
    computers = [
        "C",
        "制造业",
        "Manufacturing",
        "39",
        "计算机、通信和其他电子设备制造业",
        "C",
        "ok",
    ]
    farming = ["A", "农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery"]
    rows = [
        ["5174", *wholesale],
        ["3911", *computers],
        ["C", "C", "制造业", "Manufacturing", None, None, "C", "ok"],
        ["51", *wholesale],
        ["5174", *wholesale],
        ["5174", *wholesale],
        ["5174", *wholesale],
        ["0111", *farming, "01", "农业", "A", "ok"],
        ["3911", *computers],
        ["3911", *computers],
        ["01", *farming, "01", "农业", "A", "ok"],
    ]
    columns = [
        "industry_code",
        "industry_section",
        "industry_section_name_zh",
        "industry_section_name_en",
        "industry_division",
        "industry_division_name_zh",
        "isic_section",
        "industry_status",
    ]
    expected = pd.DataFrame(rows, index=codes.index, columns=columns).astype("string")
    assert_frame_equal(out, expected)
    assert_frame_equal(codes.to_frame(), before.to_frame())


def test_unknown_and_missing_codes_are_reported_not_guessed():
    codes = pd.Series(["A3911", "98", "00", "X", "U", "5", "51745", 51.5, True, None, np.nan, "  "])
    out = classify_industry(codes)
    assert out["industry_status"].tolist() == ["unknown code"] * 9 + ["missing"] * 3
    assert out["industry_code"].tolist() == [
        "A3911",
        "98",
        "00",
        "X",
        "U",
        "5",
        "51745",
        "51.5",
        "TRUE",
        pd.NA,
        pd.NA,
        pd.NA,
    ]
    described = out.drop(columns=["industry_code", "industry_status"])
    assert described.isna().all().all()


def test_unknown_industry_codes_counts_each_distinct_code():
    codes = pd.Series(["99", "5174", "x1", " X1", "99", None, "99", "ZZ"])
    expected = pd.DataFrame(
        {"industry_code": ["99", "X1", "ZZ"], "count": [3, 2, 1]},
    ).astype({"industry_code": "string", "count": "int64"})
    assert_frame_equal(unknown_industry_codes(codes), expected)


def test_unknown_industry_codes_is_empty_when_all_codes_are_known():
    out = unknown_industry_codes(pd.Series(["5174", None]))
    assert list(out.columns) == ["industry_code", "count"]
    assert len(out) == 0


def test_classify_industry_on_an_empty_series():
    out = classify_industry(pd.Series([], dtype=object))
    assert len(out) == 0
    assert out.columns[-1] == "industry_status"


@pytest.mark.parametrize("func", [classify_industry, unknown_industry_codes])
def test_codes_must_be_a_series(func):
    with pytest.raises(ConfigError, match="codes must be a pandas Series; got list"):
        func(["5174"])


def test_section_label_names_the_section_in_either_language():
    from segkit.standards.industry import section_label

    assert section_label("C", "zh") == "C 制造业"
    assert section_label("C", "en") == "C Manufacturing"
    assert section_label("unknown") is None and section_label(None) is None
