"""The headline numbers of the segmentation study: computed, tabled and stated in sentences.

:func:`headline_numbers` computes them from the customer table (customers, activity, revenue
and its growth, the revenue share of the top :data:`TOP` of customers, receivables and the
valuable-but-risky count); :func:`headline_table` writes them as a two-column table and
:func:`headline_text` as the memo's opening sentences.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.checks import check_lang, require_columns
from segkit.classes.tiers import top_share
from segkit.classes.value_risk import valuable_but_risky
from segkit.studies.sections import Holdings, missing, previous_window, window_caveat
from segkit.studies.segmentation.sections import SETTLED
from segkit.studies.segmentation.tables import PROFILE_INPUTS
from segkit.studies.segmentation.text import format_amount, heading
from segkit.text.catalogue import text

__all__ = ["TOP", "headline_numbers", "headline_table", "headline_text"]

#: Share of customers (largest first) whose revenue share is a headline number.
TOP = 0.2


def headline_numbers(frame: pd.DataFrame, held: Holdings | None = None) -> pd.Series:
    """The study's headline numbers, computed from the customer table.

    Returns
    -------
    pandas.Series
        Named ``value``, float, with the index ``customers`` (rows), ``active_12m``
        (``invoices_12m > 0``), ``revenue_12m``, ``revenue_prev_12m``, ``revenue_growth``
        (ratio minus 1; NaN unless the previous revenue is positive), ``top_share`` (revenue
        share of the top 20% of customers with revenue, :func:`segkit.classes.top_share`),
        ``open_ar`` and ``overdue_ar`` (sums of ``open_balance`` and ``overdue_balance``; NaN
        when unknown), ``overdue_share`` and ``valuable_but_risky`` (ABC tier A or B with a high
        payment risk, :func:`segkit.classes.valuable_but_risky`). With ``held`` (what the
        ledger holds, :func:`segkit.studies.sections.holdings`), the previous revenue and the
        growth are NaN when the ledger does not cover the previous 12 months, and the
        receivables NaN when it holds no settled dates or payments.
    """
    needed = (*PROFILE_INPUTS, "revenue_prev_12m", "abc_tier", "risk_tier")
    require_columns(frame, {c: c for c in needed}, "headline_numbers")
    revenue, previous = frame["revenue_12m"].sum(), frame["revenue_prev_12m"].sum()
    open_ar = frame["open_balance"].sum(min_count=1)
    overdue = frame["overdue_balance"].sum(min_count=1)
    values = {
        "customers": len(frame),
        "active_12m": int((frame["invoices_12m"] > 0).sum()),
        "revenue_12m": revenue,
        "revenue_prev_12m": previous,
        "revenue_growth": revenue / previous - 1 if previous > 0 else np.nan,
        "top_share": top_share(frame, "revenue_12m", TOP),
        "open_ar": open_ar,
        "overdue_ar": overdue,
        "overdue_share": overdue / open_ar if open_ar > 0 else np.nan,
        "valuable_but_risky": len(valuable_but_risky(frame)),
    }
    if held is not None and not previous_window(held)[1]:
        values["revenue_prev_12m"] = values["revenue_growth"] = np.nan
    if held is not None and missing(SETTLED, held):
        for key in ("open_ar", "overdue_ar", "overdue_share", "valuable_but_risky"):
            values[key] = np.nan
    return pd.Series(values, dtype="float64", name="value")


def _pct(value: float, lang: str, sign: str = "") -> str:
    return heading("na", lang) if pd.isna(value) else f"{value:{sign}.1%}"


def _count(value: float, lang: str) -> str:
    return heading("na", lang) if pd.isna(value) else f"{value:,.0f}"


def headline_table(numbers: pd.Series, lang: str = "en", currency: str = "CNY") -> pd.DataFrame:
    """The headline numbers as text: columns ``measure`` (label in ``lang``) and ``value``.

    Counts and amounts get thousands separators, shares one decimal percent, growth a sign;
    the active count is followed by its share of all customers. Measures the ledger cannot
    give (NaN) are left out; the headline sentence says why.
    """
    check_lang(lang)
    n = numbers
    active = n["active_12m"] / n["customers"] if n["customers"] else np.nan
    values = {key: _count(n[key], lang) for key in n.index if pd.notna(n[key])}
    values["active_12m"] += f" ({_pct(active, lang)})"
    for key, sign in (("revenue_growth", "+"), ("top_share", ""), ("overdue_share", "")):
        if key in values:
            values[key] = _pct(n[key], lang, sign)
    return pd.DataFrame([(heading(k, lang, currency), v) for k, v in values.items()],
                        columns=["measure", "value"])  # fmt: skip


def _growth(growth: float, lang: str, held: Holdings | None) -> str:
    if pd.isna(growth) and held is not None and not previous_window(held)[1]:
        start = previous_window(held)[0].isoformat()
        first = held.first.isoformat() if held.first else "–"
        return text("section_note", "previous_na", lang, start=start, first=first)
    key = ("growth_na" if pd.isna(growth) else "growth_flat" if abs(growth) < 0.0005
           else "growth_up" if growth > 0 else "growth_down")  # fmt: skip
    return heading(key, lang).format(g=abs(growth))


def headline_text(
    numbers: pd.Series, as_of: str, lang: str = "en", held: Holdings | None = None
) -> str:
    """Markdown sentences stating the headline numbers (:func:`headline_numbers`) as of a date.

    With ``held``, amounts are in the ledger's currency, a previous period the ledger does not
    cover is named as such, and receivables are left out when the ledger cannot measure them.
    """
    n = numbers
    currency = held.currency if held is not None else "CNY"
    lead = heading("headline", lang).format(
        as_of=as_of,
        customers=_count(n["customers"], lang),
        active=_count(n["active_12m"], lang),
        active_share=_pct(n["active_12m"] / n["customers"] if n["customers"] else np.nan, lang),
        revenue=format_amount(n["revenue_12m"], lang, currency),
        growth=_growth(n["revenue_growth"], lang, held),
        top=_pct(n["top_share"], lang),
    )
    lead += window_caveat(held, lang) if held is not None else ""
    if pd.isna(n["open_ar"]):
        return lead + heading("headline_no_ar", lang)
    return lead + heading("headline_ar", lang).format(
        open=format_amount(n["open_ar"], lang, currency),
        overdue=_pct(n["overdue_share"], lang),
        risky=_count(n["valuable_but_risky"], lang),
    )
