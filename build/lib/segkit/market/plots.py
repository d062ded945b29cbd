"""Charts of the market positioning: segment shares, growth, and share against growth.

:func:`plot_shares` draws the revenue share of every segment against last year's, one panel
per table of :func:`segkit.market.tables.segment_revenue`; :func:`plot_growth` the growth of
every segment against the growth of all customers; :func:`plot_positioning` the segments of
:func:`segkit.market.tables.positioning` on share x growth, one quarter of the chart per
quadrant. Labels come in English or Chinese (:func:`segkit.market.text.chart_text`).
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from segkit.checks import check_lang
from segkit.market.tables import QUADRANTS, check_top, growth_rate
from segkit.market.text import chart_text, quadrant_label

__all__ = ["plot_shares", "plot_growth", "plot_positioning"]

FAST, SLOW = "#2b8cbe", "#fd8d3c"


def _axes(ax, width: float, height: float):
    if ax is not None:
        return ax.figure, ax
    return plt.subplots(figsize=(width, height), layout="constrained")


def plot_shares(tables: dict[str, pd.DataFrame], top: int = 10, lang: str = "en"):
    """Revenue share by segment, one panel per table, with last year's share as a dot.

    Parameters
    ----------
    tables : dict
        Panel title -> output of :func:`~segkit.market.tables.segment_revenue`.
    top : int
        Segments shown per panel (largest first); the rest are summed as ``other``.
    lang : {"en", "zh"}
        Language of the axis labels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_lang(lang)
    check_top(top)
    rows = max(min(len(t), top + 1) for t in tables.values())
    fig, axes = plt.subplots(
        1,
        len(tables),
        figsize=(4.6 * len(tables), 0.38 * rows + 1.8),
        layout="constrained",
        squeeze=False,
    )
    for ax, (title, table) in zip(axes[0], tables.items(), strict=True):
        data = table[["share", "share_prev"]]
        if len(data) > top:
            data = pd.concat(
                [data.iloc[:top], data.iloc[top:].sum().to_frame(chart_text("other", lang)).T]
            )
        names = [str(i) for i in data.index][::-1]
        ax.barh(
            names, data["share"].to_numpy()[::-1], color="#3182bd", label=chart_text("share", lang)
        )
        if data["share_prev"].notna().any():  # no dots for a period the ledger lacks
            ax.plot(
                data["share_prev"].to_numpy()[::-1],
                names,
                "o",
                color="#fd8d3c",
                label=chart_text("previous", lang),
            )
        ax.set_xlim(0, 1.08 * max(np.nanmax(data.to_numpy(dtype=float)), 0.01))
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_title(title)
        ax.set_xlabel(chart_text("share", lang))
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=9)
    return fig


def plot_growth(table: pd.DataFrame, title: str = "", lang: str = "en", ax=None):
    """Revenue growth per segment (bars) against the growth of all customers (dashed line).

    ``table`` is the output of :func:`~segkit.market.tables.segment_revenue` or
    :func:`~segkit.market.tables.positioning`; segments without a growth rate are left out.
    """
    check_lang(lang)
    data = table["growth"].dropna().sort_values()
    overall = growth_rate(table["revenue"].sum(), table["revenue_prev"].sum())
    fig, ax = _axes(ax, 7.0, 0.38 * len(data) + 1.8)
    faster = data.to_numpy() >= overall
    ax.barh([str(i) for i in data.index], data.to_numpy(), color=np.where(faster, FAST, SLOW))
    ax.axvline(float(overall), color="black", ls="--", lw=1)
    ax.axvline(0, color="grey", lw=0.8)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    handles = [Patch(color=FAST), Patch(color=SLOW), Line2D([], [], color="black", ls="--")]
    names = [chart_text("faster", lang), chart_text("slower", lang),
             f"{chart_text('overall', lang)}: {float(overall):+.1%}"]  # fmt: skip
    # below the axes, never over the bars
    ax.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=8, ncols=1)
    ax.set_xlabel(chart_text("growth", lang))
    ax.set_title(title)
    return fig


def _wide(label: str) -> bool:
    """True when ``label`` holds CJK characters (twice as wide as Latin letters)."""
    return any("\u2e80" <= ch <= "\u9fff" for ch in label)


def _crowded(row, placed, data) -> bool:
    """True when a label above ``row``'s bubble would sit on one placed before (axes scale)."""
    spread_x = np.ptp(np.log10(data["share"])) or 1.0
    spread_y = np.ptp(data["growth"]) or 1.0
    x, y = np.log10(row["share"]), row["growth"]
    return any(abs(x - px) / spread_x < 0.15 and abs(y - py) / spread_y < 0.12 for px, py in placed)


def plot_positioning(table: pd.DataFrame, title: str = "", lang: str = "en", ax=None):
    """Share (x, log scale) against growth (y); bubble area = buying customers.

    ``table`` is the output of :func:`~segkit.market.tables.positioning`; the dashed lines are
    its thresholds (median share, overall growth), so each quarter of the chart is one
    quadrant. Segments without a growth rate (``new``) are left out.
    """
    check_lang(lang)
    data = table.dropna(subset=["growth"])
    data = data[data["share"] > 0]
    fig, ax = _axes(ax, 8.0, 5.5)
    size = 2000 * data["buyers"] / max(data["buyers"].max(), 1) + 20
    ax.scatter(data["share"], data["growth"], s=size, alpha=0.5, color="#3182bd", edgecolor="k")
    placed: list[tuple[float, float]] = []
    for (name, row), area in zip(data.iterrows(), size, strict=True):
        above = not _crowded(row, placed, data)
        placed.append((np.log10(row["share"]), row["growth"]))
        ax.annotate(
            textwrap.fill(str(name), 9 if _wide(str(name)) else 18, break_long_words=False),
            (row["share"], row["growth"]),
            xytext=(0, (1 if above else -1) * (np.sqrt(area) / 2 + 2)),
            textcoords="offset points",
            fontsize=8,
            ha="center",
            va="bottom" if above else "top",
            linespacing=0.9,
        )
    ax.set_xscale("log")
    ax.margins(x=0.25, y=0.2)
    ax.axvline(table.attrs["share_threshold"], color="grey", ls="--", lw=1)
    ax.axhline(table.attrs["growth_threshold"], color="grey", ls="--", lw=1)
    for x, y, code in (
        (0.98, 0.98, QUADRANTS[0]),
        (0.02, 0.98, QUADRANTS[1]),
        (0.98, 0.02, QUADRANTS[2]),
        (0.02, 0.02, QUADRANTS[3]),
    ):
        ax.text(
            x,
            y,
            quadrant_label(code, lang),
            transform=ax.transAxes,
            ha="left" if x < 0.5 else "right",
            va="top" if y > 0.5 else "bottom",
            color="grey",
            fontsize=9,
            style="italic",
        )
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{100 * x:g}%"))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(chart_text("share", lang) + " (log)")
    ax.set_ylabel(chart_text("growth", lang))
    bubble = chart_text("bubble", lang)
    ax.set_title(f"{title}\n({bubble})" if title else bubble)
    return fig
