"""The Chinese eight-class RFM model (RFM八类客户): eight customer classes from R, F and M.

Shape: one row per customer with *recency_days, invoices_12m, revenue_12m* -> *rfm_class_cn*.
This module holds the class table as data (:data:`CN8_CLASSES`, keyed by recent, frequent and
high monetary) and :func:`rfm_class_cn`, which splits each variable in two at its mean, median
or a fixed value over customers with purchases. Customers who never bought (recency NaN) get no
class (NaN); for customers who did buy, a missing frequency or monetary value counts as 0. New
customers have no class of their own here (see :func:`rfm_class_cn`).
"""

from __future__ import annotations

import pandas as pd

from segkit.checks import check_lang, is_number
from segkit.classes.rfm_scorer import RECENCY_HORIZON_DAYS, check_horizon, rfm_values
from segkit.exceptions import ConfigError
from segkit.text.labels import LABELS

__all__ = ["CN8_CLASSES", "rfm_class_cn"]

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


def _cn_splits(values: pd.DataFrame, split) -> dict[str, float]:
    if split in ("mean", "median"):
        return {key: float(values[key].agg(split)) for key in "rfm"}
    if isinstance(split, dict) and set(split) == set("rfm") and all(map(is_number, split.values())):
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
    horizon_days=RECENCY_HORIZON_DAYS,
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

    The model has no class for new customers, so unlike the RFM segment map (whose
    ``new_customers`` are the frequency class's ``new``) it classes them by R, F and M like
    everyone else: being recent (近), they land in the development classes (发展客户) while
    they buy less often than average, in the value classes once they buy as often. On the
    sample ledger at 2025-12-31, 46 of the 52 new customers are 发展客户.

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
    horizon_days : float or None, default 365
        Most days since the last purchase that still count as near; None: no cap.

    Returns
    -------
    classes : pandas.Series
        Named ``rfm_class_cn``, indexed like ``features``.
    splits : dict
        The split values used, ``{"r": float, "f": float, "m": float}`` (R after the cap).
    """
    check_lang(lang)
    columns = {"r": recency, "f": frequency, "m": monetary}
    values = rfm_values(features, columns, "rfm_class_cn")
    bought = values["r"].notna()
    splits = _cn_splits(values[bought], split)
    splits["r"] = min(splits["r"], check_horizon(horizon_days))
    near = values["r"] <= splits["r"]
    high_f, high_m = values["f"] >= splits["f"], values["m"] >= splits["m"]
    table = LABELS["rfm_class_cn"]
    names = [table[CN8_CLASSES[key]][lang] for key in zip(near, high_f, high_m, strict=True)]
    classes = pd.Series(names, index=features.index, name="rfm_class_cn", dtype=object)
    return classes.where(bought), splits
