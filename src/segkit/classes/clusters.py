"""Customer clusters: k-means or a Gaussian mixture on the customer feature table.

:class:`CustomerClusters` scales a handful of features (signed ``log1p`` for heavy-tailed
amounts, median imputation with missing-value indicators, one-hot categories), chooses the
number of clusters *k* by silhouette (k-means) or BIC (Gaussian mixture), measures how stable
the clusters are under bootstrap resampling and names every cluster after its most distinctive
features in words, e.g. ``"large, frequent, pays on time"`` (the catalogue kinds
``cluster_high`` and ``cluster_low``). Rows are never added or removed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin, clone
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from segkit.checks import check_lang
from segkit.classes.cluster_checks import check_distinct, check_fit
from segkit.exceptions import ConfigError
from segkit.text.catalogue import catalogue

__all__ = ["CustomerClusters", "FEATURE_LABELS_ZH"]

#: Chinese labels used by ``lang="zh"`` cluster names; other columns keep their own name.
FEATURE_LABELS_ZH = {
    "recency_days": "距上次开票天数",
    "tenure_days": "合作天数",
    "n_invoices": "发票数",
    "invoices_12m": "近12个月发票数",
    "active_months_12m": "近12个月活跃月数",
    "net_amount": "累计净额",
    "revenue_12m": "近12个月收入",
    "growth_12m": "收入增长率",
    "mean_invoice": "平均发票金额",
    "open_balance": "未结余额",
    "overdue_balance": "逾期余额",
    "aging_90_plus": "逾期90天以上余额",
    "dso_days": "应收账款周转天数",
    "avg_days_late": "平均逾期天数",
    "share_paid_late": "逾期付款占比",
    "credit_utilisation": "授信使用率",
}
_WORDS = {
    "en": {"high": "high", "low": "low", "sep": ", ", "typical": "typical"},
    "zh": {"high": "高", "low": "低", "sep": "、", "typical": "一般"},
}
#: Standardised mean differences below this size do not name a cluster.
MIN_DIFFERENCE = 0.25
#: Features that name a cluster, at most.
NAME_WORDS = 3
_SILHOUETTE_SAMPLE = 2000


def _signed_log1p(values):
    """Return ``sign(x) * log(1 + |x|)``: keeps the sign, tames heavy tails."""
    return np.sign(values) * np.log1p(np.abs(values))


def _prepare(frame, numeric, categorical):
    """Select the model columns: numbers as float64, categories as text ("missing" for NA)."""
    out = pd.DataFrame(index=frame.index)
    for col in numeric:
        out[col] = pd.to_numeric(frame[col]).to_numpy(dtype="float64", na_value=np.nan)
    for col in categorical:
        values = frame[col].astype(object)
        out[col] = values.where(values.notna(), "missing").astype(str)
    return out


class CustomerClusters(ClusterMixin, TransformerMixin, BaseEstimator):
    """Cluster customers and name the clusters after their distinguishing features.

    Parameters
    ----------
    numeric : tuple of str
        Numeric feature columns; missing values get the median plus a missing indicator.
    categorical : tuple of str
        Categorical columns, one-hot encoded (unseen categories are ignored).
    log_columns : tuple of str
        Subset of ``numeric`` transformed with a signed ``log1p`` before scaling.
    method : {"kmeans", "gmm"}
        ``KMeans(n_init=10)`` or ``GaussianMixture`` (full covariance).
    k_range : tuple of (int, int)
        Smallest and largest number of clusters tried, both included.
    selection : {"silhouette", "bic"}
        How k is chosen: highest silhouette, or lowest BIC (``method="gmm"`` only).
    n_resamples : int
        Bootstrap refits used to measure stability (0 skips it).
    random_state : int
        Seed for the models, the silhouette sample and the bootstrap.
    lang : {"en", "zh"}
        Language of the cluster names.
    checks : bool
        Withhold clusters that are not segments (:mod:`segkit.classes.cluster_checks`): ``fit``
        raises :class:`segkit.exceptions.ModelNotFitted`. False fits whatever the data give.

    Attributes
    ----------
    k_ : int
        Chosen number of clusters.
    scores_ : pandas.DataFrame
        Index ``k``, column ``score`` (silhouette or BIC) for every k tried.
    pipeline_ : sklearn.pipeline.Pipeline
        Preparation, column transformer and the fitted model with ``k_`` clusters.
    labels_ : numpy.ndarray
        Cluster of every training row.
    stability_ : float
        Mean adjusted Rand index between ``labels_`` and the labels predicted on the full
        data by refits on bootstrap resamples; NaN when ``n_resamples == 0``.
    smd_ : pandas.DataFrame
        Standardised mean difference (cluster mean minus overall mean, over the overall
        standard deviation; after the log transform) of every numeric feature per cluster.
    cluster_names_ : dict of int to str
        Unique readable name of every cluster.
    fit_check_ : dict
        The figures of :func:`segkit.classes.cluster_checks.check_fit`; ``fit`` raises
        :class:`segkit.exceptions.ModelNotFitted` instead when a check fails.
    """

    def __init__(
        self,
        *,
        numeric=("recency_days", "invoices_12m", "revenue_12m", "avg_days_late", "open_balance"),
        categorical=("industry_section", "size_cn"),
        log_columns=("revenue_12m", "open_balance", "invoices_12m"),
        method="kmeans",
        k_range=(2, 8),
        selection="silhouette",
        n_resamples=10,
        random_state=0,
        lang="en",
        checks=True,
    ):
        self.numeric = numeric
        self.categorical = categorical
        self.log_columns = log_columns
        self.method = method
        self.k_range = k_range
        self.selection = selection
        self.n_resamples = n_resamples
        self.random_state = random_state
        self.lang = lang
        self.checks = checks

    def fit(self, X, y=None):
        """Choose k, fit the pipeline, measure stability and name the clusters.

        Parameters
        ----------
        X : pandas.DataFrame
            Customer features, one row per customer, with the ``numeric`` and
            ``categorical`` columns.
        y : None
            Ignored.

        Returns
        -------
        CustomerClusters
            The fitted estimator.
        """
        self._check_params()
        self._check_columns(X)
        with threadpool_limits(limits=1):
            return self._fit(X, self._candidate_ks(len(X)))

    def _fit(self, X, ks):
        # Single-threaded: on a customer table, thread start-up costs more than it saves.
        prep = self._preprocessor()
        Z = prep.fit_transform(X)
        if self.checks:
            check_distinct(Z)
        models = {k: self._fit_model(k, Z) for k in ks}
        self.scores_ = pd.DataFrame(
            {"score": [self._score(models[k], Z) for k in ks]}, index=pd.Index(ks, name="k")
        )
        scores = self.scores_["score"]
        self.k_ = int(scores.idxmin() if self.selection == "bic" else scores.idxmax())
        self.pipeline_ = Pipeline([*prep.steps, ("model", models[self.k_])])
        self.labels_ = np.asarray(self.pipeline_.predict(X), dtype="int64")
        silhouette = scores[self.k_] if self.selection == "silhouette" else self._silhouette(Z)
        self.fit_check_ = check_fit(self.labels_, silhouette, enforce=self.checks)
        self.stability_ = self._stability(X)
        self.smd_ = self._differences(X, self.labels_)
        self.cluster_names_ = _unique_names(self.smd_, self.lang)
        return self

    def predict(self, X):
        """Return the cluster of every row as an int Series named ``cluster`` (same index)."""
        check_is_fitted(self)
        self._check_columns(X)
        with threadpool_limits(limits=1):
            labels = np.asarray(self.pipeline_.predict(X), dtype="int64")
        return pd.Series(labels, index=X.index, name="cluster")

    def transform(self, X):
        """Return a copy of ``X`` with ``cluster`` (int) and ``cluster_name`` (str) added."""
        labels = self.predict(X)
        out = X.copy()
        out["cluster"] = labels
        out["cluster_name"] = labels.map(self.cluster_names_)
        return out

    def profile(self, features):
        """Describe every cluster of ``features``.

        Parameters
        ----------
        features : pandas.DataFrame
            Customer features with the model columns (often the training frame).

        Returns
        -------
        pandas.DataFrame
            Index ``cluster`` (every fitted cluster, empty ones included), columns
            ``cluster_name``, ``size``, ``share``, then ``<col>_mean`` and ``<col>_median``
            for every numeric column and ``<col>_top`` (most frequent non-missing value)
            for every categorical column.
        """
        labels = self.predict(features)
        groups = features.groupby(labels)
        clusters = pd.Index(range(self.k_), name="cluster")
        out = pd.DataFrame(index=clusters)
        out["cluster_name"] = [self.cluster_names_[k] for k in clusters]
        out["size"] = labels.value_counts().reindex(clusters, fill_value=0).astype("int64")
        out["share"] = out["size"] / max(len(features), 1)
        for col in self.numeric:
            values = pd.to_numeric(features[col]).astype("float64").groupby(labels)
            out[f"{col}_mean"] = values.mean().reindex(clusters)
            out[f"{col}_median"] = values.median().reindex(clusters)
        for col in self.categorical:
            top = groups[col].agg(lambda s: s.mode().iloc[0] if s.notna().any() else np.nan)
            out[f"{col}_top"] = top.reindex(clusters)
        return out

    def _check_params(self):
        if self.method not in ("kmeans", "gmm"):
            raise ConfigError(f"method must be 'kmeans' or 'gmm'; got {self.method!r}.")
        if self.selection not in ("silhouette", "bic"):
            raise ConfigError(f"selection must be 'silhouette' or 'bic'; got {self.selection!r}.")
        if self.selection == "bic" and self.method != "gmm":
            raise ConfigError("selection='bic' needs method='gmm'; got method='kmeans'.")
        lo_hi = tuple(self.k_range) if isinstance(self.k_range, tuple | list) else ()
        if len(lo_hi) != 2 or not all(isinstance(k, int) for k in lo_hi) or not 2 <= lo_hi[0]:
            msg = "k_range must be two ints (low, high) with low >= 2"
            raise ConfigError(f"{msg}; got {self.k_range!r}.")
        if lo_hi[0] > lo_hi[1]:
            raise ConfigError(f"k_range must have low <= high; got {self.k_range}.")
        if not isinstance(self.n_resamples, int) or self.n_resamples < 0:
            raise ConfigError(f"n_resamples must be an int >= 0; got {self.n_resamples!r}.")
        check_lang(self.lang)
        if not self.numeric and not self.categorical:
            raise ConfigError("numeric and categorical are both empty; give at least one column.")
        stray = [c for c in self.log_columns if c not in self.numeric]
        if stray:
            raise ConfigError(f"log_columns must be numeric columns; not in numeric: {stray}.")

    def _check_columns(self, X):
        if not isinstance(X, pd.DataFrame):
            raise ConfigError(f"X must be a pandas DataFrame; got {type(X).__name__}.")
        missing = [c for c in (*self.numeric, *self.categorical) if c not in X.columns]
        if missing:
            raise ConfigError(f"features lack the columns needed for clustering: {missing}.")
        for col in self.numeric:
            if not pd.api.types.is_numeric_dtype(X[col]):
                raise ConfigError(f"numeric column {col!r} must be numeric; got {X[col].dtype}.")

    def _candidate_ks(self, n_rows):
        low, high = self.k_range
        if n_rows < 3:
            raise ConfigError(f"clustering needs at least 3 rows; got {n_rows}.")
        if high >= n_rows:
            high = n_rows - 1
            warnings.warn(
                f"k_range {tuple(self.k_range)} reaches the number of rows ({n_rows}); "
                f"clipped to ({min(low, high)}, {high}).",
                UserWarning,
                stacklevel=3,
            )
        return list(range(min(low, high), high + 1))

    def _preprocessor(self):
        logged = [c for c in self.numeric if c in self.log_columns]
        plain = [c for c in self.numeric if c not in self.log_columns]
        impute = {"strategy": "median", "add_indicator": True}
        parts = [
            (
                "log",
                make_pipeline(
                    FunctionTransformer(_signed_log1p, feature_names_out="one-to-one"),
                    SimpleImputer(**impute),
                    StandardScaler(),
                ),
                logged,
            ),
            ("num", make_pipeline(SimpleImputer(**impute), StandardScaler()), plain),
            (
                "cat",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                list(self.categorical),
            ),
        ]
        kwargs = {"numeric": tuple(self.numeric), "categorical": tuple(self.categorical)}
        return Pipeline(
            [
                ("prepare", FunctionTransformer(_prepare, kw_args=kwargs)),
                ("columns", ColumnTransformer([p for p in parts if p[2]])),
            ]
        )

    def _model(self, k):
        if self.method == "gmm":
            return GaussianMixture(n_components=k, random_state=self.random_state)
        return KMeans(n_clusters=k, n_init=10, random_state=self.random_state)

    def _fit_model(self, k, Z):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return self._model(k).fit(Z)

    def _score(self, model, Z):
        if self.selection == "bic":
            return float(model.bic(Z))
        return self._silhouette(Z, model.predict(Z))

    def _silhouette(self, Z, labels=None):
        labels = self.labels_ if labels is None else labels
        if len(np.unique(labels)) < 2:
            return np.nan
        size = _SILHOUETTE_SAMPLE if len(Z) > _SILHOUETTE_SAMPLE else None
        return float(silhouette_score(Z, labels, sample_size=size, random_state=self.random_state))

    def _stability(self, X):
        if self.n_resamples == 0:
            return np.nan
        rng = np.random.default_rng(self.random_state)
        template = Pipeline([*self._preprocessor().steps, ("model", self._model(self.k_))])
        scores = []
        for _ in range(self.n_resamples):
            rows = rng.integers(0, len(X), size=len(X))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                refit = clone(template).fit(X.iloc[rows])
            scores.append(adjusted_rand_score(self.labels_, refit.predict(X)))
        return float(np.clip(np.mean(scores), 0.0, 1.0))

    def _differences(self, X, labels):
        data = _prepare(X, self.numeric, ())
        for col in self.log_columns:
            data[col] = _signed_log1p(data[col])
        std = data.std(ddof=0).replace(0.0, np.nan)
        means = data.groupby(labels).mean().reindex(range(self.k_))
        smd = (means - data.mean()) / std
        smd.index.name = "cluster"
        return smd


def _word(col: str, high: bool, lang: str) -> str:
    """The word for a cluster above (``high``) or below the average of ``col``."""
    kind = "cluster_high" if high else "cluster_low"
    entry = catalogue()[kind].get(col)
    if entry is not None:
        return entry[lang]
    label = FEATURE_LABELS_ZH.get(col, col) if lang == "zh" else col
    return f"{_WORDS[lang]['high' if high else 'low']} {label}"


def _cluster_name(row, lang):
    """Name one cluster in words after its (at most three) largest standardised differences."""
    strength = row.abs().dropna().sort_values(ascending=False, kind="stable")
    parts = []
    for col in strength.index[:NAME_WORDS]:
        if strength[col] < MIN_DIFFERENCE:
            break
        parts.append(_word(col, row[col] > 0, lang))
    return _WORDS[lang]["sep"].join(parts) if parts else _WORDS[lang]["typical"]


def _unique_names(smd, lang):
    """Return ``{cluster: name}``; clashing names get the cluster number appended."""
    names = {int(k): _cluster_name(row, lang) for k, row in smd.iterrows()}
    counts = pd.Series(names).value_counts()
    return {k: f"{n} ({k})" if counts[n] > 1 else n for k, n in names.items()}
