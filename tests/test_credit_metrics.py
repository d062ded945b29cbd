"""Tests of segkit.metrics: AUC, Gini, KS, Brier, calibration and PSI, by hand."""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from segkit.credit import (
    KSResult,
    auc,
    brier,
    calibration_table,
    gini,
    ks,
    ks_table,
    psi,
    psi_status,
    psi_table,
    roc_points,
)
from segkit.exceptions import ConfigError

# Two goods scoring 0.1 and 0.4, two bads scoring 0.35 and 0.8: of the four (bad, good)
# pairs, three have the bad scored higher, so AUC = 3/4.
Y = [0, 0, 1, 1]
P = [0.1, 0.4, 0.35, 0.8]


def test_auc_and_gini_by_hand():
    assert auc(Y, P) == pytest.approx(0.75)
    assert gini(Y, P) == pytest.approx(0.5)


def test_auc_counts_ties_as_half():
    assert auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]) == pytest.approx((1 + 1 + 0.5 + 1) / 4)


def test_perfect_and_reversed_rankings():
    assert gini([0, 0, 1], [0.1, 0.2, 0.9]) == pytest.approx(1.0)
    assert gini([0, 0, 1], [0.9, 0.8, 0.1]) == pytest.approx(-1.0)


def test_ks_table_by_hand():
    expected = pd.DataFrame(
        {
            "threshold": [0.1, 0.35, 0.4, 0.8],
            "cum_good": [0.5, 0.5, 1.0, 1.0],
            "cum_bad": [0.0, 0.5, 0.5, 1.0],
            "distance": [0.5, 0.0, 0.5, 0.0],
        }
    )
    assert_frame_equal(ks_table(Y, P), expected)


def test_ks_statistic_and_threshold():
    result = ks(Y, P)
    assert result == KSResult(statistic=0.5, threshold=0.1)
    separated = ks([0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.7, 0.9])
    assert separated == KSResult(statistic=1.0, threshold=0.3)


def test_roc_points_by_hand():
    expected = pd.DataFrame(
        {
            "threshold": [np.inf, 0.8, 0.4, 0.35, 0.1],
            "fpr": [0.0, 0.0, 0.5, 0.5, 1.0],
            "tpr": [0.0, 0.5, 0.5, 1.0, 1.0],
        }
    )
    assert_frame_equal(roc_points(Y, P), expected)


def test_brier_by_hand():
    assert brier([0, 1], [0.2, 0.6]) == pytest.approx((0.2**2 + 0.4**2) / 2)
    assert brier([0, 1], [0.0, 1.0]) == 0.0


def test_inputs_not_modified():
    y, p = np.array(Y), pd.Series(P)
    auc(y, p), ks(y, p), calibration_table(y, p, n_bins=2)
    np.testing.assert_array_equal(y, Y)
    assert p.tolist() == P


# Wilson 95% interval of 1 default in 3: (0.0615, 0.7923); of 2 in 3: (0.2077, 0.9385).
WILSON_1_OF_3 = (0.06149194472039602, 0.7923403991979523)
WILSON_2_OF_3 = (0.20765960080204775, 0.938508055279604)


def test_calibration_table_quantile_by_hand():
    y = [0, 0, 1, 0, 1, 1]
    pd_ = [0.1, 0.1, 0.2, 0.6, 0.7, 0.9]
    expected = pd.DataFrame(
        {
            "bin": [0, 1],
            "pd_lower": [0.1, 0.4],
            "pd_upper": [0.4, 0.9],
            "n": [3, 3],
            "n_default": [1, 2],
            "mean_pd": [0.4 / 3, 2.2 / 3],
            "default_rate": [1 / 3, 2 / 3],
            "ci_lower": [WILSON_1_OF_3[0], WILSON_2_OF_3[0]],
            "ci_upper": [WILSON_1_OF_3[1], WILSON_2_OF_3[1]],
        }
    )
    result = calibration_table(y, pd_, n_bins=2)
    assert_frame_equal(result, expected, check_exact=False, rtol=1e-9)


def test_calibration_table_uniform_drops_empty_bins():
    y = [0, 1, 1]
    result = calibration_table(y, [0.05, 0.1, 0.95], n_bins=4, strategy="uniform")
    assert result["bin"].tolist() == [0, 3]
    assert result["pd_lower"].tolist() == [0.0, 0.75]
    assert result["pd_upper"].tolist() == [0.25, 1.0]
    assert result["n"].tolist() == [2, 1]
    assert result["default_rate"].tolist() == [0.5, 1.0]


def test_psi_of_identical_distributions_is_zero():
    values = np.arange(100.0)
    assert psi(values, values) == 0.0
    assert psi(["a", "b", "b"], ["b", "a", "b"]) == 0.0


def test_psi_by_hand_numeric():
    # bins=2 on 1..4 cut at the median 2.5: expected shares (0.5, 0.5), actual (0.75, 0.25).
    value = psi([1, 2, 3, 4], [1, 1, 1, 4], bins=2)
    assert value == pytest.approx(0.25 * np.log(1.5) + 0.25 * np.log(2.0))


def test_psi_discrete_values_get_a_bin_each():
    value = psi([0] * 8 + [1] * 2, [0] * 5 + [1] * 5)
    assert value == pytest.approx(0.3 * np.log(0.8 / 0.5) + 0.3 * np.log(0.5 / 0.2))


def test_psi_with_an_empty_bin_is_finite():
    eps = 1e-4
    value = psi([1, 2, 3, 4], [1, 1, 1, 1], bins=2, eps=eps)
    expected = (1 - 0.5) * np.log(1 / 0.5) + (eps - 0.5) * np.log(eps / 0.5)
    assert np.isfinite(value)
    assert value == pytest.approx(expected)


def test_psi_categorical_with_a_new_category():
    eps = 1e-4
    value = psi(pd.Series(["a", "b"], dtype="category"), ["a", "c"], eps=eps)
    assert value == pytest.approx(2 * (0.5 - eps) * np.log(0.5 / eps))


def test_psi_missing_values_form_their_own_bin():
    value = psi([1.0, 2.0, np.nan, np.nan], [1.0, 2.0, 3.0, np.nan], bins=2)
    # bins by value: 1, 2 (and above), missing: expected (.25, .25, .5), actual (.25, .5, .25)
    assert value == pytest.approx(0.25 * np.log(2) + 0.25 * np.log(2))


def test_psi_with_explicit_cut_points():
    value = psi([1, 2, 3, 4], [1, 1, 1, 4], bins=[2.5])
    assert value == pytest.approx(psi([1, 2, 3, 4], [1, 1, 1, 4], bins=2))


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (0.0, "stable"),
        (0.0999, "stable"),
        (0.1, "monitor"),
        (0.2499, "monitor"),
        (0.25, "shift"),
        (np.nan, "unknown"),
    ],
)
def test_psi_status_thresholds(value, status):
    assert psi_status(value) == status


def test_psi_table_by_hand():
    expected_frame = pd.DataFrame(
        {
            "same": np.arange(10.0),
            "sector": ["a"] * 5 + ["b"] * 5,
            "dso_days": np.arange(1.0, 11.0),
        }
    )
    actual_frame = pd.DataFrame(
        {
            "same": np.arange(10.0),
            "sector": ["a"] * 7 + ["b"] * 3,
            "dso_days": [1.0] * 8 + [9.0, 10.0],
        }
    )
    before = expected_frame.copy()
    result = psi_table(expected_frame, actual_frame, ["same", "sector", "dso_days"], bins=2)
    expected = pd.DataFrame(
        {
            "feature": ["same", "sector", "dso_days"],
            "psi": [
                0.0,
                0.2 * np.log(0.7 / 0.5) + 0.2 * np.log(0.5 / 0.3),
                0.3 * np.log(0.8 / 0.5) + 0.3 * np.log(0.5 / 0.2),
            ],
            "status": ["stable", "monitor", "shift"],
        }
    )
    assert_frame_equal(result, expected)
    assert_frame_equal(expected_frame, before)


def test_psi_table_defaults_to_shared_columns_and_flags_empty_ones():
    expected_frame = pd.DataFrame({"a": [1, 2], "b": [1, 2], "c": [np.nan, np.nan]})
    actual_frame = pd.DataFrame({"b": [1, 2], "c": [1.0, 2.0]})
    expected = pd.DataFrame(
        {"feature": ["b", "c"], "psi": [0.0, np.nan], "status": ["stable", "unknown"]}
    )
    assert_frame_equal(psi_table(expected_frame, actual_frame), expected)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: auc([0, 0], [0.1, 0.2]), r"y must contain both 0 and 1; got only \[0\]"),
        (lambda: auc([0, 1], [0.1]), r"p must have one value per y \(2\); got 1"),
        (lambda: ks([0, 1], [0.1, np.nan]), "p must not contain missing values; got 1"),
        (lambda: gini([0, 3], [0.1, 0.2]), r"y must be binary with values 0 and 1; got \['3'\]"),
        (lambda: brier([0, 1], [0.1, 1.2]), r"pd must be probabilities in \[0, 1\]; got \[1.2\]"),
        (
            lambda: calibration_table([0, 1], [0.1, 0.2], strategy="kmeans"),
            "strategy must be 'quantile' or 'uniform'; got 'kmeans'",
        ),
        (lambda: calibration_table([0, 1], [0.1, 0.2], n_bins=0), "n_bins must be an int >= 1"),
        (
            lambda: calibration_table([0, 1], [0.1, 0.2], confidence=1.5),
            r"confidence must be in \(0, 1\); got 1.5",
        ),
        (lambda: psi([1, 2], [1, 2], bins=1), "bins must be an int >= 2; got 1"),
        (lambda: psi([1, 2], [1, 2], bins=[3, 2]), "bins must be an int or increasing cut points"),
        (lambda: psi([1, 2], [1, 2], eps=0), r"eps must be in \(0, 1\); got 0"),
        (lambda: psi([np.nan], [1]), "expected and actual must each hold at least one value"),
        (
            lambda: psi_table(pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [1]}), ["a"]),
            r"columns must exist in both frames; missing \['a'\]",
        ),
        (
            lambda: psi_table(
                pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}), ["a"], thresholds=(0.3, 0.1)
            ),
            r"thresholds must satisfy 0 < low < high; got \(0.3, 0.1\)",
        ),
    ],
    ids=[
        "one-class",
        "length",
        "nan-score",
        "non-binary",
        "brier-range",
        "strategy",
        "n-bins",
        "confidence",
        "psi-bins",
        "psi-edges",
        "psi-eps",
        "psi-empty",
        "psi-table-columns",
        "psi-table-thresholds",
    ],
)
def test_bad_inputs(call, message):
    with pytest.raises(ConfigError, match=message):
        call()


@pytest.mark.parametrize("seed", range(20))
def test_ks_brier_and_calibration_equal_scipy_and_scikit_learn(seed):
    """The numbers are the libraries': KS the two-sample statistic, Brier the loss, the
    calibration table's rates the calibration curve (the table adds counts and intervals)."""
    from scipy.stats import ks_2samp
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss

    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 400))
    p = np.round(rng.beta(1, 6, n), int(rng.integers(1, 4)))  # rounded: ties in the scores
    y = (rng.random(n) < p).astype(int)
    y[:2] = [0, 1]
    result = ks(y, p)
    table = ks_table(y, p)
    assert result.statistic == ks_2samp(p[y == 0], p[y == 1]).statistic
    assert result.statistic == pytest.approx(table["distance"].abs().max(), abs=1e-12)
    best = table.loc[table["distance"].abs() >= result.statistic - 1e-12, "threshold"]
    assert result.threshold in set(best)
    assert brier(y, p) == brier_score_loss(y, p) == pytest.approx(np.mean((p - y) ** 2))
    # with PDs at a quantile edge, the table merges the bins sharing it where scikit-learn
    # keeps an empty-width bin of its own; without such ties the two agree
    q = rng.beta(1, 6, n)
    for strategy in ("quantile", "uniform"):
        cal = calibration_table(y, q, n_bins=8, strategy=strategy)
        rate, mean = calibration_curve(y, q, n_bins=8, strategy=strategy)
        np.testing.assert_allclose(cal["default_rate"], rate, rtol=1e-12)
        np.testing.assert_allclose(cal["mean_pd"], mean, rtol=1e-12)
        assert cal["n"].sum() == n
