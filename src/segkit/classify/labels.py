"""Bilingual (English / Chinese) labels and suggested actions for every customer class.

The tables are plain data: one dict per kind of class, keyed by the code that the classifying
functions return (``"frequent"``, ``"champions"``, ``"important_value"`` …), each value a dict
with an ``"en"`` and a ``"zh"`` label. :func:`label` and :func:`translate` look codes (or labels
in either language) up; :func:`segment_actions` lists what finance and sales teams may do for
each RFM segment and each class of the Chinese eight-class model.
"""

from __future__ import annotations

import pandas as pd

from segkit.exceptions import ConfigError

__all__ = ["LABELS", "ACTIONS", "LANGS", "label", "translate", "segment_actions"]

LANGS = ("en", "zh")

LABELS: dict[str, dict[str, dict[str, str]]] = {
    "freq_class": {
        "frequent": {"en": "Frequent", "zh": "高频客户"},
        "regular": {"en": "Regular", "zh": "常规客户"},
        "occasional": {"en": "Occasional", "zh": "偶发客户"},
        "dormant": {"en": "Dormant", "zh": "休眠客户"},
        "new": {"en": "New", "zh": "新客户"},
        "none": {"en": "No invoices", "zh": "无开票记录"},
    },
    "amount_class": {
        "large": {"en": "Large", "zh": "大额客户"},
        "medium": {"en": "Medium", "zh": "中额客户"},
        "small": {"en": "Small", "zh": "小额客户"},
        "none": {"en": "No revenue", "zh": "无收入"},
    },
    "rfm_segment": {
        "champions": {"en": "Champions", "zh": "冠军客户"},
        "loyal": {"en": "Loyal", "zh": "忠诚客户"},
        "potential_loyalist": {"en": "Potential Loyalist", "zh": "潜在忠诚客户"},
        "new_customers": {"en": "New Customers", "zh": "新近客户"},
        "promising": {"en": "Promising", "zh": "有潜力客户"},
        "need_attention": {"en": "Need Attention", "zh": "需关注客户"},
        "about_to_sleep": {"en": "About to Sleep", "zh": "即将沉睡客户"},
        "at_risk": {"en": "At Risk", "zh": "流失风险客户"},
        "cant_lose_them": {"en": "Can't Lose Them", "zh": "不能失去的客户"},
        "lost": {"en": "Lost", "zh": "已流失客户"},
        "no_purchase": {"en": "No purchases", "zh": "无购买记录"},
    },
    "rfm_class_cn": {
        "important_value": {"en": "Important value", "zh": "重要价值客户"},
        "important_development": {"en": "Important development", "zh": "重要发展客户"},
        "important_retention": {"en": "Important retention", "zh": "重要保持客户"},
        "important_winback": {"en": "Important win-back", "zh": "重要挽留客户"},
        "general_value": {"en": "General value", "zh": "一般价值客户"},
        "general_development": {"en": "General development", "zh": "一般发展客户"},
        "general_retention": {"en": "General retention", "zh": "一般保持客户"},
        "general_winback": {"en": "General win-back", "zh": "一般挽留客户"},
    },
    "abc_tier": {
        "A": {"en": "A", "zh": "A类客户"},
        "B": {"en": "B", "zh": "B类客户"},
        "C": {"en": "C", "zh": "C类客户"},
        "none": {"en": "No revenue", "zh": "无收入"},
    },
    "risk_tier": {
        "low": {"en": "Low risk", "zh": "低风险"},
        "medium": {"en": "Medium risk", "zh": "中风险"},
        "high": {"en": "High risk", "zh": "高风险"},
        "unknown": {"en": "Unknown", "zh": "未知"},
    },
}

ACTIONS: dict[str, dict[str, dict[str, str]]] = {
    "rfm_segment": {
        "champions": {
            "en": "Reward and retain: priority service and supply; review a higher credit limit.",
            "zh": "奖励并维系：优先服务与供货；复核后可提高信用额度。",
        },
        "loyal": {
            "en": "Deepen the relationship: cross-sell related lines, volume terms, referrals.",
            "zh": "深化合作：交叉销售相关产品，提供批量条款，争取转介绍。",
        },
        "potential_loyalist": {
            "en": "Raise frequency: framework agreements, reorder reminders, rebate schemes.",
            "zh": "提高购买频次：签订框架协议，定期补货提醒，返利计划。",
        },
        "new_customers": {
            "en": "Onboard well: confirm billing data and terms; watch the first payments.",
            "zh": "做好导入：核对开票信息与付款条件，关注首批回款。",
        },
        "promising": {
            "en": "Build awareness: present the wider range, small trial orders, follow-up calls.",
            "zh": "培养认知：介绍更多产品线，小额试单，及时回访。",
        },
        "need_attention": {
            "en": "Re-engage with time-limited offers built on past purchases; check for issues.",
            "zh": "依据历史采购推出限时优惠重新激活；排查服务问题。",
        },
        "about_to_sleep": {
            "en": "Reach out before they lapse; keep credit exposure modest.",
            "zh": "在沉睡前主动联系；控制信用敞口。",
        },
        "at_risk": {
            "en": "Win back: account manager contact, find why orders stopped; review open items.",
            "zh": "挽回：客户经理联系，了解停购原因；复核未结款项。",
        },
        "cant_lose_them": {
            "en": "Escalate: senior contact and a tailored offer; settle any dispute quickly.",
            "zh": "升级处理：高层出面并制定专门方案；尽快解决争议。",
        },
        "lost": {
            "en": "Low-cost reactivation only; collect balances, reduce or close the credit line.",
            "zh": "仅做低成本唤醒；催收余额，降低或关闭信用额度。",
        },
    },
    "rfm_class_cn": {
        "important_value": {
            "en": "Keep and grow: dedicated account manager, priority delivery and service.",
            "zh": "保持并提升：专属客户经理，优先供货与服务。",
        },
        "important_development": {
            "en": "Raise purchase frequency: framework contracts, scheduled reorders.",
            "zh": "提高购买频次：签订框架合同，推行定期补货。",
        },
        "important_retention": {
            "en": "Contact proactively: find out why recent orders paused and keep the account.",
            "zh": "主动联系：了解近期未下单原因，防止流失。",
        },
        "important_winback": {
            "en": "Win back with a targeted offer; check for disputes and open balances.",
            "zh": "以针对性方案挽回；排查争议与未结余额。",
        },
        "general_value": {
            "en": "Raise order value: cross-selling and bundles.",
            "zh": "提高单笔金额：交叉销售与组合销售。",
        },
        "general_development": {
            "en": "Nurture at low cost: standard offers and self-service channels.",
            "zh": "低成本培育：标准化优惠与自助渠道。",
        },
        "general_retention": {
            "en": "Light-touch reminders; keep the cost to serve low.",
            "zh": "轻量提醒；控制服务成本。",
        },
        "general_winback": {
            "en": "Minimal effort: collect balances and review the credit line.",
            "zh": "最少投入：催收余额并复核信用额度。",
        },
    },
}


def check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ConfigError(f"lang must be one of {list(LANGS)}; got {lang!r}.")


def _kinds(kind: str | None) -> list[str]:
    if kind is None:
        return list(LABELS)
    if kind not in LABELS:
        raise ConfigError(f"kind must be None or one of {list(LABELS)}; got {kind!r}.")
    return [kind]


def label(value, lang: str = "en", kind: str | None = None):
    """Return the label of one class code (or of a label in either language).

    Parameters
    ----------
    value : str
        A class code such as ``"champions"`` or a label such as ``"重要价值客户"``.
        Missing values (``None``, NaN) are returned unchanged.
    lang : {"en", "zh"}
        Language of the returned label.
    kind : str, optional
        One of the keys of :data:`LABELS` (``"freq_class"``, ``"rfm_segment"`` …). Needed
        only when a code means different things in different tables (``"none"``, ``"medium"``).

    Returns
    -------
    str
        The label in ``lang``.

    Raises
    ------
    ConfigError
        If ``lang`` or ``kind`` is unknown, the value is in no table, or it is ambiguous.
    """
    check_lang(lang)
    if not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value):
        return value
    found = {
        entry[lang]
        for k in _kinds(kind)
        for code, entry in LABELS[k].items()
        if value == code or value in entry.values()
    }
    if not found:
        raise ConfigError(f"label: value {value!r} is not a known class (kind={kind!r}).")
    if len(found) > 1:
        raise ConfigError(
            f"label: value {value!r} is ambiguous across tables; pass kind= one of {list(LABELS)}."
        )
    return found.pop()


def translate(values: pd.Series, lang: str = "en", kind: str | None = None) -> pd.Series:
    """Apply :func:`label` to every element of a Series, keeping its index and name.

    Parameters
    ----------
    values : pandas.Series
        Class codes or labels.
    lang : {"en", "zh"}
        Language of the returned labels.
    kind : str, optional
        Table to look in, see :func:`label`.

    Returns
    -------
    pandas.Series
        Labels, object dtype.
    """
    mapping = {v: label(v, lang, kind) for v in pd.unique(values.dropna())}
    return values.map(mapping).astype(object)


def segment_actions(lang: str = "en", model: str | None = None) -> pd.DataFrame:
    """List a suggested action for every RFM segment and every class of the eight-class model.

    Parameters
    ----------
    lang : {"en", "zh"}
        Language of the segment names and actions.
    model : {"rfm_segment", "rfm_class_cn"}, optional
        Restrict to one model; both by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``model`` (``"rfm_segment"`` or ``"rfm_class_cn"``), ``segment`` (label in
        ``lang``) and ``action``, one row per segment in the order of :data:`ACTIONS`.
    """
    check_lang(lang)
    if model is not None and model not in ACTIONS:
        raise ConfigError(f"model must be None or one of {list(ACTIONS)}; got {model!r}.")
    rows = [
        (name, LABELS[name][code][lang], entry[lang])
        for name, table in ACTIONS.items()
        if model in (None, name)
        for code, entry in table.items()
    ]
    return pd.DataFrame(rows, columns=["model", "segment", "action"])
