"""Tests of ABC value tiers and the Pareto table."""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from segkit.classes.tiers import ABCTiers, pareto_table, top_share
from segkit.exceptions import ConfigError
from segkit.text.labels import label

NAN = np.nan


def _index(n):
    return pd.Index([f"c{i}" for i in range(1, n + 1)], name="customer_id")


def _frame(values, column="revenue_12m"):
    return pd.DataFrame({column: values}, index=_index(len(values)))


def _cutoffs(a, b, c, labels=("A", "B", "C")):
    return pd.Series([a, b, c], index=list(labels), name="cutoff", dtype=float)


def _tiers(values):
    return pd.Series(values, index=_index(len(values)), name="abc_tier", dtype=object)


def test_abc_tiers_default_cuts_and_non_positive_values():
    # positive total 100; share before each customer: 0, .5, .8, .9, .95, .98
    features = _frame([50.0, 30.0, 10.0, 5.0, 3.0, 2.0, 0.0, -4.0, NAN]).assign(name="x")
    before = features.copy()
    tiers = ABCTiers().fit(features)
    assert_series_equal(tiers.cutoffs_, _cutoffs(30.0, 5.0, 2.0))
    out = tiers.transform(features)
    expected = before.assign(
        abc_tier=_tiers(["A", "A", "B", "B", "C", "C", "none", "none", "none"])
    )
    assert_frame_equal(out, expected)
    assert_frame_equal(features, before)


def test_abc_tiers_customer_crossing_the_cut_is_in_the_upper_tier():
    features = _frame([20.0, 70.0, 10.0])  # sorted 70, 20, 10: the 20 takes the share from .7 to .9
    out = ABCTiers().fit_transform(features)
    assert_series_equal(out["abc_tier"], _tiers(["A", "A", "B"]))


def test_abc_tiers_floating_point_share_reaches_the_cut():
    # 0.7 + 0.1 is 0.7999999999999999 in floating point; it must count as 80% reached
    features = _frame([0.7, 0.1, 0.09, 0.06, 0.05])
    out = ABCTiers().fit_transform(features)
    assert_series_equal(out["abc_tier"], _tiers(["A", "A", "B", "B", "C"]))


@pytest.mark.parametrize(
    ("values", "tiers", "cutoffs"),
    [
        ([60.0, 20.0, 20.0], ["A", "A", "A"], (20.0, 20.0, NAN)),
        ([10.0] * 5, ["A"] * 5, (10.0, 10.0, NAN)),
        ([42.0], ["A"], (42.0, NAN, NAN)),
        ([96.0, 4.0], ["A", "C"], (96.0, NAN, 4.0)),
    ],
    ids=["tie-at-cut", "all-alike", "single-customer", "empty-middle-tier"],
)
def test_abc_tiers_ties_and_small_samples(values, tiers, cutoffs):
    model = ABCTiers().fit(_frame(values))
    assert_series_equal(model.cutoffs_, _cutoffs(*cutoffs))
    assert_series_equal(model.transform(_frame(values))["abc_tier"], _tiers(tiers))


def test_abc_tiers_custom_cuts_labels_and_new_data():
    train = _frame([40.0, 30.0, 20.0, 10.0], column="sales")
    model = ABCTiers(value="sales", cuts=(0.4, 0.7, 0.9), labels=("P", "Q", "R", "S")).fit(train)
    expected = pd.Series([40.0, 30.0, 20.0, 10.0], index=list("PQRS"), name="cutoff")
    assert_series_equal(model.cutoffs_, expected)
    new = _frame([100.0, 35.0, 25.0, 1.0, 0.0], column="sales")
    out = model.transform(new)
    assert len(out) == len(new)
    assert_series_equal(out["abc_tier"], _tiers(["P", "Q", "R", "S", "none"]))


def test_abc_tiers_clone_and_not_fitted():
    model = ABCTiers(value="net_amount", cuts=(0.7, 0.9))
    copy = clone(model)
    assert copy.get_params() == {
        "value": "net_amount",
        "cuts": (0.7, 0.9),
        "labels": ("A", "B", "C"),
    }
    with pytest.raises(NotFittedError, match="ABCTiers instance is not fitted"):
        copy.transform(_frame([1.0]))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cuts": (0.95, 0.8)}, r"cuts must be strictly increasing; got \(0.95, 0.8\)"),
        ({"cuts": (0.0, 0.8)}, r"cuts must be numbers in \(0, 1\]; got \(0.0, 0.8\)"),
        ({"cuts": (0.8, 1.2)}, r"cuts must be numbers in \(0, 1\]; got \(0.8, 1.2\)"),
        ({"labels": ("A", "B")}, r"labels must be 3 distinct names .* got \('A', 'B'\)"),
        ({"labels": ("A", "B", "none")}, r"not 'none'; got \('A', 'B', 'none'\)"),
        ({"value": "sales"}, r"column 'sales' \(parameter value\) is not in the frame"),
    ],
    ids=["order", "zero", "above-one", "label-count", "label-none", "column"],
)
def test_abc_tiers_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        ABCTiers(**kwargs).fit(_frame([3.0, 2.0, 1.0]))


def test_abc_tiers_needs_a_positive_value():
    with pytest.raises(ConfigError, match=r"column 'revenue_12m' needs a positive value; got none"):
        ABCTiers().fit(_frame([0.0, -1.0, NAN]))


def test_abc_tiers_cut_of_one_puts_all_remaining_customers_in_the_tier():
    out = ABCTiers(cuts=(0.5, 1.0)).fit_transform(_frame([50.0, 30.0, 20.0]))
    assert_series_equal(out["abc_tier"], _tiers(["A", "B", "B"]))


def test_pareto_table_and_top_share():
    features = _frame([10.0, 40.0, 0.0, 30.0, 20.0, NAN])
    before = features.copy()
    expected = pd.DataFrame(
        {
            "rank": np.array([1, 2, 3, 4], dtype="int64"),
            "revenue_12m": [40.0, 30.0, 20.0, 10.0],
            "cum_customer_share": [0.25, 0.5, 0.75, 1.0],
            "cum_value_share": [0.4, 0.7, 0.9, 1.0],
        },
        index=pd.Index(["c2", "c4", "c5", "c1"], name="customer_id"),
    )
    assert_frame_equal(pareto_table(features), expected)
    assert top_share(features) == pytest.approx(0.4)  # ceil(0.2 * 4) = 1 customer
    assert top_share(features, top=0.5) == pytest.approx(0.7)
    assert top_share(features, top=1.0) == pytest.approx(1.0)
    assert_frame_equal(features, before)


def test_pareto_table_ties_keep_input_order_and_empty_input():
    table = pareto_table(_frame([5.0, 5.0]))
    assert table.index.tolist() == ["c1", "c2"]
    assert np.isnan(top_share(_frame([0.0, NAN])))
    with pytest.raises(ConfigError, match=r"top must be a number in \(0, 1\]; got 0"):
        top_share(_frame([1.0]), top=0)


def test_every_tier_has_both_labels():
    for code in ("A", "B", "C", "none"):
        assert label(code, "en", "abc_tier") and label(code, "zh", "abc_tier")
    assert label("A", "zh") == "A类客户"
