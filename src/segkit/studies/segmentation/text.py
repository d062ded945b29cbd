"""Reviewer-facing texts of the segmentation study and how amounts are written in sentences.

:data:`TEXT` holds every heading, label and sentence template a reviewer reads, in English and
Chinese; :func:`heading` looks one up by key and language. :func:`format_amount` writes an
amount in CNY for a sentence with the units of the language (k, m, bn; 万, 亿). The other
segmentation modules take all their words from here.
"""

from __future__ import annotations

import pandas as pd

from segkit.checks import LANGS, check_lang
from segkit.exceptions import ConfigError

__all__ = ["TEXT", "heading", "format_amount"]

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
#: Units of amounts in sentences: (suffix, size, decimals), largest first.
_UNITS = {
    "en": (("bn", 1e9, 2), ("m", 1e6, 1), ("k", 1e3, 1)),
    "zh": (("亿", 1e8, 2), ("万", 1e4, 1)),
}


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
