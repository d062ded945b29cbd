"""Tests for segkit.classes.clusters.CustomerClusters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal
from sklearn.base import clone

from segkit.classes.clusters import CustomerClusters
from segkit.exceptions import ConfigError, ModelNotFitted

NUMERIC = ("recency_days", "invoices_12m", "revenue_12m", "avg_days_late", "open_balance")
# recency, invoices, revenue, days late, open balance, industry, size
CENTRES = [
    (10.0, 40.0, 2_000_000.0, 2.0, 100_000.0, "C", "large"),
    (300.0, 2.0, 5_000.0, 60.0, 4_000.0, "F", "micro"),
    (90.0, 12.0, 80_000.0, 15.0, 900_000.0, "G", "medium"),
]


@pytest.fixture(scope="module")
def blobs():
    """Three clearly separated groups of 30 customers (seeded noise of about 10 %)."""
    rng = np.random.default_rng(7)
    rows = []
    for centre in CENTRES:
        noise = 1 + 0.1 * rng.standard_normal((30, 5))
        for r in range(30):
            values = dict(zip(NUMERIC, np.array(centre[:5]) * noise[r], strict=True))
            rows.append({**values, "industry_section": centre[5], "size_cn": centre[6]})
    index = pd.Index([f"C{i:03d}" for i in range(len(rows))], name="customer_id")
    return pd.DataFrame(rows, index=index)


@pytest.fixture(scope="module")
def fitted(blobs):
    return CustomerClusters().fit(blobs)


def group_of(model):
    """Cluster label of each of the three true groups (first row of each group)."""
    return [int(model.labels_[i]) for i in (0, 30, 60)]


def test_silhouette_finds_three_blobs(fitted, blobs):
    assert fitted.k_ == 3
    assert fitted.scores_.index.tolist() == list(range(2, 9))
    assert fitted.scores_["score"].idxmax() == 3
    labels = group_of(fitted)
    assert sorted(labels) == [0, 1, 2]
    assert (fitted.labels_ == np.repeat(labels, 30)).all()


def test_stability_is_high_for_clear_blobs(fitted):
    assert 0.95 <= fitted.stability_ <= 1.0


def test_names_describe_the_distinguishing_features_in_words(fitted, blobs):
    big, late, owing = group_of(fitted)
    assert fitted.cluster_names_ == {
        big: "large, frequent, bought recently",
        late: "pays late, not bought lately, small open balance",
        owing: "large open balance, pays on time, bought recently",
    }


def test_same_seed_same_result(blobs, fitted):
    again = CustomerClusters().fit(blobs)
    assert (again.labels_ == fitted.labels_).all()
    assert again.cluster_names_ == fitted.cluster_names_
    assert again.stability_ == fitted.stability_
    assert_frame_equal(again.scores_, fitted.scores_)


def test_gmm_with_bic(blobs):
    model = CustomerClusters(method="gmm", selection="bic", k_range=(2, 5), n_resamples=3)
    model.fit(blobs)
    assert model.k_ == 3
    assert model.scores_["score"].idxmin() == 3
    assert 0.0 <= model.stability_ <= 1.0
    assert sorted(set(model.labels_)) == [0, 1, 2]


def test_transform_keeps_rows_and_input(fitted, blobs):
    before = blobs.copy()
    out = fitted.transform(blobs)
    assert_frame_equal(blobs, before)
    assert out.index.equals(blobs.index)
    assert out.columns.tolist() == [*blobs.columns, "cluster", "cluster_name"]
    assert out["cluster"].dtype == "int64"
    assert out["cluster_name"].tolist() == [fitted.cluster_names_[k] for k in fitted.labels_]
    assert_series_equal(
        fitted.predict(blobs), pd.Series(fitted.labels_, index=blobs.index, name="cluster")
    )


def test_clone_gives_an_unfitted_copy_with_the_same_params(blobs):
    model = CustomerClusters(method="gmm", k_range=(3, 4), n_resamples=2, random_state=3)
    model.fit(blobs)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "k_")
    assert (copy.fit(blobs).labels_ == model.labels_).all()


def test_missing_values_and_unseen_categories(blobs, fitted):
    frame = blobs.copy()
    frame.iloc[[0, 31, 62], 3] = np.nan  # avg_days_late
    frame.iloc[[5, 40], frame.columns.get_loc("size_cn")] = None
    before = frame.copy()
    model = CustomerClusters(k_range=(3, 3), n_resamples=2).fit(frame)
    assert_frame_equal(frame, before)
    assert set(model.labels_) == {0, 1, 2}
    new = blobs.iloc[[0, 30]].assign(industry_section="Z", revenue_12m=[np.nan, 1.0])
    assert fitted.predict(new).between(0, 2).all()


def tiny(column="x"):
    index = pd.Index(list("abcdef"), name="customer_id")
    return pd.DataFrame(
        {column: [1.0, 2.0, 3.0, 100.0, 101.0, 102.0], "c": ["a", "a", "b", "z", "z", None]},
        index=index,
    )


def test_profile_by_hand():
    model = CustomerClusters(
        numeric=("x",), categorical=("c",), log_columns=(), k_range=(2, 2), n_resamples=0,
        checks=False,  # six rows: too few for segments, enough to check the profile by hand
    ).fit(tiny())
    low, high = int(model.labels_[0]), int(model.labels_[3])
    want = pd.DataFrame(
        {
            "cluster_name": ["low x", "high x"],
            "size": [3, 3],
            "share": [0.5, 0.5],
            "x_mean": [2.0, 101.0],
            "x_median": [2.0, 101.0],
            "c_top": ["a", "z"],
        },
        index=pd.Index([low, high], name="cluster"),
    ).sort_index()
    assert_frame_equal(model.profile(tiny()), want)
    assert np.isnan(model.stability_)


def test_chinese_names():
    model = CustomerClusters(
        numeric=("revenue_12m",), categorical=(), log_columns=(), k_range=(2, 2), lang="zh",
        checks=False,
    ).fit(tiny("revenue_12m"))
    low, high = int(model.labels_[0]), int(model.labels_[3])
    assert model.cluster_names_ == {low: "收入低", high: "收入高"}


def test_clashing_names_get_the_cluster_number():
    x = [0.0, 0.1, 0.2, 1.0, 1.1, 1.2, 10.0, 10.1, 10.2, 11.0, 11.1, 11.2]
    frame = pd.DataFrame({"x": x})
    model = CustomerClusters(
        numeric=("x",), categorical=(), log_columns=(), k_range=(4, 4), n_resamples=0,
        checks=False,
    ).fit(frame)
    names = model.cluster_names_
    assert len(set(names.values())) == 4
    expect = {int(model.labels_[i]): "low x" if x[i] < 5 else "high x" for i in (0, 3, 6, 9)}
    assert names == {k: f"{v} ({k})" for k, v in expect.items()}


def test_missing_columns_are_listed(blobs):
    with pytest.raises(ConfigError, match=r"lack the columns.*\['revenue_12m', 'size_cn'\]"):
        CustomerClusters().fit(blobs.drop(columns=["revenue_12m", "size_cn"]))


def test_few_rows_clip_k_range_with_a_warning():
    with pytest.warns(UserWarning, match=r"k_range \(2, 8\) reaches the number of rows \(6\)"):
        model = CustomerClusters(
            numeric=("x",), categorical=("c",), log_columns=(), checks=False
        ).fit(tiny())
    assert model.scores_.index.tolist() == [2, 3, 4, 5]
    assert model.fit_check_["failed"] == "too_few"


def test_fewer_than_three_rows_rejected():
    with pytest.raises(ConfigError, match="at least 3 rows; got 2"):
        CustomerClusters(numeric=("x",), categorical=(), log_columns=()).fit(tiny().iloc[:2])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({"method": "dbscan"}, "method must be 'kmeans' or 'gmm'", id="method"),
        pytest.param({"selection": "bic"}, "selection='bic' needs method='gmm'", id="bic-kmeans"),
        pytest.param({"k_range": (1, 4)}, r"low >= 2; got \(1, 4\)", id="k-low"),
        pytest.param({"k_range": (5, 3)}, r"low <= high; got \(5, 3\)", id="k-order"),
        pytest.param({"n_resamples": -1}, "n_resamples must be an int >= 0", id="resamples"),
        pytest.param({"lang": "fr"}, "lang must be one of", id="lang"),
        pytest.param({"log_columns": ("y",)}, r"not in numeric: \['y'\]", id="log-columns"),
    ],
)
def test_bad_parameters(params, message):
    base = {"numeric": ("x",), "categorical": ("c",), "log_columns": ()}
    with pytest.raises(ConfigError, match=message):
        CustomerClusters(**{**base, **params}).fit(tiny())


def test_text_in_a_numeric_column_rejected():
    frame = tiny().assign(x=list("123456"))
    with pytest.raises(ConfigError, match="numeric column 'x' must be numeric; got object"):
        CustomerClusters(numeric=("x",), categorical=(), log_columns=()).fit(frame)


def _withheld(frame, **params):
    options = {"numeric": ("x", "y"), "categorical": (), "log_columns": (), "n_resamples": 0}
    with pytest.raises(ModelNotFitted) as caught:
        CustomerClusters(**{**options, **params}).fit(frame)
    return caught.value


def test_identical_customers_are_not_clustered():
    error = _withheld(pd.DataFrame({"x": [5.0] * 40, "y": [1.0] * 40}))
    assert error.reason == "identical" and error.figures == {"n": 40}
    assert "identical on every clustering feature" in str(error)


def test_too_few_customers_for_k_are_not_clustered():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": np.r_[rng.normal(0, 1, 6), rng.normal(50, 1, 6)],
                          "y": rng.normal(0, 1, 12)})  # fmt: skip
    error = _withheld(frame, k_range=(2, 2))
    assert error.reason == "too_few"
    assert error.figures["n"] == 12 and error.figures["k"] == 2  # 12 < 10 per cluster x 2


def test_a_cluster_of_one_customer_is_not_a_segment():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": np.r_[rng.normal(0, 1, 59), [500.0]], "y": rng.normal(0, 1, 60)})
    error = _withheld(frame, k_range=(2, 2))
    assert error.reason == "degenerate"
    assert error.figures["smallest"] == 1 and error.figures["n"] == 60


def test_customers_without_groups_are_not_clustered():
    # one cloud of customers in six features: k-means cuts it anyway, the silhouette says so
    rng = np.random.default_rng(2)
    columns = ("x", "y", "u", "v", "w", "z")
    frame = pd.DataFrame(rng.normal(0, 1, (400, 6)), columns=list(columns))
    error = _withheld(frame, numeric=columns, k_range=(2, 4))
    assert error.reason == "weak"
    assert 0 < error.figures["silhouette"] <= 0.25
    model = CustomerClusters(numeric=columns, categorical=(), log_columns=(), n_resamples=0,
                             k_range=(2, 4), checks=False).fit(frame)  # fmt: skip
    assert model.fit_check_["failed"] == "weak"


def test_separate_groups_pass_the_checks(blobs):
    model = CustomerClusters().fit(blobs)
    assert "failed" not in model.fit_check_
    assert model.fit_check_["silhouette"] > 0.25 and model.fit_check_["smallest"] >= 2


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_study_says_why_clusters_are_withheld(lang):
    from segkit.studies.segmentation.tables import cluster_text

    figures = {"n": 400, "k": 2, "smallest": 150, "share": 0.375, "silhouette": 0.21,
               "per_cluster": 10, "min_share": 0.01, "min_silhouette": 0.25}  # fmt: skip
    said = cluster_text({"clusters": {"withheld": "weak", "figures": figures}}, lang)
    if lang == "en":
        assert said.startswith("No clusters are shown: the best clustering (2 clusters) has a "
                               "mean silhouette of 0.21, at or below 0.25")
    else:
        assert said.startswith("不显示聚类：最佳聚类（2类）的平均轮廓系数为0.21，不高于0.25")
    for reason in ("identical", "too_few", "degenerate"):
        assert "No clusters" in cluster_text(
            {"clusters": {"withheld": reason, "figures": figures}}, "en"
        )
