"""B2B headroom: what peers of the same industry and size buy from us, and how far each customer is.

Peers are customers of the same industry section (GB/T 4754-2017 门类) and size class (the
statutory size of :mod:`segkit.standards.size`, or the revenue scale band when the size is
unknown) who bought in the last 12 months. A customer's headroom is the gap between the upper
quartile of its peers' 12-month revenue and its own, never below zero: revenue a customer of its
kind already gives us elsewhere in the book. Groups with fewer than ``min_peers`` buying peers
fall back to the industry section, then to all customers; ``peer_group`` says which was used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.checks import check_int
from segkit.exceptions import ConfigError, SchemaError

__all__ = ["headroom", "peer_class", "peer_group_words", "size_words"]

UNKNOWN = "unknown"
HEADROOM_COLUMNS = (
    "peer_group",
    "n_peers",
    "peer_median",
    "peer_q3",
    "headroom",
    "headroom_share",
)


def peer_class(features: pd.DataFrame, size_column: str = "size_cn") -> pd.DataFrame:
    """Industry section and size class of each customer.

    Returns
    -------
    pandas.DataFrame
        Columns ``section`` (the industry section, or "unknown") and ``size_class`` (the size in
        ``size_column``; where it is missing or unknown, ``"scale <band>"`` from ``scale_band``;
        else "unknown"). A column absent from ``features`` counts as unknown for every customer,
        and ``frame.attrs["notes"]`` says so.
    """
    _require(features, [], "headroom")
    notes = [
        f"no {column} column: every customer's {what} is unknown"
        for column, what in (("industry_section", "industry"), (size_column, "size class"))
        if column not in features.columns
    ]
    section = _codes(features, "industry_section")
    size = _codes(features, size_column)
    size = size.fillna("scale " + _codes(features, "scale_band"))
    result = pd.DataFrame(
        {
            "section": section.fillna(UNKNOWN).astype(object),
            "size_class": size.fillna(UNKNOWN).astype(object),
        },
        index=features.index,
    )
    result.attrs["notes"] = notes
    return result


def _codes(features: pd.DataFrame, column: str) -> pd.Series:
    """A code column as strings with "unknown" and absent values missing."""
    if column not in features.columns:
        return pd.Series(pd.NA, index=features.index, dtype="string")
    return features[column].astype("string").replace(UNKNOWN, pd.NA)


def headroom(
    features: pd.DataFrame,
    *,
    size_column: str = "size_cn",
    revenue_column: str = "revenue_12m",
    min_peers: int = 5,
    per_employee: bool = False,
) -> pd.DataFrame:
    """Peer revenue by industry section x size class, and each customer's headroom.

    Parameters
    ----------
    features : pandas.DataFrame
        Output of :func:`segkit.customer_features`: ``industry_section``, ``size_column``,
        ``revenue_column``, optionally ``scale_band`` and (with ``per_employee``) ``employees``.
    size_column : str, default "size_cn"
        Size class column (``size_cn`` statutory China size, or ``size_eu``).
    revenue_column : str, default "revenue_12m"
        Revenue that peers are compared on (net of credit notes).
    min_peers : int, default 5
        Fewest buying peers a group needs; smaller groups fall back to the section, then all.
    per_employee : bool, default False
        Also compare revenue per employee: ``headroom_per_employee`` = peers' upper quartile of
        revenue per employee x the customer's employees - its revenue (missing without
        ``employees``).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``features``: ``section``, ``size_class``, ``peer_group`` (e.g. "C / small",
        "C", "all"), ``n_peers``, ``peer_median`` and ``peer_q3`` (median and upper quartile of
        peers' revenue), ``headroom`` (``max(peer_q3 - revenue, 0)``) and ``headroom_share``
        (headroom / peer_q3). ``frame.attrs["notes"]`` names absent peer columns.
    """
    min_peers = check_int("min_peers", min_peers, 1)
    _require(features, [revenue_column], "headroom")
    revenue = pd.to_numeric(features[revenue_column], errors="coerce").astype(float)
    if revenue.isna().any():
        rows = list(features.index[revenue.isna()][:3])
        raise SchemaError(f"headroom: column {revenue_column!r} must be numeric; rows {rows} fail.")
    result = peer_class(features, size_column)
    notes = result.attrs["notes"]
    result = result.join(_peer_stats(result, revenue, revenue > 0, min_peers))
    result["headroom"] = (result["peer_q3"] - revenue).clip(lower=0.0)
    q3 = result["peer_q3"].where(result["peer_q3"] > 0)
    result["headroom_share"] = result["headroom"] / q3
    if per_employee:
        result = result.join(_per_employee(features, revenue, result, min_peers))
    result.attrs["notes"] = notes
    return result


def _peer_stats(groups: pd.DataFrame, value: pd.Series, buying: pd.Series, min_peers: int):
    """Peer group, count, median and upper quartile per customer, with the fallback chain."""
    levels = [
        (["section", "size_class"], lambda k: f"{k[0]} / {k[1]}"),
        (["section"], lambda k: str(k[0])),
    ]
    stats = pd.DataFrame(index=groups.index, columns=["peer_group", "n_peers"], dtype=object)
    stats[["peer_median", "peer_q3"]] = np.nan
    done = pd.Series(False, index=groups.index)
    for keys, name in levels:
        table = _quartiles(value[buying], groups.loc[buying, keys])
        table = table[table["n_peers"] >= min_peers]
        table["peer_group"] = [name(k if isinstance(k, tuple) else (k,)) for k in table.index]
        matched = groups[keys].join(table, on=keys)
        take = ~done & matched["n_peers"].notna()
        stats.loc[take] = matched.loc[take, stats.columns]
        done |= take
    everyone = value[buying]
    stats.loc[~done, ["peer_group", "n_peers"]] = ["all", len(everyone)]
    stats.loc[~done, ["peer_median", "peer_q3"]] = [everyone.median(), everyone.quantile(0.75)]
    stats["n_peers"] = stats["n_peers"].astype("int64")
    return stats.astype({"peer_median": float, "peer_q3": float})


def _quartiles(value: pd.Series, keys: pd.DataFrame) -> pd.DataFrame:
    grouped = value.groupby([keys[c] for c in keys.columns])
    return pd.DataFrame(
        {
            "n_peers": grouped.size(),
            "peer_median": grouped.median(),
            "peer_q3": grouped.quantile(0.75),
        }
    )


def _per_employee(features, revenue, groups, min_peers) -> pd.DataFrame:
    _require(features, ["employees"], "headroom(per_employee=True)")
    employees = pd.to_numeric(features["employees"], errors="coerce").astype(float)
    known = employees > 0
    per_head = (revenue / employees).where(known)
    stats = _peer_stats(
        groups[["section", "size_class"]], per_head, known & (revenue > 0), min_peers
    )
    gap = (stats["peer_q3"] * employees - revenue).clip(lower=0.0).where(known)
    return pd.DataFrame(
        {
            "revenue_per_employee": per_head,
            "peer_q3_per_employee": stats["peer_q3"],
            "headroom_per_employee": gap,
        }
    )


def _require(frame: pd.DataFrame, columns: list[str], where: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(f"{where}: features must be a pandas DataFrame; got {type(frame)}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{where}: features lack the columns {missing}; build them with "
            "segkit.customer_features (firmographic=True)."
        )


def peer_group_words(group, lang: str = "en") -> str:
    """A ``peer_group`` code in words of ``lang``: the industry section's letter, the size class
    in words (``"C / small"`` -> ``"C / 小型"``), ``"all"`` -> all buying customers."""
    from segkit.text.catalogue import text

    if not isinstance(group, str):
        return group
    if group == "all":
        return text("growth_peers", "all", lang)
    section, _, size = group.partition(" / ")
    return f"{section} / {size_words(size, lang)}" if size else section


def size_words(size, lang: str = "en") -> str:
    """A ``size_class`` in words of ``lang``: ``small`` -> ``小型``, ``scale 1m-10m`` -> the
    turnover band (营业收入 1m-10m)."""
    from segkit.text.catalogue import catalogue, text

    if not isinstance(size, str):
        return size
    if size.startswith("scale "):
        return text("growth_peers", "scale", lang, band=size.removeprefix("scale "))
    return text("credit_size", size, lang) if size in catalogue()["credit_size"] else size
