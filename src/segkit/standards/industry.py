"""Industry codes of GB/T 4754-2017 and their ISIC Rev.4 sections.

Sources
-------
- GB/T 4754-2017《国民经济行业分类》(Industrial classification for national economic
  activities), issued 2017-06-30, in force 2017-10-01; table 国民经济行业分类和代码: 20 sections
  (门类 A-T) and 97 divisions (大类 01-97). Group (中类, 3 digits) and class (小类, 4 digits)
  codes start with their division.
- United Nations Statistics Division, *International Standard Industrial Classification of All
  Economic Activities (ISIC), Revision 4*, 2008 (Statistical Papers M/4/Rev.4): sections A-U.

The ISIC crosswalk works at section level. Where a GB division falls in a different ISIC section
than the rest of its GB section (e.g. 42 废弃资源综合利用业 -> E, 86-87 -> J), the division decides,
and for a few divisions that straddle ISIC sections a group decides (e.g. 811 motor vehicle repair
-> G). It remains approximate where the two classifications cut activities differently; the data
files ``gbt4754_2017_*.csv`` list every mapping and note the approximate ones.

Codes are read, never guessed: ``"5174"``, ``"C3911"``, ``"C"``, ``"51"`` and ``" 5174 "`` are
accepted; a code whose division does not exist, or whose letter contradicts its digits, is
reported as ``"unknown code"``. Only the section and division are checked against the standard;
the group and class digits are kept as given.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

import pandas as pd

from segkit.exceptions import ConfigError

__all__ = [
    "classify_industry",
    "unknown_industry_codes",
    "industry_sections",
    "industry_divisions",
    "section_label",
]

STATUS_OK = "ok"
STATUS_UNKNOWN = "unknown code"
STATUS_MISSING = "missing"

OUTPUT_COLUMNS = (
    "industry_code",
    "industry_section",
    "industry_section_name_zh",
    "industry_section_name_en",
    "industry_division",
    "industry_division_name_zh",
    "isic_section",
    "industry_status",
)

_CODE = re.compile(r"(?P<section>[A-T])?(?P<digits>\d{2,4})?")


@cache
def _read_csv(name: str) -> pd.DataFrame:
    """Read a packaged data table as strings (cached: callers must not modify it)."""
    path = resources.files("segkit").joinpath("data", name)
    with path.open(encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, comment="#", keep_default_na=False)


def industry_sections() -> pd.DataFrame:
    """Return the 20 sections (门类) of GB/T 4754-2017.

    Returns
    -------
    pandas.DataFrame
        Columns ``section``, ``name_zh``, ``name_en``, ``first_division``, ``last_division``,
        ``isic_section`` (ISIC Rev.4 section for a section-only code) and ``isic_note``.
    """
    return _read_csv("gbt4754_2017_sections.csv").copy()


def section_label(letter, lang: str = "en") -> str | None:
    """A section's letter with its name in ``lang`` (``"C 制造业"``, ``"C Manufacturing"``);
    None for anything that is not a section letter."""
    sections = _read_csv("gbt4754_2017_sections.csv")
    found = sections.loc[sections["section"] == letter, f"name_{lang}"]
    return f"{letter} {found.iloc[0]}" if len(found) else None


def industry_divisions() -> pd.DataFrame:
    """Return the 97 divisions (大类) of GB/T 4754-2017.

    Returns
    -------
    pandas.DataFrame
        Columns ``division`` (``"01"`` ... ``"97"``), ``section``, ``name_zh`` and
        ``isic_section`` (ISIC Rev.4 section of the division as a whole).
    """
    return _read_csv("gbt4754_2017_divisions.csv").copy()


def _lookup(name: str, key: str, value: str) -> dict[str, str]:
    table = _read_csv(name)
    return dict(zip(table[key], table[value], strict=True))


def _normalise(value) -> str | None:
    """Return a code as an upper-case string without blanks, or None when missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        if math.isnan(value):
            return None
        if not float(value).is_integer():
            return str(value)
        value = int(value)
    if isinstance(value, numbers.Integral):
        text = str(int(value))
        # Numbers lose leading zeros: pad back to an even length ("111" -> "0111").
        return "0" + text if len(text) % 2 else text
    text = "".join(unicodedata.normalize("NFKC", str(value)).split()).upper()
    return text or None


@lru_cache(maxsize=8192, typed=True)
def _parse(value) -> tuple[str | None, str | None, str | None, str]:
    """Return ``(code, section, division, status)`` for one raw code."""
    text = _normalise(value)
    if text is None:
        return None, None, None, STATUS_MISSING
    match = _CODE.fullmatch(text)
    if match is None:
        return text, None, None, STATUS_UNKNOWN
    letter, digits = match["section"], match["digits"]
    if digits is None:
        return letter, letter, None, STATUS_OK
    section = _lookup("gbt4754_2017_divisions.csv", "division", "section").get(digits[:2])
    if section is None or (letter is not None and letter != section):
        return text, None, None, STATUS_UNKNOWN
    return digits, section, digits[:2], STATUS_OK


def _check_series(values, name: str) -> None:
    if not isinstance(values, pd.Series):
        raise ConfigError(f"{name} must be a pandas Series; got {type(values).__name__}.")


def parse_codes(codes: pd.Series) -> pd.DataFrame:
    """Split raw codes into ``code``, ``section``, ``division`` and ``status`` (input index)."""
    _check_series(codes, "codes")
    rows = [_parse(value) for value in codes.tolist()]
    columns = ["code", "section", "division", "status"]
    return pd.DataFrame(rows, index=codes.index, columns=columns, dtype=object)


def _isic_sections(parsed: pd.DataFrame) -> pd.Series:
    """Most specific ISIC Rev.4 section: group, then division, then section."""
    digits = parsed["code"].where(parsed["division"].notna()).astype("string")
    group = digits.where(digits.str.len() >= 3).str[:3]
    keys = [
        (group, "gbt4754_2017_isic4_groups.csv", "group"),
        (parsed["division"], "gbt4754_2017_divisions.csv", "division"),
        (parsed["section"], "gbt4754_2017_sections.csv", "section"),
    ]
    isic = pd.Series(pd.NA, index=parsed.index, dtype="string")
    for key, name, column in keys:
        isic = isic.fillna(key.map(_lookup(name, column, "isic_section")).astype("string"))
    return isic


def classify_industry(codes: pd.Series) -> pd.DataFrame:
    """Attach the GB/T 4754-2017 section, division and ISIC Rev.4 section to industry codes.

    Parameters
    ----------
    codes : pandas.Series
        One industry code per customer: a section letter (``"C"``), a division, group or class
        code (``"51"``, ``"517"``, ``"5174"``), optionally prefixed by its letter (``"C3911"``).
        Blanks and full-width characters are ignored and letters may be lower case. Numbers are
        accepted; as they lose leading zeros, an odd number of digits is padded with one zero
        (``111`` -> ``"0111"``).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``codes``, string columns ``industry_code`` (cleaned code: the digits when
        given, else the letter), ``industry_section``, ``industry_section_name_zh``,
        ``industry_section_name_en``, ``industry_division`` (two digits),
        ``industry_division_name_zh``, ``isic_section`` and ``industry_status`` (``"ok"``,
        ``"unknown code"`` or ``"missing"``). Unknown and missing codes have no section.

    Examples
    --------
    >>> classify_industry(pd.Series(["C3911", "51"]))["isic_section"].tolist()
    ['C', 'G']
    """
    parsed = parse_codes(codes)
    sections = industry_sections().set_index("section")
    divisions = industry_divisions().set_index("division")
    out = pd.DataFrame(index=codes.index)
    out["industry_code"] = parsed["code"]
    out["industry_section"] = parsed["section"]
    out["industry_section_name_zh"] = parsed["section"].map(sections["name_zh"])
    out["industry_section_name_en"] = parsed["section"].map(sections["name_en"])
    out["industry_division"] = parsed["division"]
    out["industry_division_name_zh"] = parsed["division"].map(divisions["name_zh"])
    out["isic_section"] = _isic_sections(parsed)
    out["industry_status"] = parsed["status"]
    return out.astype("string")


def unknown_industry_codes(codes: pd.Series) -> pd.DataFrame:
    """List the distinct codes that are not GB/T 4754-2017 codes, with their counts.

    Parameters
    ----------
    codes : pandas.Series
        Raw industry codes, as for :func:`classify_industry`.

    Returns
    -------
    pandas.DataFrame
        Columns ``industry_code`` (cleaned) and ``count``, most frequent first, ties by code;
        empty when every code is known or missing.
    """
    parsed = parse_codes(codes)
    unknown = parsed.loc[parsed["status"] == STATUS_UNKNOWN, "code"]
    counts = unknown.value_counts().rename_axis("industry_code").reset_index(name="count")
    counts = counts.sort_values(["count", "industry_code"], ascending=[False, True])
    counts["industry_code"] = counts["industry_code"].astype("string")
    return counts.astype({"count": "int64"}).reset_index(drop=True)
