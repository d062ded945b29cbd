"""Reviewer-facing texts of the segmentation study and how amounts are written in sentences.

Every heading, label and sentence template a reviewer reads is in the text catalogue, kind
``segmentation`` (``segkit/text/catalogue/segmentation.yaml``); :func:`heading` looks one up by
key and language and fills in the ledger's currency. :func:`format_amount` and
:func:`axis_amount` (from :mod:`segkit.text.amounts`) write amounts in the units of the language
(k, m, bn; 万, 亿). The memo's narrative, section by
section, is the kind ``segmentation_memo``, displayed by :func:`memo`.
"""

from __future__ import annotations

from segkit.checks import check_lang
from segkit.exceptions import ConfigError
from segkit.text.amounts import axis_amount, format_amount
from segkit.text.catalogue import catalogue, text

__all__ = ["KIND", "heading", "has_heading", "format_amount", "axis_amount", "inline_label", "memo"]

#: The catalogue kind holding the study's texts.
KIND = "segmentation"


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


def inline_label(label: str) -> str:
    """A label inside an English sentence: "Company size" -> "company size"; "RFM" is kept."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def memo(key: str, lang: str = "en", kind: str = "segmentation_memo"):
    """One part of the study's narrative (catalogue kind ``kind``) as Markdown for display."""
    from IPython.display import Markdown

    return Markdown(text(kind, key, lang))
