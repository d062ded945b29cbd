"""Customer classes: activity, RFM segments, value tiers, payment risk, clusters and rules.

Every function takes one row per customer (the feature table) and column names as parameters.

The package itself is callable: ``segkit.classify(ledger, as_of=..., config=None)`` runs every
classification and returns one row per customer (see :func:`segkit.classify_all.classify`),
while ``segkit.classify.rfm_segments`` and the other modules stay importable as usual.
"""

import sys
import types

from segkit.classify.activity import (
    amount_class,
    class_matrix,
    frequency_amount_matrix,
    frequency_class,
    pivot_cells,
)
from segkit.classify.labels import label, segment_actions, translate
from segkit.classify.rfm_segments import (
    DEFAULT_SEGMENT_MAP,
    RFMScorer,
    rfm_class_cn,
    rfm_scores,
    rfm_segment,
    segment_grid,
)
from segkit.classify.tiers import ABCTiers, pareto_table, top_share
from segkit.classify.value_risk import payment_risk_tier, valuable_but_risky, value_risk_matrix

# Clusters and YAML rules.
from segkit.classify.clusters import CustomerClusters  # noqa: E402  isort: skip
from segkit.classify.rules import RuleSet, load_rules  # noqa: E402  isort: skip

__all__ = [
    "frequency_class",
    "amount_class",
    "class_matrix",
    "frequency_amount_matrix",
    "pivot_cells",
    "label",
    "translate",
    "segment_actions",
    "DEFAULT_SEGMENT_MAP",
    "RFMScorer",
    "rfm_scores",
    "rfm_segment",
    "rfm_class_cn",
    "segment_grid",
    "ABCTiers",
    "pareto_table",
    "top_share",
    "payment_risk_tier",
    "value_risk_matrix",
    "valuable_but_risky",
    # clusters.py and rules.py
    "CustomerClusters",
    "RuleSet",
    "load_rules",
]


class _CallablePackage(types.ModuleType):
    """Lets ``segkit.classify(...)`` call :func:`segkit.classify_all.classify`."""

    def __call__(self, ledger, as_of, config=None, lang="en"):
        from segkit.classify_all import classify

        return classify(ledger, as_of, config=config, lang=lang)


sys.modules[__name__].__class__ = _CallablePackage
