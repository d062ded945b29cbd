"""The RFM segment map: segment names from whole R, F and M scores and the first invoice date.

Shape: *r_score, f_score, m_score* (from :mod:`segkit.classes.rfm_scorer`), optionally
*tenure_days* -> *rfm_segment*. This module holds the segment map as data
(:data:`DEFAULT_SEGMENT_MAP`, a sequence of rules, first match wins: ``new_customers`` by the
first invoice date, then rules on score ranges), its check over all 125 score cells
(:func:`segment_grid`) and :func:`rfm_segment`; customers without purchases (all three scores 0)
get ``no_purchase``. It
also re-exports the scorer (:class:`RFMScorer`, :func:`rfm_scores`) and the Chinese eight-class
model (:func:`rfm_class_cn`, :data:`CN8_CLASSES`, from :mod:`segkit.classes.rfm_cn8`), so that
the whole RFM toolkit is importable from here.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from segkit.checks import check_lang, numeric, require_columns
from segkit.classes.frequency import new_customers
from segkit.classes.rfm_cn8 import CN8_CLASSES, rfm_class_cn
from segkit.classes.rfm_scorer import N_SCORES, SCORE_COLUMNS, RFMScorer, rfm_scores
from segkit.exceptions import ConfigError
from segkit.text.labels import LABELS

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

RANGE_KEYS = ("r", "f", "m", "fm")

#: The segment map; first match wins. ``new_customers`` holds the customers whose first invoice
#: is within the "new" window (``{"new": True}``, :func:`segkit.classes.new_customers`, the
#: same window as the frequency class ``new``), whatever their scores; the other nine segments
#: are read from R and FM = round half up of (F + M) / 2 and cover all 125 score cells.
DEFAULT_SEGMENT_MAP = (
    {"name": "new_customers", "new": True},
    {"name": "champions", "r": (4, 5), "fm": (4, 5)},
    {"name": "loyal", "r": (3, 5), "fm": (3, 5)},
    {"name": "potential_loyalist", "r": (4, 5), "fm": (2, 3)},
    {"name": "promising", "r": (4, 5), "fm": (1, 1)},
    {"name": "need_attention", "r": (2, 3), "fm": (2, 3)},
    {"name": "about_to_sleep", "r": (2, 3), "fm": (1, 2)},
    {"name": "cant_lose_them", "r": (1, 1), "fm": (4, 5)},
    {"name": "at_risk", "r": (1, 2), "fm": (3, 5)},
    {"name": "lost", "r": (1, 1), "fm": (1, 2)},
)


def _check_segment_map(segment_map) -> list[dict]:
    rules = list(segment_map)
    for rule in rules:
        if not isinstance(rule, dict) or not isinstance(rule.get("name"), str):
            raise ConfigError(
                f"segment_map: every rule must be a dict with a 'name'; got {rule!r}."
            )
        for key, bounds in rule.items():
            ok = (
                key == "name"
                or (key == "new" and bounds is True)
                or (
                    key in RANGE_KEYS
                    and isinstance(bounds, list | tuple)
                    and len(bounds) == 2
                    and all(isinstance(b, int) for b in bounds)
                    and 1 <= bounds[0] <= bounds[1] <= N_SCORES
                )
            )
            if not ok:
                raise ConfigError(
                    f"segment_map: rule {rule['name']!r} key {key!r} must be one of "
                    f"{list(RANGE_KEYS)} with whole bounds (lo, hi), 1 <= lo <= hi <= 5, "
                    f"or 'new' with True; got {bounds!r}."
                )
    return rules


def _match(scores: pd.DataFrame, rules: list[dict], new=None) -> np.ndarray:
    new = np.zeros(len(scores), dtype=bool) if new is None else np.asarray(new, dtype=bool)
    masks = [
        np.logical_and.reduce(
            [scores[k].between(*rule[k]).to_numpy() for k in RANGE_KEYS if k in rule]
            + [new if rule.get("new") else np.ones(len(scores), dtype=bool)]
        )
        for rule in rules
    ]
    return np.select(masks, [rule["name"] for rule in rules], default="")


def _with_fm(scores: pd.DataFrame) -> pd.DataFrame:
    fm = np.floor((scores["f"] + scores["m"]) / 2 + 0.5).astype("int64")
    return scores.assign(fm=fm)


def segment_grid(segment_map=DEFAULT_SEGMENT_MAP) -> pd.DataFrame:
    """Evaluate a segment map on all 125 cells of R, F and M scores.

    Rules on the first invoice date (``{"new": True}``) match no cell: the cells must be
    covered by the score rules alone.

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
    new_days: float | None = None,
    tenure_col: str = "tenure_days",
) -> pd.Series:
    """Name the RFM segment of every customer from whole R, F and M scores.

    Rules are evaluated in order, first match wins, on integer ranges of ``r``, ``f``, ``m``
    and ``fm`` = round half up of (F + M) / 2; keys a rule omits match any score. A rule
    ``{"new": True}`` matches the customers whose first invoice is at most ``new_days`` days
    old (:func:`segkit.classes.new_customers`, the window of the frequency class ``new``); in
    the default map (:data:`DEFAULT_SEGMENT_MAP`) they are *New Customers* whatever their
    scores. Everyone else is read from R rows against FM columns:

    ===  ==============  ==================  ==============  ===============  ===============
    R    FM 1            FM 2                FM 3            FM 4             FM 5
    ===  ==============  ==================  ==============  ===============  ===============
    5    Promising       Potential Loyalist  Loyal           Champions        Champions
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
        Output of :func:`~segkit.classes.rfm_scorer.rfm_scores` or any frame with the three score columns.
    segment_map : sequence of dict
        Rules ``{"name": code, "r": (lo, hi), "fm": (lo, hi), ...}``.
    lang : {"en", "zh"}
        Language of the labels; codes without a label are returned as they are.
    r_col, f_col, m_col : str
        Score columns.
    new_days : float, optional
        The "new" window in days; None (no first-invoice dates) makes nobody new.
        :func:`segkit.classify` passes the frequency class's window (90 days by default).
    tenure_col : str, default "tenure_days"
        Days since the first invoice, read when ``new_days`` is given.

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
    new = new_customers(scores, new_days, tenure_col).to_numpy()
    codes = np.where(frame.eq(0).all(axis=1), "no_purchase", _match(frame, rules, new))
    table = LABELS["rfm_segment"]
    names = [table[c][lang] if c in table else c for c in codes]
    return pd.Series(names, index=scores.index, name="rfm_segment", dtype=object)
