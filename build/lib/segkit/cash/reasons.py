"""The main reasons behind an invoice's score, as codes with English and Chinese labels.

The features fall into groups (payment history, overdue now, exposure, ...). A group's effect
on one invoice is how much its probability drops when the group's features are set to their
typical (median) training values, all else unchanged: a one-group-at-a-time substitution on the
fitted model itself, so the reasons explain the model that scored the invoice. The groups with
the largest positive effects, at least :data:`MIN_EFFECT`, are the reasons. Their labels, in
English and Chinese, are the ``cash_reason`` entries of the text catalogue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segkit.text.catalogue import text

__all__ = ["MIN_EFFECT", "REASON_GROUPS", "reason_codes", "reason_text"]

#: A group is a reason only when it raises the probability by at least this much.
MIN_EFFECT = 0.02

REASON_GROUPS: dict[str, tuple[str, ...]] = {
    "payment_history": ("n_settled", "share_late", "share_very_late", "mean_days_late",
                        "mean_days_signed", "max_days_late", "days_since_settlement"),
    "recent_trend": ("recent_days_late", "recent_share_late", "trend_days_late"),
    "overdue_now": ("n_overdue", "overdue_balance", "overdue_share", "max_days_past_due"),
    "exposure": ("n_open", "open_balance", "utilisation", "credit_limit"),
    "invoice_amount": ("log_amount", "amount_ratio", "paid_share"),
    "terms_timing": ("terms_days", "days_to_due", "age_days"),
    "disputed": ("disputed",),
    "calendar": ("due_month", "due_weekday"),
    "customer_profile": ("employees", "revenue", "total_assets", "tenure_days", "n_invoices"),
}  # fmt: skip


def reason_codes(model, X: pd.DataFrame, reference: pd.Series, n_reasons: int) -> list[str]:
    """The top reason codes of each row, ``;``-separated (empty when none reaches MIN_EFFECT).

    Parameters
    ----------
    model : fitted classifier with ``predict_proba``
    X : pandas.DataFrame
        The rows to explain, with the model's features.
    reference : pandas.Series
        Typical value of each feature (training medians).
    n_reasons : int
        At most this many codes per row.
    """
    base = model.predict_proba(X)[:, 1]
    effects = {}
    for group, cols in REASON_GROUPS.items():
        cols = [c for c in cols if c in X.columns]
        swapped = X.copy()
        swapped[cols] = reference[cols].to_numpy()
        effects[group] = base - model.predict_proba(swapped)[:, 1]
    table = pd.DataFrame(effects, index=X.index)
    order = np.argsort(-table.to_numpy(), axis=1, kind="stable")[:, :n_reasons]
    names = np.array(list(REASON_GROUPS))
    codes = []
    for row, picks in zip(table.to_numpy(), order, strict=True):
        codes.append(";".join(names[p] for p in picks if row[p] >= MIN_EFFECT))
    return codes


def reason_text(codes: str, lang: str = "en") -> str:
    """Labels of ``;``-separated reason codes in a report language (``"en"`` or ``"zh"``)."""
    sep = "; " if lang == "en" else "；"
    return sep.join(text("cash_reason", c, lang) for c in codes.split(";") if c)
