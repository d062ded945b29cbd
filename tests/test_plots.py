"""Figures: they draw what they are given, and Chinese labels use a CJK font."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from segkit import plots  # noqa: E402


@pytest.fixture(autouse=True)
def _style():
    plots.use_style()
    yield
    plt.close("all")


def test_chinese_labels_render_without_missing_glyphs():
    frame = pd.DataFrame(
        {"cls": ["重要价值客户", "一般挽留客户", "重要价值客户"], "revenue_12m": [5.0, 1.0, 4.0]}
    )
    fig = plots.plot_class_shares(frame, "cls")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["重要价值客户", "一般挽留客户"]


def test_class_shares_are_customer_and_value_shares():
    frame = pd.DataFrame({"cls": ["a", "a", "b", "c"], "revenue_12m": [1.0, 1.0, 6.0, 2.0]})
    fig = plots.plot_class_shares(frame, "cls", order=["a", "b", "c"])
    widths = sorted(round(p.get_width(), 3) for p in fig.axes[0].patches if p.get_width() > 0)
    assert widths == sorted([0.5, 0.25, 0.25, 0.2, 0.6, 0.2])


def test_amount_formatter():
    assert [plots.amount_formatter(v) for v in (950, 12_500, 3_400_000, 2.5e9)] == [
        "950",
        "12.5k",
        "3.4m",
        "2.5bn",
    ]


def test_pareto_annotates_the_top_fifth():
    pareto = pd.DataFrame(
        {"customer_share": [0.2, 0.4, 0.6, 0.8, 1.0], "value_share": [0.7, 0.85, 0.93, 0.98, 1.0]}
    )
    fig = plots.plot_pareto(pareto)
    (note,) = fig.axes[0].texts
    assert note.get_text() == "top 20% of customers:\n70% of value"
    x, y = note.get_position()  # the caption sits inside the frame, below the curve
    assert 0 < x < 0.5 and 0 < y < 0.7


def test_amount_axis_never_reads_minus_zero():
    assert [plots.amount_formatter(v) for v in (-0.3, 0.0, 0.4, -1500.0)] == [
        "0",
        "0",
        "0",
        "-1.5k",
    ]


def test_distributions_report_values_off_a_log_axis():
    frame = pd.DataFrame({"m": [0.0, -5.0, 10.0, 100.0, 1000.0]})
    fig = plots.plot_distributions(frame, {"m": "net amount"}, log=("m",))
    assert "2 at or below 0 not shown" in fig.axes[0].get_title()


def test_ks_plot_title_matches_the_statistic():
    y = np.array([1, 1, 0, 1, 0, 0])
    score = np.array([0.9, 0.8, 0.7, 0.6, 0.2, 0.1])
    fig = plots.plot_ks(y, score)
    # riskiest first: after 2 customers 2/3 of defaults and 0 of goods -> KS 0.667
    assert fig.axes[0].get_title() == "KS = 0.667"


def test_matrix_and_aging_and_groups_draw():
    table = pd.DataFrame([[1, 2], [3, 4]], index=["x", "y"], columns=["a", "b"])
    fig = plots.plot_matrix(table, title="t")
    assert [t.get_text() for t in fig.axes[0].texts] == ["1", "2", "3", "4"]
    frame = pd.DataFrame({"g": ["a", "b"], "b1": [1.0, 2.0], "b2": [3.0, 0.0], "v": [1.0, 2.0]})
    fig = plots.plot_aging(frame, ["b1", "b2"], by="g")
    assert len(fig.axes[0].patches) == 4
    fig = plots.plot_by_group(frame, "v", "g")
    assert fig.axes[0].get_xlabel() == "v"


def test_amount_axis_in_chinese_units():
    zh = plots.amount_axis("zh")
    assert [zh(v) for v in (2.5e7, 3.0e4, 1.5e8, 800.0, -0.2)] == [
        "2,500万",
        "3万",
        "1.5亿",
        "800",
        "0",
    ]
    assert plots.amount_axis("en")(2.5e7) == "25m"  # whole multiples lose the decimal
    ticks = [zh(v) for v in (1.0e8, 1.25e8, 1.5e8, 1.75e8)]  # never two ticks alike
    assert ticks == ["1亿", "1.25亿", "1.5亿", "1.75亿"]
