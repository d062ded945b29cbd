"""Helpers behind ``notebooks/credit_risk.ipynb``: the report tables of the scored portfolio.
The study itself (development set, scorecard, validation, scoring) is
:func:`segkit.credit.credit_study`; the collections section (late payment per open invoice,
worklist, 13-week cash forecast) is :func:`collections_view`."""

from segkit.studies.credit_risk.collections import (
    CollectionsView,
    collections_view,
    customer_classes,
)
from segkit.studies.credit_risk.tables import grade_summary, limit_changes

__all__ = [
    "CollectionsView",
    "collections_view",
    "customer_classes",
    "grade_summary",
    "limit_changes",
]
