"""Tests of RFM scores, the segment map, the eight-class model and the label tables."""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from segkit.classes.rfm_segments import (
    CN8_CLASSES,
    DEFAULT_SEGMENT_MAP,
    RFMScorer,
    rfm_class_cn,
    rfm_scores,
    rfm_segment,
    segment_grid,
)
from segkit.exceptions import ConfigError
from segkit.text.labels import ACTIONS, LABELS, label, segment_actions, translate

NAN = np.nan
SCORES = ["r_score", "f_score", "m_score"]


def _index(n):
    return pd.Index([f"c{i}" for i in range(1, n + 1)], name="customer_id")


def _features(recency, frequency, monetary):
    return pd.DataFrame(
        {"recency_days": recency, "invoices_12m": frequency, "revenue_12m": monetary},
        index=_index(len(recency)),
    )


def _scores(rows):
    frame = pd.DataFrame(rows, columns=SCORES, index=_index(len(rows))).astype("int64")
    frame["rfm_cell"] = ["".join(map(str, row)) for row in rows]
    return frame


def test_rfm_scores_distinct_values_and_no_purchase():
    features = _features(
        [5, 40, 100, 200, 400, NAN], [20, 8, 3, 1, 0, NAN], [1e6, 5e5, 1e5, 1e4, 0.0, NAN]
    )
    before = features.copy()
    expected = _scores([(5, 5, 5), (4, 4, 4), (3, 3, 3), (2, 2, 2), (1, 1, 1), (0, 0, 0)])
    assert_frame_equal(rfm_scores(features, horizon_days=None), expected)
    assert_frame_equal(features, before)


def test_no_customer_silent_for_over_a_year_scores_recent():
    # a dormant base: most customers last bought years ago, a few within the year
    recency = [3, 30, 90, 200, 300, 500, 800, 900, 1000, 1200, 1300, 1400, 1500, NAN]
    features = _features(recency, [5, 4, 3, 2, 1] + [0] * 8 + [NAN], [*range(1, 14), NAN])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # F ties: eight customers bought nothing
        scores, everyone = rfm_scores(features), rfm_scores(features, horizon_days=None)
    old = features["recency_days"] > 365
    assert (scores.loc[old, "r_score"] == 1).all()
    assert scores.loc[~old & features["recency_days"].notna(), "r_score"].tolist() == [
        5,
        4,
        3,
        2,
        1,
    ]
    # quintiles over everyone would have called 500 days recent
    assert everyone.loc["c6", "r_score"] >= 3
    classes, splits = rfm_class_cn(features, lang="en")
    assert splits["r"] == 365.0
    far = classes[old.to_numpy()]
    assert not far.str.contains("development|value", case=False).any()  # 发展/价值: 近 only


def test_a_bad_horizon_is_refused():
    with pytest.raises(ConfigError, match=r"horizon_days must be a number > 0 or None; got -1"):
        rfm_scores(_features([1, 2], [1, 2], [1.0, 2.0]), horizon_days=-1)


def test_rfm_scores_ties_collapse_bins_and_warn():
    features = _features(
        [10 * k for k in range(1, 11)],
        [1, 1, 1, 1, 1, 1, 2, 3, 4, 10],
        [100.0 * k for k in range(1, 11)],
    )
    # F edges [1, 3]: three bins scored 1, 3, 5. R and M edges: 20/40/60/80% values.
    expected = _scores(
        [
            (5, 1, 1), (5, 1, 1), (4, 1, 2), (4, 1, 2), (3, 1, 3),
            (3, 1, 3), (2, 3, 4), (2, 3, 4), (1, 5, 5), (1, 5, 5),
        ]
    )  # fmt: skip
    match = (
        r"column 'invoices_12m' has tied quantile edges; 3 bins instead of 5, scored \[1, 3, 5\]"
    )
    with pytest.warns(UserWarning, match=match):
        result = rfm_scores(features)
    assert_frame_equal(result, expected)


def test_rfm_scorer_two_distinct_values_score_1_and_5():
    features = _features([1, 2, 3, 4, 5], [1, 1, 1, 1, 9], [1.0, 2.0, 3.0, 4.0, 5.0])
    with pytest.warns(UserWarning, match=r"'invoices_12m' .* 2 bins instead of 5, scored \[1, 5\]"):
        scorer = RFMScorer().fit(features)
    np.testing.assert_array_equal(scorer.edges_["f"], [1.0])
    assert scorer.transform(features)["f_score"].tolist() == [1, 1, 1, 1, 5]


@pytest.mark.parametrize(
    "features",
    [_features([3, 3, 3], [2, 2, 2], [5.0, 5.0, 5.0]), _features([3], [2], [5.0])],
    ids=["all-alike", "single-customer"],
)
def test_rfm_scorer_needs_two_distinct_values(features):
    match = r"column 'recency_days' needs at least 2 distinct values .*; got 1"
    with pytest.raises(ConfigError, match=match):
        RFMScorer().fit(features)


def test_rfm_scorer_fixed_thresholds_for_a_single_customer():
    thresholds = {"r": [30, 90, 180, 365], "f": [1, 2, 4, 12], "m": [1e4, 1e5, 1e6, 1e7]}
    features = _features([60, 30, 400], [3, 12, 13], [2e6, 1e4, 0.0])
    expected = _scores([(4, 3, 4), (5, 4, 1), (1, 5, 1)])  # a value on an edge takes the lower bin
    assert_frame_equal(rfm_scores(features.iloc[:1], thresholds=thresholds), expected.iloc[:1])
    assert_frame_equal(rfm_scores(features, thresholds=thresholds), expected)


def test_rfm_scorer_fewer_fixed_thresholds_spread_over_1_to_5():
    features = _features([10, 50, 100], [1, 2, 3], [1.0, 2.0, 3.0])
    thresholds = {"r": [30, 60], "f": [1, 2], "m": [2.5]}
    expected = _scores([(5, 1, 1), (3, 3, 1), (1, 5, 5)])
    assert_frame_equal(rfm_scores(features, thresholds=thresholds), expected)


def test_rfm_scorer_missing_frequency_and_monetary_count_as_zero():
    features = _features([1, 2, 3, 4, 5], [NAN, 1, 2, 3, 4], [NAN, 1.0, 2.0, 3.0, 4.0])
    expected = _scores([(5, 1, 1), (4, 2, 2), (3, 3, 3), (2, 4, 4), (1, 5, 5)])
    assert_frame_equal(rfm_scores(features), expected)


def test_rfm_scorer_transform_uses_fitted_edges_and_keeps_rows():
    train = _features([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1.0, 2.0, 3.0, 4.0, 5.0])
    new = _features([0, 9, NAN], [99, 0, 3], [2.5, -1.0, 3.0]).assign(name=["x", "y", "z"])
    before = new.copy()
    scorer = RFMScorer().fit(train)
    out = scorer.transform(new)
    assert list(out.columns) == [*new.columns, *SCORES, "rfm_cell"]
    assert_frame_equal(out[[*SCORES, "rfm_cell"]], _scores([(5, 5, 3), (1, 1, 1), (0, 0, 0)]))
    assert_frame_equal(out[new.columns], before)
    assert_frame_equal(new, before)


def test_rfm_scorer_clone_and_not_fitted():
    scorer = RFMScorer(frequency="n_invoices", thresholds={"r": [30, 60, 90, 120]})
    copy = clone(scorer)
    assert copy.get_params() == scorer.get_params()
    with pytest.raises(NotFittedError, match="RFMScorer instance is not fitted"):
        copy.transform(_features([1], [1], [1.0]))


@pytest.mark.parametrize(
    ("thresholds", "match"),
    [
        ({"x": [1, 2]}, r"keys among 'r', 'f', 'm'; got \{'x': \[1, 2\]\}"),
        (
            {"r": [30, 30, 60]},
            r"thresholds\['r'\] must be 1 to 4 strictly increasing .* got \[30, 30, 60\]",
        ),
        ({"f": [1, 2, 3, 4, 5]}, r"thresholds\['f'\] must be 1 to 4 .* got \[1, 2, 3, 4, 5\]"),
        ({"m": []}, r"thresholds\['m'\] must be 1 to 4 .* got \[\]"),
        ({"m": 5}, r"thresholds\['m'\] must be 1 to 4 .* got 5"),
    ],
    ids=["key", "not-increasing", "too-many", "empty", "scalar"],
)
def test_rfm_scorer_rejects_bad_thresholds(thresholds, match):
    with pytest.raises(ConfigError, match=match):
        RFMScorer(thresholds=thresholds).fit(_features([1, 2], [1, 2], [1.0, 2.0]))


def test_rfm_scorer_rejects_missing_column():
    with pytest.raises(ConfigError, match=r"column 'revenue' \(parameter monetary\) is not in"):
        RFMScorer(monetary="revenue").fit(_features([1, 2], [1, 2], [1.0, 2.0]))


# The documented map, R rows against FM = round half up of (F + M) / 2, typed by hand; New
# Customers come from the first invoice date, never from the scores.
DOCUMENTED_MAP = {
    5: ["Promising", "Potential Loyalist", "Loyal", "Champions", "Champions"],
    4: ["Promising", "Potential Loyalist", "Loyal", "Champions", "Champions"],
    3: ["About to Sleep", "Need Attention", "Loyal", "Loyal", "Loyal"],
    2: ["About to Sleep", "Need Attention", "Need Attention", "At Risk", "At Risk"],
    1: ["Lost", "Lost", "At Risk", "Can't Lose Them", "Can't Lose Them"],
}


def _all_cells():
    rows = list(itertools.product(range(1, 6), repeat=3))
    return pd.DataFrame(rows, columns=SCORES, index=_index(125))


def test_every_one_of_125_cells_gets_its_documented_segment():
    cells = _all_cells()
    expected = [DOCUMENTED_MAP[r][(f + m + 1) // 2 - 1] for r, f, m in cells.to_numpy()]
    result = rfm_segment(cells)
    assert_series_equal(
        result, pd.Series(expected, index=cells.index, name="rfm_segment", dtype=object)
    )
    assert result.notna().all() and len(result) == 125


def test_segment_grid_lists_each_cell_once_with_one_segment():
    grid = segment_grid()
    assert len(grid) == 125
    assert not grid.duplicated(["r_score", "f_score", "m_score"]).any()
    names = {rule["name"] for rule in DEFAULT_SEGMENT_MAP}
    assert set(grid["rfm_segment"]) == names - {"new_customers"}  # new: by date, not by score
    cell = grid.loc[(grid.r_score == 1) & (grid.f_score == 4) & (grid.m_score == 5)].iloc[0]
    assert cell.to_dict() == {
        "r_score": 1, "f_score": 4, "m_score": 5, "fm_score": 5, "rfm_segment": "cant_lose_them",
    }  # fmt: skip


def test_rfm_segment_chinese_labels_and_no_purchase():
    scores = _scores([(5, 5, 5), (1, 1, 2), (0, 0, 0)])
    expected = pd.Series(
        ["冠军客户", "已流失客户", "无购买记录"], index=_index(3), name="rfm_segment", dtype=object
    )
    assert_series_equal(rfm_segment(scores, lang="zh"), expected)


def test_rfm_segment_custom_map_first_match_wins():
    segment_map = [
        {"name": "best", "r": (5, 5), "f": (5, 5), "m": (5, 5)},
        {"name": "recent", "r": (4, 5)},
        {"name": "rest"},
    ]
    scores = _scores([(5, 5, 5), (5, 1, 1), (3, 5, 5)])
    expected = pd.Series(
        ["best", "recent", "rest"], index=_index(3), name="rfm_segment", dtype=object
    )
    assert_series_equal(rfm_segment(scores, segment_map=segment_map), expected)


@pytest.mark.parametrize(
    ("segment_map", "match"),
    [
        ([{"name": "recent", "r": (3, 5)}], r"unmatched cells: \['111', '112',"),
        ([{"name": "x", "r": (0, 5)}], r"rule 'x' key 'r' must be one of .* got \(0, 5\)"),
        ([{"name": "x", "fm": (1, 4.5)}], r"rule 'x' key 'fm' .* got \(1, 4.5\)"),
        (
            [{"name": "x", "rf": (1, 5)}],
            r"rule 'x' key 'rf' must be one of \['r', 'f', 'm', 'fm'\]",
        ),
        ([{"r": (1, 5)}], r"every rule must be a dict with a 'name'"),
    ],
    ids=["gap", "range", "not-whole", "key", "no-name"],
)
def test_rfm_segment_rejects_bad_maps(segment_map, match):
    with pytest.raises(ConfigError, match=match):
        rfm_segment(_scores([(5, 5, 5)]), segment_map=segment_map)


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ([(6, 1, 1)], r"column 'r_score' must hold whole scores 1-5 .* got 6\."),
        ([(5, 2.5, 1)], r"column 'f_score' must hold whole scores .* got 2\.5\."),
        (
            [(5, 0, 3)],
            r"column 'f_score' .* \(all three 0 for customers without purchases\); got 0\.",
        ),
    ],
    ids=["too-high", "not-whole", "partial-zero"],
)
def test_rfm_segment_rejects_bad_scores(rows, match):
    scores = pd.DataFrame(rows, columns=SCORES, index=_index(len(rows)))
    with pytest.raises(ConfigError, match=match):
        rfm_segment(scores)


def test_rfm_segment_rejects_unknown_language():
    with pytest.raises(ConfigError, match=r"lang must be one of \['en', 'zh'\]; got 'fr'"):
        rfm_segment(_scores([(5, 5, 5)]), lang="fr")


# Eight-class model: one customer per class around a fixed split r=30 days, f=5, m=1000.
CN8_CASES = [
    ("important_value", 10, 10, 5000.0, "重要价值客户", "Important value"),
    ("important_development", 10, 1, 5000.0, "重要发展客户", "Important development"),
    ("important_retention", 400, 10, 5000.0, "重要保持客户", "Important retention"),
    ("important_winback", 400, 1, 5000.0, "重要挽留客户", "Important win-back"),
    ("general_value", 10, 10, 10.0, "一般价值客户", "General value"),
    ("general_development", 10, 1, 10.0, "一般发展客户", "General development"),
    ("general_retention", 400, 10, 10.0, "一般保持客户", "General retention"),
    ("general_winback", 400, 1, 10.0, "一般挽留客户", "General win-back"),
]
SPLIT = {"r": 30, "f": 5, "m": 1000}


@pytest.mark.parametrize(
    ("code", "r", "f", "m", "zh", "en"), CN8_CASES, ids=[c[0] for c in CN8_CASES]
)
def test_rfm_class_cn_each_of_the_eight_cells(code, r, f, m, zh, en):
    features = _features([r], [f], [m])
    classes_zh, splits = rfm_class_cn(features, split=SPLIT)
    classes_en, _ = rfm_class_cn(features, split=SPLIT, lang="en")
    assert classes_zh.iloc[0] == zh and classes_en.iloc[0] == en
    assert splits == {"r": 30.0, "f": 5.0, "m": 1000.0}
    assert LABELS["rfm_class_cn"][code] == {"en": en, "zh": zh}


def test_rfm_class_cn_split_values_count_as_near_and_high():
    classes, _ = rfm_class_cn(_features([30, 31], [5, 5], [1000.0, 999.0]), split=SPLIT)
    expected = pd.Series(["重要价值客户", "一般保持客户"], index=_index(2), name="rfm_class_cn")
    assert_series_equal(classes, expected.astype(object))


@pytest.mark.parametrize(
    ("split", "labels", "splits"),
    [
        (
            "mean",
            ["一般发展客户", "一般发展客户", "一般价值客户", "重要保持客户", NAN],
            {"r": 30.0, "f": 3.0, "m": 500.0},
        ),
        (
            "median",
            ["一般发展客户", "一般发展客户", "重要保持客户", "重要保持客户", NAN],
            {"r": 25.0, "f": 2.5, "m": 250.0},
        ),
    ],
    ids=["mean", "median"],
)
def test_rfm_class_cn_learned_splits_skip_customers_without_purchases(split, labels, splits):
    features = _features(
        [10, 20, 30, 60, NAN], [1, 2, 3, 6, NAN], [100.0, 200.0, 300.0, 1400.0, NAN]
    )
    before = features.copy()
    classes, used = rfm_class_cn(features, split=split)
    expected = pd.Series(labels, index=_index(5), name="rfm_class_cn", dtype=object)
    assert_series_equal(classes, expected)
    assert used == splits
    assert_frame_equal(features, before)


@pytest.mark.parametrize(
    "split", ["mode", {"r": 1, "f": 2}, {"r": 1, "f": 2, "m": "x"}], ids=["name", "keys", "value"]
)
def test_rfm_class_cn_rejects_bad_split(split):
    with pytest.raises(ConfigError, match=r"split must be 'mean', 'median' or a dict of numbers"):
        rfm_class_cn(_features([1, 2], [1, 2], [1.0, 2.0]), split=split)


def test_cn8_table_covers_every_combination_once():
    assert sorted(CN8_CLASSES) == sorted(itertools.product([True, False], repeat=3))
    assert sorted(CN8_CLASSES.values()) == sorted(LABELS["rfm_class_cn"])


def test_every_label_exists_in_both_languages():
    for kind, table in LABELS.items():
        for code, entry in table.items():
            assert set(entry) == {"en", "zh"}, (kind, code)
            assert entry["en"].strip() and entry["zh"].strip(), (kind, code)
    for rule in DEFAULT_SEGMENT_MAP:
        assert rule["name"] in LABELS["rfm_segment"]


def test_label_lookups_and_errors():
    assert label("champions", "zh") == "冠军客户"
    assert label("重要价值客户", "en") == "Important value"
    assert label("none", "zh", kind="amount_class") == "无收入"
    assert pd.isna(label(NAN, "zh"))
    with pytest.raises(ConfigError, match=r"value 'none' is ambiguous across tables; pass kind="):
        label("none", "zh")
    with pytest.raises(ConfigError, match=r"value 'gold' is not a known class \(kind=None\)"):
        label("gold")
    with pytest.raises(ConfigError, match=r"kind must be None or one of .* got 'tier'"):
        label("A", kind="tier")
    series = pd.Series(["lost", None], index=_index(2), name="rfm_segment")
    expected = pd.Series(["已流失客户", NAN], index=_index(2), name="rfm_segment", dtype=object)
    assert_series_equal(translate(series, "zh", "rfm_segment"), expected)


def test_segment_actions_cover_every_segment_in_both_languages():
    for lang in ("en", "zh"):
        table = segment_actions(lang)
        assert list(table.columns) == ["model", "segment", "action"]
        assert len(table) == 18 and table["action"].str.len().gt(0).all()
    cn = segment_actions("zh", model="rfm_class_cn")
    assert cn["segment"].tolist() == [
        "重要价值客户", "重要发展客户", "重要保持客户", "重要挽留客户",
        "一般价值客户", "一般发展客户", "一般保持客户", "一般挽留客户",
    ]  # fmt: skip
    rfm = segment_actions("en", model="rfm_segment")
    assert rfm["segment"].tolist() == [
        "Champions", "Loyal", "Potential Loyalist", "New Customers", "Promising",
        "Need Attention", "About to Sleep", "At Risk", "Can't Lose Them", "Lost",
    ]  # fmt: skip
    assert set(ACTIONS["rfm_segment"]) == {r["name"] for r in DEFAULT_SEGMENT_MAP}
    with pytest.raises(ConfigError, match=r"model must be None or one of .* got 'abc'"):
        segment_actions(model="abc")


def test_rfm_scores_are_deterministic():
    features = _features([5, 40, 100, 200, 300], [20, 8, 3, 1, 0], [1e6, 5e5, 1e5, 1e4, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_frame_equal(rfm_scores(features), rfm_scores(features.copy()))


def test_new_customers_are_the_first_invoice_window_whatever_their_scores():
    scores = _scores([(5, 1, 1), (5, 5, 5), (3, 2, 2), (5, 1, 1), (0, 0, 0)])
    scores["tenure_days"] = [400.0, 30.0, 90.0, 91.0, np.nan]
    got = rfm_segment(scores, new_days=90)
    assert got.tolist() == [
        "Promising",
        "New Customers",
        "New Customers",
        "Promising",
        "No purchases",
    ]
    assert rfm_segment(scores).tolist()[:3] == ["Promising", "Champions", "Need Attention"]
    with pytest.raises(ConfigError, match=r"column 'tenure_days' \(parameter tenure_col\)"):
        rfm_segment(scores.drop(columns="tenure_days"), new_days=90)


def test_segment_map_rejects_a_new_rule_that_is_not_true():
    with pytest.raises(ConfigError, match=r"rule 'fresh' key 'new' .* or 'new' with True; got 1"):
        rfm_segment(_scores([(5, 5, 5)]), segment_map=[{"name": "fresh", "new": 1}])
