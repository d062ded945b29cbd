"""Statutory enterprise size: China's 2017 statistical standard and the EU SME definition.

Sources
-------
- 国家统计局《统计上大中小微型企业划分办法（2017）》, 国统字〔2017〕213号, 附表
  统计上大中小微型企业划分标准 (16 industry rows; indicators 从业人员 X in persons, 营业收入 Y
  and 资产总额 Z in 万元) and its notes: note 1 (large, medium and small must meet the lower
  bound of every listed indicator, otherwise the enterprise falls one tier; micro needs only one
  indicator), note 2 (industry scope by GB/T 4754-2017). Data: ``size_cn_2017_thresholds.csv``
  and ``size_cn_2017_industries.csv``.
- Commission Recommendation 2003/361/EC of 6 May 2003 concerning the definition of micro, small
  and medium-sized enterprises (OJ L 124, 20.5.2003, p. 36), Annex, Title I, Article 2.

China: note 1 is applied as *tier = the highest tier whose lower bounds are all met; if none of
large, medium or small is met, micro*. A company that is "large" on employees but "medium" on
revenue is therefore medium, and one indicator below the small bound makes it micro. When an
indicator the row needs is missing, the size is "unknown" unless the available indicators
already prove micro. Revenue and total assets are given in yuan and compared with the bounds
times 10,000, which is the same as converting to 万元 but exact at the bounds.

EU: headcount is mandatory, and the financial ceiling is met if turnover *or* the balance sheet
total is within it. Headcount is the ``employees`` column (the Recommendation counts annual work
units); partner and linked enterprises (Article 3) and the two-period rule (Article 4) are not
applied. Amounts in CNY are converted with ``cny_per_eur``, an assumption the user should set.
"""

from __future__ import annotations

import numbers
from functools import cache

import numpy as np
import pandas as pd

from segkit.exceptions import ConfigError, SchemaError
from segkit.standards.industry import STATUS_MISSING, STATUS_UNKNOWN, _read_csv, parse_codes

__all__ = ["size_cn", "size_eu", "SIZE_CN_ZH", "EU_CEILINGS"]

TIERS_CN = ("large", "medium", "small")
SIZE_CN_ZH = {
    "large": "大型",
    "medium": "中型",
    "small": "小型",
    "micro": "微型",
    "unknown": "未知",
}
INDICATORS = ("employees", "revenue", "total_assets")
YUAN_PER_WAN = 10_000
NOT_COVERED = "not_covered"

#: Annex art. 2 of 2003/361/EC: staff fewer than, turnover <= EUR, balance sheet total <= EUR.
EU_CEILINGS = {
    "micro": (10, 2_000_000, 2_000_000),
    "small": (50, 10_000_000, 10_000_000),
    "medium": (250, 50_000_000, 43_000_000),
}


def _check_frame(frame) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(f"frame must be a pandas DataFrame; got {type(frame).__name__}.")


def _column(frame: pd.DataFrame, col, param: str) -> pd.Series:
    if col not in frame.columns:
        raise SchemaError(
            f"{param}={col!r} is not a column of frame (columns: {list(frame.columns)}); "
            f"pass {param}=None if the data have no such column."
        )
    return frame[col]


def _numeric(frame: pd.DataFrame, col, param: str) -> pd.Series:
    """The column as float, all-NaN when ``col`` is None."""
    if col is None:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    series = _column(frame, col, param)
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if not (numeric or series.isna().all()):
        raise SchemaError(f"column {col!r} ({param}) must be numeric; got dtype {series.dtype}.")
    return series.astype(float)


def _indicators(frame: pd.DataFrame, employees_col, revenue_col, assets_col):
    """Valid indicator values (NaN when missing or invalid) and a problem text per cell."""
    columns = {
        "employees": (employees_col, "employees_col"),
        "revenue": (revenue_col, "revenue_col"),
        "total_assets": (assets_col, "assets_col"),
    }
    values, problems = {}, {}
    for name, (col, param) in columns.items():
        value = _numeric(frame, col, param)
        label = name if col is None else str(col)
        invalid = (value < 0) | np.isinf(value)
        problem = pd.Series(pd.NA, index=frame.index, dtype=object)
        problem[value.isna()] = f"missing {label}"
        problem[invalid] = f"invalid {label} (negative or infinite)"
        values[name], problems[name] = value.mask(invalid), problem
    return pd.DataFrame(values, index=frame.index), pd.DataFrame(problems, index=frame.index)


def _join_problems(problems: pd.DataFrame, rows: pd.Series) -> pd.Series:
    """Join the problem texts of the rows flagged in ``rows``; empty string elsewhere."""
    reason = pd.Series("", index=problems.index, dtype=object)
    if rows.any():
        reason[rows] = problems[rows].apply(lambda r: ", ".join(r.dropna()), axis=1)
    return reason


def _first_open(fails: np.ndarray, met: np.ndarray, tiers, fallback: str):
    """Per row, the first tier not failed: itself when met, else unknown; ``fallback`` if none.

    ``fails`` and ``met`` are (rows x tiers) masks; a tier neither failed nor met is
    undecidable because of a missing input. Also returns the position of that first tier.
    """
    first = np.argmax(~fails, axis=1)
    rows = np.arange(len(first))
    labels = np.where(met[rows, first], np.asarray(list(tiers), dtype=object)[first], "unknown")
    return np.where(fails.all(axis=1), fallback, labels), first


@cache
def _cn_bounds() -> pd.DataFrame:
    """Lower bounds (persons or yuan) indexed by row id; columns (tier, indicator)."""
    table = _read_csv("size_cn_2017_thresholds.csv").set_index(["row_id", "indicator"])
    bounds = table[list(TIERS_CN)].astype(float).unstack("indicator")
    bounds = bounds.reindex(columns=pd.MultiIndex.from_product([TIERS_CN, INDICATORS]))
    money = bounds.columns.get_level_values(1) != "employees"
    bounds.loc[:, money] *= YUAN_PER_WAN
    return bounds


def _cn_rows(codes: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Industry row id per customer (NA when none) and the reason when there is none."""
    parsed = parse_codes(codes)
    mapping = _read_csv("size_cn_2017_industries.csv")
    mapping = dict(zip(mapping["code"], mapping["row_id"], strict=True))
    code = parsed["code"].where(parsed["section"].notna()).astype("string")
    row = pd.Series(pd.NA, index=codes.index, dtype="string")
    for key in (code, code.str[:3], code.str[:2], parsed["section"]):
        row = row.fillna(key.map(mapping).astype("string"))
    reason = pd.Series("industry code too coarse", index=codes.index, dtype=object)
    reason[parsed["status"] == STATUS_MISSING] = "missing industry"
    reason[parsed["status"] == STATUS_UNKNOWN] = "unknown industry code"
    reason[row == NOT_COVERED] = "industry not covered"
    known = row.notna() & (row != NOT_COVERED)
    return row.where(known), reason.where(~known)


def _cn_tiers(bounds: pd.DataFrame, values: pd.DataFrame) -> np.ndarray:
    """Highest tier whose bounds are all met; micro when none; unknown when undecidable."""
    lower = bounds.to_numpy().reshape(len(bounds), len(TIERS_CN), len(INDICATORS))
    value = values[list(INDICATORS)].to_numpy()[:, None, :]
    used = ~np.isnan(lower)
    fails = (used & (value < lower)).any(axis=2)
    unknown = (used & np.isnan(value)).any(axis=2)
    sizes, _ = _first_open(fails, ~fails & ~unknown, TIERS_CN, "micro")
    return sizes


def size_cn(
    frame: pd.DataFrame,
    industry_col: str = "industry_code",
    employees_col: str | None = "employees",
    revenue_col: str | None = "revenue",
    assets_col: str | None = "total_assets",
) -> pd.DataFrame:
    """Classify enterprises as large, medium, small or micro by China's 2017 statistical standard.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer. Not modified.
    industry_col : str, default "industry_code"
        GB/T 4754-2017 code (see :func:`segkit.standards.classify_industry`). Real estate needs
        a group or class (7010 房地产开发经营, 7020 物业管理), division 59 a group (591 装卸搬运
        counts as 交通运输业, 592-599 as 仓储业).
    employees_col, revenue_col, assets_col : str or None
        Headcount, annual operating revenue (CNY yuan) and total assets (CNY yuan). ``None``
        means the data have no such column (treated as missing).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``frame``, string columns ``size_cn`` (``"large"``, ``"medium"``,
        ``"small"``, ``"micro"`` or ``"unknown"``), ``size_cn_zh`` (大型 中型 小型 微型 未知),
        ``size_cn_row`` (the industry row of the table, e.g. ``"工业"``) and ``size_cn_reason``
        (empty when classified; otherwise ``"missing industry"``, ``"unknown industry code"``,
        ``"industry not covered"`` (finance, education, health, public administration,
        international organisations, railway transport, 房地产租赁经营), ``"industry code too
        coarse"`` or the missing or invalid indicators, e.g. ``"missing employees"``).
    """
    _check_frame(frame)
    row, industry_reason = _cn_rows(_column(frame, industry_col, "industry_col"))
    values, problems = _indicators(frame, employees_col, revenue_col, assets_col)
    bounds = _cn_bounds().reindex(row.fillna("").to_numpy())
    size = pd.Series(_cn_tiers(bounds, values), index=frame.index).where(row.notna(), "unknown")
    used = bounds["small"].notna().to_numpy()
    reason = _join_problems(problems.where(used), (size == "unknown") & row.notna())
    names = _read_csv("size_cn_2017_thresholds.csv").drop_duplicates("row_id")
    out = pd.DataFrame(index=frame.index)
    out["size_cn"] = size
    out["size_cn_zh"] = size.map(SIZE_CN_ZH)
    out["size_cn_row"] = row.map(dict(zip(names["row_id"], names["row_zh"], strict=True)))
    out["size_cn_reason"] = industry_reason.fillna(reason)
    return out.astype("string")


def _check_rate(cny_per_eur) -> float:
    ok = isinstance(cny_per_eur, numbers.Real) and not isinstance(cny_per_eur, bool)
    if not (ok and np.isfinite(cny_per_eur) and cny_per_eur > 0):
        raise ConfigError(
            f"cny_per_eur must be a positive finite number (CNY per EUR); got {cny_per_eur!r}."
        )
    return float(cny_per_eur)


def size_eu(
    frame: pd.DataFrame,
    employees_col: str | None = "employees",
    revenue_col: str | None = "revenue",
    assets_col: str | None = "total_assets",
    cny_per_eur: float = 7.8,
) -> pd.DataFrame:
    """Classify enterprises by the EU SME definition (Recommendation 2003/361/EC, Annex art. 2).

    Micro: fewer than 10 staff and turnover or balance sheet total at most EUR 2 m; small:
    fewer than 50 and at most EUR 10 m; medium: fewer than 250 and turnover at most EUR 50 m or
    balance sheet at most EUR 43 m; otherwise large. The smallest category whose conditions
    hold is returned.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer. Not modified.
    employees_col, revenue_col, assets_col : str or None
        Headcount, annual turnover (CNY yuan) and balance sheet total (CNY yuan); ``None`` means
        the data have no such column.
    cny_per_eur : float, default 7.8
        Exchange rate used to convert CNY to EUR (amounts are rounded to the cent). The default
        is only a placeholder: set the rate of the accounting period.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``frame``, string columns ``size_eu`` (``"micro"``, ``"small"``,
        ``"medium"``, ``"large"`` or ``"unknown"``) and ``size_eu_reason`` (empty when
        classified, else the missing or invalid inputs, e.g. ``"missing employees"``). Without a
        headcount a company can only be shown large (both financial ceilings exceeded).
    """
    _check_frame(frame)
    rate = _check_rate(cny_per_eur)
    values, problems = _indicators(frame, employees_col, revenue_col, assets_col)
    staff = values["employees"].to_numpy()
    turnover, balance = (values[c].div(rate).round(2).to_numpy() for c in INDICATORS[1:])
    size, blocked = _eu_tiers(staff, turnover, balance)
    reason = _join_problems(problems.where(blocked), pd.Series(size == "unknown", frame.index))
    return pd.DataFrame({"size_eu": size, "size_eu_reason": reason}, frame.index).astype("string")


def _eu_tiers(staff: np.ndarray, turnover: np.ndarray, balance: np.ndarray):
    """Smallest category whose conditions hold, and which inputs blocked an undecided row."""
    limits = np.array(list(EU_CEILINGS.values()), dtype=float)  # tiers x (staff, t, b)
    staff_ok = staff[:, None] < limits[:, 0]
    money_ok = (turnover[:, None] <= limits[:, 1]) | (balance[:, None] <= limits[:, 2])
    staff_fails = staff[:, None] >= limits[:, 0]
    money_fails = (turnover[:, None] > limits[:, 1]) & (balance[:, None] > limits[:, 2])
    size, first = _first_open(
        staff_fails | money_fails, staff_ok & money_ok, list(EU_CEILINGS), "large"
    )
    money_open = ~money_ok[np.arange(len(first)), first]
    blocked = np.column_stack([np.isnan(staff), money_open, money_open])
    return size, blocked
