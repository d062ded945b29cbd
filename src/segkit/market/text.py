"""Wording of the market positioning, in English and Chinese.

:data:`QUADRANT_TEXT` holds the Chinese label and the suggested action of every quadrant of
:func:`segkit.market.tables.positioning`; :func:`quadrant_label` and :func:`quadrant_actions`
read it in a language. :data:`TEXT` holds the axis and legend labels of the charts in
:mod:`segkit.market.plots`.
"""

from __future__ import annotations

import pandas as pd

from segkit.checks import check_lang
from segkit.exceptions import ConfigError
from segkit.market.tables import QUADRANTS

__all__ = ["QUADRANT_TEXT", "TEXT", "quadrant_label", "quadrant_actions"]

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
#: Axis and legend labels of the charts, per language.
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


def quadrant_label(quadrant: str, lang: str = "en") -> str:
    """The label of a quadrant code in ``lang`` (the English label is the code)."""
    check_lang(lang)
    if quadrant not in QUADRANT_TEXT:
        raise ConfigError(f"quadrant must be one of {list(QUADRANTS)}; got {quadrant!r}.")
    return quadrant if lang == "en" else QUADRANT_TEXT[quadrant][lang]


def quadrant_actions(lang: str = "en") -> pd.DataFrame:
    """What to do in each quadrant: columns ``quadrant`` (label in ``lang``) and ``action``."""
    check_lang(lang)
    rows = [(quadrant_label(q, lang), QUADRANT_TEXT[q][f"{lang}_action"]) for q in QUADRANTS]
    return pd.DataFrame(rows, columns=["quadrant", "action"])
