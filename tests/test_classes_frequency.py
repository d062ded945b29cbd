"""Tests of frequency and amount classes and of the class matrix."""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from segkit.classes.frequency import (
    AMOUNT_ORDER,
    FREQ_ORDER,
    amount_class,
    class_matrix,
    frequency_amount_matrix,
    frequency_class,
    pivot_cells,
)
from segkit.exceptions import ConfigError
from segkit.text.labels import label

NAN = np.nan


def _index(n):
    return pd.Index([f"c{i}" for i in range(1, n + 1)], name="customer_id")


def _freq_frame():
    # invoices_12m, recency_days, tenure_days
    rows = [
        (12, 10, 400),  # frequent (lower bound)
        (11, 20, 500),  # regular (upper end)
        (4, 30, 600),  # regular (lower bound)
        (3, 40, 700),  # occasional
        (1, 50, 300),  # occasional
        (0, 400, 800),  # dormant: nothing in 12 months
        (NAN, 500, 900),  # dormant: count missing
        (2, 5, 90),  # new (90 days is still new)
        (20, 1, 30),  # new beats frequent
        (NAN, NAN, NAN),  # never invoiced
        (2, 15, 91),  # occasional, no longer new
    ]
    return pd.DataFrame(
        rows, columns=["invoices_12m", "recency_days", "tenure_days"], index=_index(11)
    )


def _series(values, name, index=None):
    index = _index(len(values)) if index is None else index
    return pd.Series(values, index=index, name=name, dtype=object)


def test_frequency_class_default_thresholds():
    features = _freq_frame()
    before = features.copy()
    expected = _series(
        [
            "frequent", "regular", "regular", "occasional", "occasional", "dormant",
            "dormant", "new", "new", "none", "occasional",
        ],
        "freq_class",
    )  # fmt: skip
    assert_series_equal(frequency_class(features), expected)
    assert_frame_equal(features, before)


def test_frequency_class_dormant_days_and_no_new_class():
    features = pd.DataFrame(
        {"invoices_12m": [5, 5, 0], "recency_days": [200, 100, 300]}, index=_index(3)
    )
    result = frequency_class(features, new_days=None, dormant_days=180)
    assert_series_equal(result, _series(["dormant", "regular", "dormant"], "freq_class"))


def test_frequency_class_custom_thresholds():
    features = _freq_frame().iloc[:5]
    result = frequency_class(features, thresholds={"frequent": 10, "regular": 2})
    expected = _series(["frequent"] * 2 + ["regular"] * 2 + ["occasional"], "freq_class")
    assert_series_equal(result, expected)


def test_frequency_class_quantiles_split_active_customers():
    counts = [*range(1, 11), 50]  # the last one is new and stays out of the quantiles
    features = pd.DataFrame(
        {
            "invoices_12m": counts,
            "recency_days": [10] * 11,
            "tenure_days": [400] * 10 + [20],
        },
        index=_index(11),
    )
    # quantiles of 1..10: 50% -> 5.5, 80% -> 8.2
    expected = _series(
        ["occasional"] * 5 + ["regular"] * 3 + ["frequent"] * 2 + ["new"], "freq_class"
    )
    assert_series_equal(frequency_class(features, method="quantiles"), expected)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([3], ["frequent"]),
        ([2, 2, 2], ["frequent"] * 3),
        ([1, 1, 5], ["regular"] * 2 + ["frequent"]),
    ],
    ids=["single-customer", "all-alike", "ties"],
)
def test_frequency_class_quantiles_edge_cases(counts, expected):
    n = len(counts)
    features = pd.DataFrame(
        {"invoices_12m": counts, "recency_days": [5] * n, "tenure_days": [999] * n},
        index=_index(n),
    )
    assert_series_equal(
        frequency_class(features, method="quantiles"), _series(expected, "freq_class")
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "rank"}, r"method must be one of \['thresholds', 'quantiles'\]; got 'rank'"),
        (
            {"thresholds": {"frequent": 4, "regular": 12}},
            r"0 < thresholds\['regular'\] < thresholds\['frequent'\]; got regular=12, frequent=4",
        ),
        ({"thresholds": {"frequent": 12}}, r"keys 'frequent' and 'regular'; got \{'frequent': 12"),
        ({"thresholds": {"frequent": 12, "regular": "4"}}, r"got regular='4', frequent=12"),
        (
            {"method": "quantiles", "thresholds": {"frequent": 12, "regular": 4}},
            r"thresholds is only used with method='thresholds'",
        ),
        ({"method": "quantiles", "quantiles": (0.8, 0.5)}, r"quantiles must be two increasing"),
        ({"method": "quantiles", "quantiles": (0.5, 1)}, r"between 0 and 1; got \(0.5, 1\)"),
        ({"new_days": -1}, r"new_days must be None or a number of days >= 0; got -1"),
        ({"dormant_days": "x"}, r"dormant_days must be None or a number of days >= 0; got 'x'"),
        ({"invoices_col": "n_inv"}, r"column 'n_inv' \(parameter invoices_col\) is not in"),
    ],
    ids=[
        "method", "order", "missing-key", "not-number", "thresholds-with-quantiles",
        "quantile-order", "quantile-range", "new-days", "dormant-days", "column",
    ],
)  # fmt: skip
def test_frequency_class_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        frequency_class(_freq_frame(), **kwargs)


def test_frequency_class_rejects_text_column():
    features = _freq_frame().assign(invoices_12m="many")
    with pytest.raises(ConfigError, match=r"column 'invoices_12m' must be numeric"):
        frequency_class(features)


def _amount_frame():
    revenue = [k * 1000.0 for k in range(1, 11)] + [0.0, NAN, -5.0]
    return pd.DataFrame({"revenue_12m": revenue}, index=_index(13))


def test_amount_class_default_quantiles():
    features = _amount_frame()
    before = features.copy()
    # positive values 1000..10000: 50% -> 5500, 80% -> 8200
    expected = _series(
        ["small"] * 5 + ["medium"] * 3 + ["large"] * 2 + ["none"] * 3, "amount_class"
    )
    assert_series_equal(amount_class(features), expected)
    assert_frame_equal(features, before)


def test_amount_class_default_thresholds_in_cny():
    features = pd.DataFrame(
        {"revenue_12m": [1_000_000.0, 999_999.0, 100_000.0, 99_999.0, 0.0]}, index=_index(5)
    )
    expected = _series(["large", "medium", "medium", "small", "none"], "amount_class")
    assert_series_equal(amount_class(features, method="thresholds"), expected)


@pytest.mark.parametrize(
    ("revenue", "expected"),
    [([500.0], ["large"]), ([7.0, 7.0], ["large", "large"]), ([NAN, 0.0], ["none", "none"])],
    ids=["single-customer", "all-alike", "no-revenue"],
)
def test_amount_class_edge_cases(revenue, expected):
    features = pd.DataFrame({"sales": revenue}, index=_index(len(revenue)))
    result = amount_class(features, value_col="sales")
    assert_series_equal(result, _series(expected, "amount_class"))


def test_amount_class_rejects_bad_thresholds():
    with pytest.raises(ConfigError, match=r"0 < thresholds\['medium'\] < thresholds\['large'\]"):
        amount_class(_amount_frame(), method="thresholds", thresholds={"large": 1, "medium": 0})


def _classes_frame():
    return pd.DataFrame(
        {
            "freq_class": ["frequent", "frequent", "regular", "dormant", "new"],
            "amount_class": ["large", "medium", "large", "none", "small"],
            "revenue_12m": [600.0, 200.0, 150.0, NAN, 50.0],
        },
        index=_index(5),
    )


def test_frequency_amount_matrix_counts_every_cell():
    frame = _classes_frame()
    before = frame.copy()
    freq = ["frequent", "regular", "new", "dormant"]
    amount = ["large", "medium", "small", "none"]
    filled = {
        ("frequent", "large"): (1, 600.0),
        ("frequent", "medium"): (1, 200.0),
        ("regular", "large"): (1, 150.0),
        ("new", "small"): (1, 50.0),
        ("dormant", "none"): (1, 0.0),
    }
    rows = [(f, a, *filled.get((f, a), (0, 0.0))) for f in freq for a in amount]
    expected = pd.DataFrame(rows, columns=["freq_class", "amount_class", "customers", "revenue"])
    expected["revenue_share"] = expected["revenue"] / 1000.0
    result = frequency_amount_matrix(frame)
    assert_frame_equal(result, expected)
    assert result["revenue_share"].sum() == pytest.approx(1.0)
    assert_frame_equal(frame, before)


def test_pivot_cells_keeps_class_order():
    wide = pivot_cells(frequency_amount_matrix(_classes_frame()), values="customers")
    expected = pd.DataFrame(
        [[1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
        index=pd.Index(["frequent", "regular", "new", "dormant"], name="freq_class"),
        columns=pd.Index(["large", "medium", "small", "none"], name="amount_class"),
    )
    assert_frame_equal(wide, expected)


def test_class_matrix_unknown_levels_follow_and_zero_total():
    frame = pd.DataFrame(
        {"x": ["vip", "A"], "y": ["high", "low"], "v": [0.0, 0.0]}, index=_index(2)
    )
    result = class_matrix(frame, "x", "y", "v", row_order=("A", "B"), col_order=())
    expected = pd.DataFrame(
        {
            "x": ["A", "A", "vip", "vip"],
            "y": ["high", "low", "high", "low"],
            "customers": [0, 1, 1, 0],
            "revenue": [0.0] * 4,
            "revenue_share": [NAN] * 4,
        }
    )
    assert_frame_equal(result, expected)


def test_class_matrix_rejects_missing_class():
    frame = _classes_frame()
    frame.loc["c2", "amount_class"] = None
    with pytest.raises(ConfigError, match=r"column 'amount_class' .* got 1 missing values"):
        frequency_amount_matrix(frame)


def test_every_activity_class_has_both_labels():
    for code in FREQ_ORDER:
        assert label(code, "en", "freq_class") and label(code, "zh", "freq_class")
    for code in AMOUNT_ORDER:
        assert label(code, "en", "amount_class") and label(code, "zh", "amount_class")
    assert label("frequent", "zh") == "高频客户"
    assert label("大额客户", "en") == "Large"
