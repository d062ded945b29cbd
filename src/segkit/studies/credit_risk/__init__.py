"""Helpers behind ``notebooks/credit_risk.ipynb``: the report tables of the scored portfolio.
The study itself (development set, scorecard, validation, scoring) is
:func:`segkit.credit.credit_study`."""

from segkit.studies.credit_risk.tables import grade_summary, limit_changes

__all__ = ["grade_summary", "limit_changes"]
