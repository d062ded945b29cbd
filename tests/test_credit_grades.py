"""Tests of segkit.credit.grades and .limits: scale, grades, PDs, limits and watch-list."""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from segkit.credit import (
    PDCalibrator,
    RatingScale,
    expected_loss,
    grade_table,
    watch_list,
)
from segkit.exceptions import ConfigError

SCALE = RatingScale()
ORDER = ["AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "D"]


def _grades(labels, index=None):
    return pd.Series(
        pd.Categorical(labels, categories=ORDER, ordered=True), index=index, name="grade"
    )


# --- rating scale -------------------------------------------------------------------------


def test_default_scale_golden():
    expected = pd.DataFrame(
        {
            "grade": ORDER,
            "pd_min": [0.0, 0.0005, 0.0015, 0.005, 0.015, 0.04, 0.10, 0.25, 1.0],
            "pd_max": [0.0005, 0.0015, 0.005, 0.015, 0.04, 0.10, 0.25, 1.0, 1.0],
            "is_default": [False] * 8 + [True],
        }
    )
    assert_frame_equal(SCALE.table(), expected)
    assert SCALE.default_grade == "D"
    assert SCALE.grades == ORDER


def test_assign_at_band_edges():
    pd_values = [0.0, 0.00049, 0.0005, 0.0015, 0.0049, 0.005, 0.015, 0.04, 0.1, 0.2499, 0.25,
                 0.999, 1.0, np.nan]  # fmt: skip
    expected = ["AAA", "AAA", "AA", "A", "A", "BBB", "BB", "B", "CCC", "CCC", "CC", "CC", "CC",
                np.nan]  # fmt: skip
    assert_series_equal(SCALE.assign(pd_values), _grades(expected))


def test_assign_in_default_and_index():
    index = pd.Index(["C1", "C2", "C3"], name="customer_id")
    pd_values = pd.Series([0.001, 0.3, np.nan], index=index)
    before = pd_values.copy()
    result = SCALE.assign(pd_values, in_default=[False, True, True])
    assert_series_equal(result, _grades(["AA", "D", "D"], index=index))
    assert_series_equal(pd_values, before)


def _bands(n=7):
    edges = np.linspace(0.0, 1.0, n + 1)
    return [(f"G{i + 1}", edges[i], edges[i + 1]) for i in range(n)] + [("D", 1.0, 1.0)]


def test_custom_scale_with_seven_grades():
    scale = RatingScale(_bands(7))
    assert scale.grades == ["G1", "G2", "G3", "G4", "G5", "G6", "G7", "D"]
    assert scale.assign([0.5]).tolist() == ["G4"]


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        (_bands(6), r"at least 7 non-default grades; got 6: G1 \[0.0, 0.1666"),
        (_bands(7)[:-1], r"exactly one default grade with pd_min == pd_max == 1; got 0"),
        (_bands(7) + [("E", 1.0, 1.0)], r"exactly one default grade .* got 2: D \[1.0, 1.0\), E"),
        (
            [("G1", 0.0, 0.1), ("G2", 0.2, 0.3)] + _bands(7)[2:],
            r"ordered, contiguous and non-overlapping; got G1 \[0.0, 0.1\) followed by "
            r"G2 \[0.2, 0.3\)",
        ),
        (
            [("G1", 0.0, 0.2), ("G2", 0.1, 0.2857142857142857)] + _bands(7)[2:],
            r"got G1 \[0.0, 0.2\) followed by G2 \[0.1, 0.28",
        ),
        ([("G1", 0.01, 0.1428571428571428)] + _bands(7)[1:], r"cover \[0, 1\) from 0 to 1"),
        (_bands(7)[:6] + [("G7", 0.857, 0.99), ("D", 1.0, 1.0)], r"cover \[0, 1\) .*G7"),
        ([("X", 0.0, 0.1)] + _bands(7)[1:7] + [("X", 1.0, 1.0)], r"distinct names; got \['X'"),
        ([("G1", "low", 0.1)], r"\(grade, pd_min, pd_max\) tuples; got \[\('G1', 'low', 0.1\)\]"),
    ],
    ids=[
        "six-grades",
        "no-default",
        "two-defaults",
        "gap",
        "overlap",
        "start",
        "end",
        "names",
        "malformed",
    ],  # fmt: skip
)
def test_invalid_scale(bands, message):
    with pytest.raises(ConfigError, match=message):
        RatingScale(bands)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: SCALE.assign([0.1, 1.5]), r"pd must be in \[0, 1\]; got \[1.5\]"),
        (
            lambda: SCALE.assign([0.1], [True, False]),
            r"in_default must have one value per pd \(1\)",
        ),
        (
            lambda: SCALE.assign([0.1, 0.2], [True, np.nan]),
            "in_default must be True or False for every customer; got 1 missing",
        ),
        (lambda: SCALE.notch(["AAA", "Z"]), r"grades must be on the scale .*; got \['Z'\]"),
    ],
    ids=["pd-range", "default-length", "default-missing", "unknown-grade"],
)
def test_bad_assign_inputs(call, message):
    with pytest.raises(ConfigError, match=message):
        call()


def test_notch_positions():
    np.testing.assert_array_equal(SCALE.notch(["AAA", "BBB", "D", None]), [0, 3, 8, np.nan])


# --- grade table --------------------------------------------------------------------------


def test_grade_table_by_hand_reports_a_break_in_monotonicity():
    grades = ["AAA", "AAA", "A", "A", "A", "A", "BBB", "BBB", "D", None]
    y = [0, 0, 0, 0, 1, 0, 0, 0, 1, 1]
    pd_values = [0.0001, 0.0003, 0.002, 0.004, 0.003, 0.003, 0.01, 0.012, 0.5, 0.2]
    result = grade_table(y, pd_values, grades)
    nan = np.nan
    expected = pd.DataFrame(
        {
            "grade": ORDER,
            "n": [2, 0, 4, 2, 0, 0, 0, 0, 1],
            "n_default": [0, 0, 1, 0, 0, 0, 0, 0, 1],
            "mean_pd": [0.0002, nan, 0.003, 0.011, nan, nan, nan, nan, 0.5],
            "default_rate": [0.0, nan, 0.25, 0.0, nan, nan, nan, nan, 1.0],
            "monotonic": pd.array([True] * 3 + [False] + [True] * 4 + [pd.NA], dtype="boolean"),
        }
    )
    assert_frame_equal(result, expected, check_exact=False, rtol=1e-12)
    assert result.attrs == {"monotonic": False, "n_ungraded": 1}


def test_grade_table_monotonic_scale_ignores_the_default_grade():
    result = grade_table([0, 1, 0], [0.01, 0.2, 0.9], ["BBB", "CCC", "D"])
    assert result.attrs["monotonic"] is True
    assert result["monotonic"].isna().tolist() == [False] * 8 + [True]


def test_grade_table_length_mismatch():
    with pytest.raises(
        ConfigError, match="y, pd and grades must have the same length; got 2, 2 and 1"
    ):
        grade_table([0, 1], [0.1, 0.2], ["A"])


# --- PD calibration -----------------------------------------------------------------------


def test_isotonic_calibration_by_hand():
    """Pool-adjacent-violators on outcomes 0, 1, 0, 1 gives 0, 1/2, 1/2, 1."""
    x = np.array([0.1, 0.2, 0.3, 0.4])
    model = PDCalibrator(method="isotonic").fit(x, [0, 1, 0, 1])
    np.testing.assert_allclose(model.predict_pd(x), [0.0, 0.5, 0.5, 1.0])
    np.testing.assert_allclose(model.predict_pd([0.05, 0.9]), [0.0, 1.0])  # clipped outside


def test_platt_calibration_of_uninformative_scores_gives_the_base_rate():
    scores = [[-1.0], [-1.0], [1.0], [1.0]]
    model = PDCalibrator(method="platt", kind="score").fit(scores, [0, 1, 0, 1])
    np.testing.assert_allclose(model.predict_pd(scores), 0.5, atol=1e-6)
    proba = model.predict_proba(scores)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(scores), [1, 1, 1, 1])


def test_platt_shifts_pds_to_a_higher_recent_default_rate():
    rng = np.random.default_rng(3)
    old_pd = rng.uniform(0.01, 0.2, size=2000)
    outcome = (rng.random(2000) < np.clip(2 * old_pd, 0, 1)).astype(int)
    before = old_pd.copy()
    model = PDCalibrator().fit(old_pd, outcome)
    new_pd = model.predict_pd(old_pd)
    assert new_pd.mean() == pytest.approx(outcome.mean(), abs=0.005)
    assert np.all(np.diff(new_pd[np.argsort(old_pd)]) >= 0)  # ranking kept
    np.testing.assert_array_equal(old_pd, before)


def test_calibrator_is_an_sklearn_estimator():
    model = PDCalibrator(method="isotonic", kind="score")
    assert clone(model).get_params() == {"method": "isotonic", "kind": "score"}
    with pytest.raises(NotFittedError, match="not fitted"):
        model.predict_pd([0.1])


@pytest.mark.parametrize(
    ("params", "X", "y", "message"),
    [
        (
            {"method": "beta"},
            [0.1, 0.2],
            [0, 1],
            "method must be 'platt' or 'isotonic'; got 'beta'",
        ),
        ({"kind": "odds"}, [0.1, 0.2], [0, 1], "kind must be 'pd' or 'score'; got 'odds'"),
        ({}, [0.1, 1.2], [0, 1], r"X must be probabilities in \[0, 1\] when kind='pd'"),
        ({}, [0.1, np.nan], [0, 1], "X must not contain missing values; got 1"),
        ({}, [[0.1, 0.2]], [0], r"X must be one column of scores; got shape \(1, 2\)"),
        ({}, [0.1, 0.2], [1, 1], r"y must hold both 0 and 1, one value per score \(2\); got 2"),
    ],
    ids=["method", "kind", "pd-range", "nan", "two-columns", "one-class"],
)
def test_calibrator_bad_inputs(params, X, y, message):
    with pytest.raises(ConfigError, match=message):
        PDCalibrator(**params).fit(X, y)


# --- expected loss and limits -------------------------------------------------------------


def test_expected_loss_by_hand():
    pd_values = pd.Series(
        [0.02, 0.5, np.nan], index=pd.Index(["C1", "C2", "C3"], name="customer_id")
    )
    result = expected_loss(pd_values, [100_000.0, 10_000.0, 5.0])
    expected = pd.Series([900.0, 2_250.0, np.nan], index=pd_values.index, name="expected_loss")
    assert_series_equal(result, expected)
    np.testing.assert_allclose(expected_loss([0.1], [1000.0], lgd=0.4), [40.0])
    np.testing.assert_allclose(
        expected_loss([0.1, 0.1], [1000.0, 1000.0], lgd=[0.0, 1.0]), [0, 100]
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lgd": 1.2}, r"lgd must be in \[0.0, 1.0\]; got \[1.2\]"),
        ({"lgd": -0.1}, r"lgd must be in \[0.0, 1.0\]; got \[-0.1\]"),
        ({"pd": [1.5]}, r"pd must be in \[0.0, 1.0\]; got \[1.5\]"),
        ({"exposure": [-10.0]}, r"exposure must be >= 0; got \[-10.0\]"),
    ],
    ids=["lgd-high", "lgd-negative", "pd", "exposure"],
)
def test_expected_loss_bad_inputs(kwargs, message):
    arguments = {"pd": [0.1], "exposure": [100.0], **kwargs}
    with pytest.raises(ConfigError, match=message):
        expected_loss(**arguments)


@pytest.fixture
def customers():
    index = pd.Index([f"C{i}" for i in range(1, 9)], name="customer_id")
    return pd.DataFrame(
        {
            "grade": _grades(["AAA", "A", "CC", "D", "AAA", "BB", "A", None], index=index),
            "size_cn": ["large", "medium", "small", "micro", None, "small", "small", "small"],
            "revenue_12m": [1.2e6, 2.5e5, 6.0e5, 5.0e6, 1.2e8, np.nan, -5.0e4, 1.0e5],
            "credit_limit": [500_000.0, 300_000.0, np.nan, 100_000.0, 1e6, 0.0, 0.0, 0.0],
        },
        index=index,
    )


# --- watch-list ---------------------------------------------------------------------------


def test_watch_list_by_hand():
    previous = pd.DataFrame(
        {"grade": ["A", "BBB", "BB", "AA", "B", "CCC", "A"]},
        index=pd.Index(["C1", "C2", "C3", "C4", "C5", "C6", "C7"], name="customer_id"),
    )
    current = pd.DataFrame(
        {
            "grade": ["BBB", "BB", "BB", "A", "BBB", "D", None, "AA"],
            "open_balance": [10.0, 50.0, 99.0, 70.0, 5.0, 20.0, 1.0, 3.0],
        },
        index=pd.Index(["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"], name="customer_id"),
    )
    before = current.copy()
    result = watch_list(current, previous)
    # C1 A->BBB, C2 BBB->BB, C4 AA->A: one notch each; C6 CCC->D: two notches.
    # C3 unchanged, C5 upgraded, C7 ungraded now, C8 new: left out.
    expected = pd.DataFrame(
        {
            "grade_previous": ["CCC", "AA", "BBB", "A"],
            "grade_current": ["D", "A", "BB", "BBB"],
            "notches": [2, 1, 1, 1],
            "open_balance": [20.0, 70.0, 50.0, 10.0],
        },
        index=pd.Index(["C6", "C4", "C2", "C1"], name="customer_id"),
    )
    assert_frame_equal(result, expected)
    assert_frame_equal(current, before)
    assert watch_list(current, previous, min_notches=2).index.tolist() == ["C6"]
    no_exposure = watch_list(current, previous, exposure_col=None)
    assert list(no_exposure.columns) == ["grade_previous", "grade_current", "notches"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"grade_col": "rating"}, "current must have the grade column 'rating'"),
        ({"exposure_col": "ead"}, "current must have the exposure column 'ead'"),
        ({"min_notches": 0}, "min_notches must be an int >= 1; got 0"),
    ],
    ids=["grade-column", "exposure-column", "notches"],
)
def test_watch_list_bad_inputs(kwargs, message):
    frame = pd.DataFrame({"grade": ["A"], "open_balance": [1.0]}, index=["C1"])
    with pytest.raises(ConfigError, match=message):
        watch_list(frame, frame, **kwargs)


def test_watch_list_unknown_grade():
    previous = pd.DataFrame({"grade": ["A+"]}, index=["C1"])
    current = pd.DataFrame({"grade": ["A"], "open_balance": [1.0]}, index=["C1"])
    with pytest.raises(ConfigError, match=r"grades must be on the scale .*; got \['A\+'\]"):
        watch_list(current, previous)
