"""Tables of the scored portfolio of the credit-risk study.

:func:`grade_summary` totals customers, exposure, PD, expected loss and limits per rating grade
of ``CreditStudy.scored``; :func:`limit_changes` lists the largest proposed limit cuts and
increases against the current limits.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from segkit.checks import check_int
from segkit.credit.grades import RatingScale
from segkit.credit.limits import DEFAULT_LIMIT_POLICY
from segkit.exceptions import ConfigError

__all__ = [
    "IMPACT_ROWS",
    "grade_summary",
    "limit_changes",
    "limit_impact",
    "policy_by_grade",
    "policy_by_size",
]


def grade_summary(scored: pd.DataFrame, scale: RatingScale | None = None) -> pd.DataFrame:
    """Customers, exposure, PD, expected loss and limits per grade of the scored portfolio.

    Parameters
    ----------
    scored : pandas.DataFrame
        ``CreditStudy.scored`` (``grade``, ``open_balance``, ``pd``, ``expected_loss``,
        ``credit_limit``, ``limit_proposed``).
    scale : RatingScale, optional
        Gives the grades and their order; None uses the default scale.

    Returns
    -------
    pandas.DataFrame
        Index ``grade`` (every grade of the scale, best first); ``customers``,
        ``open_balance``, ``mean_pd`` (NaN for an empty grade), ``expected_loss``,
        ``credit_limit`` and ``limit_proposed`` (sums).
    """
    scale = scale or RatingScale()
    needed = ["grade", "open_balance", "pd", "expected_loss", "credit_limit", "limit_proposed"]
    missing = [c for c in needed if c not in scored.columns]
    if missing:
        raise ConfigError(f"scored must have the columns {needed}; missing {missing}.")
    grades = scored["grade"].astype(object)
    out = (
        scored[needed[1:]]
        .groupby(grades)
        .agg(
            customers=("open_balance", "size"),
            open_balance=("open_balance", "sum"),
            mean_pd=("pd", "mean"),
            expected_loss=("expected_loss", "sum"),
            credit_limit=("credit_limit", "sum"),
            limit_proposed=("limit_proposed", "sum"),
        )
    )
    out = out.reindex(pd.Index(scale.grades, name="grade"))
    counts = ["customers", "open_balance", "expected_loss", "credit_limit", "limit_proposed"]
    out[counts] = out[counts].fillna(0)
    return out.astype({"customers": "int64"})


def limit_changes(scored: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The largest proposed limit cuts, then the largest increases, against current limits.

    Parameters
    ----------
    scored : pandas.DataFrame
        ``CreditStudy.scored`` (needs ``limit_change``; customers without a current limit or a
        proposal are left out).
    n : int, default 10
        Customers per direction.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``; ``direction`` (``"cut"`` or ``"increase"``) and the columns
        present among ``name``, ``grade``, ``size_cn``, ``limit_size`` (the size the limit
        used), ``size_basis``, ``revenue_12m``, ``open_balance``, ``credit_limit``,
        ``limit_proposed``, ``limit_change``, ``limit_action``.
    """
    check_int("n", n, 1)
    if "limit_change" not in scored.columns:
        raise ConfigError("scored must have the column 'limit_change'; got none.")
    known = scored[scored["limit_change"].notna()].sort_values("limit_change", kind="stable")
    cuts = known[known["limit_change"] < 0].head(n).assign(direction="cut")
    ups = known[known["limit_change"] > 0].iloc[::-1].head(n).assign(direction="increase")
    shown = ["direction", "name", "grade", "size_cn", "limit_size", "size_basis", "revenue_12m",
             "open_balance", "credit_limit", "limit_proposed", "limit_change",
             "limit_action"]  # fmt: skip
    out = pd.concat([cuts, ups])
    return out[[c for c in shown if c in out.columns]]


def policy_by_grade(policy: Mapping = DEFAULT_LIMIT_POLICY) -> pd.DataFrame:
    """The limit policy per grade: the factor of sales over terms, the action in arrears.

    Returns
    -------
    pandas.DataFrame
        Index ``grade``; ``grade_factor`` and ``limit_action`` (the ``in_arrears`` code: what a
        customer with overdue items owing more than its proposal gets).
    """
    factor = pd.Series(dict(policy["grade_factor"]), name="grade_factor", dtype=float)
    actions = pd.Series(dict(policy["in_arrears"]), name="limit_action", dtype=object)
    out = pd.concat([factor, actions], axis=1)
    out.index.name = "grade"
    return out


def policy_by_size(policy: Mapping = DEFAULT_LIMIT_POLICY) -> pd.DataFrame:
    """The limit policy per size class: the cap, and the revenue that implies the size.

    Returns
    -------
    pandas.DataFrame
        Index ``size_cn``; ``cap`` and ``revenue_from`` (least annual revenue read as this
        size when the statutory size is unknown; missing for a size never read from revenue).
    """
    out = pd.DataFrame({"cap": pd.Series(dict(policy["cap_by_size"]), dtype=float)})
    steps = {size: low for low, size in policy.get("size_by_revenue", ())}
    out["revenue_from"] = pd.Series(steps, dtype=float).reindex(out.index)
    out.index.name = "size_cn"
    return out


#: Rows of :func:`limit_impact`, in order.
IMPACT_ROWS = (
    "rated", "with_limit", "cuts", "cut_amount", "increases", "increase_amount", "new_limits",
    "above_exposure", "above_exposure_amount", "raised_to_exposure", "no_increase",
    "repayment_plan", "hold_orders", "size_from_revenue",
)  # fmt: skip


def limit_impact(scored: pd.DataFrame) -> pd.Series:
    """What the proposals change, in totals: cuts, increases, exposure above the proposals.

    Parameters
    ----------
    scored : pandas.DataFrame
        ``CreditStudy.scored`` (``credit_limit``, ``limit_proposed``, ``open_balance``,
        ``limit_action``; optional ``size_basis``).

    Returns
    -------
    pandas.Series
        Indexed by :data:`IMPACT_ROWS`: customers ``rated``, ``with_limit`` on file, ``cuts``
        and ``increases`` (customers) with their ``cut_amount`` and ``increase_amount``,
        ``new_limits`` (a proposal without a limit on file), ``above_exposure`` (customers
        owing more than the proposal: only customers in arrears or in default) and
        ``above_exposure_amount`` (by how much), customers per action and
        ``size_from_revenue`` (size read from revenue, the statutory size being unknown).
    """
    needed = ["credit_limit", "limit_proposed", "open_balance", "limit_action"]
    missing = [c for c in needed if c not in scored.columns]
    if missing:
        raise ConfigError(f"scored must have the columns {needed}; missing {missing}.")
    proposed, current = scored["limit_proposed"], scored["credit_limit"]
    current = current.where(current > 0)
    change = proposed - current
    gap = (scored["open_balance"] - proposed).where(proposed.notna())
    action = scored["limit_action"]
    basis = scored.get("size_basis", pd.Series(index=scored.index, dtype=object))
    values = {
        "rated": len(scored),
        "with_limit": int(current.notna().sum()),
        "cuts": int((change < 0).sum()),
        "cut_amount": float(-change[change < 0].sum()),
        "increases": int((change > 0).sum()),
        "increase_amount": float(change[change > 0].sum()),
        "new_limits": int((current.isna() & proposed.notna()).sum()),
        "above_exposure": int((gap > 0.005).sum()),
        "above_exposure_amount": float(gap[gap > 0.005].sum()),
        "raised_to_exposure": int((action == "limit_at_exposure").sum()),
        "no_increase": int((action == "no_increase").sum()),
        "repayment_plan": int((action == "repayment_plan").sum()),
        "hold_orders": int((action == "hold_orders").sum()),
        "size_from_revenue": int(basis.isin(["own_revenue", "sales_12m"]).sum()),
    }
    return pd.Series(values, dtype=object, name="impact")[list(IMPACT_ROWS)]
