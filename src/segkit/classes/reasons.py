"""The reason given for every customer's classes: short parts, in the report language.

Each part comes from the text catalogue (kind ``reason``) and appears only where its column
exists in the classified table.
"""

from __future__ import annotations

import pandas as pd

from segkit.text.catalogue import text

__all__ = ["reasons"]


def reasons(frame: pd.DataFrame, lang: str = "en") -> pd.Series:
    """A short, readable reason for each customer's main classes (no invented precision).

    The parts come from the text catalogue (kind ``reason``), each only where its column exists:
    invoices and revenue of the last 12 months, the RFM cell, the ABC tier, the mean days late
    (or "no payment history"), a balance more than 90 days past due, the matching rule.
    """
    parts = [_reason_part(frame, column, key, fill, lang) for column, key, fill in _REASONS
             if column in frame]  # fmt: skip
    if not parts:
        return pd.Series("", index=frame.index, dtype=object)
    text = pd.concat(parts, axis=1).astype(str)
    return text.apply(lambda row: "; ".join(p for p in row if p), axis=1)


def _reason_part(frame, column, key, fill, lang) -> pd.Series:
    return frame[column].map(lambda value: fill(value, key, lang))


def _count(value, key, lang):
    return text("reason", key, lang, n=f"{0 if pd.isna(value) else int(value):,}")


def _amount(value, key, lang):
    return text("reason", key, lang, amount=f"{0 if pd.isna(value) else value:,.0f}")


def _late(value, key, lang):
    if pd.isna(value):
        return text("reason", "late_unknown", lang)
    return text("reason", key, lang, days=f"{value:.0f}")


def _flag(value, key, lang):
    return text("reason", key, lang) if not pd.isna(value) and value > 0 else ""


def _tier(value, key, lang):
    """The ABC tier; without one (code ``none``, or missing) the customer had no net revenue."""
    if pd.isna(value) or value == "none":
        return text("reason", "abc_none", lang)
    return text("reason", key, lang, tier=value)


def _field(name):
    return lambda value, key, lang: text("reason", key, lang, **{name: value})


_REASONS = (
    ("invoices_12m", "invoices", _count),
    ("revenue_12m", "revenue", _amount),
    ("rfm_cell", "rfm", _field("cell")),
    ("abc_tier", "abc", _tier),
    ("avg_days_late", "late", _late),
    ("aging_90_plus", "over_90", _flag),
    ("rule_id", "rule", _field("rule")),
)
