"""Tables as people read them in the workbook: labels for codes, names beside customers.

A table keeps its codes in data (CSV, Parquet, the studies' exports); the workbook shows words.
:func:`readable` replaces the codes of known columns by their labels in the report language
(text catalogue: the class labels of ``labels.yaml``, the collection plans, actions, reasons and
risks of ``cash.yaml``, regions, company sizes, limit actions and cluster profiles), puts
the customer's name beside every customer id and reads columns named ``*_date`` as dates.
"""

from __future__ import annotations

import pandas as pd

from segkit.text.catalogue import catalogue
from segkit.text.labels import LABELS

__all__ = ["CATALOGUE_KINDS", "cluster_words", "readable"]

#: Catalogue kinds whose keys are the codes of a column, by column code.
CATALOGUE_KINDS = {
    "action": "cash_action",
    "plan": "cash_plan",
    "invoice_risk": "cash_invoice_risk",
    "reasons": "cash_reason",
    "region_cn": "region_cn",
    "size_cn": "credit_size",
    "limit_action": "limit_action",
}
#: Columns holding the codes of a kind of ``labels.yaml`` under another name.
_LABEL_ALIASES = {"value": "abc_tier", "risk": "risk_tier"}


def readable(table: pd.DataFrame, lang: str, names: pd.Series | None = None) -> pd.DataFrame:
    """A copy of ``table`` with codes in words and a ``name`` beside ``customer_id``.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns by their codes; ``customer_id`` as the index or a column.
    lang : {"en", "zh"}
        Language of the labels.
    names : pandas.Series, optional
        Customer names by customer id; added as ``name`` after the customer id when the table
        has none.
    """
    out = table.copy()
    for column in out.columns:
        out[column] = _labelled(out[column], str(column), lang)
    for column in [c for c in out.columns if str(c).endswith("_date")]:
        if out[column].dtype == object:
            out[column] = pd.to_datetime(out[column], format="%Y-%m-%d", errors="coerce")
    return _with_names(out, names)


def _labelled(values: pd.Series, code: str, lang: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return values
    values = values.astype(object)
    kind = _LABEL_ALIASES.get(code, code)
    if kind in LABELS:
        words = LABELS[kind]
        return values.map(lambda v: words[v][lang] if v in words else v)
    if code in CATALOGUE_KINDS:
        words = catalogue().get(CATALOGUE_KINDS[code], {})
        sep = "；" if lang == "zh" else "; "
        return values.map(lambda v: _words(v, words, lang, sep))
    if code == "cluster_name" and lang == "zh":
        return values.map(cluster_words)
    return values


def _words(value, words: dict, lang: str, sep: str):
    """Codes joined by ";" (a reason list), each in words; a value without codes as it is."""
    if not isinstance(value, str) or not value:
        return value
    parts = value.split(";")
    if not all(part in words for part in parts):
        return value
    return sep.join(words[part][lang] for part in parts)


def cluster_words(name):
    """A cluster profile named in English ("large, bought recently") in Chinese words."""
    if not isinstance(name, str):
        return name
    found = catalogue()
    english = {}
    for kind in ("cluster_high", "cluster_low"):
        english |= {entry["en"]: entry["zh"] for entry in found.get(kind, {}).values()}
    parts = [part.strip() for part in name.split(",")]
    return "、".join(english.get(part, part) for part in parts)


def _with_names(table: pd.DataFrame, names: pd.Series | None) -> pd.DataFrame:
    if names is None or "name" in table.columns:
        return table
    if table.index.name == "customer_id":
        return pd.concat([names.rename("name").reindex(table.index).to_frame(), table], axis=1)
    if "customer_id" in table.columns:
        at = list(table.columns).index("customer_id") + 1
        table.insert(at, "name", table["customer_id"].map(names))
    return table
