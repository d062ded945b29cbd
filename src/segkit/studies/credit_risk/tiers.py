"""Value and risk tier of the rated customers, as the segmentation study classes them.

The collection strategy and the credit report read the same tiers as :func:`segkit.classify`.
"""

from __future__ import annotations

import pandas as pd

from segkit.classes.tiers import ABCTiers
from segkit.classes.value_risk import risk_tier

__all__ = ["customer_classes"]


def customer_classes(
    scored: pd.DataFrame, grade_map: dict | None = None, revenue: pd.Series | None = None
) -> pd.DataFrame:
    """Value tier and risk tier of the rated customers, for the collection strategy.

    The same classes as ``segkit.classify`` and the segmentation study: ``abc_tier`` from the
    Pareto curve of 12-month revenue (:class:`~segkit.classes.ABCTiers`) over the whole
    customer base ``revenue`` (over the customers of ``scored`` without it), ``risk_tier`` by
    :func:`segkit.classes.risk_tier` (the credit grade through ``grade_map``; without a fitted
    scorecard, payment behaviour alone).

    Parameters
    ----------
    scored : pandas.DataFrame
        The credit study's customers (index ``customer_id``).
    grade_map : dict, optional
        Grade -> risk tier; the classification's default.
    revenue : pandas.Series, optional
        ``revenue_12m`` of every customer of the ledger, index ``customer_id``.
    """
    if revenue is None:
        revenue = scored["revenue_12m"] if "revenue_12m" in scored.columns else pd.Series()
    out = pd.DataFrame(index=scored.index)
    out["abc_tier"] = "none"
    if (revenue > 0).any():
        tiers = ABCTiers().fit_transform(revenue.rename("revenue_12m").to_frame())["abc_tier"]
        out["abc_tier"] = tiers.reindex(scored.index).fillna("none")
    out["risk_tier"] = risk_tier(scored, grade_map=grade_map)
    return out
