"""Figures of the credit-risk report, labelled in the report language and the ledger's currency.

Each function draws with :mod:`segkit.plots`, relabels axes, titles and legends from the
catalogue (kind ``credit_axis``), closes the figure (so a notebook shows it once, where the
report displays it) and returns it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import PercentFormatter

from segkit import plots
from segkit.text import text

__all__ = ["aging", "grades", "loss", "trend", "validation"]


def _t(report, key: str) -> str:
    return text("credit_axis", key, report.lang, currency=report.currency)


def _legend(ax, labels: list[str], **kwargs) -> None:
    handles = ax.get_legend_handles_labels()[0]
    ax.legend(handles, labels, **kwargs)


def aging(table, report):
    """Stacked bars: open amount by days past due (columns) for each row (grade or size)."""
    columns = list(table.columns)
    frame = table.reset_index()
    by = frame.columns[0]
    labels = [report._label("credit_size", v) for v in frame[by]]
    frame[by] = pd.Categorical(labels, categories=list(dict.fromkeys(labels)), ordered=True)
    fig = plots.plot_aging(frame, columns, by=by)
    fig.set_size_inches(10, 0.45 * len(frame) + 2.5)
    ax = fig.axes[0]
    ax.invert_yaxis()  # the best grade (or the largest size) on top
    ax.xaxis.set_major_formatter(plots.amount_axis(report.lang))
    ax.set(title=_t(report, "aging"), ylabel=_t(report, by), xlabel=_t(report, "amount"))
    names = [text("columns", c, report.lang) for c in columns]
    _legend(ax, names, title=_t(report, "bucket"), bbox_to_anchor=(1.01, 1), loc="upper left")
    plt.close(fig)
    return fig


def trend(series, report, key: str):
    """A monthly line: DSO (days) or the past-due share (percent)."""
    fig = plots.plot_trend(series, label=_t(report, f"{key}_label"), title=_t(report, key))
    ax = fig.axes[0]
    ax.set_xlabel(_t(report, "month"))
    if key == "past_due":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylim(bottom=0)
    plt.close(fig)
    return fig


def validation(study, report):
    """ROC, KS and calibration of the scorecard PD on the out-of-time quarters."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.4), layout="constrained")
    y, score = study.oot["default"], study.oot["pd_model"]
    plots.plot_roc(y, score, label=_t(report, "scorecard"), ax=axes[0])
    plots.plot_ks(y, score, ax=axes[1])
    plots.plot_calibration(study.calibration, ax=axes[2])
    axes[0].set(title=_t(report, "roc"), xlabel=_t(report, "fpr"), ylabel=_t(report, "tpr"))
    _legend(
        axes[0], [f"{_t(report, 'scorecard')} (AUC {study.metrics['auc']:.3f})"], loc="lower right"
    )
    axes[1].set(title=_t(report, "ks"), xlabel=_t(report, "riskiest"),
                ylabel=_t(report, "cumulative"))  # fmt: skip
    _legend(axes[1], [_t(report, "defaults"), _t(report, "non_defaults")], loc="lower right")
    axes[2].set(title=_t(report, "calibration"), xlabel=_t(report, "predicted"),
                ylabel=_t(report, "observed"))  # fmt: skip
    plt.close(fig)
    return fig


def grades(table, report):
    """Customers per grade and the observed and predicted default rates."""
    fig = plots.plot_grades(table)
    ax, right = fig.axes[0], fig.axes[1]
    ax.set(title=_t(report, "grades"), xlabel=_t(report, "grade"), ylabel=_t(report, "customers"))
    right.set_ylabel(_t(report, "rate"))
    _legend(
        right,
        [_t(report, "observed"), _t(report, "mean_pd")],
        loc="upper left",
        bbox_to_anchor=(1.1, 1),
    )
    plt.close(fig)
    return fig


def loss(table, report):
    """Expected loss per grade of today's portfolio."""
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    ax.bar(table.index.astype(str), table["expected_loss"], color="#cb181d")
    ax.yaxis.set_major_formatter(plots.amount_axis(report.lang))
    ax.set(title=_t(report, "loss"), xlabel=_t(report, "grade"), ylabel=_t(report, "loss_axis"))
    plt.close(fig)
    return fig
