"""Figures of the market study with titles in the report language."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from segkit import market, plots
from segkit.classes.tiers import pareto_table, top_share
from segkit.studies.segmentation.text import heading, inline_label
from segkit.text.catalogue import text

__all__ = ["plot_pareto", "plot_growth"]


def plot_pareto(view: pd.DataFrame, lang: str = "en"):
    """The Pareto curve of 12-month revenue, axes, legend and caption in ``lang``."""
    table = pareto_table(view)
    fig = plots.plot_pareto(table, "cum_customer_share", "cum_value_share")
    ax = fig.axes[0]
    if ax.texts and len(table):
        ax.texts[0].set_text(
            heading("pareto_top", lang).format(v=top_share(view, "revenue_12m", 0.2))
        )
    ax.set_xlabel(heading("pareto_x", lang))
    ax.set_ylabel(heading("pareto_y", lang))
    handles, _ = ax.get_legend_handles_labels()
    names = [heading("pareto_curve", lang), heading("pareto_equal", lang)]
    ax.legend(handles, names, loc="lower right")
    ax.set_title(text("market_study", "pareto", lang))
    return fig


def plot_growth(tables: dict[str, pd.DataFrame], lang: str = "en"):
    """Growth per segment against all customers, one panel per view (segments with a rate)."""
    rows = [max(t["growth"].notna().sum(), 1) + 4 for t in tables.values()]
    fig, axes = plt.subplots(len(tables), 1, figsize=(9, 0.38 * sum(rows) + 1),
                             layout="constrained", height_ratios=rows, squeeze=False)  # fmt: skip
    for ax, (name, table) in zip(axes[:, 0], tables.items(), strict=True):
        title = text("market_study", "growth_title", lang, view=inline_label(name))
        market.plot_growth(table, title, lang=lang, ax=ax)
    legend = axes[0, 0].get_legend()
    handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
    for ax in axes[:, 0]:
        ax.get_legend().remove()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    return fig
