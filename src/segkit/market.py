"""Market positioning seen from the seller's ledger: where revenue comes from and where it grows.

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
and is ``"new"``.
"""

from __future__ import annotations

import numbers
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from segkit.classify.activity import numeric, require_columns
from segkit.exceptions import ConfigError

__all__ = [
    "HHI_BANDS",
    "QUADRANTS",
    "QUADRANT_TEXT",
    "quadrant_label",
    "segment_revenue",
    "concentration",
    "penetration",
    "positioning",
    "quadrant_actions",
    "plot_shares",
    "plot_growth",
    "plot_positioning",
]

UNKNOWN = "unknown"
#: HHI bounds (0-10,000 scale) between unconcentrated, moderately and highly concentrated:
#: U.S. DOJ/FTC Horizontal Merger Guidelines (1992), section 1.51; the Merger Guidelines
#: (2023), section 2.1, keep "highly concentrated" for an HHI above 1,800.
HHI_BANDS = (1000.0, 1800.0)
HHI_LEVELS = ("unconcentrated", "moderately concentrated", "highly concentrated")
QUADRANTS = ("gaining & large", "gaining & small", "losing & large", "losing & small", "new")
#: Quadrant code -> label and suggested action, in English and Chinese.
QUADRANT_TEXT = {
    "gaining & large": {
        "zh": "份额上升·大板块",
        "en_action": "Defend and invest: capacity, service and credit lines sized to the growth.",
        "zh_action": "巩固并投入：保障产能与服务，信用额度随增长调整。",
    },
    "gaining & small": {
        "zh": "份额上升·小板块",
        "en_action": "Build: prospect similar customers and win more of their purchases.",
        "zh_action": "培育：开发同类新客户，提高现有客户的采购份额。",
    },
    "losing & large": {
        "zh": "份额下降·大板块",
        "en_action": "Protect the core: find why it lags (prices, lost accounts, the sector).",
        "zh_action": "守住基本盘：查明落后原因（价格、流失客户、行业）并采取措施。",
    },
    "losing & small": {
        "zh": "份额下降·小板块",
        "en_action": "Serve at low cost, keep credit exposure tight, review further investment.",
        "zh_action": "低成本服务，严控信用敞口，评估是否继续投入。",
    },
    "new": {
        "zh": "新板块",
        "en_action": "Young segment: follow the first year's orders and payments before deciding.",
        "zh_action": "新兴板块：先观察首年订单与回款，再作决定。",
    },
}
FAST, SLOW = "#2b8cbe", "#fd8d3c"
TEXT = {
    "en": {
        "share": "share of revenue, last 12 months",
        "previous": "previous 12 months",
        "growth": "revenue growth, last 12 months vs previous 12",
        "overall": "all customers",
        "bubble": "bubble area = buying customers",
        "faster": "grew faster than all customers (gains share)",
        "slower": "grew slower or fell (loses share)",
    },
    "zh": {
        "share": "近12个月收入占比",
        "previous": "前12个月",
        "growth": "收入增长率（近12个月对前12个月）",
        "overall": "全部客户",
        "bubble": "气泡面积 = 有购买的客户数",
        "faster": "增速高于全部客户（份额上升）",
        "slower": "增速较低或下降（份额下降）",
    },
}


def _check_lang(lang: str) -> None:
    if lang not in TEXT:
        raise ConfigError(f"lang must be one of {list(TEXT)}; got {lang!r}.")


def _segments(features: pd.DataFrame, by: str, where: str) -> pd.Series:
    require_columns(features, {"by": by}, where)
    return features[by].astype(object).fillna(UNKNOWN).rename(by)


def _growth(current, previous):
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
    table["growth"] = _growth(table["revenue"], table["revenue_prev"])
    change = table["revenue"] - table["revenue_prev"]
    table["contribution"] = change / total_prev if total_prev > 0 else np.nan
    table["revenue_per_buyer"] = table["revenue"] / table["buyers"].replace(0, np.nan)
    order = table.reset_index().sort_values(
        ["revenue", by], ascending=[False, True], kind="mergesort"
    )
    return table.loc[order[by]]


def _check_top(top) -> None:
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
    _check_top(top)
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
    overall = _growth(table["revenue"].sum(), table["revenue_prev"].sum())
    median = float(table["share"].median())
    grow = np.where(table["growth"] >= overall, "gaining", "losing")
    size = np.where(table["share"] >= median, "large", "small")
    labels = pd.Series(grow, index=table.index) + " & " + size
    table["quadrant"] = labels.where(table["growth"].notna(), "new").astype(object)
    table.attrs = {"growth_threshold": float(overall), "share_threshold": median}
    return table


def quadrant_label(quadrant: str, lang: str = "en") -> str:
    """The label of a quadrant code in ``lang`` (the English label is the code)."""
    _check_lang(lang)
    if quadrant not in QUADRANT_TEXT:
        raise ConfigError(f"quadrant must be one of {list(QUADRANTS)}; got {quadrant!r}.")
    return quadrant if lang == "en" else QUADRANT_TEXT[quadrant][lang]


def quadrant_actions(lang: str = "en") -> pd.DataFrame:
    """What to do in each quadrant: columns ``quadrant`` (label in ``lang``) and ``action``."""
    _check_lang(lang)
    rows = [(quadrant_label(q, lang), QUADRANT_TEXT[q][f"{lang}_action"]) for q in QUADRANTS]
    return pd.DataFrame(rows, columns=["quadrant", "action"])


def _axes(ax, width: float, height: float):
    if ax is not None:
        return ax.figure, ax
    return plt.subplots(figsize=(width, height), layout="constrained")


def plot_shares(tables: dict[str, pd.DataFrame], top: int = 10, lang: str = "en"):
    """Revenue share by segment, one panel per table, with last year's share as a dot.

    Parameters
    ----------
    tables : dict
        Panel title -> output of :func:`segment_revenue`.
    top : int
        Segments shown per panel (largest first); the rest are summed as ``other``.
    lang : {"en", "zh"}
        Language of the axis labels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check_lang(lang)
    _check_top(top)
    rows = max(min(len(t), top + 1) for t in tables.values())
    fig, axes = plt.subplots(
        1,
        len(tables),
        figsize=(4.6 * len(tables), 0.38 * rows + 1.8),
        layout="constrained",
        squeeze=False,
    )
    for ax, (title, table) in zip(axes[0], tables.items(), strict=True):
        data = table[["share", "share_prev"]]
        if len(data) > top:
            data = pd.concat([data.iloc[:top], data.iloc[top:].sum().to_frame("other").T])
        names = [str(i) for i in data.index][::-1]
        ax.barh(names, data["share"].to_numpy()[::-1], color="#3182bd", label=TEXT[lang]["share"])
        ax.plot(
            data["share_prev"].to_numpy()[::-1],
            names,
            "o",
            color="#fd8d3c",
            label=TEXT[lang]["previous"],
        )
        ax.set_xlim(0, 1.08 * max(data.max().max(), 0.01))
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_title(title)
        ax.set_xlabel(TEXT[lang]["share"])
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=9)
    return fig


def plot_growth(table: pd.DataFrame, title: str = "", lang: str = "en", ax=None):
    """Revenue growth per segment (bars) against the growth of all customers (dashed line).

    ``table`` is the output of :func:`segment_revenue` or :func:`positioning`; segments
    without a growth rate are left out.
    """
    _check_lang(lang)
    data = table["growth"].dropna().sort_values()
    overall = _growth(table["revenue"].sum(), table["revenue_prev"].sum())
    fig, ax = _axes(ax, 7.0, 0.38 * len(data) + 1.8)
    faster = data.to_numpy() >= overall
    ax.barh([str(i) for i in data.index], data.to_numpy(), color=np.where(faster, FAST, SLOW))
    ax.axvline(float(overall), color="black", ls="--", lw=1)
    ax.axvline(0, color="grey", lw=0.8)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    handles = [Patch(color=FAST), Patch(color=SLOW), Line2D([], [], color="black", ls="--")]
    text = TEXT[lang]
    names = [text["faster"], text["slower"], f"{text['overall']}: {float(overall):+.1%}"]
    ax.legend(handles, names, loc="lower right", fontsize=8)
    ax.set_xlabel(TEXT[lang]["growth"])
    ax.set_title(title)
    return fig


def plot_positioning(table: pd.DataFrame, title: str = "", lang: str = "en", ax=None):
    """Share (x, log scale) against growth (y); bubble area = buying customers.

    ``table`` is the output of :func:`positioning`; the dashed lines are its thresholds
    (median share, overall growth), so each quarter of the chart is one quadrant. Segments
    without a growth rate (``new``) are left out.
    """
    _check_lang(lang)
    data = table.dropna(subset=["growth"])
    data = data[data["share"] > 0]
    fig, ax = _axes(ax, 8.0, 5.5)
    size = 2000 * data["buyers"] / max(data["buyers"].max(), 1) + 20
    ax.scatter(data["share"], data["growth"], s=size, alpha=0.5, color="#3182bd", edgecolor="k")
    for (name, row), area in zip(data.iterrows(), size, strict=True):
        ax.annotate(
            textwrap.fill(str(name), 18 if str(name).isascii() else 9),
            (row["share"], row["growth"]),
            xytext=(0, np.sqrt(area) / 2 + 2),
            textcoords="offset points",
            fontsize=8,
            ha="center",
            va="bottom",
            linespacing=0.9,
        )
    ax.set_xscale("log")
    ax.margins(x=0.25, y=0.2)
    ax.axvline(table.attrs["share_threshold"], color="grey", ls="--", lw=1)
    ax.axhline(table.attrs["growth_threshold"], color="grey", ls="--", lw=1)
    for x, y, code in (
        (0.98, 0.98, QUADRANTS[0]),
        (0.02, 0.98, QUADRANTS[1]),
        (0.98, 0.02, QUADRANTS[2]),
        (0.02, 0.02, QUADRANTS[3]),
    ):
        ax.text(
            x,
            y,
            quadrant_label(code, lang),
            transform=ax.transAxes,
            ha="left" if x < 0.5 else "right",
            va="top" if y > 0.5 else "bottom",
            color="grey",
            fontsize=9,
            style="italic",
        )
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{100 * x:g}%"))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(f"{TEXT[lang]['share']} (log)")
    ax.set_ylabel(TEXT[lang]["growth"])
    ax.set_title(f"{title}\n({TEXT[lang]['bubble']})" if title else TEXT[lang]["bubble"])
    return fig
