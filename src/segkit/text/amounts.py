"""How amounts are written for a reader, in the units of the language.

English uses k, m and bn (thousand, million, billion); Chinese uses 万 (10^4) and 亿 (10^8).
:func:`format_amount` writes an amount for a sentence, with its currency (``"CNY 4.3m"``,
``"428.0万元"``); :func:`axis_amount` writes a tick of a chart axis (``"2.5m"``, ``"2,500万"``).
Every study and the executive index use these two, so an amount reads the same everywhere.
"""

from __future__ import annotations

import pandas as pd

from segkit.checks import check_currency, check_lang
from segkit.text.catalogue import text

__all__ = ["UNITS", "format_amount", "axis_amount"]

#: Units of amounts: (suffix, size, decimals in sentences), largest first.
UNITS = {
    "en": (("bn", 1e9, 2), ("m", 1e6, 1), ("k", 1e3, 1)),
    "zh": (("亿", 1e8, 2), ("万", 1e4, 1)),
}


def _unit(value: float, lang: str) -> tuple[str, float, int]:
    return next(((u, s, d) for u, s, d in UNITS[lang] if abs(value) >= s), ("", 1.0, 0))


def format_amount(value: float, lang: str = "en", currency: str = "CNY") -> str:
    """Write an amount for a sentence: ``"CNY 2.06bn"``, or ``"20.55亿元"`` in Chinese.

    Chinese writes 元 for yuan and the currency code otherwise (``"3.1万 USD"``). Below a
    thousand (ten thousand in Chinese) the amount is rounded to whole units. Missing values
    read ``"n/a"`` (``"无数据"``).
    """
    check_lang(lang)
    check_currency(currency)
    if pd.isna(value):
        return text("amount_text", "na", lang)
    unit, size, digits = _unit(value, lang)
    number = f"{value / size:,.{digits}f}{unit}"
    if lang == "zh":
        return f"{number}元" if currency == "CNY" else f"{number} {currency}"
    return f"{currency} {number}"


def axis_amount(value: float, lang: str = "en") -> str:
    """An amount on a chart axis in the units of ``lang`` (``"2.5m"``, ``"200万"``); 0, never -0.

    At most two decimals, and only those a tick needs: ``"2m"``, ``"2.5m"``, ``"1.25亿"`` (one
    decimal would write 1.25亿 and 1.3亿 alike, or a tick of 1.75亿 as 1.8亿).
    """
    check_lang(lang)
    if abs(value) < 0.5:
        return "0"
    unit, size, _ = _unit(value, lang)
    if size == 1:
        return f"{value:,.0f}"
    return f"{value / size:,.2f}".rstrip("0").rstrip(".") + unit
