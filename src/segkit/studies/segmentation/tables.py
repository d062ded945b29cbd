"""Profiles and tables of the segmentation study, with the sentences that read them.

:func:`segment_profile` summarises the customers of every group of a column (size, revenue,
recency, payment); :func:`abc_table` and :func:`actions_table` build on it. Class matrices are
labelled (:func:`labelled_matrix`) and read in one sentence (:func:`matrix_text`); the RFM score
edges (:func:`rfm_splits_table`), the clustering and its stability (:func:`cluster_text`), the
valuable-but-risky customers (:func:`risky_customers`) and the export of the classification
(:func:`export_classification`) complete the study's tables.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from segkit.checks import require_columns
from segkit.classes.frequency import pivot_cells
from segkit.classes.pipeline import with_labels
from segkit.classes.value_risk import valuable_but_risky
from segkit.exceptions import ConfigError
from segkit.output.export import write_table
from segkit.studies.segmentation.display import for_display, group_order
from segkit.studies.segmentation.text import has_heading, heading
from segkit.text.catalogue import catalogue, text
from segkit.text.labels import label, segment_actions

__all__ = [
    "PROFILE_INPUTS", "STABLE", "MODERATE", "segment_profile", "lead_text", "matrix_text",
    "labelled_matrix", "rfm_splits_table", "abc_table", "stability_text", "cluster_text",
    "risky_customers", "actions_table", "export_classification",
]  # fmt: skip

#: Columns of the customer table that every profile and the headline numbers read.
PROFILE_INPUTS = ("revenue_12m", "recency_days", "invoices_12m", "avg_days_late",
                  "open_balance", "overdue_balance")  # fmt: skip
_PAYMENT_COLUMNS = ("avg_days_late", "open_balance", "overdue_share", "group_dso_days")
#: Lower bounds of the mean adjusted Rand index read as stable and as moderately stable.
STABLE, MODERATE = 0.8, 0.6


def segment_profile(frame: pd.DataFrame, by: str, lang: str = "en") -> pd.DataFrame:
    """Profile the customers of every group of a column (segment, tier, size, cluster …).

    ``by`` is a column of ``frame`` or a display column of
    :func:`~segkit.studies.segmentation.display.for_display` (``size``, ``industry``,
    ``region``). Class codes are labelled in ``lang`` and kept in the order of
    :data:`segkit.text.labels.LABELS`, sizes from large to micro, other groups most
    customers first. Customers without a group (NaN) are left out; shares are of all customers.

    Returns
    -------
    pandas.DataFrame
        Index: the groups (named ``by``); columns ``customers``, ``customer_share``,
        ``revenue_12m`` (sum), ``revenue_share`` (of the total of ``revenue_12m``),
        ``median_recency_days``, ``median_invoices_12m``, ``avg_days_late`` (mean over the
        group's customers), ``open_balance`` (sum), ``overdue_share`` (past due / open) and
        ``group_dso_days`` (open / revenue of 12 months x 365, NaN without revenue: the DSO of
        the group as a whole, steadier than the customers' own DSO). The payment columns are
        left out when the ledger holds no settlement data (all NaN).
    """
    require_columns(frame, {c: c for c in PROFILE_INPUTS}, "segment_profile")
    view = for_display(frame, lang)
    require_columns(view, {"by": by}, "segment_profile")
    groups = view.groupby(view[by].astype(object), sort=False)
    total = frame["revenue_12m"].sum()
    size, revenue, open_ = groups.size(), groups["revenue_12m"].sum(), groups["open_balance"].sum()
    out = pd.DataFrame({
        "customers": size.astype("int64"),
        "customer_share": size / len(frame),
        "revenue_12m": revenue,
        "revenue_share": revenue / total if total else np.nan,
        "median_recency_days": groups["recency_days"].median(),
        "median_invoices_12m": groups["invoices_12m"].median().astype("float64"),
        "avg_days_late": groups["avg_days_late"].mean(),
        "open_balance": open_,
        "overdue_share": groups["overdue_balance"].sum() / open_.where(open_ > 0),
        "group_dso_days": open_ / revenue.where(revenue > 0) * 365,
    })  # fmt: skip
    unpaid = list(_PAYMENT_COLUMNS) if frame["open_balance"].isna().all() else []
    unpaid += [c for c in _PAYMENT_COLUMNS if c not in unpaid and out[c].isna().all()]
    return out.drop(columns=unpaid).reindex(group_order(view[by], by, lang)).rename_axis(by)


def lead_text(profile: pd.DataFrame, lang: str = "en") -> str:
    """One Markdown sentence on the group of a :func:`segment_profile` with most revenue."""
    top = profile["revenue_share"].idxmax()
    row = profile.loc[top]
    return heading("lead", lang).format(top=top, n=row["customers"], share=row["customer_share"],
                                        revenue=row["revenue_share"])  # fmt: skip


def matrix_text(table: pd.DataFrame, lang: str = "en") -> str:
    """One Markdown sentence on the cell of a tidy class matrix with most revenue."""
    row_col, col_col = table.columns[:2]
    cell = table.loc[table["revenue_share"].idxmax()]
    name = f"{label(cell[row_col], lang, row_col)} × {label(cell[col_col], lang, col_col)}"
    return heading("lead", lang).format(top=name, n=cell["customers"],
                                        share=cell["customers"] / table["customers"].sum(),
                                        revenue=cell["revenue_share"])  # fmt: skip


def labelled_matrix(table: pd.DataFrame, values: str = "customers", lang: str = "en"):
    """Wide form of a tidy class matrix (:func:`segkit.classes.pivot_cells`), labels in ``lang``.

    Returns
    -------
    pandas.DataFrame
        Rows: levels of the first class column, columns: levels of the second, both labelled
        (:func:`segkit.classes.label`); axis names are the labels of the two class columns.
    """
    row_col, col_col = table.columns[:2]
    wide = pivot_cells(table, values)
    wide.index = [label(v, lang, row_col) for v in wide.index]
    wide.columns = [label(v, lang, col_col) for v in wide.columns]
    return wide.rename_axis(index=heading(row_col, lang), columns=heading(col_col, lang))


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:,.1f}"


def _score_ranges(edges: list[float], reverse: bool) -> dict[str, str]:
    """Values behind each score 1-5 as intervals (a, b], as :class:`RFMScorer` assigns them."""
    bins = len(edges) + 1
    ranges = {f"score_{n}": "" for n in range(1, 6)}
    for i in range(bins):
        low, high = (edges[i - 1] if i else None), (edges[i] if i < len(edges) else None)
        text = (f"≤ {_num(high)}" if low is None else f"> {_num(low)}" if high is None
                else f"({_num(low)}, {_num(high)}]")  # fmt: skip
        score = 1 + math.floor(4 * i / (bins - 1) + 0.5)
        ranges[f"score_{6 - score if reverse else score}"] = text
    return ranges


def rfm_splits_table(params: dict, lang: str = "en", currency: str = "CNY") -> pd.DataFrame:
    """The RFM score edges and the eight-class splits used, from ``attrs["params"]``.

    Returns
    -------
    pandas.DataFrame
        Index ``variable``: R, F and M with the column used, labelled in ``lang`` (e.g.
        ``"R: Days since last invoice"``); columns ``score_1`` to ``score_5`` (the values that
        give each score; ``(a, b]`` means above a up to b; empty when ties leave a score unused)
        and ``cn_split`` (the eight-class rule, e.g. ``"near if ≤ 207"``).
    """
    rfm = params["rfm"]
    rows = {}
    for key, column in zip("rfm", ("recency_days", "invoices_12m", "revenue_12m"), strict=True):
        rule = heading("near_if" if key == "r" else "high_if", lang)
        ranges = _score_ranges(rfm["edges"][key], reverse=key == "r")
        name = f"{key.upper()}{'：' if lang == 'zh' else ': '}{heading(column, lang, currency)}"
        rows[name] = {**ranges, "cn_split": rule.format(v=_num(rfm["cn_splits"][key]))}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("variable")


def abc_table(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """ABC tiers with the smallest revenue of each tier (``attrs["params"]["abc_cutoffs"]``).

    Returns
    -------
    pandas.DataFrame
        Index ``abc_tier`` (labels in ``lang``); columns ``min_revenue_12m`` (NaN for customers
        without revenue), ``customers``, ``customer_share``, ``revenue_12m``, ``revenue_share``.
    """
    profile = segment_profile(frame, "abc_tier", lang)
    cutoffs = frame.attrs.get("params", {}).get("abc_cutoffs", {})
    minimum = {label(k, lang, "abc_tier"): v for k, v in cutoffs.items()}
    profile.insert(0, "min_revenue_12m", [minimum.get(t, np.nan) for t in profile.index])
    return profile[["min_revenue_12m", "customers", "customer_share", "revenue_12m",
                    "revenue_share"]]  # fmt: skip


def stability_text(stability: float, lang: str = "en") -> str:
    """Read the mean adjusted Rand index of bootstrap refits as stable, moderate or unstable.

    Bands: at least :data:`STABLE` (0.8) stable, at least :data:`MODERATE` (0.6) moderately
    stable, below that unstable. They are this study's convention, after the reading of
    bootstrap cluster stability in C. Hennig, "Cluster-wise assessment of cluster stability",
    *Computational Statistics & Data Analysis* 52(1), 2007, 258-271, where groups reproduced
    below about 0.6 are not to be trusted.
    """
    if pd.isna(stability):
        return heading("not_measured", lang)
    key = "stable" if stability >= STABLE else "moderate" if stability >= MODERATE else "unstable"
    return heading(key, lang)


def cluster_text(params: dict, lang: str = "en") -> str:
    """Markdown on the clustering: the k tried, the k chosen, its silhouette and stability."""
    info = params.get("clusters")
    if not info:
        return heading("clusters_off", lang)
    if "withheld" in info:
        return heading(f"clusters_withheld_{info['withheld']}", lang).format(**info["figures"])
    if "k" not in info:
        return heading("clusters_skipped", lang)
    ks, k = sorted(info["scores"]), info["k"]
    head = heading("clusters", lang).format(low=ks[0], high=ks[-1], k=k, score=info["scores"][k],
                                            ari=info["stability"])  # fmt: skip
    out = head + stability_text(info["stability"], lang)
    if info.get("left_out"):
        sep = "、" if lang == "zh" else ", "
        names = sep.join(_feature_name(c, lang) for c in info["left_out"])
        out += heading("clusters_left_out", lang).format(columns=names)
    return out


def _feature_name(column: str, lang: str) -> str:
    """A feature's name without its currency (``"Open"``, not ``"Open (CNY)"``)."""
    kind = "segmentation" if has_heading(column) else "columns"
    entry = catalogue()[kind].get(column)
    return re.sub(r"\s*[(（]\{currency\}[)）]", "", entry[lang]) if entry else column


def risky_customers(frame: pd.DataFrame, top_n: int = 15, lang: str = "en") -> pd.DataFrame:
    """The ``top_n`` largest valuable-but-risky customers (ABC tier A or B, high risk).

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``, largest revenue first; columns ``name`` (when the ledger has
        names), ``abc_tier`` and ``rfm_segment`` (labels in ``lang``), ``grade`` (when the
        credit scorecard graded customers), ``revenue_12m``,
        ``open_balance``, ``overdue_balance``, ``aging_90_plus``, ``avg_days_late``.
    """
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        raise ConfigError(f"top_n must be an int >= 1; got {top_n!r}.")
    columns = ["abc_tier", "rfm_segment", "revenue_12m", "open_balance",
               "overdue_balance", "aging_90_plus", "avg_days_late"]  # fmt: skip
    if "grade" in frame.columns and frame["grade"].notna().any():
        columns.insert(1, "grade")  # the credit grade behind the risk tier
    if "name" in frame.columns:
        columns.insert(0, "name")
    require_columns(frame, {c: c for c in columns}, "risky_customers")
    return with_labels(valuable_but_risky(frame).head(top_n)[columns], lang)


def actions_table(frame: pd.DataFrame, model: str = "rfm_segment", lang: str = "en"):
    """Suggested action per segment (:func:`segkit.classes.segment_actions`) with its size.

    Returns
    -------
    pandas.DataFrame
        One row per segment of ``model`` (``"rfm_segment"`` or ``"rfm_class_cn"``) in the order
        of the actions; columns ``segment`` (label in ``lang``), ``customers``,
        ``customer_share``, ``revenue_share`` (0 for empty segments) and ``action``.
    """
    actions = segment_actions(lang, model=model)[["segment", "action"]]
    sizes = segment_profile(frame, model, lang)[["customers", "customer_share", "revenue_share"]]
    out = actions.merge(sizes, left_on="segment", right_index=True, how="left")
    out = out.fillna({"customers": 0, "customer_share": 0.0, "revenue_share": 0.0})
    out["customers"] = out["customers"].astype("int64")
    columns = ["segment", "customers", "customer_share", "revenue_share", "action"]
    if "limit_action" in frame.columns:  # the credit study's decisions, quoted, never re-made
        out["limit_advice"] = out["segment"].map(_limit_advice_by_segment(frame, model, lang))
        columns.append("limit_advice")
    return out[columns]


def _limit_advice_by_segment(frame: pd.DataFrame, model: str, lang: str) -> dict[str, str]:
    """Per segment label, the credit study's limit decisions counted: ``"12 cut · 3 hold orders"``."""
    from segkit.credit.advice import ADVICE, limit_advice

    advice = limit_advice(frame)
    labels = frame[model].map(lambda code: label(code, lang, kind=model))
    out = {}
    for segment, codes in advice.groupby(labels):
        counts = codes.value_counts()
        parts = [f"{counts[a]} {text('limit_advice', a, lang)}" for a in ADVICE if a in counts]
        out[segment] = " · ".join(parts)
    return out


def export_classification(classes: pd.DataFrame, out_dir: str | Path) -> Path | None:
    """Write ``classification.csv`` into ``out_dir``; nothing when ``out_dir`` is empty.

    ``classes`` is the study's classification (the columns of :func:`segkit.classify`, credit
    grade included) as is: one row per customer, stable class codes such as ``champions``
    (codes load back into an ERP; labels are for reports), ``cluster_name`` and the ``reason``
    text in the study's language. Amounts and days are rounded to 2 decimals. UTF-8 with a
    byte-order mark (:func:`segkit.output.export.write_table`).

    Returns
    -------
    pathlib.Path or None
        The file written, or None when ``out_dir`` is empty.
    """
    if not out_dir:
        return None
    return write_table(classes.round(2), Path(out_dir) / "classification.csv")
