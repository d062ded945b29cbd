"""Firmographics: industry, statutory size, region, scale band and group of each customer.

Shape: the customers table (one row per customer, master data) -> the same rows with derived
columns. The standards behind each column are in :mod:`segkit.standards`.
"""

from __future__ import annotations

import pandas as pd

from segkit.exceptions import ConfigError
from segkit.standards import classify_industry, classify_region, scale_band, size_cn, size_eu

__all__ = ["firmographics", "group_ids", "group_rollup"]

INDUSTRY_COLUMNS = (
    "industry_section",
    "industry_section_name_en",
    "industry_section_name_zh",
    "industry_division",
    "industry_division_name_zh",
    "isic_section",
    "industry_status",
)
REGION_COLUMNS = (
    "province_std",
    "region_cn",
    "region_cn_zh",
    "geo_region",
    "geo_region_zh",
    "region_status",
    "country_iso",
)


def firmographics(
    customers: pd.DataFrame,
    cny_per_eur: float = 7.8,
    scale_edges: tuple[float, ...] = (1e6, 1e7, 1e8),
    scale_labels: tuple[str, ...] = ("<1m", "1m-10m", "10m-100m", ">=100m"),
) -> pd.DataFrame:
    """Derive industry, size, region, scale band and group columns from customer master data.

    Parameters
    ----------
    customers : pandas.DataFrame
        Indexed by ``customer_id``; any of ``industry_code``, ``employees``, ``revenue``,
        ``total_assets``, ``province``, ``country``, ``parent_id`` may be present.
    cny_per_eur : float
        Exchange rate for the EU SME thresholds (set it to the rate of your reporting date).
    scale_edges, scale_labels
        Revenue bands (CNY) of the customer's own annual revenue; use your company's thresholds.

    Returns
    -------
    pandas.DataFrame
        Same index; the columns that the available inputs allow: ``industry_*`` and
        ``isic_section``; ``size_cn``, ``size_cn_zh``, ``size_cn_row``, ``size_cn_reason``,
        ``size_eu``, ``size_eu_reason``; ``region_cn``, ``geo_region`` and their Chinese names;
        ``scale_band``; ``group_id`` (the top of the ``parent_id`` chain, else the customer).
    """
    out = pd.DataFrame(index=customers.index)
    has = set(customers.columns)
    if "industry_code" in has:
        industry = classify_industry(customers["industry_code"])
        out = out.join(industry[list(INDUSTRY_COLUMNS)])
    if has & {"employees", "revenue", "total_assets"}:
        cols = {c: (c if c in has else None) for c in ("employees", "revenue", "total_assets")}
        if "industry_code" in has:
            out = out.join(
                size_cn(
                    customers,
                    employees_col=cols["employees"],
                    revenue_col=cols["revenue"],
                    assets_col=cols["total_assets"],
                )
            )
        out = out.join(
            size_eu(
                customers,
                employees_col=cols["employees"],
                revenue_col=cols["revenue"],
                assets_col=cols["total_assets"],
                cny_per_eur=cny_per_eur,
            )
        )
    if "province" in has or "country" in has:
        # a country without a province still places customers outside China (and Hong Kong,
        # Macao, Taiwan); Chinese customers without a province are in an unknown region
        frame = customers if "province" in has else customers.assign(province=pd.NA)
        region = classify_region(
            frame,
            province_col="province",
            country_col="country" if "country" in has else None,
        )
        out = out.join(region[list(REGION_COLUMNS)])
    if "revenue" in has:
        out["scale_band"] = scale_band(customers["revenue"], edges=scale_edges, labels=scale_labels)
    out["group_id"] = group_ids(customers)
    return out


def group_ids(customers: pd.DataFrame) -> pd.Series:
    """The ultimate parent of each customer (following ``parent_id``), else the customer itself.

    Raises
    ------
    ConfigError
        When the parent chain loops (A -> B -> A), naming the customers in the loop.
    """
    parent = customers["parent_id"] if "parent_id" in customers.columns else None
    ids = pd.Series(customers.index, index=customers.index, name="group_id")
    if parent is None:
        return ids
    parent = parent.where(parent.notna() & (parent != customers.index))
    top = ids.copy()
    for _ in range(len(customers) + 1):
        step = parent.reindex(top.to_numpy()).to_numpy()
        moved = pd.notna(step)
        if not moved.any():
            return top
        top = top.where(~moved, step)
    looping = sorted(top[parent.reindex(top.to_numpy()).notna().to_numpy()].index)[:10]
    raise ConfigError(f"customers: parent_id forms a loop involving {looping}")


def group_rollup(
    features: pd.DataFrame,
    sums: tuple[str, ...] = ("net_amount", "revenue_12m", "open_balance", "overdue_balance"),
    group_col: str = "group_id",
) -> pd.DataFrame:
    """Sum amount features per group (one row per ``group_id``) with the number of members."""
    if group_col not in features.columns:
        raise ConfigError(f"group_rollup: column {group_col!r} not in the features")
    present = [c for c in sums if c in features.columns]
    grouped = features.groupby(group_col, observed=True)
    return grouped[present].sum(min_count=1).assign(members=grouped.size())
