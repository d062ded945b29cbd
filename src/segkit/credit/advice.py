"""The limit decision in words: one sentence per customer, quoted by every page and sheet.

:func:`segkit.credit.propose_limits` decides each customer's limit and action once; this
module says it. :func:`limit_reasons` explains the decision of every customer in the report
language, and :func:`limit_advice` sums it up in one code per customer (``"hold_orders"``,
``"repayment_plan"``, ``"no_increase"``, ``"increase"``, ``"cut"``, ``"keep"``, ``"new_limit"``)
that the segmentation study, the index's actions and the workbook quote instead of advising on
their own.
"""

from __future__ import annotations

import math

import pandas as pd

from segkit.checks import check_lang
from segkit.text import text
from segkit.text.amounts import format_amount

__all__ = ["ADVICE", "limit_advice", "limit_reasons"]

#: The codes of :func:`limit_advice`.
ADVICE = ("hold_orders", "repayment_plan", "no_increase", "new_limit", "increase", "cut", "keep")


def limit_advice(scored: pd.DataFrame) -> pd.Series:
    """One code per customer: the action decided, else the direction of the change.

    Parameters
    ----------
    scored : pandas.DataFrame
        ``CreditStudy.scored`` (``limit_action``, ``limit_change``).

    Returns
    -------
    pandas.Series of str
        Index of ``scored``, values of :data:`ADVICE` (``"limit_at_exposure"`` reads as the
        direction it moves the limit on file); missing where no limit was proposed.
    """
    action = scored.get("limit_action", pd.Series(None, index=scored.index, dtype=object))
    change = scored.get("limit_change", pd.Series(float("nan"), index=scored.index))
    proposed = scored.get("limit_proposed", pd.Series(float("nan"), index=scored.index))
    direction = pd.Series("keep", index=scored.index, dtype=object)
    direction[change > 0], direction[change < 0] = "increase", "cut"
    direction[change.isna()] = "new_limit"
    decided = action.isin(["hold_orders", "repayment_plan", "no_increase", "new_limit"])
    advice = direction.where(~decided, action)
    return advice.where(proposed.notna(), None).rename("limit_advice")


def _reason_key(row) -> str:
    action = row.get("limit_action")
    if action == "hold_orders":
        if row.get("standing") == "in_default":
            return "hold_default"
        over = row.get("over_limit")
        return "hold_over_limit" if isinstance(over, float) and over > 0 else "hold_arrears"
    return action if isinstance(action, str) else "formula"


def _held_apart(row) -> bool:
    """Overdue only on disputed invoices, held apart from arrears by the policy."""
    apart = row.get("overdue_disputed")
    return isinstance(apart, float) and apart > 0.005 and row.get("standing") == "good_standing"


def _fields(row, lang: str, currency: str, grace: float) -> dict:
    def money(value):
        value = float(value) if value is not None else math.nan
        return format_amount(value, lang, currency) if math.isfinite(value) else "–"

    return {
        "daily": money(row.get("revenue_12m", math.nan) / 365),
        "terms": f"{float(row.get('terms_days', math.nan)):g}",
        "grace": f"{grace:g}",
        "grade": row.get("grade"),
        "exposure": money(row.get("open_balance")),
        "overdue": money(row.get("overdue_balance")),
        "disputed": money(row.get("overdue_disputed")),
        "limit": money(row.get("credit_limit")),
        "proposed": money(row.get("limit_proposed")),
    }


def limit_reasons(
    scored: pd.DataFrame, lang: str = "en", currency: str = "CNY", grace_days: float = 30
) -> pd.Series:
    """Why each customer gets its proposal, one sentence in ``lang``.

    Parameters
    ----------
    scored : pandas.DataFrame
        ``CreditStudy.scored``.
    lang : {"en", "zh"}
    currency : str
        The currency of the amounts.
    grace_days : float, default 30
        The policy's grace period, quoted in the formula's sentence.

    Returns
    -------
    pandas.Series of str
        Index of ``scored``, named ``limit_reason``; empty text where no limit was proposed.
    """
    check_lang(lang)
    out = {}
    for key, row in scored.iterrows():
        if pd.isna(row.get("limit_proposed")):
            out[key] = ""
            continue
        fields = _fields(row, lang, currency, grace_days)
        formula = text("limit_reason", "formula", lang, **fields)
        reason = _reason_key(row)
        said = formula if reason == "formula" else text("limit_reason", reason, lang, **fields)
        if _held_apart(row) and reason == "limit_at_exposure":
            said = text("limit_reason", "limit_at_exposure_disputed", lang, **fields)
        elif _held_apart(row):
            said = text("limit_reason", "disputed_apart", lang, **fields) + said
        out[key] = said
    return pd.Series(out, dtype=object, name="limit_reason").reindex(scored.index)
