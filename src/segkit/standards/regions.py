"""Regions of China: the four economic regions and the seven geographic regions.

Sources
-------
- 国家统计局《东西中部和东北地区划分方法》(2011-06-13): 东部 (east) 北京 天津 河北 上海 江苏
  浙江 福建 山东 广东 海南; 中部 (central) 山西 安徽 江西 河南 湖北 湖南; 西部 (west) 内蒙古 广西
  重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆; 东北 (northeast) 辽宁 吉林 黑龙江.
- Province names: GB/T 2260《中华人民共和国行政区划代码》 (the 31 mainland provincial-level
  divisions, Hong Kong, Macao and Taiwan).
- Seven geographic regions (七大地理分区): a common convention, not a statistical standard. The
  one used here: 华北 北京 天津 河北 山西 内蒙古; 东北 辽宁 吉林 黑龙江; 华东 上海 江苏 浙江
  安徽 福建 江西 山东; 华中 河南 湖北 湖南; 华南 广东 广西 海南; 西南 重庆 四川 贵州 云南 西藏;
  西北 陕西 甘肃 青海 宁夏 新疆.

Hong Kong, Macao and Taiwan form their own group (``"hmt"``, 港澳台) in both groupings, since
neither the NBS division nor the convention above includes them. Data: ``regions_cn.csv``.

Countries are read as people write them (:func:`country_code`): ISO 3166-1 alpha-2 and alpha-3
codes, English names, official and common names (``pycountry``), Chinese names (pycountry's
zh_CN translation of ISO 3166-1, so 中国, 英国, 德国) and the aliases of :data:`COUNTRY_ALIASES`
(``UK``, ``EIRE``, ``Deutschland``, ``RSA`` …), in any case and spacing.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import cache

import pandas as pd
import pycountry

from segkit.exceptions import ConfigError, SchemaError
from segkit.standards.industry import _read_csv

__all__ = [
    "classify_region",
    "country_code",
    "country_name",
    "unreadable_countries",
    "country_warning",
    "COUNTRY_ALIASES",
    "REGION_CN_ZH",
    "GEO_REGIONS",
]

#: Spellings ISO 3166 does not list, as people and ERP systems write them -> alpha-2 code.
COUNTRY_ALIASES = {
    "UK": "GB", "GREAT BRITAIN": "GB", "BRITAIN": "GB", "ENGLAND": "GB", "SCOTLAND": "GB",
    "WALES": "GB", "NORTHERN IRELAND": "GB", "EIRE": "IE", "DEUTSCHLAND": "DE", "RSA": "ZA",
    "HOLLAND": "NL", "THE NETHERLANDS": "NL", "RUSSIA": "RU", "TURKEY": "TR", "SOUTH KOREA": "KR",
    "KOREA": "KR", "NORTH KOREA": "KP", "U.S.A.": "US", "U.S.": "US", "AMERICA": "US",
    "UNITED STATES OF AMERICA": "US", "UAE": "AE", "CZECH REPUBLIC": "CZ", "IVORY COAST": "CI",
    "SWAZILAND": "SZ", "MACEDONIA": "MK", "BURMA": "MM", "VATICAN": "VA", "LAOS": "LA",
    "SCHWEIZ": "CH", "SUISSE": "CH", "ÖSTERREICH": "AT", "ESPAÑA": "ES", "ITALIA": "IT",
    "NEDERLAND": "NL", "BELGIË": "BE", "BELGIQUE": "BE", "POLSKA": "PL", "SVERIGE": "SE",
    "NORGE": "NO", "DANMARK": "DK", "SUOMI": "FI", "NIPPON": "JP", "中华人民共和国": "CN",
    "大陆": "CN", "中國": "CN", "香港": "HK", "澳门": "MO", "澳門": "MO", "台湾": "TW", "臺灣": "TW",
    "美國": "US", "英國": "GB", "韓國": "KR",
}  # fmt: skip

REGION_CN_ZH = {
    "east": "东部",
    "central": "中部",
    "west": "西部",
    "northeast": "东北",
    "hmt": "港澳台",
    "foreign": "境外",
    "unknown": "未知",
}

#: Geographic group -> (English name, Chinese name).
GEO_REGIONS = {
    "north": ("North China", "华北"),
    "northeast": ("Northeast China", "东北"),
    "east": ("East China", "华东"),
    "central": ("Central China", "华中"),
    "south": ("South China", "华南"),
    "southwest": ("Southwest China", "西南"),
    "northwest": ("Northwest China", "西北"),
    "hmt": ("Hong Kong, Macao and Taiwan", "港澳台"),
    "foreign": ("foreign", "境外"),
    "unknown": ("unknown", "未知"),
}

STATUS_OK = "ok"
STATUS_MISSING = "missing"
STATUS_UNKNOWN_PROVINCE = "unknown province"
STATUS_UNKNOWN_COUNTRY = "unknown country"

_HMT_COUNTRIES = {
    "HK": "香港特别行政区",
    "HKG": "香港特别行政区",
    "MO": "澳门特别行政区",
    "MAC": "澳门特别行政区",
    "TW": "台湾省",
    "TWN": "台湾省",
}
_SUFFIXES = re.compile(
    r"(省|市|specialadministrativeregion|autonomousregion|municipality|province|zizhiqu|"
    r"sheng|shi|sar)$"
)


def _key(text: str) -> str:
    """Case-, width- and blank-insensitive form of a name."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s\-'’.,]", "", text)


@cache
def _aliases() -> dict[str, str]:
    """Every accepted spelling (as a key) -> official province name."""
    aliases = {}
    for row in _read_csv("regions_cn.csv").itertuples(index=False):
        names = [row.province_std, row.short_name, row.pinyin, *row.aliases.split("|")]
        aliases.update({_key(name): row.province_std for name in names if name})
    return aliases


def _province(value) -> str | None:
    """Official name for a spelling; None when missing; ``""`` when not recognised."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if not isinstance(value, str):
        return ""
    key = _key(value)
    if not key:
        return None
    return _aliases().get(key) or _aliases().get(_SUFFIXES.sub("", key), "")


def _missing(value) -> bool:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return True
    return not str(value).strip()


@cache
def _chinese_names() -> dict[str, str]:
    """Chinese name (pycountry's zh_CN translation of ISO 3166-1) -> alpha-2 code."""
    try:
        zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError:
        return {}
    names = {}
    for country in pycountry.countries:
        for name in {country.name, getattr(country, "common_name", country.name)}:
            names.setdefault(zh.gettext(name), country.alpha_2)
    return names


def country_code(value) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country as written; None when missing; "" when not read.

    Reads codes (``GB``, ``GBR``), English, official and common names (``United Kingdom``,
    ``Korea, Republic of``), Chinese names (``英国``) and :data:`COUNTRY_ALIASES` (``UK``,
    ``EIRE``, ``Deutschland``, ``RSA``), in any case and width.
    """
    if _missing(value):
        return None
    text = " ".join(unicodedata.normalize("NFKC", str(value)).split())
    upper = text.upper()
    if upper in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[upper]
    if text in _chinese_names():
        return _chinese_names()[text]
    if len(upper) == 2 and upper.isalpha():
        found = pycountry.countries.get(alpha_2=upper)
        return found.alpha_2 if found else ""
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return ""


def country_name(code, lang: str = "en") -> str | None:
    """The common name of an alpha-2 code in ``lang`` (``"GB"`` -> United Kingdom, 英国)."""
    found = pycountry.countries.get(alpha_2=code) if isinstance(code, str) and code else None
    if found is None:
        return None
    name = getattr(found, "common_name", found.name)
    if lang == "zh":
        reverse = {v: k for k, v in _chinese_names().items()}
        return reverse.get(code, name)
    return name


def unreadable_countries(values: pd.Series) -> pd.Series:
    """Count of each value of a country column that :func:`country_code` cannot read.

    Returns
    -------
    pandas.Series
        Index the value as written, the number of rows holding it; most frequent first.
    """
    text = values.dropna().astype(str)
    distinct = pd.Series(text.unique())
    bad = distinct[distinct.map(country_code) == ""]
    counts = text[text.isin(set(bad))].value_counts()
    return counts.rename_axis("value").rename("rows")


def country_warning(ledger, shown: int = 10) -> str:
    """A sentence naming the values of ``customers.country`` that cannot be read, with their
    counts; "" when every value reads (or the ledger has no country column)."""
    customers = ledger.customers if "customers" in getattr(ledger, "origins", {}) else None
    if customers is None or "country" not in customers.columns:
        return ""
    bad = unreadable_countries(customers.select("country").execute()["country"])
    if bad.empty:
        return ""
    listed = ", ".join(
        f"{value!r} ({rows} row{'' if rows == 1 else 's'})"
        for value, rows in bad.head(shown).items()
    )
    more = f" and {len(bad) - shown} more" if len(bad) > shown else ""
    return (
        f"customers.country: {len(bad)} value(s) cannot be read as a country (ISO 3166 code, "
        f"name or alias): {listed}{more}; these customers' region is unknown. Write them as "
        "codes (GB, DE) or names (United Kingdom, Germany)."
    )


def _country(value) -> str:
    """``"CN"``, an HMT province name, ``"foreign"`` or ``"unknown"``."""
    if _missing(value):
        return "CN"
    code = country_code(value)
    if code == "CN":
        return "CN"
    if code in _HMT_COUNTRIES:
        return _HMT_COUNTRIES[code]
    return "foreign" if code else "unknown"


def _column(frame: pd.DataFrame, col, param: str) -> pd.Series:
    if col not in frame.columns:
        columns = list(frame.columns)
        raise SchemaError(f"{param}={col!r} is not a column of frame (columns: {columns}).")
    return frame[col]


def classify_region(
    frame: pd.DataFrame,
    province_col: str = "province",
    country_col: str | None = "country",
) -> pd.DataFrame:
    """Map provinces to China's economic and geographic regions.

    The country decides first: a missing country counts as China (``"CN"``); ``HK``, ``MO`` and
    ``TW`` give Hong Kong, Macao and Taiwan; any other country gives ``"foreign"``. Countries are
    read as written (:func:`country_code`: codes, names, Chinese names, aliases such as ``UK``
    or ``EIRE``); one that cannot be read is ``"unknown country"``. For Chinese customers the
    province is read in its short (``"广东"``), full (``"广东省"``) or pinyin (``"Guangdong"``,
    any case) form; a trailing 省/市 or ``Province``/``Sheng``/``Shi`` is ignored.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer. Not modified.
    province_col : str, default "province"
        Column with the province name.
    country_col : str or None, default "country"
        Column with the country (code or name); ``None`` when every customer is in China.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``frame``, string columns ``province_std`` (official full name),
        ``region_cn`` (``"east"``, ``"central"``, ``"west"``, ``"northeast"``, ``"hmt"``,
        ``"foreign"`` or ``"unknown"``), ``region_cn_zh`` (东部 中部 西部 东北 港澳台 境外 未知),
        ``geo_region`` (``"North China"``, ... ``"Hong Kong, Macao and Taiwan"``,
        ``"foreign"``, ``"unknown"``), ``geo_region_zh`` and ``region_status`` (``"ok"``,
        ``"missing"``, ``"unknown province"`` or ``"unknown country"``).
    """
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(f"frame must be a pandas DataFrame; got {type(frame).__name__}.")
    province = _column(frame, province_col, "province_col").map(_province)
    if country_col is None:
        country = pd.Series("CN", index=frame.index)
        iso = country.copy()
    else:
        raw = _column(frame, country_col, "country_col")
        country = raw.map(_country)
        iso = raw.map(lambda v: "CN" if _missing(v) else (country_code(v) or None))
    hmt = ~country.isin(["CN", "foreign", "unknown"])
    province = province.where(~hmt, country).where(country != "foreign")
    status = pd.Series(STATUS_OK, index=frame.index)
    status[(country == "CN") & province.isna()] = STATUS_MISSING
    status[province == ""] = STATUS_UNKNOWN_PROVINCE
    status[country == "unknown"] = STATUS_UNKNOWN_COUNTRY
    out = _regions(province.where(status == STATUS_OK), country, status)
    out["country_iso"] = iso.astype("string")
    return out


def _regions(province: pd.Series, country: pd.Series, status: pd.Series) -> pd.DataFrame:
    table = _read_csv("regions_cn.csv").set_index("province_std")
    region = province.map(table["region_cn"]).astype(object)
    region[country == "foreign"] = "foreign"
    region = region.fillna("unknown")
    geo = province.map(table["geo_region"]).astype(object)
    geo[country == "foreign"] = "foreign"
    geo = geo.fillna("unknown")
    out = pd.DataFrame(index=province.index)
    out["province_std"] = province
    out["region_cn"] = region
    out["region_cn_zh"] = region.map(REGION_CN_ZH)
    out["geo_region"] = geo.map(lambda g: GEO_REGIONS[g][0])
    out["geo_region_zh"] = geo.map(lambda g: GEO_REGIONS[g][1])
    out["region_status"] = status
    return out.astype("string")
