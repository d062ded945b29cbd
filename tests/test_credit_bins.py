"""Scorecard bins in words, in both languages, with the feature's unit."""

from __future__ import annotations

import pytest

from segkit.exceptions import ConfigError
from segkit.studies.credit_risk.bins import bin_words


@pytest.mark.parametrize(
    ("label", "feature", "lang", "expected"),
    [
        ("(-inf, 3.62)", "invoices_12m", "en", "below 3.62"),
        ("[3.62, 7.10)", "invoices_12m", "en", "3.62 to 7.10"),
        ("[7.10, inf)", "invoices_12m", "en", "7.10 and above"),
        ("(-inf, 3.62)", "invoices_12m", "zh", "低于 3.62"),
        ("[3.62, 7.10)", "invoices_12m", "zh", "3.62 至 7.10"),
        ("[7.10, inf)", "invoices_12m", "zh", "7.10 及以上"),
        ("[0.09, 0.90)", "avg_days_late", "en", "0.09 days to 0.90 days"),
        ("[52.50, inf)", "recency_days", "zh", "52.50 天 及以上"),
        ("(-inf, 0.26)", "share_paid_late", "en", "below 26%"),
        ("[0.79, inf)", "overdue_ratio", "zh", "79% 及以上"),
        ("(-inf, 31194.43)", "revenue_12m", "en", "below CNY 31.2k"),
        ("[800108.62, 1339427.81)", "revenue_12m", "zh", "80.0万元 至 133.9万元"),
        ("(-inf, inf)", "dso_days", "en", "any value"),
        ("Missing", "dso_days", "en", "missing"),
        ("Missing", "size_cn", "zh", "缺失"),
        ("[large, medium]", "size_cn", "en", "[large, medium]"),
        ("Large, Medium", "size_cn", "en", "Large, Medium"),
    ],
    ids=[
        "below",
        "between",
        "above",
        "below-zh",
        "between-zh",
        "above-zh",
        "days",
        "days-zh",
        "share",
        "share-zh",
        "amount",
        "amount-zh",
        "single",
        "missing",
        "missing-zh",
        "categories",
        "words",
    ],  # fmt: skip
)
def test_bins_in_words(label, feature, lang, expected):
    assert bin_words(label, feature, lang) == expected


def test_amount_bins_carry_the_ledger_currency():
    assert bin_words("[1500.0, inf)", "revenue_12m", "en", "USD") == "USD 1.5k and above"
    assert bin_words("[15000.0, inf)", "revenue_12m", "zh", "USD") == "1.5万 USD 及以上"


def test_a_bad_language_is_refused():
    with pytest.raises(ConfigError, match=r"lang must be one of \[.en., .zh.\]; got .fr."):
        bin_words("[1, 2)", "dso_days", "fr")
