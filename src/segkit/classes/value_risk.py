"""Payment-risk tiers and the value x risk view of the customer base.

Shape: one row per customer with payment features (``aging_90_plus``, ``share_paid_late`` …)
-> ``risk_tier`` (low / medium / high / unknown); with ``abc_tier`` added (see
:class:`segkit.classes.tiers.ABCTiers`) -> counts and revenue per value x risk cell and the list
of valuable customers that pay badly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.checks import is_number, numeric, require_columns
from segkit.classes.frequency import class_matrix
from segkit.exceptions import ConfigError

__all__ = [
    "RISK_ORDER",
    "DEFAULT_RISK_RULES",
    "DEFAULT_GRADE_MAP",
    "payment_risk_tier",
    "risk_tier",
    "value_risk_matrix",
    "valuable_but_risky",
]

RISK_ORDER = ("low", "medium", "high", "unknown")
TIER_ORDER = ("A", "B", "C", "none")

#: Tier -> {column: threshold}; the tier applies when any column is above its threshold.
#: ``high`` is checked before ``medium``.
#: High: money more than 90 days past due now (the Basel default line) or paying a month late on
#: average. Medium: money 31-90 days past due now, or paying more than 10 days late on average.
#: A share of invoices paid late alone is not used: paying many invoices a day or two late is
#: common and says little about credit risk.
DEFAULT_RISK_RULES = {
    "high": {"aging_90_plus": 0.0, "avg_days_late": 30.0},
    "medium": {"aging_31_60": 0.0, "aging_61_90": 0.0, "avg_days_late": 10.0},
}


#: Credit grade -> risk tier: the grades down to BBB (investment grade on the usual scale) are
#: low risk, BB and B medium, CCC and worse (CC, D = in default) high.
DEFAULT_GRADE_MAP = {
    "AAA": "low",
    "AA": "low",
    "A": "low",
    "BBB": "low",
    "BB": "medium",
    "B": "medium",
    "CCC": "high",
    "CC": "high",
    "D": "high",
}


def _check_risk_rules(rules) -> dict[str, dict[str, float]]:
    if rules is None:
        return DEFAULT_RISK_RULES
    if not isinstance(rules, dict) or not rules or not set(rules) <= {"high", "medium"}:
        raise ConfigError(f"rules must be a dict with keys among 'high', 'medium'; got {rules!r}.")
    for tier, conditions in rules.items():
        ok = isinstance(conditions, dict) and conditions
        if not ok or not all(is_number(t) for t in conditions.values()):
            raise ConfigError(
                f"rules[{tier!r}] must be a non-empty dict {{column: number}}; got {conditions!r}."
            )
    return rules


def _check_grade_map(grade_map) -> dict:
    if not isinstance(grade_map, dict) or not grade_map:
        raise ConfigError(f"grade_map must be a non-empty dict grade -> tier; got {grade_map!r}.")
    wrong = {g: t for g, t in grade_map.items() if t not in ("low", "medium", "high")}
    if wrong:
        raise ConfigError(f"grade_map values must be 'low', 'medium' or 'high'; got {wrong!r}.")
    return grade_map


def _apply_grades(features, risk, grade_col, grade_map) -> pd.Series:
    grade_map = _check_grade_map(grade_map)
    require_columns(features, {"grade_col": grade_col}, "payment_risk_tier")
    grade = features[grade_col]
    graded = grade.notna()
    unmapped = sorted(set(grade[graded]) - set(grade_map), key=str)
    if unmapped:
        raise ConfigError(
            f"payment_risk_tier: grades in column {grade_col!r} missing from grade_map; "
            f"got {unmapped!r}."
        )
    return risk.where(~graded, grade.map(grade_map))


def payment_risk_tier(
    features: pd.DataFrame,
    rules: dict | None = None,
    grade_col: str | None = None,
    grade_map: dict | None = None,
) -> pd.Series:
    """Tier customers low / medium / high risk from how they pay.

    Default rules (:data:`DEFAULT_RISK_RULES`), first match wins:

    - ``high``: ``aging_90_plus > 0`` or ``avg_days_late > 30``;
    - ``medium``: ``aging_31_60 > 0`` or ``aging_61_90 > 0`` or ``avg_days_late > 10``;
    - ``unknown``: every column the rules use is missing (NaN);
    - ``low`` otherwise.

    A customer is judged on the features it has: a missing value never triggers a rule.
    When ``grade_col`` is given, customers with a credit grade take the tier that
    ``grade_map`` gives their grade instead; customers without a grade keep the rule tier.

    Parameters
    ----------
    features : pandas.DataFrame
        One row per customer.
    rules : dict, optional
        ``{"high": {column: threshold, ...}, "medium": {...}}``; a tier applies when any
        listed column is strictly above its threshold. The keys name the columns.
    grade_col : str, optional
        Column with a credit grade.
    grade_map : dict, optional
        Grade -> ``"low"``, ``"medium"`` or ``"high"``; required with ``grade_col`` and must
        cover every grade present.

    Returns
    -------
    pandas.Series
        Named ``risk_tier``, one of :data:`RISK_ORDER`, indexed like ``features``.
    """
    rules = _check_risk_rules(rules)
    columns = {c: c for conditions in rules.values() for c in conditions}
    require_columns(features, {f"rules column {c!r}": c for c in columns}, "payment_risk_tier")
    values = pd.DataFrame({c: numeric(features, c, "payment_risk_tier") for c in columns})
    hits = {
        tier: pd.concat([values[c] > t for c, t in conditions.items()], axis=1).any(axis=1)
        for tier, conditions in rules.items()
    }
    risk = pd.Series("low", index=features.index, name="risk_tier", dtype=object)
    risk[values.isna().all(axis=1).to_numpy()] = "unknown"
    for tier in ("medium", "high"):
        if tier in hits:
            risk[hits[tier].to_numpy()] = tier
    if grade_col is not None:
        risk = _apply_grades(features, risk, grade_col, grade_map)
    elif grade_map is not None:
        raise ConfigError("grade_map is only used with grade_col; got grade_col=None.")
    return risk


def risk_tier(
    frame: pd.DataFrame,
    rules: dict | None = None,
    grade_map: dict | None = None,
    grade_col: str = "grade",
) -> pd.Series:
    """The one risk tier of the studies: the credit grade where there is one, else payment.

    Customers graded by the credit scorecard (a value in ``grade_col``) take the tier
    ``grade_map`` gives their grade (:data:`DEFAULT_GRADE_MAP` by default); the others, and
    every customer when the frame has no grade at all (no scorecard could be fitted), are tiered
    by :func:`payment_risk_tier` from how they pay. Payment columns the frame lacks count as
    unknown, never as low risk.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer.
    rules : dict, optional
        Payment rules of :func:`payment_risk_tier`.
    grade_map : dict, optional
        Grade -> ``"low"``, ``"medium"`` or ``"high"``.
    grade_col : str, default "grade"
        Column with the credit grade; absent or empty means no scorecard.

    Returns
    -------
    pandas.Series
        Named ``risk_tier``, one of :data:`RISK_ORDER`, indexed like ``frame``.
    """
    needed = {c for tier in _check_risk_rules(rules).values() for c in tier}
    missing = {c: np.nan for c in needed if c not in frame.columns}
    frame = frame.assign(**missing) if missing else frame
    if grade_col not in frame.columns or frame[grade_col].isna().all():
        return payment_risk_tier(frame, rules=rules)
    frame = frame.assign(**{grade_col: frame[grade_col].astype(object)})
    grade_map = DEFAULT_GRADE_MAP if grade_map is None else grade_map
    return payment_risk_tier(frame, rules=rules, grade_col=grade_col, grade_map=grade_map)


def value_risk_matrix(
    frame: pd.DataFrame,
    value_col: str = "abc_tier",
    risk_col: str = "risk_tier",
    revenue_col: str = "revenue_12m",
) -> pd.DataFrame:
    """Customers and revenue in every value-tier x risk-tier cell.

    Returns
    -------
    pandas.DataFrame
        Columns ``abc_tier``, ``risk_tier`` (named after the parameters), ``customers``,
        ``revenue``, ``revenue_share``; see :func:`segkit.classes.frequency.class_matrix`.
    """
    return class_matrix(frame, value_col, risk_col, revenue_col, TIER_ORDER, RISK_ORDER)


def valuable_but_risky(
    frame: pd.DataFrame,
    value_col: str = "abc_tier",
    risk_col: str = "risk_tier",
    revenue_col: str = "revenue_12m",
    tiers: tuple[str, ...] = ("A", "B"),
    risk: str = "high",
) -> pd.DataFrame:
    """Customers in a valuable tier (A or B) with a high payment risk, largest revenue first.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer with ``value_col``, ``risk_col`` and ``revenue_col``.
    tiers : tuple of str
        Value tiers that count as valuable.
    risk : str
        Risk tier that counts as risky.

    Returns
    -------
    pandas.DataFrame
        The matching rows of ``frame`` with all its columns, sorted by ``revenue_col``
        descending (ties in input order, missing revenue last).
    """
    columns = {"value_col": value_col, "risk_col": risk_col, "revenue_col": revenue_col}
    require_columns(frame, columns, "valuable_but_risky")
    chosen = frame[frame[value_col].isin(list(tiers)) & frame[risk_col].eq(risk)]
    return chosen.sort_values(revenue_col, ascending=False, kind="mergesort")
