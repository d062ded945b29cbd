"""Tests of revenue shares, growth, concentration, penetration and positioning."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from pandas.testing import assert_frame_equal  # noqa: E402

from segkit.exceptions import ConfigError  # noqa: E402
from segkit.market import (  # noqa: E402
    concentration,
    penetration,
    plot_growth,
    plot_positioning,
    plot_shares,
    positioning,
    quadrant_actions,
    quadrant_label,
    segment_revenue,
)

NAN = np.nan
SEGMENTS = pd.Index(["C", "F", "unknown", "H", "G"], name="industry_section")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _features():
    # industry_section, region_cn, revenue_12m, revenue_prev_12m
    rows = [
        ("C", "east", 500.0, 378.0),
        ("C", "east", 315.0, 300.0),
        ("C", "west", 100.0, 0.0),
        ("F", "east", 60.0, 50.0),
        ("F", None, 20.0, 40.0),
        ("G", "west", 0.0, 30.0),  # bought nothing this year
        ("G", "east", -10.0, NAN),  # a credit note only
        (None, "west", 10.0, 0.0),  # industry unknown, new this year
        ("H", "east", 5.0, 2.0),
    ]
    columns = ["industry_section", "region_cn", "revenue_12m", "revenue_prev_12m"]
    index = pd.Index([f"c{i}" for i in range(1, 10)], name="customer_id")
    return pd.DataFrame(rows, columns=columns, index=index)


def _segment_table():
    # totals: revenue 1000, previous 800 (overall growth 25%)
    return pd.DataFrame(
        {
            "customers": [3, 2, 1, 1, 2],
            "buyers": [3, 2, 1, 1, 0],
            "revenue": [915.0, 80.0, 10.0, 5.0, -10.0],
            "revenue_prev": [678.0, 90.0, 0.0, 2.0, 30.0],
            "share": [0.915, 0.08, 0.01, 0.005, -0.01],
            "share_prev": [678 / 800, 90 / 800, 0.0, 2 / 800, 30 / 800],
            "growth": [915 / 678 - 1, 80 / 90 - 1, NAN, 1.5, -10 / 30 - 1],
            "contribution": [237 / 800, -10 / 800, 10 / 800, 3 / 800, -40 / 800],
            "revenue_per_buyer": [305.0, 40.0, 10.0, 5.0, NAN],
        },
        index=SEGMENTS,
    )


def test_segment_revenue_shares_growth_and_contributions():
    features = _features()
    before = features.copy()
    got = segment_revenue(features, "industry_section")
    assert_frame_equal(got, _segment_table())
    assert got["contribution"].sum() == pytest.approx(0.25)
    assert_frame_equal(features, before)


def test_positioning_names_the_quadrants():
    features = _features()
    before = features.copy()
    got = positioning(features, "industry_section")
    expected = _segment_table()
    # overall growth 25%, median share 1% (the unknown segment)
    expected["quadrant"] = [
        "gaining & large",  # +35% and 91.5%
        "losing & large",  # -11% and 8%
        "new",  # nothing the year before
        "gaining & small",  # +150% and 0.5%
        "losing & small",  # -133% and -1%
    ]
    assert_frame_equal(got, expected)
    assert got.attrs == {"growth_threshold": 0.25, "share_threshold": 0.01}
    assert_frame_equal(features, before)


def test_penetration_against_the_base_and_a_reference_mix():
    features = _features()
    before = features.copy()
    reference = {"C": 0.5, "F": 0.25, "G": 0.25, "H": 0.0}
    got = penetration(features, "industry_section", reference=reference)
    expected = pd.DataFrame(
        {
            "customers": [3, 2, 2, 1, 1],
            "buyers": [3, 2, 0, 1, 1],
            "penetration": [1.0, 1.0, 0.0, 1.0, 1.0],
            "base_share": [3 / 9, 2 / 9, 2 / 9, 1 / 9, 1 / 9],
            "buyer_share": [3 / 7, 2 / 7, 0.0, 1 / 7, 1 / 7],
            "index": [9 / 7, 9 / 7, 0.0, 9 / 7, 9 / 7],
            "reference_share": [0.5, 0.25, 0.25, 0.0, NAN],
            "reference_index": [2 / 3, 8 / 9, 8 / 9, NAN, NAN],
        },
        index=pd.Index(["C", "F", "G", "H", "unknown"], name="industry_section"),
    )
    assert_frame_equal(got, expected)
    assert_frame_equal(features, before)


def test_penetration_by_region_without_reference():
    got = penetration(_features(), "region_cn")
    expected = pd.DataFrame(
        {
            "customers": [5, 3, 1],
            "buyers": [4, 2, 1],
            "penetration": [4 / 5, 2 / 3, 1.0],
            "base_share": [5 / 9, 3 / 9, 1 / 9],
            "buyer_share": [4 / 7, 2 / 7, 1 / 7],
            "index": [(4 / 7) / (5 / 9), (2 / 7) / (3 / 9), (1 / 7) / (1 / 9)],
        },
        index=pd.Index(["east", "west", "unknown"], name="region_cn"),
    )
    assert_frame_equal(got, expected)


def test_concentration_of_the_hand_typed_base():
    features = _features()
    before = features.copy()
    got = concentration(features, top=3)
    # positive revenue: 500, 315, 100, 60, 20, 10, 5 (sum 1010); c6 (0) and c7 (-10) excluded
    squares = 500**2 + 315**2 + 100**2 + 60**2 + 20**2 + 10**2 + 5**2
    # Gini: ascending values weighted by 2i - n - 1 = -6, -4, -2, 0, 2, 4, 6
    weighted = -6 * 5 - 4 * 10 - 2 * 20 + 0 * 60 + 2 * 100 + 4 * 315 + 6 * 500
    expected = pd.DataFrame(
        {
            "customers": [7],
            "excluded": [2],
            "revenue": [1010.0],
            "hhi": [10_000 * squares / 1010**2],
            "hhi_level": ["highly concentrated"],
            "equivalent_customers": [1010**2 / squares],
            "top_share": [915 / 1010],
            "gini": [weighted / (7 * 1010)],
        }
    )
    assert_frame_equal(got, expected, check_like=True)
    assert_frame_equal(features, before)


@pytest.mark.parametrize(
    ("values", "hhi", "level", "gini"),
    [
        ([30.0, 30.0, 20.0, 20.0], 2600.0, "highly concentrated", 0.1),
        ([50.0, 30.0, 20.0], 3800.0, "highly concentrated", 0.2),
        ([10.0] * 10, 1000.0, "moderately concentrated", 0.0),
        ([5.0] * 20, 500.0, "unconcentrated", 0.0),
    ],
    ids=["doj-four-firms", "three", "ten-equal-boundary", "twenty-equal"],
)
def test_concentration_golden_values(values, hhi, level, gini):
    # Shares in percent, squared and summed: 30% 30% 20% 20% -> 900 + 900 + 400 + 400.
    features = pd.DataFrame({"revenue_12m": values})
    got = concentration(features, top=1)
    assert got.loc[0, "hhi"] == pytest.approx(hhi)
    assert got.loc[0, "hhi_level"] == level
    assert got.loc[0, "equivalent_customers"] == pytest.approx(10_000 / hhi)
    assert got.loc[0, "top_share"] == pytest.approx(max(values) / sum(values))
    assert got.loc[0, "gini"] == pytest.approx(gini)


def test_concentration_levels_follow_the_bands():
    features = pd.DataFrame({"revenue_12m": [50.0, 30.0, 20.0]})  # HHI 3800
    assert concentration(features, bands=(3800, 5000)).loc[0, "hhi_level"] == (
        "moderately concentrated"
    )
    assert concentration(features, bands=(3000, 3800)).loc[0, "hhi_level"] == (
        "moderately concentrated"
    )
    assert concentration(features, bands=(4000, 5000)).loc[0, "hhi_level"] == "unconcentrated"


def test_concentration_without_positive_revenue():
    got = concentration(pd.DataFrame({"revenue_12m": [0.0, -5.0, NAN]}))
    expected = pd.DataFrame(
        {
            "customers": [0],
            "excluded": [3],
            "revenue": [0.0],
            "hhi": [NAN],
            "equivalent_customers": [NAN],
            "top_share": [NAN],
            "gini": [NAN],
            "hhi_level": ["unknown"],
        }
    )
    assert_frame_equal(got, expected, check_like=True)


def test_quadrant_labels_and_actions():
    assert quadrant_label("gaining & small", "zh") == "份额上升·小板块"
    assert quadrant_label("new", "en") == "new"
    actions = quadrant_actions("zh")
    assert actions.columns.tolist() == ["quadrant", "action"]
    assert actions["quadrant"].tolist() == [
        "份额上升·大板块",
        "份额上升·小板块",
        "份额下降·大板块",
        "份额下降·小板块",
        "新板块",
    ]
    assert actions["action"].str.len().min() > 5
    assert quadrant_actions("en")["quadrant"].iloc[2] == "losing & large"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda f: segment_revenue(f, "sector"), r"column 'sector' \(parameter by\) is not in"),
        (
            lambda f: segment_revenue(f, "region_cn", previous="rev_prev"),
            r"column 'rev_prev' \(parameter previous\) is not in",
        ),
        (lambda f: concentration(f, top=0), r"top must be an int >= 1; got 0"),
        (lambda f: concentration(f, bands=(1800, 1000)), r"bands must be two numbers 0 < low"),
        (
            lambda f: penetration(f, "region_cn", reference={"east": 1.5}),
            r"reference must map segments to shares in \[0, 1\]; got \{'east': 1.5\}",
        ),
        (lambda f: quadrant_actions("fr"), r"lang must be one of \['en', 'zh'\]; got 'fr'"),
        (lambda f: quadrant_label("up", "en"), r"quadrant must be one of .*got 'up'"),
        (lambda f: plot_growth(segment_revenue(f, "region_cn"), lang="de"), r"got 'de'"),
    ],
    ids=["by", "previous", "top", "bands", "reference", "lang", "quadrant", "plot-lang"],
)
def test_market_functions_reject_bad_input(call, message):
    with pytest.raises(ConfigError, match=message):
        call(_features())


def test_plots_draw_every_segment_with_labels():
    table = positioning(_features(), "industry_section")
    fig = plot_positioning(table, "Industries")
    ax = fig.axes[0]
    # the "new" segment has no growth and the negative-share segment cannot sit on a log axis
    assert [t.get_text() for t in ax.texts if t.get_text() in "CFHG"] == ["C", "F", "H"]
    assert ax.get_xlabel() and ax.get_ylabel() and "Industries" in ax.get_title()
    fig = plot_growth(table, "Growth", lang="zh")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["G", "F", "C", "H"]  # growth ascending, the new segment left out
    fig = plot_shares(
        {"Industry": table, "Region": segment_revenue(_features(), "region_cn")}, top=2
    )
    first = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert first == ["other", "F", "C"]


def test_a_ledger_without_the_previous_year_calls_no_segment_new():
    from segkit.market import positioning

    features = pd.DataFrame(
        {"industry_section": ["C", "C", "F"], "revenue_12m": [10.0, 20.0, 5.0]},
        index=pd.Index(["a", "b", "c"], name="customer_id"),
    )
    uncovered = positioning(features.assign(revenue_prev_12m=np.nan), "industry_section")
    assert uncovered["quadrant"].tolist() == ["not compared", "not compared"]
    assert quadrant_label("not compared", "zh") == "未比较"
    covered = positioning(features.assign(revenue_prev_12m=[5.0, 0.0, 0.0]), "industry_section")
    assert covered.loc["F", "quadrant"] == "new"  # no revenue in a year the ledger covers
