"""Bilingual (English / Chinese) labels and suggested actions for every customer class.

The tables are plain data from the text catalogue (``catalogue/labels.yaml`` and
``catalogue/actions.yaml``): one dict per kind of class, keyed by the code that the classifying
functions return (``"frequent"``, ``"champions"``, ``"important_value"`` …), each value a dict
with an ``"en"`` and a ``"zh"`` label. :func:`label` and :func:`translate` look codes (or labels
in either language) up; :func:`segment_actions` lists what finance and sales teams may do for
each RFM segment and each class of the Chinese eight-class model.
"""

from __future__ import annotations

import pandas as pd

from segkit.checks import check_lang
from segkit.exceptions import ConfigError
from segkit.text.catalogue import catalogue

__all__ = ["LABELS", "ACTIONS", "label", "translate", "segment_actions"]


_LABEL_KINDS = (
    "freq_class",
    "amount_class",
    "rfm_segment",
    "rfm_class_cn",
    "abc_tier",
    "risk_tier",
)

#: kind (the class column) -> code -> {"en": label, "zh": label}, from the text catalogue.
LABELS: dict[str, dict[str, dict[str, str]]] = {
    kind: keys for kind, keys in catalogue().items() if kind in _LABEL_KINDS
}

#: class column -> code -> {"en": action, "zh": action}, from the text catalogue.
ACTIONS: dict[str, dict[str, dict[str, str]]] = {
    kind: catalogue()[f"action_{kind}"] for kind in ("rfm_segment", "rfm_class_cn")
}


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
