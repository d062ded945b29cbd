"""Tables of the scored portfolio of the credit-risk study.

:func:`grade_summary` totals customers, exposure, PD, expected loss and limits per rating grade
of ``CreditStudy.scored``; :func:`limit_changes` lists the largest proposed limit cuts and
increases against the current limits.
"""

from __future__ import annotations

import pandas as pd

from segkit.checks import check_int
from segkit.credit.grades import RatingScale
from segkit.exceptions import ConfigError

__all__ = ["grade_summary", "limit_changes"]


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
        present among ``name``, ``grade``, ``size_cn``, ``revenue_12m``, ``open_balance``,
        ``credit_limit``, ``limit_proposed``, ``limit_change``.
    """
    check_int("n", n, 1)
    if "limit_change" not in scored.columns:
        raise ConfigError("scored must have the column 'limit_change'; got none.")
    known = scored[scored["limit_change"].notna()].sort_values("limit_change", kind="stable")
    cuts = known[known["limit_change"] < 0].head(n).assign(direction="cut")
    ups = known[known["limit_change"] > 0].iloc[::-1].head(n).assign(direction="increase")
    shown = ["direction", "name", "grade", "size_cn", "revenue_12m", "open_balance",
             "credit_limit", "limit_proposed", "limit_change"]  # fmt: skip
    out = pd.concat([cuts, ups])
    return out[[c for c in shown if c in out.columns]]
