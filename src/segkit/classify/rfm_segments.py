"""RFM scores, the ten-segment RFM map and the Chinese eight-class RFM model (RFM八类客户).

Shape: one row per customer with *recency_days, invoices_12m, revenue_12m* ->
*r_score, f_score, m_score, rfm_cell* -> *rfm_segment*; or -> *rfm_class_cn*.

Scores are quintiles in the manner of A. M. Hughes, *Strategic Database Marketing* (1994).
Customers who never bought (recency NaN) get scores 0, cell ``"000"``, the segment
``no_purchase`` and no eight-class class (NaN). For customers who did buy, a missing frequency
or monetary value means nothing in the window and counts as 0.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from segkit.classify.activity import _is_number, numeric, require_columns
from segkit.classify.labels import LABELS, check_lang
from segkit.exceptions import ConfigError

__all__ = [
    "SCORE_COLUMNS",
    "DEFAULT_SEGMENT_MAP",
    "CN8_CLASSES",
    "RFMScorer",
    "rfm_scores",
    "segment_grid",
    "rfm_segment",
    "rfm_class_cn",
]

SCORE_COLUMNS = ("r_score", "f_score", "m_score")
N_SCORES = 5
RANGE_KEYS = ("r", "f", "m", "fm")

#: The ten-segment map on R and FM = round half up of (F + M) / 2; first match wins.
DEFAULT_SEGMENT_MAP = (
    {"name": "champions", "r": (4, 5), "fm": (4, 5)},
    {"name": "loyal", "r": (3, 5), "fm": (3, 5)},
    {"name": "potential_loyalist", "r": (4, 5), "fm": (2, 3)},
    {"name": "new_customers", "r": (5, 5), "fm": (1, 1)},
    {"name": "promising", "r": (4, 4), "fm": (1, 1)},
    {"name": "need_attention", "r": (2, 3), "fm": (2, 3)},
    {"name": "about_to_sleep", "r": (2, 3), "fm": (1, 2)},
    {"name": "cant_lose_them", "r": (1, 1), "fm": (4, 5)},
    {"name": "at_risk", "r": (1, 2), "fm": (3, 5)},
    {"name": "lost", "r": (1, 1), "fm": (1, 2)},
)

#: (recent, frequent, high monetary) -> class of the eight-class model.
CN8_CLASSES = {
    (True, True, True): "important_value",
    (True, False, True): "important_development",
    (False, True, True): "important_retention",
    (False, False, True): "important_winback",
    (True, True, False): "general_value",
    (True, False, False): "general_development",
    (False, True, False): "general_retention",
    (False, False, False): "general_winback",
}


def _rfm_values(frame: pd.DataFrame, columns: dict[str, str], where: str) -> pd.DataFrame:
    params = dict(zip(("recency", "frequency", "monetary"), columns.values(), strict=True))
    require_columns(frame, params, where)
    values = {key: numeric(frame, column, where) for key, column in columns.items()}
    values["f"], values["m"] = values["f"].fillna(0.0), values["m"].fillna(0.0)
    return pd.DataFrame(values, index=frame.index)


def _check_score_thresholds(thresholds) -> dict[str, np.ndarray]:
    if thresholds is None:
        return {}
    if not isinstance(thresholds, dict) or not set(thresholds) <= {"r", "f", "m"}:
        raise ConfigError(
            f"thresholds must be a dict with keys among 'r', 'f', 'm'; got {thresholds!r}."
        )
    checked = {}
    for key, edges in thresholds.items():
        edges = list(edges) if isinstance(edges, list | tuple | np.ndarray) else []
        ok = 1 <= len(edges) < N_SCORES and all(map(_is_number, edges))
        if not ok or any(a >= b for a, b in itertools.pairwise(edges)):
            raise ConfigError(
                f"thresholds[{key!r}] must be 1 to 4 strictly increasing numbers; "
                f"got {thresholds[key]!r}."
            )
        checked[key] = np.asarray(edges, dtype=float)
    return checked


def _quantile_edges(values: pd.Series, column: str) -> np.ndarray:
    """Inner bin edges at the 20/40/60/80% quantiles (data values), duplicates dropped."""
    distinct = np.unique(values.to_numpy())
    if distinct.size < 2:
        raise ConfigError(
            f"RFMScorer: column {column!r} needs at least 2 distinct values among customers "
            f"with purchases to compute quantile edges; got {distinct.size}."
        )
    probs = np.arange(1, N_SCORES) / N_SCORES
    edges = np.unique(np.quantile(values.to_numpy(), probs, method="lower"))
    edges = edges[edges < distinct[-1]]
    if edges.size == 0:
        edges = distinct[-2:-1]
    if edges.size + 1 < N_SCORES:
        scores = _spread(np.arange(edges.size + 1), edges.size + 1).tolist()
        warnings.warn(
            f"RFMScorer: column {column!r} has tied quantile edges; {edges.size + 1} bins "
            f"instead of {N_SCORES}, scored {scores}.",
            UserWarning,
            stacklevel=3,
        )
    return edges


def _spread(bins: np.ndarray, n_bins: int) -> np.ndarray:
    """Map bins 0..n_bins-1 evenly onto scores 1..5 (lowest bin 1, highest 5)."""
    return 1 + np.floor((N_SCORES - 1) * bins / (n_bins - 1) + 0.5).astype("int64")


class RFMScorer(TransformerMixin, BaseEstimator):
    """Score recency, frequency and monetary value from 1 (worst) to 5 (best).

    ``fit`` learns, per variable, four inner bin edges: the 20/40/60/80% quantiles
    (``numpy.quantile``, ``method="lower"``, so every edge is an observed value) of the
    customers who bought, unless ``thresholds`` fixes them. Bins are right-closed: a value
    equal to an edge falls in the lower bin, so equal values always share a score. Duplicate
    edges (ties) are dropped; with ``k < 5`` bins left, bin ``i`` (0-based, low to high) scores
    ``1 + round(4 * i / (k - 1))``: 3 bins score 1, 3, 5; 2 bins 1, 5. A ``UserWarning``
    names the column. Fewer than 2 distinct values raise :class:`ConfigError`.
    Recency is reversed: the lowest recency in days scores 5.

    Parameters
    ----------
    recency, frequency, monetary : str
        Column names.
    thresholds : dict, optional
        Fixed inner edges per variable, ``{"r": [30, 90, 180, 365]}``: 1 to 4 strictly
        increasing numbers; variables not given are learned from quantiles.

    Attributes
    ----------
    edges_ : dict
        ``{"r": array, "f": array, "m": array}``, the inner edges used.
    """

    def __init__(
        self,
        recency="recency_days",
        frequency="invoices_12m",
        monetary="revenue_12m",
        thresholds=None,
    ):
        self.recency = recency
        self.frequency = frequency
        self.monetary = monetary
        self.thresholds = thresholds

    def _columns(self) -> dict[str, str]:
        return {"r": self.recency, "f": self.frequency, "m": self.monetary}

    def fit(self, X: pd.DataFrame, y=None) -> RFMScorer:
        """Learn the bin edges from the customers with purchases (``recency`` known)."""
        fixed = _check_score_thresholds(self.thresholds)
        values = _rfm_values(X, self._columns(), "RFMScorer")
        bought = values["r"].notna()
        self.edges_ = {
            key: fixed[key] if key in fixed else _quantile_edges(values.loc[bought, key], column)
            for key, column in self._columns().items()
        }
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return a copy of ``X`` with ``r_score``, ``f_score``, ``m_score`` and ``rfm_cell``."""
        check_is_fitted(self)
        values = _rfm_values(X, self._columns(), "RFMScorer")
        bought = values["r"].notna().to_numpy()
        out = X.copy()
        for key, name in zip("rfm", SCORE_COLUMNS, strict=True):
            edges = self.edges_[key]
            score = _spread(np.searchsorted(edges, values[key], side="left"), edges.size + 1)
            score = N_SCORES + 1 - score if key == "r" else score
            out[name] = np.where(bought, score, 0).astype("int64")
        cells = [out[name].astype(str) for name in SCORE_COLUMNS]
        out["rfm_cell"] = cells[0] + cells[1] + cells[2]
        return out


def rfm_scores(
    features: pd.DataFrame,
    recency: str = "recency_days",
    frequency: str = "invoices_12m",
    monetary: str = "revenue_12m",
    thresholds: dict | None = None,
) -> pd.DataFrame:
    """Fit an :class:`RFMScorer` on ``features`` and return its scores.

    Returns
    -------
    pandas.DataFrame
        Index of ``features``; ``r_score``, ``f_score``, ``m_score`` (int 1-5, 0 for
        customers without purchases) and ``rfm_cell`` (str such as ``"545"``).
    """
    scorer = RFMScorer(recency, frequency, monetary, thresholds)
    return scorer.fit_transform(features)[[*SCORE_COLUMNS, "rfm_cell"]]


def _check_segment_map(segment_map) -> list[dict]:
    rules = list(segment_map)
    for rule in rules:
        if not isinstance(rule, dict) or not isinstance(rule.get("name"), str):
            raise ConfigError(
                f"segment_map: every rule must be a dict with a 'name'; got {rule!r}."
            )
        for key, bounds in rule.items():
            ok = key == "name" or (
                key in RANGE_KEYS
                and isinstance(bounds, list | tuple)
                and len(bounds) == 2
                and all(isinstance(b, int) for b in bounds)
                and 1 <= bounds[0] <= bounds[1] <= N_SCORES
            )
            if not ok:
                raise ConfigError(
                    f"segment_map: rule {rule['name']!r} key {key!r} must be one of "
                    f"{list(RANGE_KEYS)} with whole bounds (lo, hi), 1 <= lo <= hi <= 5; "
                    f"got {bounds!r}."
                )
    return rules


def _match(scores: pd.DataFrame, rules: list[dict]) -> np.ndarray:
    masks = [
        np.logical_and.reduce(
            [scores[k].between(*rule[k]).to_numpy() for k in RANGE_KEYS if k in rule]
            + [np.ones(len(scores), dtype=bool)]
        )
        for rule in rules
    ]
    return np.select(masks, [rule["name"] for rule in rules], default="")


def _with_fm(scores: pd.DataFrame) -> pd.DataFrame:
    fm = np.floor((scores["f"] + scores["m"]) / 2 + 0.5).astype("int64")
    return scores.assign(fm=fm)


def segment_grid(segment_map=DEFAULT_SEGMENT_MAP) -> pd.DataFrame:
    """Evaluate a segment map on all 125 cells of R, F and M scores.

    Returns
    -------
    pandas.DataFrame
        125 rows: ``r_score``, ``f_score``, ``m_score``, ``fm_score`` and ``rfm_segment``
        (the code of the first matching rule).

    Raises
    ------
    ConfigError
        If the map is malformed or leaves a cell without a segment.
    """
    rules = _check_segment_map(segment_map)
    cells = itertools.product(range(1, N_SCORES + 1), repeat=3)
    grid = _with_fm(pd.DataFrame(list(cells), columns=["r", "f", "m"]))
    grid["rfm_segment"] = _match(grid, rules)
    unmatched = grid.loc[grid["rfm_segment"] == "", ["r", "f", "m"]]
    if len(unmatched):
        cells = ["".join(map(str, row)) for row in unmatched.itertuples(index=False)]
        raise ConfigError(f"segment_map must give every cell a segment; unmatched cells: {cells}.")
    return grid.rename(columns={k: f"{k}_score" for k in RANGE_KEYS})


def _score_frame(scores: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    require_columns(scores, columns, "rfm_segment")
    frame = pd.DataFrame({k[0]: numeric(scores, c, "rfm_segment") for k, c in columns.items()})
    zero = frame.eq(0)
    valid = frame.isin(range(N_SCORES + 1)) & (~zero | zero.all(axis=1).to_numpy()[:, None])
    for key, column in columns.items():
        bad = frame.loc[~valid[key[0]], key[0]]
        if len(bad):
            raise ConfigError(
                f"rfm_segment: column {column!r} must hold whole scores 1-5 (all three 0 for "
                f"customers without purchases); got {bad.iloc[0]:g}."
            )
    return frame.astype("int64")


def rfm_segment(
    scores: pd.DataFrame,
    segment_map=DEFAULT_SEGMENT_MAP,
    lang: str = "en",
    r_col: str = "r_score",
    f_col: str = "f_score",
    m_col: str = "m_score",
) -> pd.Series:
    """Name the RFM segment of every customer from whole R, F and M scores.

    Rules are evaluated in order, first match wins, on integer ranges of ``r``, ``f``, ``m``
    and ``fm`` = round half up of (F + M) / 2; keys a rule omits match any score. The default
    map (:data:`DEFAULT_SEGMENT_MAP`), R rows against FM columns:

    ===  ==============  ==================  ==============  ===============  ===============
    R    FM 1            FM 2                FM 3            FM 4             FM 5
    ===  ==============  ==================  ==============  ===============  ===============
    5    New Customers   Potential Loyalist  Loyal           Champions        Champions
    4    Promising       Potential Loyalist  Loyal           Champions        Champions
    3    About to Sleep  Need Attention      Loyal           Loyal            Loyal
    2    About to Sleep  Need Attention      Need Attention  At Risk          At Risk
    1    Lost            Lost                At Risk         Can't Lose Them  Can't Lose Them
    ===  ==============  ==================  ==============  ===============  ===============

    Customers whose three scores are 0 (no purchase) get
    ``no_purchase``. The map must give each of the 125 cells a segment (:func:`segment_grid`).

    Parameters
    ----------
    scores : pandas.DataFrame
        Output of :func:`rfm_scores` or any frame with the three score columns.
    segment_map : sequence of dict
        Rules ``{"name": code, "r": (lo, hi), "fm": (lo, hi), ...}``.
    lang : {"en", "zh"}
        Language of the labels; codes without a label are returned as they are.
    r_col, f_col, m_col : str
        Score columns.

    Returns
    -------
    pandas.Series
        Named ``rfm_segment``, indexed like ``scores``.
    """
    check_lang(lang)
    rules = _check_segment_map(segment_map)
    segment_grid(rules)
    columns = {"r_col": r_col, "f_col": f_col, "m_col": m_col}
    frame = _with_fm(_score_frame(scores, columns))
    codes = np.where(frame.eq(0).all(axis=1), "no_purchase", _match(frame, rules))
    table = LABELS["rfm_segment"]
    names = [table[c][lang] if c in table else c for c in codes]
    return pd.Series(names, index=scores.index, name="rfm_segment", dtype=object)


def _cn_splits(values: pd.DataFrame, split) -> dict[str, float]:
    if split in ("mean", "median"):
        return {key: float(values[key].agg(split)) for key in "rfm"}
    if (
        isinstance(split, dict)
        and set(split) == set("rfm")
        and all(map(_is_number, split.values()))
    ):
        return {key: float(split[key]) for key in "rfm"}
    raise ConfigError(
        f"split must be 'mean', 'median' or a dict of numbers with keys 'r', 'f', 'm'; "
        f"got {split!r}."
    )


def rfm_class_cn(
    features: pd.DataFrame,
    split="mean",
    lang: str = "zh",
    recency: str = "recency_days",
    frequency: str = "invoices_12m",
    monetary: str = "revenue_12m",
) -> tuple[pd.Series, dict[str, float]]:
    """Classify customers into the eight classes of the Chinese RFM model (RFM客户价值八分类).

    Each variable is split in two at ``split`` (by default the mean over customers with
    purchases): R is *near* (近) when ``recency_days <= split`` - bought recently - else far
    (远); F is high (高) when ``frequency >= split``; M is high when ``monetary >= split``.

    ============  ====  ====  ====  =======================
    class         R     F     M     English
    ============  ====  ====  ====  =======================
    重要价值客户  近    高    高    Important value
    重要发展客户  近    低    高    Important development
    重要保持客户  远    高    高    Important retention
    重要挽留客户  远    低    高    Important win-back
    一般价值客户  近    高    低    General value
    一般发展客户  近    低    低    General development
    一般保持客户  远    高    低    General retention
    一般挽留客户  远    低    低    General win-back
    ============  ====  ====  ====  =======================

    Published code often swaps 发展 and 挽留, or calls a high recency in days "near"
    (comparing the recency score as if it were the number of days); this module does neither.
    Customers without purchases get NaN.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer.
    split : {"mean", "median"} or dict
        Statistic over customers with purchases, or fixed values ``{"r": .., "f": .., "m": ..}``.
    lang : {"zh", "en"}
        Language of the class labels.
    recency, frequency, monetary : str
        Column names.

    Returns
    -------
    classes : pandas.Series
        Named ``rfm_class_cn``, indexed like ``features``.
    splits : dict
        The split values used, ``{"r": float, "f": float, "m": float}``.
    """
    check_lang(lang)
    columns = {"r": recency, "f": frequency, "m": monetary}
    values = _rfm_values(features, columns, "rfm_class_cn")
    bought = values["r"].notna()
    splits = _cn_splits(values[bought], split)
    near = values["r"] <= splits["r"]
    high_f, high_m = values["f"] >= splits["f"], values["m"] >= splits["m"]
    table = LABELS["rfm_class_cn"]
    names = [table[CN8_CLASSES[key]][lang] for key in zip(near, high_f, high_m, strict=True)]
    classes = pd.Series(names, index=features.index, name="rfm_class_cn", dtype=object)
    return classes.where(bought), splits
