"""The actions that matter most this month, derived from the classification.

Three rules, each with the amount at stake (see :data:`RULES`):

``over_limit``
    a customer who owes more than its limit on file; at stake: the excess; the action is the
    limit decision of the credit study (:func:`segkit.credit.advice.limit_reasons`), quoted;
``new_default``
    a customer with a balance more than 90 days past due that had none at the month-end
    before; at stake: that balance;
``grade_down``
    an A-tier customer (ABC analysis) whose credit grade is worse than at the month-end
    before; at stake: its open balance; the action quotes the credit study's limit decision.

A customer meeting several rules keeps the one with the largest amount; the list is ordered by
amount (then customer, then rule name) and cut to ``n``.
"""

from __future__ import annotations

import pandas as pd

from segkit.checks import check_lang
from segkit.text.amounts import format_amount
from segkit.text.catalogue import text

__all__ = ["RULES", "top_actions"]

RULES = ("over_limit", "new_default", "grade_down")
_COLUMNS = ["name", "rule", "action", "amount"]


def _grade_rank() -> dict[str, int]:
    from segkit.credit.grades import RatingScale

    return {grade: rank for rank, grade in enumerate(RatingScale().grades)}


def _money(value: float, lang: str, currency: str) -> str:
    """An amount in prose: whole units of the language (``"CNY 4.3m"``, ``"428.0万元"``)."""
    return format_amount(value, lang, currency)


def _over_limit(now: pd.DataFrame, lang: str, currency: str) -> pd.DataFrame:
    from segkit.credit.advice import limit_reasons

    if not {"credit_limit", "open_balance", "limit_proposed"} <= set(now.columns):
        return pd.DataFrame(columns=_COLUMNS)
    limit = now["credit_limit"].where(now["credit_limit"] > 0)
    excess = now["open_balance"] - limit
    hit = now[excess.fillna(0) > 0]
    amount = excess[hit.index]
    reasons = limit_reasons(hit, lang, currency)
    action = [
        text(
            "report_actions",
            "over_limit",
            lang,
            excess=_money(e, lang, currency),
            limit=_money(c, lang, currency),
            decision=r,
        )  # fmt: skip
        for e, c, r in zip(amount, limit[hit.index], reasons, strict=True)
    ]
    return _frame(hit, "over_limit", action, amount)


def _new_default(now: pd.DataFrame, before, lang: str, currency: str) -> pd.DataFrame:
    if before is None or "aging_90_plus" not in now.columns or "aging_90_plus" not in before:
        return pd.DataFrame(columns=_COLUMNS)
    was = before.index[before["aging_90_plus"].fillna(0) > 0]
    hit = now[(now["aging_90_plus"].fillna(0) > 0) & ~now.index.isin(was)]
    amount = hit["aging_90_plus"]
    action = [
        text("report_actions", "new_default", lang, amount=_money(a, lang, currency))
        for a in amount
    ]
    return _frame(hit, "new_default", action, amount)


def _grade_down(now: pd.DataFrame, before, lang: str) -> pd.DataFrame:
    from segkit.credit.advice import limit_advice

    needed = {"grade", "abc_tier", "open_balance"}
    if before is None or not needed <= set(now.columns) or "grade" not in before.columns:
        return pd.DataFrame(columns=_COLUMNS)
    rank = _grade_rank()
    then = before["grade"].reindex(now.index)
    worse = now["grade"].map(rank) > then.map(rank)
    hit = now[(now["abc_tier"] == "A") & worse.fillna(False).astype(bool)]
    advice = (
        limit_advice(hit) if "limit_action" in hit.columns else pd.Series(None, index=hit.index)
    )
    words = [text("limit_advice", a, lang) if isinstance(a, str) else "–" for a in advice]
    action = [
        text("report_actions", "grade_down", lang, before=b, after=a, decision=d)
        for b, a, d in zip(then[hit.index], hit["grade"], words, strict=True)
    ]
    return _frame(hit, "grade_down", action, hit["open_balance"])


def _frame(hit: pd.DataFrame, rule: str, action: list[str], amount) -> pd.DataFrame:
    names = hit["name"] if "name" in hit.columns else pd.Series(pd.NA, index=hit.index)
    return pd.DataFrame(
        {"name": names, "rule": rule, "action": action, "amount": list(amount)},
        index=hit.index,
        columns=_COLUMNS,
    )


def top_actions(
    current: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    lang: str = "en",
    currency: str = "CNY",
    n: int = 5,
) -> pd.DataFrame:
    """The ``n`` actions with the largest amount at stake, one per customer.

    Parameters
    ----------
    current, previous : pandas.DataFrame
        Classification (with credit columns and ``aging_90_plus``) at the as-of date and at
        the month-end before it, indexed by ``customer_id``; without ``previous`` only the
        ``over_limit`` rule applies.
    lang : {"en", "zh"}
        Language of the action text.
    currency : str, default "CNY"
        Currency of the amounts in the text.
    n : int, default 5
        How many actions to keep.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``; columns ``name``, ``rule`` (one of :data:`RULES`), ``action``
        (text in ``lang``) and ``amount`` (at stake, float), largest amount first.
    """
    check_lang(lang)
    parts = [
        _over_limit(current, lang, currency),
        _new_default(current, previous, lang, currency),
        _grade_down(current, previous, lang),
    ]
    found = pd.concat([p for p in parts if len(p)]) if any(len(p) for p in parts) else None
    if found is None:
        return pd.DataFrame(columns=_COLUMNS, index=pd.Index([], name="customer_id"))
    found = found.rename_axis("customer_id").reset_index()
    found["amount"] = found["amount"].astype(float)
    found = found.sort_values(["amount", "customer_id", "rule"], ascending=[False, True, True])
    found = found.drop_duplicates("customer_id").head(n)
    return found.set_index("customer_id")[_COLUMNS]
