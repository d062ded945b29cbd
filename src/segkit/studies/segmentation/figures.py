"""Figures of the segmentation study: matplotlib figures with titles and labels in a language.

Distributions of revenue, recency and frequency (:func:`plot_distributions`), class shares
(:func:`plot_shares`), class matrices as heatmaps (:func:`plot_matrices`), RFM scores
(:func:`plot_scores`), the Pareto curve of revenue (:func:`plot_pareto`), the silhouette per
number of clusters (:func:`plot_silhouette`), payment behaviour (:func:`plot_payment`) and the
aging of receivables (:func:`plot_aging`) by group. Drawing is left to :mod:`segkit.plots`; this
module adds the study's texts and reading order.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from segkit import plots
from segkit.classes.tiers import pareto_table, top_share
from segkit.studies.segmentation.display import for_display, group_order
from segkit.studies.segmentation.headline import TOP
from segkit.studies.segmentation.tables import labelled_matrix
from segkit.studies.segmentation.text import heading, inline_label

__all__ = [
    "plot_distributions", "plot_shares", "plot_matrices", "plot_scores", "plot_pareto",
    "plot_silhouette", "plot_payment", "plot_aging",
]  # fmt: skip


def plot_distributions(frame: pd.DataFrame, lang: str = "en"):
    """Histograms of revenue (log axis), days since last invoice and invoice count (log axis)."""
    currency = frame.attrs.get("currency", "CNY")
    columns = {
        c: heading(c, lang, currency) for c in ("revenue_12m", "recency_days", "invoices_12m")
    }
    logged = ("revenue_12m", "invoices_12m")
    fig = plots.plot_distributions(frame, columns, log=logged)
    for ax, column in zip(fig.axes, columns, strict=True):
        hidden = int((frame[column].dropna() <= 0).sum()) if column in logged else 0
        note = "\n" + heading("not_shown", lang).format(n=f"{hidden:,}") if hidden else ""
        ax.set_title(columns[column] + note, fontsize=10)
        ax.set_ylabel(heading("n_customers", lang))
    fig.suptitle(heading("fig_distributions", lang))
    return fig


def plot_shares(frame: pd.DataFrame, column: str, lang: str = "en"):
    """Share of customers next to share of revenue per class (labels in ``lang``)."""
    view = for_display(frame, lang)
    order = group_order(view[column], column, lang)
    title = heading("shares_title", lang).format(what=heading(column, lang))
    fig = plots.plot_class_shares(view, column, "revenue_12m", order=order, title=title)
    ax = fig.axes[0]
    ax.set_xlabel(heading("share_axis", lang))
    handles, _ = ax.get_legend_handles_labels()
    names = [heading("share_customers", lang), heading("share_revenue", lang)]
    ax.get_legend().remove()
    fig.legend(handles, names, loc="outside lower center", ncol=2, frameon=False)
    return fig


def plot_matrices(table: pd.DataFrame, lang: str = "en", title: str = ""):
    """Two heatmaps of a tidy class matrix: customers per cell and share of revenue per cell."""
    fig, axes = plt.subplots(1, 2, figsize=(13, 0.55 * table.iloc[:, 0].nunique() + 2.2),
                             layout="constrained")  # fmt: skip
    for ax, values in zip(axes, ("customers", "revenue_share"), strict=True):
        wide = labelled_matrix(table, values, lang)
        plots.plot_matrix(wide, percent=values == "revenue_share", ax=ax,
                          title=heading(values, lang))  # fmt: skip
        ax.tick_params(axis="y", labelrotation=0)
    fig.suptitle(title)
    return fig


def plot_scores(frame: pd.DataFrame, lang: str = "en"):
    """Customers per R, F and M score (1-5) among customers with purchases."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), layout="constrained", sharey=True)
    for ax, column in zip(axes, ("r_score", "f_score", "m_score"), strict=True):
        counts = frame.loc[frame[column] > 0, column].value_counts()
        counts = counts.reindex(range(1, 6), fill_value=0)
        ax.bar([str(s) for s in counts.index], counts.to_numpy(), color="#2a788e")
        ax.set_title(heading(column, lang), fontsize=10)
        ax.set_xlabel(heading("score", lang))
    axes[0].set_ylabel(heading("n_customers", lang))
    fig.suptitle(heading("fig_scores", lang))
    return fig


def plot_pareto(frame: pd.DataFrame, lang: str = "en"):
    """Pareto curve of revenue (12 months) with the share of the top 20%, labels in ``lang``."""
    table = pareto_table(frame, "revenue_12m")
    fig = plots.plot_pareto(table, "cum_customer_share", "cum_value_share")
    ax = fig.axes[0]
    x, y = np.r_[0, table["cum_customer_share"]], np.r_[0, table["cum_value_share"]]
    top = float(np.interp(TOP, x, y))
    ax.texts[0].set_text(heading("pareto_top", lang).format(v=top_share(frame, "revenue_12m", TOP)))
    ax.texts[0].xyann = (TOP + 0.08, max(top - 0.3, 0.1))
    ax.plot([TOP], [top], marker="o", color="#fd8d3c")
    ax.texts[0].arrow_patch.set_color("#555555")
    fig.set_size_inches(6.5, 4.5)
    ax.set_xlabel(heading("pareto_x", lang))
    ax.set_ylabel(heading("pareto_y", lang))
    ax.set_title(heading("fig_pareto", lang))
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles, [heading("pareto_curve", lang), heading("pareto_equal", lang)],
              loc="lower right")  # fmt: skip
    return fig


def plot_silhouette(params: dict, lang: str = "en"):
    """Silhouette score per number of clusters tried, the chosen k marked; None without clusters."""
    info = params.get("clusters")
    if not info or "k" not in info:
        return None
    scores = pd.Series(info["scores"]).sort_index()
    fig, ax = plt.subplots(figsize=(6.5, 3.8), layout="constrained")
    ax.plot(scores.index, scores.to_numpy(), marker="o", color="#08519c")
    ax.plot([info["k"]], [scores[info["k"]]], marker="o", ms=12, mfc="none", color="#fd8d3c",
            ls="none", label=heading("chosen", lang))  # fmt: skip
    ax.set_xticks(list(scores.index))
    ax.set_xlabel(heading("k_axis", lang))
    ax.set_ylabel(heading("silhouette_axis", lang))
    ax.set_title(heading("fig_silhouette", lang))
    ax.legend(loc="best")
    return fig


def plot_payment(frame: pd.DataFrame, by: str, lang: str = "en"):
    """Box plots of average days late and of DSO per group of ``by`` (labels in ``lang``)."""
    view = for_display(frame, lang)
    order = group_order(view[by], by, lang)
    fig, axes = plt.subplots(1, 2, figsize=(13, 0.45 * len(order) + 2), layout="constrained",
                             sharey=True)  # fmt: skip
    for ax, value in zip(axes, ("avg_days_late", "dso_days"), strict=True):
        plots.plot_by_group(view, value, by, order=order, label=heading(value, lang), ax=ax)
        ax.set_title(heading(value, lang))
    fig.suptitle(heading("fig_payment", lang).format(by=inline_label(heading(by, lang))))
    return fig


def _aging_label(bucket: str, lang: str) -> str:
    parts = bucket.removeprefix("aging_").split("_")
    if parts == ["current"]:
        return heading("aging_current", lang)
    if parts[-1] == "plus":
        return heading("aging_plus", lang).format(lo=parts[0])
    return heading("aging_range", lang).format(lo=parts[0], hi=parts[1])


def plot_aging(frame: pd.DataFrame, by: str, lang: str = "en", past_due_only: bool = True):
    """Receivables per aging bucket (stacked), one bar per group of ``by``.

    With ``past_due_only`` (default) the not-yet-due bucket is left out, so the amounts that
    need collecting are not dwarfed by current invoices.
    """
    buckets = [c for c in frame.columns if c.startswith("aging_")]
    buckets = [b for b in buckets if not (past_due_only and b == "aging_current")]
    names = {b: _aging_label(b, lang) for b in buckets}
    view = for_display(frame, lang).rename(columns=names)
    order = group_order(view[by], by, lang)
    view[by] = pd.Categorical(view[by], categories=order[::-1])
    fig = plots.plot_aging(view, list(names.values()), by=by)
    ax = fig.axes[0]
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.xaxis.set_major_formatter(plots.amount_axis(lang))
    currency = frame.attrs.get("currency", "CNY")
    ax.set_xlabel(heading("aging_axis_due" if past_due_only else "aging_axis", lang, currency))
    ax.set_ylabel("")
    title = "fig_aging_due" if past_due_only else "fig_aging"
    ax.set_title(heading(title, lang).format(by=inline_label(heading(by, lang))))
    ax.get_legend().set_title(heading("aging_legend", lang))
    return fig
