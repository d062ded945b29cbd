"""Helpers behind ``notebooks/credit_risk.ipynb``.

- :mod:`~.readiness`: the history a scorecard needs and whether the ledger has it;
- :mod:`~.behaviour`: the behavioural view without a scorecard (days past due, past-due trend);
- :mod:`~.tables`: tables of the scored portfolio (grades, limit changes, the limit policy and
  its impact);
- :mod:`~.figures`: the figures, labelled in the report language;
- :mod:`~.bins`: the scorecard's bins in words, with the feature's unit;
- :mod:`~.report`: :func:`prepare` and :class:`CreditReport`, the sections the notebook shows;
- :mod:`~.collections`: the collections section (late-payment model, worklist, cash forecast).

The study itself (development set, scorecard, validation, scoring) is
:func:`segkit.credit.credit_study`; the collections section (late payment per open invoice,
worklist, 13-week cash forecast) is :func:`collections_view`.
"""

from segkit.studies.credit_risk.behaviour import behaviour_snapshot, dpd_band, past_due_trend
from segkit.studies.credit_risk.bins import bin_words
from segkit.studies.credit_risk.collections import (
    CollectionsView,
    collections_view,
    customer_classes,
)
from segkit.studies.credit_risk.readiness import (
    Readiness,
    months_needed,
    months_needed_from,
    readiness,
)
from segkit.studies.credit_risk.report import CreditReport, prepare
from segkit.studies.credit_risk.tables import (
    grade_summary,
    limit_changes,
    limit_impact,
    policy_by_grade,
    policy_by_size,
)

__all__ = [
    "CollectionsView",
    "CreditReport",
    "Readiness",
    "behaviour_snapshot",
    "bin_words",
    "collections_view",
    "customer_classes",
    "dpd_band",
    "grade_summary",
    "limit_changes",
    "limit_impact",
    "months_needed",
    "months_needed_from",
    "past_due_trend",
    "policy_by_grade",
    "policy_by_size",
    "prepare",
    "readiness",
]
