"""Segment tables of the seller's ledger: revenue, share, growth, concentration, penetration.

Shape: the feature table (one row per customer, :func:`segkit.customer_features`) -> one row
per segment of a column such as ``industry_section``, ``region_cn`` or ``size_cn``
(:func:`segment_revenue`, :func:`penetration`, :func:`positioning`), or one row for the whole
base (:func:`concentration`). Column names are parameters. Amounts are net of credit notes;
nothing here knows costs, so "value per customer" is revenue, not margin.

Quadrants of :func:`positioning`. A segment is *gaining* when its revenue grew at least as
fast as the whole business (total ``revenue_12m`` against total ``revenue_prev_12m``), so its
share of revenue did not fall; else it is *losing* (share), even if its revenue grew. It is
*large* when its revenue share is at least the median share of the segments, else *small*.
The four labels are ``"gaining & large"``, ``"gaining & small"``, ``"losing & large"`` and
``"losing & small"``; a segment without revenue in the previous 12 months has no growth rate
and is ``"new"``. When no customer has a previous revenue at all (the ledger does not cover the
previous 12 months: ``revenue_prev_12m`` missing for everyone) nothing is compared and every
segment is ``"not compared"``: a segment is not new because the ledger starts late.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from segkit.checks import numeric, require_columns
from segkit.exceptions import ConfigError

__all__ = [
    "UNKNOWN",
    "HHI_BANDS",
    "HHI_LEVELS",
    "QUADRANTS",
    "growth_rate",
    "check_top",
    "segment_revenue",
    "concentration",
    "penetration",
    "positioning",
]

UNKNOWN = "unknown"
#: HHI bounds (0-10,000 scale) between unconcentrated, moderately and highly concentrated:
#: U.S. DOJ/FTC Horizontal Merger Guidelines (1992), section 1.51; the Merger Guidelines
#: (2023), section 2.1, keep "highly concentrated" for an HHI above 1,800.
HHI_BANDS = (1000.0, 1800.0)
HHI_LEVELS = ("unconcentrated", "moderately concentrated", "highly concentrated")
QUADRANTS = ("gaining & large", "gaining & small", "losing & large", "losing & small", "new")
#: The quadrant of every segment when the ledger does not cover the previous 12 months.
NOT_COMPARED = "not compared"


def _segments(features: pd.DataFrame, by: str, where: str) -> pd.Series:
    require_columns(features, {"by": by}, where)
    return features[by].astype(object).fillna(UNKNOWN).rename(by)


def growth_rate(current, previous):
    """current / previous - 1, NaN where previous is not positive."""
    previous = np.asarray(previous, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(previous > 0, np.asarray(current, dtype=float) / previous - 1, np.nan)


def segment_revenue(
    features: pd.DataFrame,
    by: str,
    value: str = "revenue_12m",
    previous: str = "revenue_prev_12m",
) -> pd.DataFrame:
    """Revenue, share and growth of every segment.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer.
    by : str
        Segment column (missing values become ``"unknown"``).
    value, previous : str
        Revenue of the last 12 months and of the 12 months before (NaN counts as 0).

    Returns
    -------
    pandas.DataFrame
        Index: the segments (named ``by``), largest revenue first. Columns ``customers``,
        ``buyers`` (``value > 0``), ``revenue``, ``revenue_prev``, ``share`` and
        ``share_prev`` (of the totals), ``growth`` (``revenue / revenue_prev - 1``, NaN when
        ``revenue_prev <= 0``), ``contribution`` (``(revenue - revenue_prev) / total
        revenue_prev``: the segments' contributions add up to the overall growth) and
        ``revenue_per_buyer``.
    """
    require_columns(features, {"value": value, "previous": previous}, "segment_revenue")
    segment = _segments(features, by, "segment_revenue")
    now = numeric(features, value, "segment_revenue").fillna(0.0)
    before = numeric(features, previous, "segment_revenue").fillna(0.0)
    grouped = pd.DataFrame({"now": now, "before": before, "buyer": now > 0}).groupby(segment)
    table = pd.DataFrame(
        {
            "customers": grouped.size(),
            "buyers": grouped["buyer"].sum(),
            "revenue": grouped["now"].sum(),
            "revenue_prev": grouped["before"].sum(),
        }
    )
    table["buyers"] = table["buyers"].astype("int64")
    total, total_prev = now.sum(), before.sum()
    table["share"] = table["revenue"] / total if total else np.nan
    table["share_prev"] = table["revenue_prev"] / total_prev if total_prev else np.nan
    table["growth"] = growth_rate(table["revenue"], table["revenue_prev"])
    change = table["revenue"] - table["revenue_prev"]
    table["contribution"] = change / total_prev if total_prev > 0 else np.nan
    table["revenue_per_buyer"] = table["revenue"] / table["buyers"].replace(0, np.nan)
    order = table.reset_index().sort_values(
        ["revenue", by], ascending=[False, True], kind="mergesort"
    )
    return table.loc[order[by]]


def check_top(top) -> None:
    """Raise :class:`~segkit.exceptions.ConfigError` unless ``top`` is an int >= 1."""
    if not isinstance(top, numbers.Integral) or isinstance(top, bool) or top < 1:
        raise ConfigError(f"top must be an int >= 1; got {top!r}.")


def _check_bands(bands) -> tuple[float, float]:
    ok = isinstance(bands, tuple | list) and len(bands) == 2
    if not ok or not all(isinstance(b, numbers.Real) for b in bands) or not 0 < bands[0] < bands[1]:
        raise ConfigError(f"bands must be two numbers 0 < low < high (HHI points); got {bands!r}.")
    return float(bands[0]), float(bands[1])


def _gini(sorted_values: np.ndarray) -> float:
    """Gini coefficient of positive values sorted ascending (0 = all equal)."""
    n = sorted_values.size
    rank = np.arange(1, n + 1)
    return float(np.sum((2 * rank - n - 1) * sorted_values) / (n * sorted_values.sum()))


def concentration(
    features: pd.DataFrame, value: str = "revenue_12m", top: int = 10, bands=HHI_BANDS
) -> pd.DataFrame:
    """How concentrated revenue is on few customers: HHI, top-``top`` share and Gini.

    The Herfindahl-Hirschman Index is the sum of the squared shares in percent, from near 0
    (many small customers) to 10,000 (one customer), as defined in the U.S. Department of
    Justice and Federal Trade Commission Merger Guidelines (2023), section 2.1. The levels use
    the bands of the 1992 Horizontal Merger Guidelines, section 1.51 (below 1,000
    unconcentrated, 1,000 to 1,800 moderately, above 1,800 highly concentrated). Those
    bands were set for sellers in a market; applied to a customer base they read as
    dependence on few buyers. ``10,000 / HHI`` is the number of equal customers that would
    give the same HHI. Only customers with a positive value count.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer.
    value : str
        Revenue column.
    top : int
        Number of largest customers in ``top_share``.
    bands : (float, float)
        HHI bounds between the three levels.

    Returns
    -------
    pandas.DataFrame
        One row: ``customers`` (positive value), ``excluded`` (zero, negative or missing),
        ``revenue``, ``hhi``, ``hhi_level``, ``equivalent_customers``, ``top_share`` (share of
        the ``top`` largest), ``gini`` (0 = equal, towards 1 = one customer holds all). The
        measures are NaN (level ``"unknown"``) without a positive value.
    """
    check_top(top)
    low, high = _check_bands(bands)
    require_columns(features, {"value": value}, "concentration")
    amounts = numeric(features, value, "concentration")
    positive = np.sort(amounts[amounts > 0].to_numpy())
    row = {
        "customers": positive.size,
        "excluded": len(amounts) - positive.size,
        "revenue": float(positive.sum()),
    }
    if positive.size == 0:
        measures = dict.fromkeys(("hhi", "equivalent_customers", "top_share", "gini"), np.nan)
        return pd.DataFrame([{**row, **measures, "hhi_level": UNKNOWN}])
    hhi = float(np.sum((100 * positive / positive.sum()) ** 2))
    level = HHI_LEVELS[int(hhi >= low) + int(hhi > high)]
    return pd.DataFrame(
        [
            {
                **row,
                "hhi": hhi,
                "hhi_level": level,
                "equivalent_customers": 10_000 / hhi,
                "top_share": float(positive[-top:].sum() / positive.sum()),
                "gini": _gini(positive),
            }
        ]
    )


def _reference(reference) -> pd.Series:
    shares = pd.Series(reference, dtype=object)
    numbers_ok = shares.map(lambda v: isinstance(v, numbers.Real) and 0 <= v <= 1)
    if not numbers_ok.all():
        bad = {k: shares[k] for k in shares.index[~numbers_ok.to_numpy()]}
        raise ConfigError(f"reference must map segments to shares in [0, 1]; got {bad}.")
    return shares.astype(float)


def penetration(
    features: pd.DataFrame, by: str, value: str = "revenue_12m", reference=None
) -> pd.DataFrame:
    """Buying customers per segment against the mix of the whole customer base.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer known at the as-of date (the base).
    by : str
        Segment column (missing values become ``"unknown"``).
    value : str
        Revenue column; a customer with ``value > 0`` is a buyer.
    reference : mapping or pandas.Series, optional
        An outside mix, segment -> share in [0, 1] (e.g. the share of enterprises of each
        industry section in the regions you sell to, from the economic census).

    Returns
    -------
    pandas.DataFrame
        Index: the segments (named ``by``), most customers first. Columns ``customers``,
        ``buyers``, ``penetration`` (buyers / customers), ``base_share`` (customers / all
        customers), ``buyer_share`` (buyers / all buyers) and ``index`` (buyer_share /
        base_share: above 1 the segment buys more often than its weight in the base). With
        ``reference``: ``reference_share`` and ``reference_index`` (base_share /
        reference_share: above 1 the base over-represents the segment).
    """
    require_columns(features, {"value": value}, "penetration")
    segment = _segments(features, by, "penetration")
    buyer = numeric(features, value, "penetration").fillna(0.0) > 0
    grouped = buyer.groupby(segment)
    table = pd.DataFrame({"customers": grouped.size(), "buyers": grouped.sum().astype("int64")})
    table["penetration"] = table["buyers"] / table["customers"]
    table["base_share"] = table["customers"] / table["customers"].sum()
    buyers = table["buyers"].sum()
    table["buyer_share"] = table["buyers"] / buyers if buyers else np.nan
    table["index"] = table["buyer_share"] / table["base_share"]
    if reference is not None:
        shares = _reference(reference)
        table["reference_share"] = shares.reindex(table.index)
        table["reference_index"] = table["base_share"] / table["reference_share"].replace(0, np.nan)
    order = table.reset_index().sort_values(
        ["customers", by], ascending=[False, True], kind="mergesort"
    )
    return table.loc[order[by]]


def positioning(
    features: pd.DataFrame,
    by: str,
    value: str = "revenue_12m",
    previous: str = "revenue_prev_12m",
) -> pd.DataFrame:
    """Place every segment on share x growth and name its quadrant.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer.
    by, value, previous : str
        See :func:`segment_revenue`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`segment_revenue` and ``quadrant`` (see the module notes).
        ``attrs["growth_threshold"]`` is the overall growth, ``attrs["share_threshold"]``
        the median segment share.
    """
    table = segment_revenue(features, by, value, previous)
    overall = growth_rate(table["revenue"].sum(), table["revenue_prev"].sum())
    median = float(table["share"].median())
    grow = np.where(table["growth"] >= overall, "gaining", "losing")
    size = np.where(table["share"] >= median, "large", "small")
    labels = pd.Series(grow, index=table.index) + " & " + size
    table["quadrant"] = labels.where(table["growth"].notna(), "new").astype(object)
    if previous in features.columns and features[previous].isna().all():
        table["quadrant"] = NOT_COMPARED
    table.attrs = {"growth_threshold": float(overall), "share_threshold": median}
    return table
