"""Every estimator runs scikit-learn's estimator checks; the checks it fails are declared here
with the reason, and a declared failure that starts to pass fails the test (``xfail_strict``), so
the list stays true.

segkit's estimators take one row per customer with named columns and a default flag of 0 or 1,
so most failures come from scikit-learn's random arrays, which have neither.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from segkit.cash.model import LatePaymentModel
from segkit.classes.clusters import CustomerClusters
from segkit.classes.rfm_scorer import RFMScorer
from segkit.classes.tiers import ABCTiers
from segkit.credit.grades import PDCalibrator
from segkit.credit.scorecard import CreditScorecard
from segkit.exceptions import ConfigError
from segkit.growth.bgnbd import BetaGeo
from segkit.growth.gammagamma import GammaGamma

# Why a check fails, by kind.
NAMED = (
    "reads its columns by name (one row per customer): an array without column names is "
    "refused with a ConfigError naming the columns it needs"
)
BINARY = (
    "the target is a default flag, 0 or 1: other labels (1 and 2, 'one' and 'two') are "
    "refused with a ConfigError"
)
ONE_SCORE = "calibrates one column of scores: an X of several columns is refused with a ConfigError"
LEDGER = "fits on a ledger and an as-of date, fit(ledger, as_of), not on X and y"
WORDING = (
    "refuses the input with a ConfigError (a ValueError) in segkit's words, not the "
    "sentence the check looks for"
)
NAN = (
    "a missing value is data (no purchases yet, a feature the ledger lacks) and gets its "
    "own class or bin, so NaN is accepted"
)
SPARSE = "works on DataFrames; a sparse matrix is refused"
ONE_LABEL = "a model of defaults needs both outcomes: a single class is refused with a ConfigError"

#: Estimator -> reason -> the checks failing for it.
EXPECTED = {
    "CreditScorecard": {
        BINARY: [
            "check_classifier_data_not_an_array",
            "check_classifiers_classes",
            "check_classifiers_train",
            "check_dict_unchanged",
            "check_dont_overwrite_parameters",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_fit_returns_self",
            "check_estimators_overwrite_params",
            "check_f_contiguous_array_estimator",
            "check_fit2d_predict1d",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_n_features_in_after_fitting",
            "check_positive_only_tag_during_fit",
            "check_readonly_memmap_input",
            "check_supervised_y_2d",
        ],
        WORDING: [
            "check_classifiers_regression_target",
            "check_complex_data",
            "check_estimators_empty_data_messages",
            "check_fit2d_1feature",
            "check_fit2d_1sample",
            "check_requires_y_none",
        ],
        SPARSE: [
            "check_estimator_sparse_array",
            "check_estimator_sparse_matrix",
            "check_estimator_sparse_tag",
        ],
        ONE_LABEL: [
            "check_classifiers_one_label",
        ],
    },
    "PDCalibrator": {
        ONE_SCORE: [
            "check_classifier_data_not_an_array",
            "check_classifiers_classes",
            "check_classifiers_train",
            "check_dict_unchanged",
            "check_dont_overwrite_parameters",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_fit_returns_self",
            "check_estimators_overwrite_params",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_fit2d_predict1d",
            "check_fit_check_is_fitted",
            "check_fit_idempotent",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
            "check_pipeline_consistency",
            "check_positive_only_tag_during_fit",
            "check_readonly_memmap_input",
            "check_supervised_y_2d",
        ],
        WORDING: [
            "check_classifiers_regression_target",
            "check_complex_data",
            "check_estimators_empty_data_messages",
            "check_fit2d_1feature",
            "check_fit2d_1sample",
            "check_requires_y_none",
        ],
        NAN: [
            "check_estimators_nan_inf",
        ],
        SPARSE: [
            "check_estimator_sparse_array",
            "check_estimator_sparse_matrix",
            "check_estimator_sparse_tag",
        ],
        ONE_LABEL: [
            "check_classifiers_one_label",
        ],
    },
    "ABCTiers": {
        NAMED: [
            "check_dict_unchanged",
            "check_dont_overwrite_parameters",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_fit_returns_self",
            "check_estimators_overwrite_params",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_fit2d_predict1d",
            "check_fit_check_is_fitted",
            "check_fit_idempotent",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
            "check_pipeline_consistency",
            "check_positive_only_tag_during_fit",
            "check_readonly_memmap_input",
            "check_transformer_data_not_an_array",
            "check_transformer_general",
            "check_transformer_preserve_dtypes",
        ],
        WORDING: [
            "check_complex_data",
            "check_estimators_empty_data_messages",
            "check_fit2d_1feature",
            "check_fit2d_1sample",
        ],
        NAN: [
            "check_estimators_nan_inf",
        ],
        SPARSE: [
            "check_estimator_sparse_array",
            "check_estimator_sparse_matrix",
            "check_estimator_sparse_tag",
        ],
    },
    "RFMScorer": {
        NAMED: [
            "check_dict_unchanged",
            "check_dont_overwrite_parameters",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_fit_returns_self",
            "check_estimators_overwrite_params",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_fit2d_predict1d",
            "check_fit_check_is_fitted",
            "check_fit_idempotent",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
            "check_pipeline_consistency",
            "check_positive_only_tag_during_fit",
            "check_readonly_memmap_input",
            "check_transformer_data_not_an_array",
            "check_transformer_general",
            "check_transformer_preserve_dtypes",
        ],
        WORDING: [
            "check_complex_data",
            "check_estimators_empty_data_messages",
            "check_fit2d_1feature",
            "check_fit2d_1sample",
        ],
        NAN: [
            "check_estimators_nan_inf",
        ],
        SPARSE: [
            "check_estimator_sparse_array",
            "check_estimator_sparse_matrix",
            "check_estimator_sparse_tag",
        ],
    },
    "CustomerClusters": {
        NAMED: [
            "check_clustering",
            "check_dict_unchanged",
            "check_dont_overwrite_parameters",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_fit_returns_self",
            "check_estimators_overwrite_params",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_fit2d_predict1d",
            "check_fit_check_is_fitted",
            "check_fit_idempotent",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
            "check_pipeline_consistency",
            "check_positive_only_tag_during_fit",
            "check_readonly_memmap_input",
            "check_transformer_data_not_an_array",
            "check_transformer_general",
        ],
        WORDING: [
            "check_complex_data",
            "check_estimators_empty_data_messages",
            "check_fit2d_1feature",
            "check_fit2d_1sample",
        ],
        NAN: [
            "check_estimators_nan_inf",
        ],
        SPARSE: [
            "check_estimator_sparse_array",
            "check_estimator_sparse_matrix",
            "check_estimator_sparse_tag",
        ],
    },
    "BetaGeo": {
        NAMED: [
            "check_dict_unchanged",
            "check_dont_overwrite_parameters",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_fit_returns_self",
            "check_estimators_overwrite_params",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_fit2d_predict1d",
            "check_fit_check_is_fitted",
            "check_fit_idempotent",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
            "check_pipeline_consistency",
            "check_positive_only_tag_during_fit",
            "check_readonly_memmap_input",
        ],
        WORDING: [
            "check_complex_data",
            "check_estimators_empty_data_messages",
            "check_fit2d_1feature",
            "check_fit2d_1sample",
        ],
        NAN: [
            "check_estimators_nan_inf",
        ],
    },
    "GammaGamma": {
        NAMED: [
            "check_dict_unchanged",
            "check_dont_overwrite_parameters",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_fit_returns_self",
            "check_estimators_overwrite_params",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_fit2d_predict1d",
            "check_fit_check_is_fitted",
            "check_fit_idempotent",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
            "check_pipeline_consistency",
            "check_positive_only_tag_during_fit",
            "check_readonly_memmap_input",
        ],
        WORDING: [
            "check_complex_data",
            "check_estimators_empty_data_messages",
            "check_fit2d_1feature",
            "check_fit2d_1sample",
        ],
        NAN: [
            "check_estimators_nan_inf",
        ],
    },
    "LatePaymentModel": {
        LEDGER: [
            "check_dict_unchanged",
            "check_dont_overwrite_parameters",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_fit_returns_self",
            "check_estimators_overwrite_params",
            "check_estimators_pickle",
            "check_estimators_unfitted",
            "check_f_contiguous_array_estimator",
            "check_fit2d_predict1d",
            "check_fit_check_is_fitted",
            "check_fit_idempotent",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
            "check_pipeline_consistency",
            "check_positive_only_tag_during_fit",
            "check_readonly_memmap_input",
        ],
        WORDING: [
            "check_complex_data",
            "check_estimators_empty_data_messages",
            "check_fit2d_1feature",
            "check_fit2d_1sample",
        ],
        NAN: [
            "check_estimators_nan_inf",
        ],
        SPARSE: [
            "check_estimator_sparse_array",
            "check_estimator_sparse_matrix",
            "check_estimator_sparse_tag",
        ],
    },
}

ESTIMATORS = [
    CreditScorecard(), PDCalibrator(), ABCTiers(), RFMScorer(), CustomerClusters(),
    BetaGeo(), GammaGamma(), LatePaymentModel(),
]  # fmt: skip


def expected_failed_checks(estimator) -> dict[str, str]:
    groups = EXPECTED[type(estimator).__name__]
    return {check: reason for reason, checks in groups.items() for check in checks}


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=expected_failed_checks, xfail_strict=True
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


#: Modules the search below does not import: the command line runs when imported as __main__.
NOT_IMPORTED = {"segkit.cli", "segkit.__main__"}


def test_every_estimator_of_segkit_is_checked():
    import inspect
    import pkgutil
    from importlib import import_module

    from sklearn.base import BaseEstimator

    import segkit

    found = set()
    for info in pkgutil.walk_packages(segkit.__path__, "segkit."):
        if ".studies" in info.name or ".reports" in info.name or info.name in NOT_IMPORTED:
            continue
        module = import_module(info.name)
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseEstimator) and obj.__module__ == info.name:
                found.add(name)
    assert found - {"_BaselineClassifier"} <= {type(e).__name__ for e in ESTIMATORS}, found


@pytest.mark.parametrize("estimator", [ABCTiers(), RFMScorer(), CustomerClusters()])
def test_a_numpy_array_fails_with_a_segkit_error_naming_what_is_needed(estimator):
    with pytest.raises(ConfigError, match="DataFrame"):
        estimator.fit(np.ones((5, 3)))


@pytest.mark.parametrize(
    "estimator", [e for e in ESTIMATORS if not isinstance(e, LatePaymentModel)], ids=type
)
def test_parameters_after_the_data_are_keyword_only(estimator):
    import inspect

    params = inspect.signature(type(estimator).__init__).parameters.values()
    assert all(p.kind is p.KEYWORD_ONLY for p in params if p.name != "self")
    with pytest.raises(TypeError):
        type(estimator)("positional")


def test_a_scorecard_refuses_an_array_of_another_width():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] + rng.normal(size=300) > 0.5).astype(int)
    card = CreditScorecard().fit(X, y)
    assert card.predict_proba(X).shape == (300, 2)
    with pytest.raises(ConfigError, match="X has 2 features, but CreditScorecard is expecting 3"):
        card.predict(X[:, :2])
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(extra=1.0)
    named = CreditScorecard().fit(frame[["a", "b", "c"]], y)
    np.testing.assert_array_equal(
        named.predict_proba(frame), named.predict_proba(frame[["a", "b", "c"]])
    )
