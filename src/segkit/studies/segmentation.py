"""The segmentation study: headline numbers, profiles, tables and figures for the month-end memo.

These helpers sit behind ``notebooks/segmentation.ipynb``. They take the study's customer table,
one row per customer: the features of :func:`segkit.customer_features` joined with the class
columns of :func:`segkit.classify_features` (:func:`join_classes`), class columns holding codes.
They return small DataFrames, Markdown sentences or matplotlib figures in English or Chinese
(``lang``). Every text a reviewer reads is a template in :data:`TEXT`, looked up by
:func:`heading`.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from segkit import plots
from segkit.classify.activity import pivot_cells, require_columns
from segkit.classify.labels import LABELS, LANGS, check_lang, label, segment_actions
from segkit.classify.tiers import pareto_table, top_share
from segkit.classify.value_risk import valuable_but_risky
from segkit.classify_all import with_labels
from segkit.exceptions import ConfigError
from segkit.export import write_table
from segkit.standards.size import SIZE_CN_ZH

__all__ = [
    "TEXT", "heading", "format_amount", "join_classes", "for_display", "headline_numbers",
    "headline_table", "headline_text", "segment_profile", "lead_text", "matrix_text",
    "labelled_matrix", "rfm_splits_table", "abc_table", "cluster_text", "stability_text",
    "risky_customers", "actions_table", "export_classification", "show", "plot_distributions",
    "plot_shares", "plot_matrices", "plot_scores", "plot_pareto", "plot_silhouette",
    "plot_payment", "plot_aging",
]  # fmt: skip

#: Share of customers (largest first) whose revenue share is a headline number.
TOP = 0.2
#: Lower bounds of the mean adjusted Rand index read as stable and as moderately stable.
STABLE, MODERATE = 0.8, 0.6

#: Reviewer-facing texts and sentence templates, ``key -> (English, Chinese)``.
TEXT: dict[str, tuple[str, str]] = {
    "customers": ("Customers", "客户数"),
    "active_12m": ("Active in the last 12 months", "近12个月活跃客户"),
    "revenue_12m": ("Revenue, last 12 months (CNY)", "近12个月收入（元）"),
    "revenue_prev_12m": ("Revenue, previous 12 months (CNY)", "前12个月收入（元）"),
    "revenue_growth": ("Revenue growth", "收入增长率"),
    "top_share": ("Revenue share of the top 20% of customers", "前20%客户收入占比"),
    "open_ar": ("Open receivables (CNY)", "应收账款余额（元）"),
    "overdue_ar": ("Past due (CNY)", "逾期金额（元）"),
    "overdue_share": ("Share past due", "逾期占比"),
    "group_dso_days": ("DSO of the group, days", "整体应收账款周转天数"),
    "customer_id": ("Customer ID", "客户编号"),
    "score_1": ("Score 1", "1分"),
    "score_2": ("Score 2", "2分"),
    "score_3": ("Score 3", "3分"),
    "score_4": ("Score 4", "4分"),
    "score_5": ("Score 5", "5分"),
    "valuable_but_risky": ("Valuable but risky customers", "高价值高风险客户"),
    "measure": ("Measure", "指标"),
    "value": ("Value", "数值"),
    "customer_share": ("Share of customers", "客户占比"),
    "revenue_share": ("Share of revenue", "收入占比"),
    "median_recency_days": ("Median days since last invoice", "距上次开票天数中位数"),
    "median_invoices_12m": ("Median invoices, 12 months", "近12个月发票数中位数"),
    "avg_days_late": ("Avg days late", "平均逾期天数"),
    "dso_days": ("DSO, days", "应收账款周转天数"),
    "recency_days": ("Days since last invoice", "距上次开票天数"),
    "invoices_12m": ("Invoices, last 12 months", "近12个月发票数"),
    "open_balance": ("Open (CNY)", "未结余额（元）"),
    "overdue_balance": ("Past due (CNY)", "逾期余额（元）"),
    "aging_90_plus": ("Over 90 days past due (CNY)", "逾期90天以上（元）"),
    "min_revenue_12m": ("Smallest revenue in tier (CNY)", "该级最低收入（元）"),
    "name": ("Customer", "客户名称"),
    "segment": ("Segment", "客户类别"),
    "action": ("Suggested action", "建议措施"),
    "variable": ("Variable", "变量"),
    "cn_split": ("Eight-class split", "八分类分界"),
    "freq_class": ("Frequency class", "频次分类"),
    "amount_class": ("Amount class", "金额分类"),
    "rfm_segment": ("RFM segment", "RFM细分"),
    "rfm_class_cn": ("RFM eight-class model", "RFM八类客户"),
    "abc_tier": ("ABC tier", "ABC分级"),
    "risk_tier": ("Payment risk", "付款风险"),
    "cluster_name": ("Cluster", "聚类"),
    "size": ("Enterprise size (2017 standard)", "企业规模（2017年标准）"),
    "industry": ("Industry section (GB/T 4754-2017)", "行业门类（GB/T 4754-2017）"),
    "region": ("Region", "地区"),
    "r_score": ("R score (5 = bought most recently)", "R评分（5 = 最近购买）"),
    "f_score": ("F score (5 = most invoices)", "F评分（5 = 发票最多）"),
    "m_score": ("M score (5 = most revenue)", "M评分（5 = 收入最高）"),
    "score": ("score", "评分"),
    "n_customers": ("customers", "客户数"),
    "share_customers": ("share of customers", "客户数占比"),
    "share_revenue": ("share of revenue, 12 months", "近12个月收入占比"),
    "share_axis": ("share of customers / of revenue", "客户数占比 / 收入占比"),
    "shares_title": ("{what}: customers and revenue", "{what}：客户数与收入占比"),
    "na": ("n/a", "无数据"),
    "exported": ("Written: `{path}` ({n:,} customers).", "已导出：`{path}`（{n:,}家客户）。"),
    "not_exported": ("No output folder (`out_dir` is empty): nothing exported.",
                     "未设置输出目录（`out_dir`为空），未导出文件。"),
    "headline": (
        "As of {as_of} the ledger knows **{customers}** customers; **{active}** ({active_share}) "
        "bought in the last 12 months. Revenue over those 12 months was **{revenue}**, {growth}, "
        "and the top 20% of customers with revenue brought **{top}** of it. Open receivables "
        "stand at **{open}**, of which **{overdue}** is past due; **{risky}** valuable customers "
        "(ABC tier A or B) carry a high payment risk (listed in section 8).",
        "截至{as_of}，共有客户**{customers}**家，其中近12个月有开票的活跃客户**{active}**家"
        "（{active_share}）。近12个月收入**{revenue}**，{growth}；收入前20%的客户贡献了**{top}**"
        "的收入。应收账款余额**{open}**，其中逾期占**{overdue}**；**{risky}**家高价值客户"
        "（ABC分级A或B）付款风险高，名单见第8节。",
    ),
    "growth_na": ("with no revenue in the previous 12 months to compare", "前12个月无收入可比"),
    "growth_flat": ("about the same as in the previous 12 months", "与前12个月基本持平"),
    "growth_up": ("**up {g:.1%}** on the previous 12 months", "较前12个月**增长{g:.1%}**"),
    "growth_down": ("**down {g:.1%}** on the previous 12 months", "较前12个月**下降{g:.1%}**"),
    "lead": (
        "Most revenue comes from **{top}**: {share:.1%} of customers ({n:,.0f}) bring "
        "**{revenue:.1%}** of revenue.",
        "收入贡献最大的是**{top}**：{n:,.0f}家客户（占{share:.1%}）贡献了**{revenue:.1%}**的收入。",
    ),
    "near_if": ("near if ≤ {v}", "≤ {v} 为近"),
    "high_if": ("high if ≥ {v}", "≥ {v} 为高"),
    "clusters_off": ("Clustering was switched off (`clusters = False`).",
                     "本次未进行聚类（`clusters = False`）。"),
    "clusters": (
        "k-means tried k = {low}–{high} and chose **k = {k}**, the highest silhouette "
        "({score:.3f}). The mean adjusted Rand index of bootstrap refits is **{ari:.2f}**. ",
        "尝试了k = {low}–{high}，轮廓系数最高的是**k = {k}**（{score:.3f}）。"
        "自助法重抽样的平均调整兰德指数为**{ari:.2f}**。",
    ),
    "stable": (
        "Stable: resampling the customers gives essentially the same groups, so they can be "
        "used in day-to-day steering.",
        "稳定：重新抽样后基本得到相同的分组，可用于日常管理。",
    ),
    "moderate": (
        "Moderately stable: the main groups are real, but customers near the borders move "
        "between clusters; read the profiles, not individual assignments.",
        "中等稳定：主要分组可靠，但边界附近的客户会在聚类间移动；请看分组画像，而非单个客户的归属。",
    ),
    "unstable": (
        "Unstable: the groups do not reproduce; treat them as exploratory, not as a basis for "
        "decisions.",
        "不稳定：分组无法重现，仅供探索，不宜据此决策。",
    ),
    "not_measured": ("Stability was not measured.", "未评估稳定性。"),
    "fig_distributions": ("The customer base: revenue, recency and frequency",
                          "客户概况：收入、最近购买与购买频次"),
    "not_shown": ("{n} at or below 0 not shown", "{n}个小于等于0的值未显示"),
    "fig_scores": ("RFM scores of customers with purchases", "有购买记录客户的RFM评分"),
    "fig_pareto": ("Pareto curve of revenue, last 12 months", "近12个月收入帕累托曲线"),
    "pareto_x": ("share of customers with revenue, largest first", "有收入客户占比（从大到小）"),
    "pareto_y": ("cumulative share of revenue", "累计收入占比"),
    "pareto_curve": ("customers, largest first", "客户（从大到小）"),
    "pareto_equal": ("equal shares", "均等分布"),
    "pareto_top": ("top 20% of customers:\n{v:.0%} of revenue", "前20%客户：\n收入占比{v:.0%}"),
    "fig_silhouette": ("Silhouette per number of clusters (higher = better separated)",
                       "各聚类数的轮廓系数（越高区分越好）"),
    "k_axis": ("number of clusters k", "聚类数k"),
    "silhouette_axis": ("silhouette score", "轮廓系数"),
    "chosen": ("chosen k", "选定的k"),
    "fig_payment": ("How customers pay, by {by}", "付款表现：按{by}"),
    "fig_aging": ("Open receivables by days past due, by {by}", "应收账款账龄：按{by}"),
    "fig_aging_due": ("Past-due receivables by days past due, by {by}", "逾期应收账款账龄：按{by}"),
    "aging_axis": ("open amount (CNY)", "未结金额（元）"),
    "aging_axis_due": ("past-due amount (CNY)", "逾期金额（元）"),
    "aging_legend": ("days past due", "逾期天数"),
    "aging_current": ("not yet due", "未到期"),
    "aging_range": ("{lo}–{hi} days", "逾期{lo}–{hi}天"),
    "aging_plus": ("over {lo} days", "逾期{lo}天以上"),
    "fig_freq_amount": ("Frequency × amount", "频次 × 金额"),
    "fig_value_risk": ("Value (ABC tier) × payment risk", "价值（ABC分级）× 付款风险"),
}  # fmt: skip

_PROFILE_INPUTS = ("revenue_12m", "recency_days", "invoices_12m", "avg_days_late",
                   "open_balance", "overdue_balance")  # fmt: skip
#: Units of amounts in sentences: (suffix, size, decimals), largest first.
_UNITS = {
    "en": (("bn", 1e9, 2), ("m", 1e6, 1), ("k", 1e3, 1)),
    "zh": (("亿", 1e8, 2), ("万", 1e4, 1)),
}
_SIZE_ORDER = ("large", "medium", "small", "micro", "unknown")
_FORMATS = {
    "{:,.0f}": ("customers", "revenue_12m", "open_balance", "overdue_balance", "aging_90_plus",
                "min_revenue_12m", "median_recency_days"),
    "{:.1%}": ("customer_share", "revenue_share", "overdue_share"),
    "{:,.1f}": ("median_invoices_12m", "avg_days_late"),
    "days": ("dso_days", "group_dso_days"),
}  # fmt: skip
#: DSO above a year (the balance exceeds a full year of sales) is shown as "365+".
_DSO_CAP = 365


def _days(value: float) -> str:
    return f"{_DSO_CAP}+" if value > _DSO_CAP else f"{value:,.1f}"


def heading(key: str, lang: str = "en") -> str:
    """Return the text (or template) ``key`` of :data:`TEXT` in ``lang``.

    Parameters
    ----------
    key : str
        A key of :data:`TEXT`, e.g. ``"revenue_share"`` or ``"fig_pareto"``.
    lang : {"en", "zh"}
        Language.

    Returns
    -------
    str

    Raises
    ------
    ConfigError
        If ``lang`` or ``key`` is unknown.
    """
    check_lang(lang)
    if key not in TEXT:
        raise ConfigError(f"heading: key must be one of the keys of TEXT; got {key!r}.")
    return TEXT[key][LANGS.index(lang)]


def format_amount(value: float, lang: str = "en") -> str:
    """Write an amount in CNY for a sentence: ``"CNY 2.06bn"``, or ``"20.55亿元"`` in Chinese.

    English uses k, m and bn (thousand, million, billion); Chinese uses 万 (10^4) and 亿 (10^8).
    Missing values read ``"n/a"`` (``"无数据"``).
    """
    check_lang(lang)
    if pd.isna(value):
        return heading("na", lang)
    units = _UNITS[lang]
    unit, size, digits = next(((u, s, d) for u, s, d in units if abs(value) >= s), ("", 1, 0))
    number = f"{value / size:,.{digits}f}{unit}"
    return f"{number}元" if lang == "zh" else f"CNY {number}"


def join_classes(features: pd.DataFrame, classes: pd.DataFrame) -> pd.DataFrame:
    """Join the class columns of :func:`segkit.classify_features` to the full feature table.

    Returns
    -------
    pandas.DataFrame
        ``features`` with every column of ``classes`` it lacks (same index); ``attrs`` of
        ``features`` plus ``attrs["params"]`` of ``classes``.
    """
    extra = [c for c in classes.columns if c not in features.columns]
    out = features.join(classes[extra])
    out.attrs = {**features.attrs, "params": classes.attrs.get("params", {})}
    return out


def for_display(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A copy with class labels in ``lang`` and the columns ``size``, ``industry``, ``region``.

    ``size`` is the enterprise size of 统计上大中小微型企业划分办法（2017）(``size_cn``),
    ``industry`` the GB/T 4754-2017 section code and name (``industry_section``), ``region``
    the geographic region (``geo_region``, see :mod:`segkit.standards.regions`); each only when
    its source columns exist, else "not in the ledger" for every customer. Customers without
    purchases, whom the eight-class model leaves unclassified, show as "No purchases" in
    ``rfm_class_cn``.
    """
    out = with_labels(frame, lang)
    zh = lang == "zh"
    if "rfm_class_cn" in out:
        none = LABELS["rfm_segment"]["no_purchase"][lang]
        out["rfm_class_cn"] = out["rfm_class_cn"].fillna(none)
    if "size_cn" in out:
        source = out["size_cn_zh"] if zh and "size_cn_zh" in out else out["size_cn"]
        out["size"] = source.astype(object).map(_capital, na_action="ignore")
    names = "industry_section_name_" + lang
    if "industry_section" in out and names in out:
        short = out[names].astype(object).map(_short, na_action="ignore")
        code = out["industry_section"].astype(object)
        out["industry"] = (code + " " + short).where(short.notna())
    region = "geo_region_zh" if zh else "geo_region"
    if region in out:
        out["region"] = out[region].astype(object).map(_capital, na_action="ignore")
    absent = "账中无此数据" if zh else "not in the ledger"
    for column in ("size", "industry", "region"):  # a ledger without firmographics says so
        if column not in out:
            out[column] = absent
    return out


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _short(text: str) -> str:
    return textwrap.shorten(str(text), width=36, placeholder="…")


def _order(values: pd.Series, by: str, lang: str) -> list:
    """Groups of a display column in reading order: classes, sizes, else most customers first."""
    present = set(values.dropna())
    if by in LABELS:
        known = [entry[lang] for entry in LABELS[by].values()]
    elif by == "size":
        known = [_capital(SIZE_CN_ZH[s] if lang == "zh" else s) for s in _SIZE_ORDER]
    else:
        return list(values.value_counts().index)
    return [g for g in known if g in present] + sorted(present - set(known), key=str)


def headline_numbers(frame: pd.DataFrame) -> pd.Series:
    """The study's headline numbers, computed from the customer table.

    Returns
    -------
    pandas.Series
        Named ``value``, float, with the index ``customers`` (rows), ``active_12m``
        (``invoices_12m > 0``), ``revenue_12m``, ``revenue_prev_12m``, ``revenue_growth``
        (ratio minus 1; NaN unless the previous revenue is positive), ``top_share`` (revenue
        share of the top 20% of customers with revenue, :func:`segkit.classify.top_share`),
        ``open_ar`` and ``overdue_ar`` (sums of ``open_balance`` and ``overdue_balance``; NaN
        when unknown), ``overdue_share`` and ``valuable_but_risky`` (ABC tier A or B with a high
        payment risk, :func:`segkit.classify.valuable_but_risky`).
    """
    needed = (*_PROFILE_INPUTS, "revenue_prev_12m", "abc_tier", "risk_tier")
    require_columns(frame, {c: c for c in needed}, "headline_numbers")
    revenue, previous = frame["revenue_12m"].sum(), frame["revenue_prev_12m"].sum()
    open_ar = frame["open_balance"].sum(min_count=1)
    overdue = frame["overdue_balance"].sum(min_count=1)
    values = {
        "customers": len(frame),
        "active_12m": int((frame["invoices_12m"] > 0).sum()),
        "revenue_12m": revenue,
        "revenue_prev_12m": previous,
        "revenue_growth": revenue / previous - 1 if previous > 0 else np.nan,
        "top_share": top_share(frame, "revenue_12m", TOP),
        "open_ar": open_ar,
        "overdue_ar": overdue,
        "overdue_share": overdue / open_ar if open_ar > 0 else np.nan,
        "valuable_but_risky": len(valuable_but_risky(frame)),
    }
    return pd.Series(values, dtype="float64", name="value")


def _pct(value: float, lang: str, sign: str = "") -> str:
    return heading("na", lang) if pd.isna(value) else f"{value:{sign}.1%}"


def _count(value: float, lang: str) -> str:
    return heading("na", lang) if pd.isna(value) else f"{value:,.0f}"


def headline_table(numbers: pd.Series, lang: str = "en") -> pd.DataFrame:
    """The headline numbers as text: columns ``measure`` (label in ``lang``) and ``value``.

    Counts and amounts in CNY get thousands separators, shares one decimal percent, growth a
    sign; the active count is followed by its share of all customers.
    """
    check_lang(lang)
    n = numbers
    active = n["active_12m"] / n["customers"] if n["customers"] else np.nan
    values = {key: _count(n[key], lang) for key in n.index}
    values["active_12m"] += f" ({_pct(active, lang)})"
    values["revenue_growth"] = _pct(n["revenue_growth"], lang, "+")
    for key in ("top_share", "overdue_share"):
        values[key] = _pct(n[key], lang)
    return pd.DataFrame([(heading(k, lang), v) for k, v in values.items()],
                        columns=["measure", "value"])  # fmt: skip


def headline_text(numbers: pd.Series, as_of: str, lang: str = "en") -> str:
    """Markdown sentences stating the headline numbers (:func:`headline_numbers`) as of a date."""
    n = numbers
    growth = n["revenue_growth"]
    key = ("growth_na" if pd.isna(growth) else "growth_flat" if abs(growth) < 0.0005
           else "growth_up" if growth > 0 else "growth_down")  # fmt: skip
    return heading("headline", lang).format(
        as_of=as_of,
        customers=_count(n["customers"], lang),
        active=_count(n["active_12m"], lang),
        active_share=_pct(n["active_12m"] / n["customers"] if n["customers"] else np.nan, lang),
        revenue=format_amount(n["revenue_12m"], lang),
        growth=heading(key, lang).format(g=abs(growth)),
        top=_pct(n["top_share"], lang),
        open=format_amount(n["open_ar"], lang),
        overdue=_pct(n["overdue_share"], lang),
        risky=_count(n["valuable_but_risky"], lang),
    )


def segment_profile(frame: pd.DataFrame, by: str, lang: str = "en") -> pd.DataFrame:
    """Profile the customers of every group of a column (segment, tier, size, cluster …).

    ``by`` is a column of ``frame`` or a display column of :func:`for_display` (``size``,
    ``industry``, ``region``). Class codes are labelled in ``lang`` and kept in the order of
    :data:`segkit.classify.labels.LABELS`, sizes from large to micro, other groups most
    customers first. Customers without a group (NaN) are left out; shares are of all customers.

    Returns
    -------
    pandas.DataFrame
        Index: the groups (named ``by``); columns ``customers``, ``customer_share``,
        ``revenue_12m`` (sum), ``revenue_share`` (of the total of ``revenue_12m``),
        ``median_recency_days``, ``median_invoices_12m``, ``avg_days_late`` (mean over the
        group's customers), ``open_balance`` (sum), ``overdue_share`` (past due / open) and
        ``group_dso_days`` (open / revenue of 12 months x 365, NaN without revenue: the DSO of
        the group as a whole, steadier than the customers' own DSO).
    """
    require_columns(frame, {c: c for c in _PROFILE_INPUTS}, "segment_profile")
    view = for_display(frame, lang)
    require_columns(view, {"by": by}, "segment_profile")
    groups = view.groupby(view[by].astype(object), sort=False)
    total = frame["revenue_12m"].sum()
    size, revenue, open_ = groups.size(), groups["revenue_12m"].sum(), groups["open_balance"].sum()
    out = pd.DataFrame({
        "customers": size.astype("int64"),
        "customer_share": size / len(frame),
        "revenue_12m": revenue,
        "revenue_share": revenue / total if total else np.nan,
        "median_recency_days": groups["recency_days"].median(),
        "median_invoices_12m": groups["invoices_12m"].median().astype("float64"),
        "avg_days_late": groups["avg_days_late"].mean(),
        "open_balance": open_,
        "overdue_share": groups["overdue_balance"].sum() / open_.where(open_ > 0),
        "group_dso_days": open_ / revenue.where(revenue > 0) * 365,
    })  # fmt: skip
    return out.reindex(_order(view[by], by, lang)).rename_axis(by)


def lead_text(profile: pd.DataFrame, lang: str = "en") -> str:
    """One Markdown sentence on the group of a :func:`segment_profile` with most revenue."""
    top = profile["revenue_share"].idxmax()
    row = profile.loc[top]
    return heading("lead", lang).format(top=top, n=row["customers"], share=row["customer_share"],
                                        revenue=row["revenue_share"])  # fmt: skip


def matrix_text(table: pd.DataFrame, lang: str = "en") -> str:
    """One Markdown sentence on the cell of a tidy class matrix with most revenue."""
    row_col, col_col = table.columns[:2]
    cell = table.loc[table["revenue_share"].idxmax()]
    name = f"{label(cell[row_col], lang, row_col)} × {label(cell[col_col], lang, col_col)}"
    return heading("lead", lang).format(top=name, n=cell["customers"],
                                        share=cell["customers"] / table["customers"].sum(),
                                        revenue=cell["revenue_share"])  # fmt: skip


def labelled_matrix(table: pd.DataFrame, values: str = "customers", lang: str = "en"):
    """Wide form of a tidy class matrix (:func:`segkit.classify.pivot_cells`), labels in ``lang``.

    Returns
    -------
    pandas.DataFrame
        Rows: levels of the first class column, columns: levels of the second, both labelled
        (:func:`segkit.classify.label`); axis names are the labels of the two class columns.
    """
    row_col, col_col = table.columns[:2]
    wide = pivot_cells(table, values)
    wide.index = [label(v, lang, row_col) for v in wide.index]
    wide.columns = [label(v, lang, col_col) for v in wide.columns]
    return wide.rename_axis(index=heading(row_col, lang), columns=heading(col_col, lang))


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:,.1f}"


def _score_ranges(edges: list[float], reverse: bool) -> dict[str, str]:
    """Values behind each score 1-5 as intervals (a, b], as :class:`RFMScorer` assigns them."""
    bins = len(edges) + 1
    ranges = {f"score_{n}": "" for n in range(1, 6)}
    for i in range(bins):
        low, high = (edges[i - 1] if i else None), (edges[i] if i < len(edges) else None)
        text = (f"≤ {_num(high)}" if low is None else f"> {_num(low)}" if high is None
                else f"({_num(low)}, {_num(high)}]")  # fmt: skip
        score = 1 + math.floor(4 * i / (bins - 1) + 0.5)
        ranges[f"score_{6 - score if reverse else score}"] = text
    return ranges


def rfm_splits_table(params: dict, lang: str = "en") -> pd.DataFrame:
    """The RFM score edges and the eight-class splits used, from ``attrs["params"]``.

    Returns
    -------
    pandas.DataFrame
        Index ``variable``: R, F and M with the column used, labelled in ``lang`` (e.g.
        ``"R: Days since last invoice"``); columns ``score_1`` to ``score_5`` (the values that
        give each score; ``(a, b]`` means above a up to b; empty when ties leave a score unused)
        and ``cn_split`` (the eight-class rule, e.g. ``"near if ≤ 207"``).
    """
    rfm = params["rfm"]
    rows = {}
    for key, column in zip("rfm", ("recency_days", "invoices_12m", "revenue_12m"), strict=True):
        rule = heading("near_if" if key == "r" else "high_if", lang)
        ranges = _score_ranges(rfm["edges"][key], reverse=key == "r")
        name = f"{key.upper()}{'：' if lang == 'zh' else ': '}{heading(column, lang)}"
        rows[name] = {**ranges, "cn_split": rule.format(v=_num(rfm["cn_splits"][key]))}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("variable")


def abc_table(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """ABC tiers with the smallest revenue of each tier (``attrs["params"]["abc_cutoffs"]``).

    Returns
    -------
    pandas.DataFrame
        Index ``abc_tier`` (labels in ``lang``); columns ``min_revenue_12m`` (NaN for customers
        without revenue), ``customers``, ``customer_share``, ``revenue_12m``, ``revenue_share``.
    """
    profile = segment_profile(frame, "abc_tier", lang)
    cutoffs = frame.attrs.get("params", {}).get("abc_cutoffs", {})
    minimum = {label(k, lang, "abc_tier"): v for k, v in cutoffs.items()}
    profile.insert(0, "min_revenue_12m", [minimum.get(t, np.nan) for t in profile.index])
    return profile[["min_revenue_12m", "customers", "customer_share", "revenue_12m",
                    "revenue_share"]]  # fmt: skip


def stability_text(stability: float, lang: str = "en") -> str:
    """Read the mean adjusted Rand index of bootstrap refits as stable, moderate or unstable.

    Bands: at least :data:`STABLE` (0.8) stable, at least :data:`MODERATE` (0.6) moderately
    stable, below that unstable. They are this study's convention, after the reading of
    bootstrap cluster stability in C. Hennig, "Cluster-wise assessment of cluster stability",
    *Computational Statistics & Data Analysis* 52(1), 2007, 258-271, where groups reproduced
    below about 0.6 are not to be trusted.
    """
    if pd.isna(stability):
        return heading("not_measured", lang)
    key = "stable" if stability >= STABLE else "moderate" if stability >= MODERATE else "unstable"
    return heading(key, lang)


def cluster_text(params: dict, lang: str = "en") -> str:
    """Markdown on the clustering: the k tried, the k chosen, its silhouette and stability."""
    info = params.get("clusters")
    if not info:
        return heading("clusters_off", lang)
    ks, k = sorted(info["scores"]), info["k"]
    head = heading("clusters", lang).format(low=ks[0], high=ks[-1], k=k, score=info["scores"][k],
                                            ari=info["stability"])  # fmt: skip
    return head + stability_text(info["stability"], lang)


def risky_customers(frame: pd.DataFrame, top_n: int = 15, lang: str = "en") -> pd.DataFrame:
    """The ``top_n`` largest valuable-but-risky customers (ABC tier A or B, high payment risk).

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``, largest revenue first; columns ``name``, ``abc_tier`` and
        ``rfm_segment`` (labels in ``lang``), ``revenue_12m``, ``open_balance``,
        ``overdue_balance``, ``aging_90_plus``, ``avg_days_late``.
    """
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        raise ConfigError(f"top_n must be an int >= 1; got {top_n!r}.")
    columns = ["name", "abc_tier", "rfm_segment", "revenue_12m", "open_balance",
               "overdue_balance", "aging_90_plus", "avg_days_late"]  # fmt: skip
    require_columns(frame, {c: c for c in columns}, "risky_customers")
    return with_labels(valuable_but_risky(frame).head(top_n)[columns], lang)


def actions_table(frame: pd.DataFrame, model: str = "rfm_segment", lang: str = "en"):
    """Suggested action per segment (:func:`segkit.classify.segment_actions`) with its size.

    Returns
    -------
    pandas.DataFrame
        One row per segment of ``model`` (``"rfm_segment"`` or ``"rfm_class_cn"``) in the order
        of the actions; columns ``segment`` (label in ``lang``), ``customers``,
        ``customer_share``, ``revenue_share`` (0 for empty segments) and ``action``.
    """
    actions = segment_actions(lang, model=model)[["segment", "action"]]
    sizes = segment_profile(frame, model, lang)[["customers", "customer_share", "revenue_share"]]
    out = actions.merge(sizes, left_on="segment", right_index=True, how="left")
    out = out.fillna({"customers": 0, "customer_share": 0.0, "revenue_share": 0.0})
    out["customers"] = out["customers"].astype("int64")
    return out[["segment", "customers", "customer_share", "revenue_share", "action"]]


def export_classification(classes: pd.DataFrame, out_dir: str | Path) -> Path | None:
    """Write ``classification.csv`` into ``out_dir``; nothing when ``out_dir`` is empty.

    ``classes`` is the table of :func:`segkit.classify_features` as is: one row per customer,
    stable class codes such as ``champions`` (codes load back into an ERP; labels are for
    reports), ``cluster_name`` and the ``reason`` text in the study's language. Amounts and
    days are rounded to 2 decimals. UTF-8 with a byte-order mark
    (:func:`segkit.export.write_table`).

    Returns
    -------
    pathlib.Path or None
        The file written, or None when ``out_dir`` is empty.
    """
    if not out_dir:
        return None
    return write_table(classes.round(2), Path(out_dir) / "classification.csv")


def show(table: pd.DataFrame, lang: str = "en"):
    """Style a study table for display: names in ``lang``, numbers formatted, NaN as a dash.

    DSO above 365 days (open balance larger than a year of sales) reads ``"365+"``.

    Returns
    -------
    pandas.io.formats.style.Styler
        Columns and the index name known to :data:`TEXT` renamed; a RangeIndex hidden.
    """
    named = table.rename(columns=lambda c: heading(c, lang) if c in TEXT else c)
    if table.index.name in TEXT:
        named = named.rename_axis(heading(table.index.name, lang))
    formats = {heading(c, lang): _days if f == "days" else f
               for f, cols in _FORMATS.items() for c in cols if c in table}  # fmt: skip
    styler = named.style.format(formats, na_rep="–", escape="html")
    return styler.hide(axis="index") if isinstance(table.index, pd.RangeIndex) else styler


# Figures -------------------------------------------------------------------------------------


def plot_distributions(frame: pd.DataFrame, lang: str = "en"):
    """Histograms of revenue (log axis), days since last invoice and invoice count (log axis)."""
    columns = {c: heading(c, lang) for c in ("revenue_12m", "recency_days", "invoices_12m")}
    logged = ("revenue_12m", "invoices_12m")
    fig = plots.plot_distributions(frame, columns, log=logged)
    for ax, column in zip(fig.axes, columns, strict=True):
        hidden = int((frame[column].dropna() <= 0).sum()) if column in logged else 0
        note = "\n" + heading("not_shown", lang).format(n=f"{hidden:,}") if hidden else ""
        ax.set_title(columns[column] + note, fontsize=10)
        ax.set_ylabel(heading("n_customers", lang))
    fig.suptitle(heading("fig_distributions", lang))
    return fig


def plot_shares(frame: pd.DataFrame, column: str, lang: str = "en"):
    """Share of customers next to share of revenue per class (labels in ``lang``)."""
    view = for_display(frame, lang)
    order = _order(view[column], column, lang)
    title = heading("shares_title", lang).format(what=heading(column, lang))
    fig = plots.plot_class_shares(view, column, "revenue_12m", order=order, title=title)
    ax = fig.axes[0]
    ax.set_xlabel(heading("share_axis", lang))
    handles, _ = ax.get_legend_handles_labels()
    names = [heading("share_customers", lang), heading("share_revenue", lang)]
    ax.legend(handles, names, loc="lower right")
    return fig


def plot_matrices(table: pd.DataFrame, lang: str = "en", title: str = ""):
    """Two heatmaps of a tidy class matrix: customers per cell and share of revenue per cell."""
    fig, axes = plt.subplots(1, 2, figsize=(13, 0.55 * table.iloc[:, 0].nunique() + 2.2),
                             layout="constrained")  # fmt: skip
    for ax, values in zip(axes, ("customers", "revenue_share"), strict=True):
        wide = labelled_matrix(table, values, lang)
        plots.plot_matrix(wide, percent=values == "revenue_share", ax=ax,
                          title=heading(values, lang))  # fmt: skip
        ax.tick_params(axis="y", labelrotation=0)
    fig.suptitle(title)
    return fig


def plot_scores(frame: pd.DataFrame, lang: str = "en"):
    """Customers per R, F and M score (1-5) among customers with purchases."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), layout="constrained", sharey=True)
    for ax, column in zip(axes, ("r_score", "f_score", "m_score"), strict=True):
        counts = frame.loc[frame[column] > 0, column].value_counts()
        counts = counts.reindex(range(1, 6), fill_value=0)
        ax.bar([str(s) for s in counts.index], counts.to_numpy(), color="#2a788e")
        ax.set_title(heading(column, lang), fontsize=10)
        ax.set_xlabel(heading("score", lang))
    axes[0].set_ylabel(heading("n_customers", lang))
    fig.suptitle(heading("fig_scores", lang))
    return fig


def plot_pareto(frame: pd.DataFrame, lang: str = "en"):
    """Pareto curve of revenue (12 months) with the share of the top 20%, labels in ``lang``."""
    table = pareto_table(frame, "revenue_12m")
    fig = plots.plot_pareto(table, "cum_customer_share", "cum_value_share")
    ax = fig.axes[0]
    x, y = np.r_[0, table["cum_customer_share"]], np.r_[0, table["cum_value_share"]]
    top = float(np.interp(TOP, x, y))
    ax.texts[0].set_text(heading("pareto_top", lang).format(v=top_share(frame, "revenue_12m", TOP)))
    ax.texts[0].xyann = (TOP + 0.08, max(top - 0.3, 0.1))
    ax.plot([TOP], [top], marker="o", color="#fd8d3c")
    ax.texts[0].arrow_patch.set_color("#555555")
    fig.set_size_inches(6.5, 4.5)
    ax.set_xlabel(heading("pareto_x", lang))
    ax.set_ylabel(heading("pareto_y", lang))
    ax.set_title(heading("fig_pareto", lang))
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles, [heading("pareto_curve", lang), heading("pareto_equal", lang)],
              loc="lower right")  # fmt: skip
    return fig


def plot_silhouette(params: dict, lang: str = "en"):
    """Silhouette score per number of clusters tried, the chosen k marked; None without clusters."""
    info = params.get("clusters")
    if not info:
        return None
    scores = pd.Series(info["scores"]).sort_index()
    fig, ax = plt.subplots(figsize=(6.5, 3.8), layout="constrained")
    ax.plot(scores.index, scores.to_numpy(), marker="o", color="#08519c")
    ax.plot([info["k"]], [scores[info["k"]]], marker="o", ms=12, mfc="none", color="#fd8d3c",
            ls="none", label=heading("chosen", lang))  # fmt: skip
    ax.set_xticks(list(scores.index))
    ax.set_xlabel(heading("k_axis", lang))
    ax.set_ylabel(heading("silhouette_axis", lang))
    ax.set_title(heading("fig_silhouette", lang))
    ax.legend(loc="best")
    return fig


def plot_payment(frame: pd.DataFrame, by: str, lang: str = "en"):
    """Box plots of average days late and of DSO per group of ``by`` (labels in ``lang``)."""
    view = for_display(frame, lang)
    order = _order(view[by], by, lang)
    fig, axes = plt.subplots(1, 2, figsize=(13, 0.45 * len(order) + 2), layout="constrained",
                             sharey=True)  # fmt: skip
    for ax, value in zip(axes, ("avg_days_late", "dso_days"), strict=True):
        plots.plot_by_group(view, value, by, order=order, label=heading(value, lang), ax=ax)
        ax.set_title(heading(value, lang))
    fig.suptitle(heading("fig_payment", lang).format(by=heading(by, lang)))
    return fig


def _aging_label(bucket: str, lang: str) -> str:
    parts = bucket.removeprefix("aging_").split("_")
    if parts == ["current"]:
        return heading("aging_current", lang)
    if parts[-1] == "plus":
        return heading("aging_plus", lang).format(lo=parts[0])
    return heading("aging_range", lang).format(lo=parts[0], hi=parts[1])


def plot_aging(frame: pd.DataFrame, by: str, lang: str = "en", past_due_only: bool = True):
    """Receivables per aging bucket (stacked), one bar per group of ``by``.

    With ``past_due_only`` (default) the not-yet-due bucket is left out, so the amounts that
    need collecting are not dwarfed by current invoices.
    """
    buckets = [c for c in frame.columns if c.startswith("aging_")]
    buckets = [b for b in buckets if not (past_due_only and b == "aging_current")]
    names = {b: _aging_label(b, lang) for b in buckets}
    view = for_display(frame, lang).rename(columns=names)
    order = _order(view[by], by, lang)
    view[by] = pd.Categorical(view[by], categories=order[::-1])
    fig = plots.plot_aging(view, list(names.values()), by=by)
    ax = fig.axes[0]
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.set_xlabel(heading("aging_axis_due" if past_due_only else "aging_axis", lang))
    ax.set_ylabel("")
    title = "fig_aging_due" if past_due_only else "fig_aging"
    ax.set_title(heading(title, lang).format(by=heading(by, lang)))
    ax.get_legend().set_title(heading("aging_legend", lang))
    return fig
