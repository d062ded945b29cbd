"""Scorecard bins in words: ``"[3.62, 7.10)"`` -> ``"3.62 days to 7.10 days"`` / ``"3.62 天 至 7.10 天"``.

optbinning writes a numeric bin as a half-open interval, ``(-inf, a)``, ``[a, b)``,
``[b, inf)``, and the bin of missing values as ``Missing``. :func:`bin_words` reads such a label
and writes it for a reader: *below a*, *a to b*, *b and above*, *missing*, each bound in the
feature's unit (:data:`UNITS`: days, a percentage, an amount in the units of the language).
Words come from the catalogue kind ``credit_bin``.
"""

from __future__ import annotations

import math
import re

from segkit.checks import check_lang
from segkit.text import text
from segkit.text.amounts import format_amount

__all__ = ["UNITS", "bin_words"]

KIND = "credit_bin"
#: Unit of each model feature's values: ``days``, ``share`` (a fraction, shown as a
#: percentage) or ``amount`` (in the ledger's currency); other features are plain numbers.
UNITS = {
    "avg_days_late": "days",
    "max_days_past_due": "days",
    "dso_days": "days",
    "recency_days": "days",
    "share_paid_late": "share",
    "overdue_ratio": "share",
    "credit_utilisation": "share",
    "revenue_12m": "amount",
}
_INTERVAL = re.compile(r"^[\(\[]\s*(\S+?)\s*,\s*(\S+?)\s*[\)\]]$")


def _bound(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return None if math.isinf(number) else number


def _value(number: float, unit: str | None, lang: str, currency: str) -> str:
    if unit == "share":
        return f"{number:.0%}"
    if unit == "amount":
        return format_amount(number, lang, currency)
    plain = f"{number:,.2f}"
    return text(KIND, "days", lang, value=plain) if unit == "days" else plain


def bin_words(label, feature: str, lang: str = "en", currency: str = "CNY"):
    """A scorecard bin label in words of ``lang``; labels that are not intervals pass through.

    Parameters
    ----------
    label : str
        A bin of :meth:`segkit.credit.CreditScorecard.points_table` (``"(-inf, 3.62)"``,
        ``"[3.62, 7.10)"``, ``"[7.10, inf)"``, ``"Missing"``); a list of categories
        (``"[large, medium]"``) or anything else is returned as it is.
    feature : str
        The feature binned, for its unit (:data:`UNITS`).
    lang : {"en", "zh"}
    currency : str, default "CNY"
        The ledger's currency, for amounts.

    Examples
    --------
    >>> bin_words("[3.62, 7.10)", "avg_days_late")
    '3.62 days to 7.10 days'
    >>> bin_words("(-inf, 0.26)", "share_paid_late", "zh")
    '低于 26%'
    """
    check_lang(lang)
    if label == "Missing":
        return text(KIND, "missing", lang)
    match = _INTERVAL.match(label) if isinstance(label, str) else None
    if match is None or not all(re.fullmatch(r"-?(inf|[\d.e+-]+)", g) for g in match.groups()):
        return label
    lo, hi = (_bound(g) for g in match.groups())
    unit = UNITS.get(feature)
    words = {
        k: _value(v, unit, lang, currency) for k, v in (("lo", lo), ("hi", hi)) if v is not None
    }
    key = {(False, True): "below", (True, True): "between", (True, False): "above"}.get(
        (lo is not None, hi is not None), "any"
    )
    return text(KIND, key, lang, **words)
