"""Customer classes from the feature table (one row per customer).

- :mod:`~segkit.classes.frequency`: frequent vs occasional, large vs small, and their matrix;
- :mod:`~segkit.classes.rfm_scorer`, :mod:`~segkit.classes.rfm_segments`,
  :mod:`~segkit.classes.rfm_cn8`: RFM scores, the international segment map and the Chinese
  eight-class model;
- :mod:`~segkit.classes.tiers`: ABC value tiers and Pareto tables;
- :mod:`~segkit.classes.value_risk`: payment-risk tiers and value x risk;
- :mod:`~segkit.classes.clusters`: k-means clusters named in words;
- :mod:`~segkit.classes.rules`: user-defined YAML rules with a reason for every customer;
- :mod:`~segkit.classes.pipeline`: :func:`classify`, every class for a ledger in one table.

Column names are parameters of every function.
"""

from segkit.classes.clusters import CustomerClusters
from segkit.classes.frequency import (
    NEW_DAYS,
    amount_class,
    class_matrix,
    frequency_amount_matrix,
    frequency_class,
    new_customers,
    pivot_cells,
)
from segkit.classes.pipeline import classify, classify_features, with_labels
from segkit.classes.rfm_segments import (
    DEFAULT_SEGMENT_MAP,
    RFMScorer,
    rfm_class_cn,
    rfm_scores,
    rfm_segment,
    segment_grid,
)
from segkit.classes.rules import RuleSet, load_rules
from segkit.classes.tiers import ABCTiers, pareto_table, top_share
from segkit.classes.value_risk import (
    payment_risk_tier,
    risk_tier,
    valuable_but_risky,
    value_risk_matrix,
)

__all__ = [
    "ABCTiers",
    "CustomerClusters",
    "DEFAULT_SEGMENT_MAP",
    "NEW_DAYS",
    "RFMScorer",
    "RuleSet",
    "amount_class",
    "class_matrix",
    "classify",
    "classify_features",
    "frequency_amount_matrix",
    "frequency_class",
    "load_rules",
    "new_customers",
    "pareto_table",
    "payment_risk_tier",
    "pivot_cells",
    "rfm_class_cn",
    "rfm_scores",
    "rfm_segment",
    "risk_tier",
    "segment_grid",
    "top_share",
    "valuable_but_risky",
    "value_risk_matrix",
    "with_labels",
]
