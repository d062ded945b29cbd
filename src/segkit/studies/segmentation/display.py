"""The study's customer table and its display form: class columns joined, labels, styling.

:func:`join_classes` builds the study's customer table from the features and the classes;
:func:`for_display` adds class labels in a language and the display columns ``size``,
``industry`` and ``region``; :func:`group_order` puts the groups of a display column in reading
order for tables and figures; :func:`show` styles a study table with names in the language and
formatted numbers.
"""

from __future__ import annotations

import textwrap

import pandas as pd

from segkit.classes.pipeline import with_labels
from segkit.standards.size import SIZE_CN_ZH
from segkit.studies.segmentation.text import TEXT, heading
from segkit.text.labels import LABELS

__all__ = ["join_classes", "for_display", "group_order", "show"]

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


def group_order(values: pd.Series, by: str, lang: str) -> list:
    """Groups of a display column in reading order: classes, sizes, else most customers first."""
    present = set(values.dropna())
    if by in LABELS:
        known = [entry[lang] for entry in LABELS[by].values()]
    elif by == "size":
        known = [_capital(SIZE_CN_ZH[s] if lang == "zh" else s) for s in _SIZE_ORDER]
    else:
        return list(values.value_counts().index)
    return [g for g in known if g in present] + sorted(present - set(known), key=str)


def show(table: pd.DataFrame, lang: str = "en"):
    """Style a study table for display: names in ``lang``, numbers formatted, NaN as a dash.

    DSO above 365 days (open balance larger than a year of sales) reads ``"365+"``.

    Returns
    -------
    pandas.io.formats.style.Styler
        Columns and the index name known to
        :data:`~segkit.studies.segmentation.text.TEXT` renamed; a RangeIndex hidden.
    """
    named = table.rename(columns=lambda c: heading(c, lang) if c in TEXT else c)
    if table.index.name in TEXT:
        named = named.rename_axis(heading(table.index.name, lang))
    formats = {heading(c, lang): _days if f == "days" else f
               for f, cols in _FORMATS.items() for c in cols if c in table}  # fmt: skip
    styler = named.style.format(formats, na_rep="–", escape="html")
    return styler.hide(axis="index") if isinstance(table.index, pd.RangeIndex) else styler
