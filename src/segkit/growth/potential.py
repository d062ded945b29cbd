"""Growth-potential class per customer: forecast value, probability active and headroom.

Rules, applied in this order (thresholds in :data:`DEFAULT_THRESHOLDS`):

1. no purchase by the as-of date -> no class (the models need a first purchase);
2. 12-month revenue at or below zero (no purchase in the window, or credit notes and
   cancellations that undo every sale) -> ``no_basis``: there is nothing to grow from, so such a
   customer is never ``high``;
3. ``p_alive < churn_below`` -> ``churn_risk`` (not applied when ``p_alive`` is missing, as
   under the recent-rate model, which has no dropout);
4. ``expected_purchases < min_purchases`` -> ``low`` (too few purchases expected to grow);
5. ``headroom_share >= high_share`` -> ``high`` (buys at most half of what the upper quartile
   of its peers buys, by default);
6. ``headroom_share >= medium_share`` -> ``medium``;
7. otherwise ``low`` (already buys close to the peers' upper quartile).

Codes stay codes; :data:`GROWTH_LABELS` and :data:`GROWTH_REASONS` (from the text catalogue)
give English and Chinese labels and reason sentences (format strings with named fields).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.checks import check_lang
from segkit.exceptions import ConfigError
from segkit.growth.headroom import peer_group_words
from segkit.text.catalogue import catalogue

__all__ = [
    "DEFAULT_THRESHOLDS",
    "GROWTH_CLASSES",
    "GROWTH_LABELS",
    "GROWTH_REASONS",
    "growth_class",
    "growth_labels",
]

GROWTH_CLASSES = ("high", "medium", "low", "churn_risk", "no_basis")

DEFAULT_THRESHOLDS = {
    "churn_below": 0.5,
    "min_purchases": 1.0,
    "high_share": 0.5,
    "medium_share": 0.2,
}

#: Class code -> {"en": label, "zh": label}, from the text catalogue (``growth.yaml``).
GROWTH_LABELS = catalogue()["growth_class"]
#: Reason key -> {"en": sentence, "zh": sentence} with named fields, from the text catalogue.
GROWTH_REASONS = catalogue()["growth_reason"]

_NEEDS = (
    "p_alive",
    "expected_purchases",
    "clv",
    "revenue_12m",
    "headroom",
    "headroom_share",
    "peer_group",
)


def check_thresholds(thresholds) -> dict[str, float]:
    """Thresholds merged over the defaults; unknown keys or bad values are a ConfigError."""
    merged = dict(DEFAULT_THRESHOLDS)
    if thresholds is None:
        return merged
    if not isinstance(thresholds, dict):
        raise ConfigError(f"thresholds must be a dict; got {type(thresholds).__name__}.")
    unknown = sorted(set(thresholds) - set(merged))
    if unknown:
        raise ConfigError(f"thresholds has unknown keys {unknown}; it takes {sorted(merged)}.")
    merged.update(thresholds)
    for key, value in merged.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"thresholds[{key!r}] must be a number >= 0; got {value!r}.")
    if merged["medium_share"] > merged["high_share"]:
        raise ConfigError(
            "thresholds: medium_share must not exceed high_share; got "
            f"{merged['medium_share']!r} > {merged['high_share']!r}."
        )
    return merged


def growth_class(frame: pd.DataFrame, thresholds=None, months: int = 12) -> pd.DataFrame:
    """Growth-potential class and reason code of each customer.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``p_alive``, ``expected_purchases`` (over ``months``), ``clv``,
        ``revenue_12m``, ``headroom``, ``headroom_share`` and ``peer_group``;
        ``expected_purchases`` missing = no purchase yet.
    thresholds : dict, optional
        Overrides of :data:`DEFAULT_THRESHOLDS`.
    months : int, default 12
        Horizon of ``expected_purchases`` and ``clv`` (for the reason sentences).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``frame``: ``growth_class`` (a code of :data:`GROWTH_CLASSES` or missing)
        and ``growth_reason_code`` (a key of :data:`GROWTH_REASONS`).
    """
    missing = [c for c in _NEEDS if c not in frame.columns]
    if missing:
        raise ConfigError(f"growth_class: frame lacks the columns {missing}.")
    limits = check_thresholds(thresholds)
    alive, purchases = frame["p_alive"], frame["expected_purchases"]
    share = frame["headroom_share"].fillna(0.0)
    revenue = pd.to_numeric(frame["revenue_12m"], errors="coerce").fillna(0.0)
    conditions = [
        purchases.isna(),
        revenue <= 0,
        alive.notna() & (alive < limits["churn_below"]),
        purchases < limits["min_purchases"],
        share >= limits["high_share"],
        share >= limits["medium_share"],
    ]
    classes = np.select(
        conditions, [None, "no_basis", "churn_risk", "low", "high", "medium"], "low"
    )
    reasons = np.select(
        conditions, ["no_purchase", "no_revenue", "churn", "few_purchases", "room", "room"], "room"
    )
    return pd.DataFrame(
        {
            "growth_class": pd.Series(classes, index=frame.index, dtype="object"),
            "growth_reason_code": reasons,
        },
        index=frame.index,
    )


def growth_labels(frame: pd.DataFrame, lang: str = "en", thresholds=None, months: int = 12):
    """Label and reason sentence of each customer's growth class in one language.

    Parameters
    ----------
    frame : pandas.DataFrame
        The columns :func:`growth_class` reads, ``revenue_12m`` and ``peer_q3``, and the output
        of :func:`growth_class` (``growth_class``, ``growth_reason_code``).
    lang : {"en", "zh"}, default "en"
        Language of the labels and sentences.

    Returns
    -------
    pandas.DataFrame
        ``growth_label`` and ``growth_reason``, indexed like ``frame``.
    """
    lang = check_lang(lang)
    limits = check_thresholds(thresholds)
    labels = frame["growth_class"].map(
        lambda code: GROWTH_LABELS[code][lang] if isinstance(code, str) else None
    )
    reasons = [_sentence(row, limits, months, lang) for row in frame.itertuples(index=False)]
    return pd.DataFrame({"growth_label": labels, "growth_reason": reasons}, index=frame.index)


def _sentence(row, limits: dict, months: int, lang: str) -> str:
    template = GROWTH_REASONS[row.growth_reason_code][lang]
    bought = row.revenue_12m / row.peer_q3 if row.peer_q3 > 0 else float("nan")
    fields = {
        **limits,
        "months": months,
        "revenue_12m": row.revenue_12m,
        "p_alive": row.p_alive,
        "expected_purchases": row.expected_purchases,
        "bought": bought,
        "peer_group": peer_group_words(row.peer_group, lang),
        "headroom": row.headroom,
        "clv": row.clv,
    }
    return template.format(**fields)
