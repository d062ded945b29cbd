"""Reviewer-facing texts of the segmentation study and how amounts are written in sentences.

Every heading, label and sentence template a reviewer reads is in the text catalogue, kind
``segmentation`` (``segkit/text/catalogue/segmentation.yaml``); :func:`heading` looks one up by
key and language and fills in the ledger's currency. :func:`format_amount` writes an amount for
a sentence with the units of the language (k, m, bn; 万, 亿). The memo's narrative, section by
section, is the kind ``segmentation_memo``, displayed by :func:`memo`.
"""

from __future__ import annotations

import pandas as pd

from segkit.checks import check_lang
from segkit.exceptions import ConfigError
from segkit.text.catalogue import catalogue, text

__all__ = ["KIND", "heading", "has_heading", "format_amount", "axis_amount", "inline_label", "memo"]

#: The catalogue kind holding the study's texts.
KIND = "segmentation"
#: Units of amounts in sentences: (suffix, size, decimals), largest first.
_UNITS = {
    "en": (("bn", 1e9, 2), ("m", 1e6, 1), ("k", 1e3, 1)),
    "zh": (("亿", 1e8, 2), ("万", 1e4, 1)),
}


def has_heading(key) -> bool:
    """True when ``key`` has a text in the study's catalogue kind."""
    return isinstance(key, str) and key in catalogue()[KIND]


def heading(key: str, lang: str = "en", currency: str = "CNY") -> str:
    """Return the text (or template) ``key`` in ``lang``, with ``{currency}`` filled in.

    Parameters
    ----------
    key : str
        A key of the catalogue kind ``segmentation``, e.g. ``"revenue_share"``.
    lang : {"en", "zh"}
        Language.
    currency : str, default "CNY"
        The ledger's currency, for headers of amounts.

    Raises
    ------
    ConfigError
        If ``lang`` or ``key`` is unknown.
    """
    check_lang(lang)
    if not has_heading(key):
        raise ConfigError(
            f"heading: key must be a key of the catalogue kind {KIND!r}; got {key!r}."
        )
    return catalogue()[KIND][key][lang].replace("{currency}", currency)


def format_amount(value: float, lang: str = "en", currency: str = "CNY") -> str:
    """Write an amount for a sentence: ``"CNY 2.06bn"``, or ``"20.55亿元"`` in Chinese.

    English uses k, m and bn (thousand, million, billion); Chinese uses 万 (10^4) and 亿 (10^8),
    with 元 for yuan and the currency code otherwise (``"3.1万 USD"``). Missing values read
    ``"n/a"`` (``"无数据"``).
    """
    check_lang(lang)
    if pd.isna(value):
        return heading("na", lang)
    units = _UNITS[lang]
    unit, size, digits = next(((u, s, d) for u, s, d in units if abs(value) >= s), ("", 1, 0))
    number = f"{value / size:,.{digits}f}{unit}"
    if lang == "zh":
        return f"{number}元" if currency == "CNY" else f"{number} {currency}"
    return f"{currency} {number}"


def axis_amount(value: float, lang: str = "en") -> str:
    """An amount on a chart axis in the units of ``lang`` (``"2.0m"``, ``"200万"``); 0, never -0."""
    if abs(value) < 0.5:
        return "0"
    unit, size, _ = next(((u, s, d) for u, s, d in _UNITS[lang] if abs(value) >= s), ("", 1, 0))
    return f"{value / size:,.{0 if size == 1 or (value / size).is_integer() else 1}f}{unit}"


def inline_label(label: str) -> str:
    """A label inside an English sentence: "Company size" -> "company size"; "RFM" is kept."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def memo(key: str, lang: str = "en", kind: str = "segmentation_memo"):
    """One part of the study's narrative (catalogue kind ``kind``) as Markdown for display."""
    from IPython.display import Markdown

    return Markdown(text(kind, key, lang))
