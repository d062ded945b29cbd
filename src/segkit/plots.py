"""Figures for the studies: each function takes data (and optionally an ``ax``) and returns a figure.

Chinese labels render with Noto Sans CJK SC, shipped by the ``mplfonts`` package and registered
with matplotlib by :func:`use_style` (no system font needed). Amounts are shown in CNY with
thousands separators; axes say what they measure.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter, PercentFormatter

from segkit.text.amounts import axis_amount

__all__ = [
    "use_style",
    "amount_formatter",
    "amount_axis",
    "plot_distributions",
    "plot_class_shares",
    "plot_matrix",
    "plot_pareto",
    "plot_aging",
    "plot_by_group",
    "plot_mix",
    "plot_roc",
    "plot_ks",
    "plot_calibration",
    "plot_grades",
    "plot_trend",
]

CJK_FONT = "Noto Sans CJK SC"
PALETTE = "crest"


def use_style(lang: str | None = None) -> None:
    """Seaborn's clean style, with a CJK fallback font so Chinese labels never show as boxes.

    Parameters
    ----------
    lang : {"en", "zh"}, optional
        In a notebook, display every figure with alt text in this language that says what it
        shows (:func:`segkit.figure_alt.describe`); None leaves figures as IPython shows them.
    """
    import mplfonts

    font = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if font.is_file() and CJK_FONT not in {f.name for f in mpl.font_manager.fontManager.ttflist}:
        mpl.font_manager.fontManager.addfont(str(font))
    sns.set_theme(style="whitegrid", context="notebook")
    mpl.rcParams["font.family"] = ["DejaVu Sans", CJK_FONT]  # per-glyph fallback
    mpl.rcParams["axes.unicode_minus"] = False
    mpl.rcParams["figure.dpi"] = 100
    if lang is not None:
        from segkit.figure_alt import show_alt

        show_alt(lang)


def amount_axis(lang: str = "en") -> FuncFormatter:
    """A tick formatter for amounts in the units of ``lang`` (``"2.5m"``, ``"2,500万"``)."""
    return FuncFormatter(lambda x, _pos=None: axis_amount(x, lang))


amount_formatter = amount_axis("en")


def _axes(ax, ncols: int = 1, width: float = 6.0, height: float = 4.0):
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(1, ncols, figsize=(width * ncols, height), layout="constrained")
    return fig, ax


def plot_distributions(frame: pd.DataFrame, columns: dict[str, str], log: tuple[str, ...] = ()):
    """One histogram per column (``{column: axis label}``); columns in ``log`` on a log10 axis.

    Zero and negative values cannot sit on a log axis: they are counted in the panel title.
    """
    fig, axes = plt.subplots(
        1, len(columns), figsize=(4.2 * len(columns), 3.6), layout="constrained", squeeze=False
    )
    for ax, (column, label) in zip(axes[0], columns.items(), strict=True):
        values = frame[column].dropna()
        if column in log:
            positive = values[values > 0]
            sns.histplot(positive, ax=ax, log_scale=True, color="#2a788e")
            ax.set_title(
                f"{label}\n({len(values) - len(positive)} at or below 0 not shown)", fontsize=10
            )
        else:
            sns.histplot(values, ax=ax, color="#2a788e")
            ax.set_title(label, fontsize=10)
        ax.set_xlabel(label)
        ax.set_ylabel("customers")
    return fig


def plot_class_shares(
    frame: pd.DataFrame,
    class_col: str,
    value_col: str = "revenue_12m",
    order: list | None = None,
    title: str | None = None,
    ax=None,
):
    """Share of customers next to share of value, per class: who is many, who matters."""
    counts = frame[class_col].value_counts(normalize=True)
    values = frame.groupby(class_col, observed=True)[value_col].sum().clip(lower=0)
    values = values / values.sum() if values.sum() > 0 else values * 0
    order = order or list(counts.sort_values(ascending=False).index)
    tidy = pd.DataFrame(
        {
            "class": order,
            "customers": counts.reindex(order).fillna(0).to_numpy(),
            "value": values.reindex(order).fillna(0).to_numpy(),
        }
    )
    tidy = tidy.melt(id_vars="class", var_name="share of", value_name="share")
    fig, ax = _axes(ax, width=max(6.0, 0.9 * len(order)))
    sns.barplot(tidy, y="class", x="share", hue="share of", ax=ax, palette=["#9ecae1", "#08519c"])
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("share of customers / of " + value_col)
    ax.set_ylabel("")
    ax.set_title(title or f"{class_col}: customers and value")
    return fig


def plot_matrix(
    table: pd.DataFrame,
    fmt: str = ".0f",
    title: str = "",
    cmap: str = "Blues",
    percent: bool = False,
    ax=None,
):
    """Annotated heatmap of a 2-D table (rows x columns), e.g. frequency x amount or a migration."""
    fig, ax = _axes(ax, width=1.1 * table.shape[1] + 2.5, height=0.6 * table.shape[0] + 1.8)
    sns.heatmap(
        table.astype(float),
        annot=True,
        fmt=".1%" if percent else fmt,
        cmap=cmap,
        cbar=False,
        linewidths=0.5,
        ax=ax,
    )
    ax.set_title(title)
    return fig


def plot_pareto(
    pareto: pd.DataFrame,
    customer_col: str = "customer_share",
    value_col: str = "value_share",
    ax=None,
):
    """Cumulative value share against cumulative customer share (a Pareto / Lorenz curve)."""
    fig, ax = _axes(ax, width=5, height=4.5)
    x = np.r_[0, pareto[customer_col].to_numpy()]
    y = np.r_[0, pareto[value_col].to_numpy()]
    ax.plot(x, y, color="#08519c", lw=2, label="customers, largest first")
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="equal shares")
    top = float(np.interp(0.2, x, y))
    ax.axvline(0.2, color="#fd8d3c", lw=1)
    ax.annotate(  # two short lines below the curve, inside the frame
        f"top 20% of customers:\n{top:.0%} of value",
        (0.2, top),
        (0.3, max(top - 0.35, 0.08)),
        arrowprops={"arrowstyle": "->"},
        ha="left",
        va="top",
    )
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("share of customers")
    ax.set_ylabel("share of value")
    ax.legend(loc="lower right")
    return fig


def plot_aging(frame: pd.DataFrame, buckets: list[str], by: str | None = None, ax=None):
    """Open receivables by aging bucket (stacked by group when ``by`` is given), in CNY."""
    data = (
        frame.groupby(by, observed=True)[buckets].sum()
        if by
        else frame[buckets].sum().to_frame("all").T
    )
    fig, ax = _axes(ax, width=7, height=0.5 * len(data) + 2.5)
    colors = sns.color_palette("YlOrRd", len(buckets))
    data.plot.barh(stacked=True, ax=ax, color=colors, width=0.75)
    ax.xaxis.set_major_formatter(amount_formatter)
    ax.set_xlabel("open amount (CNY)")
    ax.set_ylabel(by or "")
    ax.set_title("Open receivables by days past due")
    ax.legend(title="bucket", bbox_to_anchor=(1.01, 1), loc="upper left")
    return fig


def plot_by_group(
    frame: pd.DataFrame,
    value: str,
    by: str,
    order: list | None = None,
    label: str | None = None,
    ax=None,
):
    """Distribution of one measure per group (box plot without outlier clutter, means marked)."""
    data = frame[[by, value]].dropna()
    order = order or list(data.groupby(by, observed=True)[value].median().sort_values().index)
    fig, ax = _axes(ax, width=6.5, height=0.45 * len(order) + 1.8)
    sns.boxplot(
        data,
        x=value,
        y=by,
        order=order,
        ax=ax,
        showfliers=False,
        color="#c6dbef",
        showmeans=True,
        meanprops={
            "marker": "D",
            "markerfacecolor": "#08519c",
            "markeredgecolor": "#08519c",
            "markersize": 5,
        },
    )
    ax.set_xlabel(label or value)
    ax.set_ylabel("")
    ax.set_title(f"{label or value} by {by} (box: quartiles, diamond: mean)")
    return fig


def plot_mix(
    frame: pd.DataFrame,
    column: str,
    value: str | None = None,
    top: int = 12,
    title: str | None = None,
    ax=None,
):
    """Customers (or a value's sum) per category, largest first, the rest grouped as 'other'."""
    data = (
        frame.groupby(column, observed=True)[value].sum() if value else frame[column].value_counts()
    )
    data = data.sort_values(ascending=False)
    if len(data) > top:
        data = pd.concat([data.iloc[:top], pd.Series({"other": data.iloc[top:].sum()})])
    fig, ax = _axes(ax, width=6, height=0.35 * len(data) + 1.5)
    sns.barplot(x=data.to_numpy(), y=[str(i) for i in data.index], ax=ax, color="#3182bd")
    if value:
        ax.xaxis.set_major_formatter(amount_formatter)
    ax.set_xlabel(value or "customers")
    ax.set_title(title or f"{column} mix")
    return fig


def plot_roc(y, score, label: str = "model", ax=None):
    """ROC curve with its AUC; the diagonal is a model that ranks at random."""
    from sklearn.metrics import roc_auc_score, roc_curve

    fpr, tpr, _ = roc_curve(y, score)
    fig, ax = _axes(ax, width=4.5, height=4.2)
    ax.plot(fpr, tpr, lw=2, label=f"{label} (AUC {roc_auc_score(y, score):.3f})")
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1)
    ax.set_xlabel("false positive rate (goods flagged)")
    ax.set_ylabel("true positive rate (defaults caught)")
    ax.set_title("ROC")
    ax.legend(loc="lower right")
    return fig


def plot_ks(y, score, ax=None):
    """Cumulative share of defaults and non-defaults by score; KS is the widest gap."""
    y = np.asarray(y)
    order = np.argsort(-np.asarray(score), kind="stable")
    bads = np.cumsum(y[order]) / max(y.sum(), 1)
    goods = np.cumsum(1 - y[order]) / max((1 - y).sum(), 1)
    share = np.arange(1, len(y) + 1) / len(y)
    gap = np.argmax(np.abs(bads - goods))
    fig, ax = _axes(ax, width=4.5, height=4.2)
    ax.plot(share, bads, label="defaults", color="#cb181d")
    ax.plot(share, goods, label="non-defaults", color="#2171b5")
    ax.vlines(share[gap], goods[gap], bads[gap], colors="black", linestyles=":")
    ax.set_title(f"KS = {abs(bads[gap] - goods[gap]):.3f}")
    ax.set_xlabel("share of customers, riskiest first")
    ax.set_ylabel("cumulative share")
    ax.legend(loc="lower right")
    return fig


def plot_calibration(
    table: pd.DataFrame, predicted: str = "mean_pd", observed: str = "default_rate", ax=None
):
    """Observed default rate against mean predicted PD per bin; on the diagonal is calibrated."""
    fig, ax = _axes(ax, width=4.5, height=4.2)
    top = float(max(table[predicted].max(), table[observed].max(), 0.01)) * 1.1
    ax.plot([0, top], [0, top], ls="--", color="grey", lw=1)
    ax.plot(table[predicted], table[observed], marker="o", color="#08519c")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("mean predicted PD")
    ax.set_ylabel("observed default rate")
    ax.set_title("Calibration")
    return fig


def plot_grades(
    table: pd.DataFrame,
    grade: str = "grade",
    count: str = "n",
    observed: str = "default_rate",
    predicted: str = "mean_pd",
    ax=None,
):
    """Customers per grade (bars) with observed and predicted default rates (lines, right axis)."""
    fig, ax = _axes(ax, width=7, height=4)
    labels = table[grade].astype(str)
    ax.bar(labels, table[count], color="#c6dbef")
    ax.set_ylabel("customers")
    right = ax.twinx()
    right.plot(labels, table[observed], marker="o", color="#cb181d", label="observed default rate")
    if predicted in table:
        right.plot(labels, table[predicted], marker="s", ls="--", color="#08519c", label="mean PD")
    right.yaxis.set_major_formatter(PercentFormatter(1.0))
    right.grid(False)
    right.legend(loc="upper left")
    ax.set_title("Customers and default rates by grade")
    return fig


def plot_trend(series: pd.Series, label: str, title: str = "", ax=None):
    """A monthly measure over time (e.g. DSO)."""
    fig, ax = _axes(ax, width=7, height=3.5)
    ax.plot(series.index, series.to_numpy(), marker="o", ms=3, color="#08519c")
    ax.set_ylabel(label)
    ax.set_title(title or label)
    return fig
