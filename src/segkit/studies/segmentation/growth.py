"""Value and growth potential in the segmentation study: value today against forecast value,
headroom by industry and size, and the customers to grow, with the reasons.

:func:`growth_frame` runs :func:`segkit.growth.growth_potential` for the study and, when the
ledger cannot carry the models (too few repeat purchases), returns an empty table whose note
says why, so the study goes on. :func:`growth_text` reads the result in two sentences,
:func:`growth_summary` tables it by growth class, :func:`headroom_by_peers` by industry section
x size class, :func:`customers_to_grow` lists the customers with the most headroom, and
:func:`plot_value_forecast` draws 12-month revenue against forecast value.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from segkit.checks import check_int, check_lang
from segkit.exceptions import ConfigError, SegkitError
from segkit.growth import GROWTH_CLASSES, GROWTH_LABELS, GROWTH_OUTPUT, growth_potential
from segkit.studies.display import show
from segkit.studies.sections import holdings
from segkit.studies.segmentation.text import format_amount

__all__ = [
    "GROWTH_TEXT", "growth_frame", "add_growth", "growth_text", "growth_summary",
    "headroom_by_peers", "customers_to_grow", "plot_value_forecast", "show_growth",
]  # fmt: skip

#: Headers and sentences of the section, ``key -> (English, Chinese)``.
GROWTH_TEXT: dict[str, tuple[str, str]] = {
    "growth_class": ("Growth potential", "增长潜力"),
    "customers": ("Customers", "客户数"),
    "name": ("Customer", "客户名称"),
    "revenue_12m": ("Revenue, last 12 months", "近12个月收入"),
    "clv": ("Forecast value, next 12 months", "未来12个月预测价值"),
    "headroom": ("Headroom to peers' upper quartile", "距同类上四分位的增长空间"),
    "p_alive": ("Probability active", "活跃概率"),
    "median_p_alive": ("Median probability active", "活跃概率中位数"),
    "peer_group": ("Peers", "同类客户"),
    "section": ("Industry section", "行业门类"),
    "size_class": ("Size class", "规模"),
    "n_peers": ("Buying peers", "有采购的同类客户数"),
    "peer_median": ("Peers' median revenue", "同类客户收入中位数"),
    "peer_q3": ("Peers' upper quartile", "同类客户收入上四分位"),
    "growth_reason": ("Why", "原因"),
    "no_class": ("No purchase yet", "尚无购买"),
    "lead": (
        "Over the next {months} months the models expect **{clv}** from the customers who have "
        "bought (12-month revenue today: {revenue}).",
        "模型预计未来 {months} 个月已购客户将带来 **{clv}**（当前近12个月收入 {revenue}）。",
    ),
    "lead_rate": (
        "At each customer's purchase rate of the last 12 months, the next {months} months would "
        "bring **{clv}** from the customers who have bought (12-month revenue today: {revenue}).",
        "按每位客户近12个月的购买频率，未来 {months} 个月已购客户将带来 **{clv}**"
        "（当前近12个月收入 {revenue}）。",
    ),
    "lead_high": (
        " **{n_high:,}** {customers_have} high growth potential, together {headroom} below what "
        "the upper quartile of their peers buys.",
        "**{n_high:,}** 家客户增长潜力高，合计距同类客户上四分位尚有 {headroom}。",
    ),
    "lead_churn": (
        " **{n_churn:,}** are at risk of churning, with {churn_revenue} of revenue in the last "
        "12 months.",
        "**{n_churn:,}** 家客户存在流失风险，其近12个月收入为 {churn_revenue}。",
    ),
    "lead_no_basis": (
        " **{n_none:,}** {customers_have} no net revenue in the last 12 months: there is "
        "nothing to grow from, and no growth class.",
        "**{n_none:,}** 家客户近12个月无净收入，无增长基础，不评定增长潜力。",
    ),
    "no_growth": (
        "Growth potential is not shown: {reason}.",
        "未显示增长潜力：{reason}。",
    ),
    "fig_title": ("Value today and forecast value", "当前价值与预测价值"),
}
_FORMATS = {
    **dict.fromkeys(("revenue_12m", "clv", "headroom", "peer_median", "peer_q3"), "{:,.0f}"),
    **dict.fromkeys(("p_alive", "median_p_alive"), "{:.0%}"),
    **dict.fromkeys(("customers", "n_peers"), "{:,.0f}"),
}


def _text(key: str, lang: str) -> str:
    return GROWTH_TEXT[key][0 if check_lang(lang) == "en" else 1]


def growth_frame(ledger, as_of, features: pd.DataFrame, lang: str = "en", **options):
    """:func:`segkit.growth.growth_potential`, or an empty table noting why it cannot run.

    ``frame.attrs["currency"]`` holds the ledger's currency, in which :func:`growth_text`
    writes amounts. Configuration mistakes (a bad threshold, say) still raise
    :class:`ConfigError`.
    """
    currency = holdings(ledger, as_of).currency
    try:
        frame = growth_potential(ledger, as_of, features, lang=lang, **options)
    except ConfigError:
        raise
    except SegkitError as exc:
        frame = pd.DataFrame(columns=list(GROWTH_OUTPUT), index=features.index[:0])
        frame.attrs["notes"] = [str(exc).splitlines()[0]]
    frame.attrs["currency"] = currency
    return frame


def add_growth(classes: pd.DataFrame, growth: pd.DataFrame) -> pd.DataFrame:
    """``classes`` with the growth columns of the classification table (for the export)."""
    keep = [c for c in GROWTH_OUTPUT if c in growth.columns and c not in classes.columns]
    out = classes.join(growth[keep]) if len(growth) else classes.copy()
    out.attrs = classes.attrs
    return out


def growth_text(growth: pd.DataFrame, lang: str = "en") -> str:
    """The forecast against today's revenue, the high-potential, churn-risk and no-basis counts,
    and why a model was withheld; amounts in the ledger's currency (``attrs["currency"]``)."""
    if growth.empty:
        reason = "; ".join(growth.attrs.get("notes", [])).rstrip(".") or "no customer"
        return _text("no_growth", lang).format(reason=reason)
    currency = growth.attrs.get("currency", "CNY")

    def amount(value) -> str:
        return format_amount(value, lang, currency)

    codes = growth["growth_class"]
    high, churn, none = codes == "high", codes == "churn_risk", codes == "no_basis"
    modelled = growth.attrs.get("fit", {}).get("purchases") is None
    parts = [
        _text("lead" if modelled else "lead_rate", lang).format(
            months=growth.attrs.get("horizon_months", 12),
            clv=amount(growth["clv"].sum()),
            revenue=amount(growth["revenue_12m"].sum()),
        ),
        _text("lead_high", lang).format(
            n_high=int(high.sum()),
            customers_have=_have(int(high.sum())),
            headroom=amount(growth.loc[high, "headroom"].sum()),
        ),
    ]
    if modelled:
        revenue = amount(growth.loc[churn, "revenue_12m"].sum())
        parts.append(
            _text("lead_churn", lang).format(n_churn=int(churn.sum()), churn_revenue=revenue)
        )
    if none.any():
        n_none = int(none.sum())
        parts.append(
            _text("lead_no_basis", lang).format(n_none=n_none, customers_have=_have(n_none))
        )
    notes = growth.attrs.get("fit_notes", [])
    return "".join(parts) + "".join(("\n\n" + note) for note in notes)


def _have(count: int) -> str:
    """ "customer has" or "customers have" (the English lead; the Chinese has no plural)."""
    return "customer has" if count == 1 else "customers have"


def growth_summary(growth: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Customers, revenue today, forecast value, headroom and median P(active) per growth class.

    Returns
    -------
    pandas.DataFrame
        Index ``growth_class`` (labels in ``lang``, in the order high, medium, low, churn risk,
        then customers without a purchase); every class listed, empty ones with zeros.
    """
    check_lang(lang)
    codes = growth["growth_class"].astype(object).fillna("none") if len(growth) else pd.Series()
    groups = growth.groupby(codes) if len(growth) else None
    order = [*GROWTH_CLASSES, "none"]
    table = pd.DataFrame(index=pd.Index(order, name="growth_class"))
    if groups is not None:
        table = table.join(
            pd.DataFrame(
                {
                    "customers": groups.size(),
                    "revenue_12m": groups["revenue_12m"].sum(),
                    "clv": groups["clv"].sum(min_count=1),
                    "headroom": groups["headroom"].sum(),
                    "median_p_alive": groups["p_alive"].median(),
                }
            )  # fmt: skip
        )
    table = table.reindex(columns=["customers", "revenue_12m", "clv", "headroom", "median_p_alive"])
    filled = ["customers", "revenue_12m", "headroom"]
    table[filled] = table[filled].fillna(0.0)
    labels = {code: GROWTH_LABELS[code][lang] for code in GROWTH_CLASSES}
    labels["none"] = _text("no_class", lang)
    return table.rename(index=labels)


def headroom_by_peers(growth: pd.DataFrame, top_n: int = 10) -> pd.DataFrame:
    """Peer groups (industry section x size class) with the most headroom in total.

    Returns
    -------
    pandas.DataFrame
        At most ``top_n`` rows, most headroom first: ``section``, ``size_class``, ``customers``,
        ``n_peers`` (buying peers), ``peer_median``, ``peer_q3`` and ``headroom`` (sum). The
        peer figures are those of the group the customers were compared with
        (``peer_group``), which may be the whole section when the group is small.
    """
    top_n = check_int("top_n", top_n, 1)
    if growth.empty:
        columns = ["section", "size_class", "customers", "n_peers", "peer_median", "peer_q3"]
        return pd.DataFrame(columns=[*columns, "headroom"])
    groups = growth.groupby(["section", "size_class"], sort=False)
    table = groups.agg(
        customers=("headroom", "size"),
        n_peers=("n_peers", "first"),
        peer_median=("peer_median", "first"),
        peer_q3=("peer_q3", "first"),
        headroom=("headroom", "sum"),
    )
    table = table.sort_values("headroom", ascending=False, kind="stable").head(top_n)
    return table.reset_index()


def customers_to_grow(growth: pd.DataFrame, names: pd.Series | None = None, top_n: int = 15):
    """High-potential customers with the most headroom, and why.

    Returns
    -------
    pandas.DataFrame
        At most ``top_n`` rows of the customers classed ``high`` with 12-month revenue above
        zero (a customer with nothing bought never heads the list), most headroom first: ``name``
        (when ``names`` is given), ``peer_group``, ``revenue_12m``, ``clv``, ``p_alive``,
        ``headroom`` and ``growth_reason``.
    """
    top_n = check_int("top_n", top_n, 1)
    columns = ["peer_group", "revenue_12m", "clv", "p_alive", "headroom", "growth_reason"]
    if growth.empty:
        return pd.DataFrame(columns=columns)
    buyers = pd.to_numeric(growth["revenue_12m"], errors="coerce") > 0
    high = growth[(growth["growth_class"] == "high") & buyers]
    table = high.sort_values("headroom", ascending=False, kind="stable").head(top_n)[columns]
    if names is not None:
        table.insert(0, "name", names.reindex(table.index))
    return table


def show_growth(table: pd.DataFrame, lang: str = "en", currency: str = "CNY"):
    """Style a table of this section: headers of :data:`GROWTH_TEXT` in ``lang``, formats;
    industry sections with their names, size classes and peer groups in words."""
    table = _in_words(table, lang)
    headers = {c: _text(c, lang) for c in table.columns if c in GROWTH_TEXT}
    styled = show(table, lang, currency=currency, headers=headers, formats=_FORMATS)
    if table.index.name in GROWTH_TEXT:
        styled.index.name = _text(table.index.name, lang)
    return styled


def _in_words(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Codes of the peer columns in words of ``lang`` (``C`` -> ``C 制造业``, ``small`` -> ``小型``)."""
    from segkit.growth.headroom import peer_group_words, size_words
    from segkit.standards.industry import section_label

    table = table.copy()
    if "section" in table.columns:
        table["section"] = [section_label(s, lang) or s for s in table["section"]]
    if "size_class" in table.columns:
        table["size_class"] = [size_words(s, lang) for s in table["size_class"]]
    if "peer_group" in table.columns:
        table["peer_group"] = [peer_group_words(g, lang) for g in table["peer_group"]]
    return table


def plot_value_forecast(growth: pd.DataFrame, lang: str = "en"):
    """12-month revenue against forecast value per customer, log axes, one colour per class.

    Customers at or below zero on either axis cannot sit on a log axis and are left out.
    """
    fig, ax = plt.subplots(figsize=(6.5, 5))
    shown = growth[(growth.get("revenue_12m", 0) > 0) & (growth.get("clv", 0) > 0)]
    for code in GROWTH_CLASSES:
        part = shown[shown["growth_class"] == code]
        if part.empty:  # no_basis has no revenue to place on a log axis
            continue
        ax.scatter(part["revenue_12m"], part["clv"], s=10, alpha=0.6,
                   label=f"{GROWTH_LABELS[code][lang]} ({len(part):,})")  # fmt: skip
    if len(shown):
        low = float(np.nanmin(shown[["revenue_12m", "clv"]].to_numpy()))
        high = float(np.nanmax(shown[["revenue_12m", "clv"]].to_numpy()))
        ax.plot([low, high], [low, high], color="grey", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(_text("revenue_12m", lang))
    ax.set_ylabel(_text("clv", lang))
    ax.set_title(_text("fig_title", lang))
    ax.legend(loc="upper left", fontsize=8)
    return fig
