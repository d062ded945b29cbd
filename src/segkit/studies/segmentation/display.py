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
from segkit.exceptions import ConfigError
from segkit.standards.size import SIZE_CN_ZH
from segkit.studies import display
from segkit.studies.segmentation.text import has_heading, heading
from segkit.text.catalogue import catalogue
from segkit.text.labels import LABELS

__all__ = [
    "REGION_SCHEMES", "join_classes", "region_labels", "for_display", "group_order", "show",
    "left_align",
]  # fmt: skip

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


def classify(ledger, as_of, features: pd.DataFrame, clusters: bool = True, lang: str = "en"):
    """Every class of every customer from ``features``, with the credit study's grades.

    :func:`segkit.classes.pipeline.classify_at` with the credit scorecard (so the risk tier is
    the credit grade where the scorecard grades a customer, as in the credit-risk study) and
    without the growth models (the study fits them in its own section). A ledger the scorecard
    cannot be fitted on keeps the payment-behaviour risk tier; ``attrs["params"]["risk_basis"]``
    says which (:func:`risk_basis`).
    """
    from segkit.classes.pipeline import classify_at, resolve_config

    cfg = resolve_config({"clusters": {"enabled": clusters}, "growth": False})
    return classify_at(ledger, as_of, features, cfg, lang)


def risk_basis(frame: pd.DataFrame, lang: str = "en") -> str:
    """One sentence: is the risk tier the credit grade, or (no scorecard) payment behaviour?"""
    params = frame.attrs.get("params", {})
    if params.get("risk_basis") != "grade" or "grade" not in frame.columns:
        return heading("risk_basis_payment", lang)
    graded = int(frame["grade"].notna().sum())
    return heading("risk_basis_grade", lang).format(graded=graded, other=len(frame) - graded)


def join_classes(
    features: pd.DataFrame, classes: pd.DataFrame, currency: str = "CNY", regions: str = "economic"
) -> pd.DataFrame:
    """Join the class columns of :func:`segkit.classify_features` to the full feature table.

    Returns
    -------
    pandas.DataFrame
        ``features`` with every column of ``classes`` it lacks (same index); ``attrs`` of
        ``features`` plus ``attrs["params"]`` of ``classes``, ``attrs["currency"]`` and
        ``attrs["regions"]`` (the region scheme of :func:`region_labels`, read by
        :func:`for_display`).
    """
    extra = [c for c in classes.columns if c not in features.columns]
    out = features.join(classes[extra])
    out.attrs = {**features.attrs, "params": classes.attrs.get("params", {}), "currency": currency,
                 "regions": regions}  # fmt: skip
    return out


#: Region schemes: the column of :func:`segkit.standards.classify_region` each reads, and
#: its labels (``None``: the column holds English words, with a ``_zh`` twin in Chinese).
REGION_SCHEMES = {"economic": ("region_cn", "region_cn"), "geographic": ("geo_region", None)}


def region_labels(frame: pd.DataFrame, lang: str = "en", regions: str = "economic"):
    """The region of every customer in words, in the scheme ``regions``; None without regions.

    ``"economic"`` is the four economic regions of the National Bureau of Statistics (东部、中部、
    西部、东北), ``"geographic"`` the seven geographic regions (七大地理分区); both keep Hong Kong,
    Macao and Taiwan and customers outside China apart. When customers outside China are in
    more than one country (``country_iso``), each is named by its country instead of
    "foreign", so a ledger that spans several countries shows them.
    """
    if regions not in REGION_SCHEMES:
        raise ConfigError(f"regions must be one of {sorted(REGION_SCHEMES)}; got {regions!r}.")
    column, kind = REGION_SCHEMES[regions]
    if column not in frame:
        return None
    if kind is not None:
        names = catalogue()[kind]
        words = frame[column].map(lambda c: names[c][lang] if c in names else c, na_action="ignore")
    else:
        source = (
            frame[f"{column}_zh"] if lang == "zh" and f"{column}_zh" in frame else frame[column]
        )
        words = source.astype(object).map(_capital, na_action="ignore")
    return _with_countries(words, frame, column, lang)


def _with_countries(words: pd.Series, frame: pd.DataFrame, column: str, lang: str) -> pd.Series:
    """Customers outside China named by their country (United Kingdom, 英国) instead of
    "foreign" when the ledger's foreign customers span more than one country; Chinese
    customers without a province are then "China" (中国) rather than "unknown"."""
    from segkit.standards.regions import country_name

    if "country_iso" not in frame:
        return words
    foreign = (frame[column] == "foreign").fillna(False).astype(bool)
    if frame.loc[foreign, "country_iso"].nunique() < 2:
        return words
    # Chinese customers without a province are placed in China rather than "unknown"
    china = (frame["country_iso"] == "CN").fillna(False).astype(bool) & (frame[column] == "unknown")
    codes = frame.loc[foreign | china, "country_iso"].dropna()
    names = codes.map(lambda code: country_name(code, lang))
    out = words.astype(object).copy()
    out.loc[names.dropna().index] = names.dropna()
    return out


def for_display(frame: pd.DataFrame, lang: str = "en", regions: str | None = None) -> pd.DataFrame:
    """A copy with class labels in ``lang`` and the columns ``size``, ``industry``, ``region``.

    ``size`` is the company size of 统计上大中小微型企业划分办法（2017）(``size_cn``),
    ``industry`` the GB/T 4754-2017 section code and name (``industry_section``), ``region``
    the region in the scheme ``regions`` (:func:`region_labels`); each only when its source
    columns exist; ``regions`` defaults to ``frame.attrs["regions"]``, else ``"economic"``.
    Customers without purchases, whom the eight-class model leaves
    unclassified, show as "No purchases" in ``rfm_class_cn``.
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
    region = region_labels(out, lang, regions or frame.attrs.get("regions", "economic"))
    if region is not None:
        out["region"] = region
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


def show(table: pd.DataFrame, lang: str = "en", currency: str = "CNY"):
    """Style a study table for display (:func:`segkit.studies.display.show`).

    Headers are the study's own (:func:`~segkit.studies.segmentation.text.heading`) where it has
    one, else those of the catalogue kind ``columns``; DSO above 365 days (open balance larger
    than a year of sales) reads ``"365+"``.
    """
    headers = {c: heading(c, lang, currency) for c in [*table.columns, table.index.name]
               if has_heading(c)}  # fmt: skip
    formats = {c: f for f, cols in _FORMATS.items() if f != "days" for c in cols}
    view = table.copy()
    for column in _FORMATS["days"]:
        if column in view:
            view[column] = view[column].map(_days, na_action="ignore").astype(object)
    if table.index.name in headers:
        view = view.rename_axis(headers[table.index.name])
    return left_align(display.show(view, lang, currency=currency, headers=headers, formats=formats))


def left_align(styler):
    """Text columns (names, labels, actions) read from the left; numbers stay on the right."""
    text = [c for c in styler.data.columns if styler.data[c].map(lambda v: isinstance(v, str)).all()
            and not styler.data[c].astype(str).str.fullmatch(r"[\d.,%+–-]+|365\+").all()]  # fmt: skip
    if text:
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
        heads = {c: [{"selector": "th", "props": "text-align: left"}] for c in text}
        styler = styler.set_table_styles(heads, overwrite=False)
    return styler
