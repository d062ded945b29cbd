"""Tests of segkit.credit.scorecard: the sklearn-compatible points scorecard."""

import numpy as np
import pandas as pd
import pytest
from optbinning import BinningProcess, Scorecard
from pandas.testing import assert_frame_equal, assert_series_equal
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import (
    check_estimators_unfitted,
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
)

from segkit.credit import CreditScorecard
from segkit.credit.directions import RISK_DIRECTIONS
from segkit.exceptions import ConfigError

FEATURES = ["dso_days", "avg_days_late", "share_paid_late", "credit_utilisation", "revenue_12m"]


@pytest.fixture(scope="module")
def data():
    """Seeded synthetic feature table: 5 numeric features with NaN and one categorical."""
    X, y = make_classification(
        n_samples=900,
        n_features=5,
        n_informative=3,
        n_redundant=1,
        weights=[0.85],
        random_state=7,
    )
    frame = pd.DataFrame(X, columns=FEATURES)
    rng = np.random.default_rng(7)
    frame.loc[rng.random(len(frame)) < 0.1, "dso_days"] = np.nan
    frame["industry_section"] = np.select(
        [frame["avg_days_late"] > 0.5, frame["avg_days_late"] > -0.5], ["C", "F"], "G"
    )
    frame["last_invoice"] = pd.Timestamp("2025-01-01")  # not a feature: datetime
    train, test = np.arange(600), np.arange(600, 900)
    return frame.iloc[train], y[train], frame.iloc[test], y[test]


@pytest.fixture(scope="module")
def fitted(data):
    X_train, y_train, _, _ = data
    return CreditScorecard().fit(X_train, y_train)


@pytest.fixture(scope="module")
def fitted_unrounded(data):
    X_train, y_train, _, _ = data
    return CreditScorecard(rounding=False).fit(X_train, y_train)


def test_auc_matches_optbinning_scorecard_under_the_same_constraints(data, fitted):
    """The wrapper is optbinning with the declared trends: same points, AUC within 0.005."""
    X_train, y_train, X_test, y_test = data
    names = fitted.features_in_
    trends = {
        n: {"monotonic_trend": RISK_DIRECTIONS.get(n, "auto_asc_desc")}
        for n in names
        if n != "industry_section"
    }
    process = BinningProcess(
        variable_names=names,
        categorical_variables=["industry_section"],
        binning_fit_params=trends,
    )
    reference = Scorecard(
        binning_process=process,
        estimator=LogisticRegression(C=1.0, random_state=0, max_iter=1000),
        scaling_method="pdo_odds",
        scaling_method_params={"pdo": 20, "odds": 50, "scorecard_points": 600},
        rounding=True,
    ).fit(X_train[names], y_train, metric_missing="empirical")
    expected = roc_auc_score(y_test, reference.predict_proba(X_test[names])[:, 1])
    ours = roc_auc_score(y_test, fitted.predict_proba(X_test)[:, 1])
    assert abs(ours - expected) <= 0.005
    assert expected > 0.75  # the synthetic data carry signal, so the comparison means something
    np.testing.assert_allclose(fitted.points(X_test), reference.score(X_test[names]))


def test_default_features_are_numeric_and_categorical_columns(fitted):
    # revenue_12m is declared "safer as it grows", but in these synthetic data defaults rise
    # with it (Spearman 0.40): it is left out, not flipped
    assert fitted.features_in_ == [f for f in FEATURES if f != "revenue_12m"] + ["industry_section"]
    assert fitted.dropped_ == {"revenue_12m": "contradicts_direction"}
    assert list(fitted.feature_names_in_) == FEATURES + ["industry_section", "last_invoice"]
    assert fitted.n_features_in_ == 7
    np.testing.assert_array_equal(fitted.classes_, [0, 1])


def _numeric_points(model):
    table = model.points_table()
    return table[
        ~table["bin"].isin(["Special", "Missing"]) & (table["variable"] != "industry_section")
    ]


def test_points_never_rise_with_a_declared_risk(fitted):
    for name, bins in _numeric_points(fitted).groupby("variable"):
        steps = np.diff(bins["points"].to_numpy(dtype=float))
        if RISK_DIRECTIONS[name] == "ascending":  # riskier as it grows: points never rise
            assert (steps <= 0).all(), (name, bins)
        else:
            assert (steps >= 0).all(), (name, bins)


def test_undeclared_features_get_a_monotone_trend_chosen_by_the_data(data):
    X_train, y_train, _, _ = data
    model = CreditScorecard(risk_directions={}).fit(X_train, y_train)
    # nothing is declared, so nothing contradicts a declaration; collinear features whose
    # logistic coefficient came out with the wrong sign are left out after the fit
    assert set(model.dropped_.values()) <= {"points_against_direction"}
    detailed = model.scorecard_.table(style="detailed")
    for name, bins in detailed.groupby("Variable"):
        bins = bins[~bins["Bin"].astype(str).isin(["Special", "Missing"])]
        steps = np.diff(bins["Points"].to_numpy(dtype=float))
        assert (steps <= 0).all() or (steps >= 0).all(), (name, bins)
        riskiest, safest = bins["Event rate"].idxmax(), bins["Event rate"].idxmin()
        assert bins.loc[riskiest, "Points"] <= bins.loc[safest, "Points"], name


def test_a_feature_whose_points_run_against_its_direction_is_left_out(data):
    X_train, y_train, _, _ = data
    twin = X_train.assign(share_paid_late_copy=X_train["share_paid_late"])
    directions = {"share_paid_late": "ascending", "share_paid_late_copy": "ascending"}
    model = CreditScorecard(
        risk_directions=directions, features=FEATURES[:4] + ["share_paid_late_copy"]
    ).fit(twin, y_train)
    for name, bins in _numeric_points(model).groupby("variable"):
        if name in directions:
            assert (np.diff(bins["points"].to_numpy(dtype=float)) <= 0).all()
    assert set(model.dropped_.values()) <= {"points_against_direction"}


@pytest.mark.parametrize(
    ("directions", "message"),
    [
        ({"dso_days": "up"}, r"risk_directions values must be in \('ascending', 'descending'\)"),
        (["dso_days"], r"risk_directions must be a mapping of feature to"),
    ],
    ids=["value", "type"],
)
def test_bad_risk_directions_are_refused(data, directions, message):
    X_train, y_train, _, _ = data
    with pytest.raises(ConfigError, match=message):
        CreditScorecard(risk_directions=directions).fit(X_train, y_train)


def test_points_follow_pdo_scale(data, fitted_unrounded):
    """600 points at 50:1 good:bad odds, 20 more points per doubling of the odds."""
    _, _, X_test, _ = data
    p_bad = fitted_unrounded.predict_proba(X_test)[:, 1]
    expected = 600 + 20 / np.log(2) * (np.log((1 - p_bad) / p_bad) - np.log(50))
    np.testing.assert_allclose(fitted_unrounded.points(X_test), expected, rtol=0, atol=1e-8)


def test_rounded_points_are_integers_and_close_to_unrounded(data, fitted, fitted_unrounded):
    _, _, X_test, _ = data
    points = fitted.points(X_test)
    np.testing.assert_array_equal(points, np.round(points))
    n_selected = fitted.points_table()["variable"].nunique()
    assert np.max(np.abs(points - fitted_unrounded.points(X_test))) <= 0.5 * n_selected


def test_score_is_always_the_auc_and_points_have_their_own_method(data, fitted):
    _, _, X_test, y_test = data
    with pytest.raises(TypeError):
        fitted.score(X_test)  # no longer points without y: one method, one type
    assert fitted.points(X_test).shape == (len(X_test),)
    expected = roc_auc_score(y_test, fitted.predict_proba(X_test)[:, 1])
    assert fitted.score(X_test, y_test) == pytest.approx(expected, abs=1e-12)


def test_predict_thresholds_probability_at_half(data, fitted):
    _, _, X_test, _ = data
    proba = fitted.predict_proba(X_test)
    assert proba.shape == (300, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(fitted.predict(X_test), (proba[:, 1] >= 0.5).astype(int))


def test_fit_is_deterministic_and_leaves_input_unchanged(data, fitted):
    X_train, y_train, X_test, _ = data
    before_X, before_y = X_train.copy(), y_train.copy()
    again = CreditScorecard().fit(X_train, y_train)
    assert_frame_equal(X_train, before_X)
    np.testing.assert_array_equal(y_train, before_y)
    np.testing.assert_array_equal(again.points(X_test), fitted.points(X_test))


def test_cross_validation_uses_auc(data, fitted):
    X_train, y_train, _, _ = data
    strongest = [fitted.iv().index[0]]
    scores = cross_val_score(CreditScorecard(features=strongest), X_train, y_train, cv=2)
    assert scores.shape == (2,)
    assert np.all((scores > 0.5) & (scores <= 1.0))


def test_binning_table_by_hand():
    """One categorical feature with a missing bin; WoE = ln(%goods / %bads)."""
    X = pd.DataFrame({"sector": ["a"] * 20 + ["b"] * 20 + [None] * 10})
    y = [1] * 2 + [0] * 18 + [1] * 10 + [0] * 10 + [1] * 5 + [0] * 5
    model = CreditScorecard().fit(X, y)
    goods, bads = 33, 17
    woe_a, woe_b = np.log((18 / goods) / (2 / bads)), np.log((10 / goods) / (10 / bads))
    woe_m = np.log((5 / goods) / (5 / bads))
    expected = pd.DataFrame(
        {
            "variable": ["sector"] * 4,
            "bin": ["[a]", "[b]", "Special", "Missing"],
            "count": [20, 20, 0, 10],
            "n_events": [2, 10, 0, 5],
            "event_rate": [0.1, 0.5, 0.0, 0.5],
            "woe": [woe_a, woe_b, 0.0, woe_m],
            "iv": [
                (18 / goods - 2 / bads) * woe_a,
                (10 / goods - 10 / bads) * woe_b,
                0.0,
                (5 / goods - 5 / bads) * woe_m,
            ],
            "selected": [True] * 4,
        }
    )
    assert_frame_equal(model.binning_table(), expected, check_exact=False, rtol=1e-6)
    assert_series_equal(
        model.iv(),
        pd.Series([expected["iv"].sum()], index=pd.Index(["sector"], name="variable"), name="iv"),
    )
    points = model.points_table()
    assert list(points.columns) == ["variable", "bin", "points"]
    assert points["bin"].tolist() == ["[a]", "[b]", "Special", "Missing"]
    assert points.loc[0, "points"] > points.loc[1, "points"]  # fewer defaults, more points
    assert points.loc[1, "points"] == points.loc[3, "points"]  # same WoE, same points


def test_missing_values_at_prediction_get_the_missing_bin(data, fitted):
    _, _, X_test, _ = data
    row = X_test.iloc[[0]].copy()
    row["dso_days"] = np.nan
    table = fitted.points_table()
    missing_points = table.query("variable == 'dso_days' and bin == 'Missing'")["points"]
    contributions = fitted.scorecard_.transform(row[fitted.features_in_])
    assert contributions["dso_days"].iloc[0] == missing_points.iloc[0]


def test_iv_lists_every_binned_feature_highest_first(fitted):
    iv = fitted.iv()
    assert sorted(iv.index) == sorted(fitted.features_in_)
    assert iv.is_monotonic_decreasing
    table = fitted.binning_table()
    per_variable = table.groupby("variable")["iv"].sum()
    np.testing.assert_allclose(per_variable[iv.index], iv, rtol=1e-6)
    assert (table.groupby("variable")["count"].sum() == 600).all()


def test_selection_criteria_drop_weak_features(data):
    X_train, y_train, _, _ = data
    model = CreditScorecard(selection_criteria={"iv": {"min": 0.1}}).fit(X_train, y_train)
    iv, table = model.iv(), model.binning_table()
    kept, weak = set(iv[iv >= 0.1].index), set(iv[iv < 0.1].index)
    assert kept and weak
    assert set(model.points_table()["variable"]) == kept
    assert not table[table["variable"].isin(weak)]["selected"].any()


def test_clone_and_params_round_trip():
    model = CreditScorecard(features=["a"], pdo=40, selection_criteria={"iv": {"min": 0.02}})
    params = model.get_params()
    copy = clone(model)
    assert copy.get_params() == params
    copy.set_params(pdo=10, base_odds=20)
    assert (copy.pdo, copy.base_odds, model.pdo) == (10, 20, 40)


@pytest.mark.parametrize(
    "check",
    [
        check_get_params_invariance,
        check_estimators_unfitted,
        check_parameters_default_constructible,
        check_no_attributes_set_in_init,
    ],
    ids=lambda c: c.__name__,
)
def test_sklearn_estimator_checks(check):
    check("CreditScorecard", CreditScorecard())


@pytest.mark.parametrize("method", ["points", "binning_table", "points_table", "iv"])
def test_not_fitted_error(method, data):
    _, _, X_test, _ = data
    model = CreditScorecard()
    args = (X_test,) if method == "points" else ()
    with pytest.raises(NotFittedError, match="not fitted"):
        getattr(model, method)(*args)


@pytest.mark.parametrize(
    ("y", "message"),
    [
        ([0, 1, np.nan, 0], "y must not contain missing values; got 1"),
        ([0, 1, 2, 0], r"y must be binary with values 0 and 1; got \['2'\]"),
        ([0, 0, 0, 0], "y must contain both 0 and 1; got only 0"),
        ([0, 1, 0], r"y must have one value per row of X \(4\); got 3"),
    ],
    ids=["nan", "three-classes", "one-class", "length"],
)
def test_bad_target(y, message):
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(ConfigError, match=message):
        CreditScorecard().fit(X, y)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"features": ["a", "nope"]}, r"features must name columns of X; missing \['nope'\]"),
        ({"categorical": ["b"], "features": ["a"]}, r"categorical must be a subset.*\['b'\]"),
        ({"pdo": 0}, "pdo must be a positive number; got 0"),
        ({"base_odds": -1}, "base_odds must be a positive number; got -1"),
        ({"max_n_bins": 1}, "max_n_bins must be None or an int >= 2; got 1"),
        ({"min_bin_size": 0.9}, r"min_bin_size must be None or in \(0, 0.5\]; got 0.9"),
    ],
    ids=["unknown-feature", "categorical-outside", "pdo", "odds", "bins", "bin-size"],
)
def test_bad_parameters(params, message):
    X = pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40.0)})
    y = np.tile([0, 1], 20)
    with pytest.raises(ConfigError, match=message):
        CreditScorecard(**params).fit(X, y)


@pytest.mark.filterwarnings("ignore:No variables were selected")
def test_selection_that_keeps_nothing(data):
    X_train, y_train, _, _ = data
    with pytest.raises(ConfigError, match=r"selection_criteria .*'min': 50.* kept no feature"):
        CreditScorecard(selection_criteria={"iv": {"min": 50}}).fit(X_train, y_train)


def test_prediction_needs_the_fitted_features(data, fitted):
    _, _, X_test, _ = data
    with pytest.raises(ConfigError, match=r"X lacks the fitted features \['dso_days'\]"):
        fitted.predict_proba(X_test.drop(columns="dso_days"))


def nonlinear_credit_data(n: int = 3000, seed: int = 11) -> tuple[pd.DataFrame, np.ndarray]:
    """Seeded features where risk rises steadily (linear), at both ends (U) and in the middle."""
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=3, n_redundant=1, weights=[0.85],
        flip_y=0.03, random_state=seed,
    )  # fmt: skip
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    rng = np.random.default_rng(seed)
    frame["utilisation_gap"] = rng.normal(size=n)  # risk at both ends
    frame["days_to_pay"] = rng.uniform(-3, 3, n)  # risk in the middle
    logit = -2.2 + 1.3 * frame["utilisation_gap"] ** 2 + 1.5 * np.exp(-(frame["days_to_pay"] ** 2))
    y = np.maximum(y, (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int))
    frame.loc[rng.random(n) < 0.08, "x0"] = np.nan
    frame["segment"] = np.where(frame["x1"] > 0.5, "a", np.where(frame["x1"] > -0.5, "b", "c"))
    return frame, y


def test_cross_validated_auc_matches_binning_process_and_logistic_regression():
    X, y = nonlinear_credit_data()
    folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(X, y))

    def engine(trend):
        params = {c: {"monotonic_trend": trend} for c in X.columns if c != "segment"}
        process = BinningProcess(
            list(X.columns), categorical_variables=["segment"], binning_fit_params=params
        )
        return make_pipeline(process, LogisticRegression())

    def cv_auc(model):
        return cross_val_score(model, X, y, cv=folds, scoring="roc_auc").mean()

    # under the same constraints the wrapper is optbinning: parity within 0.005
    free, steady = cv_auc(engine("auto")), cv_auc(engine("auto_asc_desc"))
    assert free > 0.7  # the data carry signal, so parity means something
    assert abs(cv_auc(CreditScorecard(monotonic_trend="auto")) - free) < 0.005
    assert abs(cv_auc(CreditScorecard()) - steady) < 0.005
    # the price of points that read one way: where risk peaks mid-range, monotone bins lose
    assert steady < free - 0.02


def test_a_logistic_regression_that_does_not_converge_withholds_the_card(data, monkeypatch):
    import warnings

    from segkit.exceptions import ModelNotFitted
    from segkit.text import text

    X_train, y_train, _, _ = data

    def one_step(**params):
        return LogisticRegression(**{**params, "max_iter": 1})

    monkeypatch.setattr("segkit.credit.scorecard.LogisticRegression", one_step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the solver's warning becomes the sentence, not a line
        with pytest.raises(ModelNotFitted, match="did not converge") as caught:
            CreditScorecard().fit(X_train, y_train)
    assert caught.value.reason == "not_converged"
    figures = {"held": 36, "first": "2023-01-01", "last": "2025-12-31"}
    assert "without converging" in text("credit_skip", "not_converged", "en", **figures)
    assert "仍未收敛" in text("credit_skip", "not_converged", "zh", **figures)
