"""Tests of segkit.credit.collections: portfolio headline, aging by grade, DSO trend, contacts."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from segkit import Ledger, read_ledger
from segkit.credit import (
    RatingScale,
    aging_by_grade,
    contact_list,
    dso_trend,
    headline_table,
    portfolio_summary,
    segment_behaviour,
)
from segkit.exceptions import ConfigError, SchemaError
from segkit.features import payment_features
from segkit.studies.paths import resolve

BUCKETS = ["aging_current", "aging_1_30", "aging_31_60", "aging_61_90", "aging_90_plus"]


@pytest.fixture
def scored():
    grades = pd.Categorical(["BBB", "CC", "D", "BBB"], dtype=RatingScale().dtype())
    return pd.DataFrame(
        {
            "name": ["甲", "乙", "丙", "丁"],
            "grade": grades,
            "pd": [0.01, 0.30, 1.0, 0.01],
            "expected_loss": [45.0, 1350.0, 900.0, 45.0],
            "open_balance": [10000.0, 10000.0, 2000.0, 10000.0],
            "overdue_balance": [0.0, 6000.0, 2000.0, 500.0],
            "aging_current": [10000.0, 4000.0, 0.0, 9500.0],
            "aging_1_30": [0.0, 1000.0, 0.0, 500.0],
            "aging_31_60": [0.0, 5000.0, 0.0, 0.0],
            "aging_61_90": [0.0, 0.0, 0.0, 0.0],
            "aging_90_plus": [0.0, 0.0, 2000.0, 0.0],
            "open_days_past_due": [0.0, 45.0, 120.0, 10.0],
            "in_default_at_as_of": [False, False, True, False],
            "days_since_last_payment": [5.0, 70.0, np.nan, 20.0],
            "last_payment_date": pd.to_datetime(["2025-12-26", "2025-10-22", None, "2025-12-11"]),
        },
        index=pd.Index(["C1", "C2", "C3", "C4"], name="customer_id"),
    )


def test_portfolio_summary_by_hand(scored):
    got = portfolio_summary(scored, dso_days=55.0)
    expected = pd.Series(
        {
            "customers": 4,
            "open_ar": 32000.0,
            "overdue": 8500.0,
            "overdue_share": 8500.0 / 32000.0,
            "past_due_90_plus": 2000.0,
            "share_90_plus": 2000.0 / 32000.0,
            "expected_loss": 2340.0,
            "expected_loss_rate": 2340.0 / 32000.0,
            "customers_in_default": 1,
            "dso_days": 55.0,
        },
        dtype=object,
        name="portfolio",
    )
    assert_series_equal(got, expected)


def test_portfolio_summary_names_missing_columns(scored):
    with pytest.raises(
        ConfigError, match=r"scored must have the columns .*missing \['expected_loss'\]"
    ):
        portfolio_summary(scored.drop(columns="expected_loss"))


def test_aging_by_grade_by_hand(scored):
    before = scored.copy()
    got = aging_by_grade(scored)
    rows = {"BBB": [19500.0, 500.0, 0.0, 0.0, 0.0], "CC": [4000.0, 1000.0, 5000.0, 0.0, 0.0],
            "D": [0.0, 0.0, 0.0, 0.0, 2000.0]}  # fmt: skip
    grades = RatingScale().grades
    expected = pd.DataFrame(
        [rows.get(g, [0.0] * 5) for g in grades],
        columns=BUCKETS,
        index=pd.Index(grades, name="grade"),
    )
    expected["total"] = expected.sum(axis=1)
    assert_frame_equal(got, expected)
    assert_frame_equal(scored, before)


def test_aging_by_grade_with_text_grades_and_own_buckets(scored):
    frame = scored.assign(grade=scored["grade"].astype(str))
    got = aging_by_grade(frame, buckets=["aging_current", "aging_90_plus"])
    expected = pd.DataFrame(
        {"aging_current": [19500.0, 4000.0, 0.0], "aging_90_plus": [0.0, 0.0, 2000.0]},
        index=pd.Index(["BBB", "CC", "D"], name="grade"),
    )
    expected["total"] = [19500.0, 4000.0, 2000.0]
    assert_frame_equal(got, expected)


def test_aging_by_grade_names_missing_buckets(scored):
    with pytest.raises(ConfigError, match=r"missing \['aging_181_plus'\]"):
        aging_by_grade(scored, buckets=["aging_181_plus"])


def test_contact_list_by_hand(scored):
    before = scored.copy()
    got = contact_list(scored, n=5)
    expected = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "name": ["乙", "丙", "丁"],
            "grade": pd.Categorical(["CC", "D", "BBB"], dtype=RatingScale().dtype()),
            "pd": [0.30, 1.0, 0.01],
            "expected_loss": [1350.0, 900.0, 45.0],
            "open_balance": [10000.0, 2000.0, 10000.0],
            "overdue_balance": [6000.0, 2000.0, 500.0],
            "open_days_past_due": [45.0, 120.0, 10.0],
            "last_payment_date": pd.to_datetime(["2025-10-22", None, "2025-12-11"]),
            "days_since_last_payment": [70.0, np.nan, 20.0],
            "reason": [
                "45 days past due; 60% of the balance overdue; no payment for 70 days",
                "in default: 120 days past due; 100% of the balance overdue; never paid",
                "10 days past due",
            ],
        },
        index=pd.Index(["C2", "C3", "C4"], name="customer_id"),
    )
    assert_frame_equal(got, expected)
    assert_frame_equal(scored, before)


def test_contact_list_ties_on_expected_loss_go_to_the_oldest_debt(scored):
    got = contact_list(scored, n=2, overdue_only=False)
    assert list(got.index) == ["C2", "C3"]
    tied = contact_list(scored.drop(index=["C2", "C3"]), overdue_only=False)
    assert list(tied.index) == ["C4", "C1"]
    assert list(tied["reason"]) == ["10 days past due", "largest expected loss"]


@pytest.mark.parametrize("n", [0, 2.5, True], ids=["zero", "float", "bool"])
def test_contact_list_rejects_bad_n(scored, n):
    with pytest.raises(ConfigError, match="n must be an int >= 1; got"):
        contact_list(scored, n=n)


@pytest.fixture(scope="module")
def frames():
    """X pays in two parts; Y nets a credit note and unallocated cash; Z overpays an invoice."""
    invoices = pd.DataFrame(
        [
            ("IX1", "X", "2024-01-10", "2024-02-09", 1000.0),
            ("IY1", "Y", "2024-02-05", "2024-03-06", 500.0),
            ("CY1", "Y", "2024-02-20", "2024-02-20", -100.0),
            ("IZ1", "Z", "2024-02-10", "2024-03-11", 300.0),
            ("IZ2", "Z", "2024-03-10", "2024-04-09", 80.0),
        ],
        columns=["invoice_id", "customer_id", "invoice_date", "due_date", "amount"],
    )
    payments = pd.DataFrame(
        [
            ("P1", "X", "IX1", "2024-02-15", 600.0),
            ("P2", "X", "IX1", "2024-03-20", 400.0),
            ("P3", "Y", None, "2024-03-05", 150.0),
            ("P4", "Z", "IZ1", "2024-02-25", 350.0),
        ],
        columns=["payment_id", "customer_id", "invoice_id", "payment_date", "amount"],
    )
    return invoices, payments


@pytest.fixture(scope="module")
def ledger(frames):
    return Ledger.from_frames(frames[0], payments=frames[1])


def _trend(open_balance, sales, complete=False):
    index = pd.DatetimeIndex(["2024-01-31", "2024-02-29", "2024-03-31"], name="as_of")
    frame = pd.DataFrame({"open_balance": open_balance, "credit_sales": sales}, index=index)
    frame["dso_days"] = frame["open_balance"] / frame["credit_sales"] * 365
    frame["window_complete"] = complete
    return frame


def test_dso_trend_by_hand(ledger):
    got = dso_trend(ledger, "2024-01-01", "2024-03-31")
    assert_frame_equal(got, _trend([1000.0, 800.0, 280.0], [1000.0, 1800.0, 1880.0]))


def test_dso_trend_matches_payment_features_month_by_month(ledger):
    got = dso_trend(ledger, "2024-01-01", "2024-03-31")
    for as_of in got.index:
        features = payment_features(ledger.invoices, ledger.payments, as_of=as_of.date())
        assert got.loc[as_of, "open_balance"] == pytest.approx(
            features.open_balance.sum().execute()
        )


def test_dso_trend_with_settled_dates(frames):
    settled = ["2024-02-15", "2024-03-31", None, "2024-02-25", None]
    got = dso_trend(
        Ledger.from_frames(frames[0].assign(settled_date=settled)), "2024-01-01", "2024-03-31"
    )
    assert_frame_equal(got, _trend([1000.0, 500.0, 80.0], [1000.0, 1800.0, 1880.0]))


def test_dso_trend_window_complete_after_a_full_window(ledger):
    got = dso_trend(ledger, "2024-01-01", "2024-03-31", window_days=30)
    assert list(got["window_complete"]) == [False, True, True]
    assert list(got["credit_sales"]) == [1000.0, 800.0, 80.0]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"window_days": 0}, ConfigError, "window_days must be an int >= 1; got 0"),
        ({"freq": "monthly"}, ConfigError, "freq must be a pandas frequency such as 'ME'"),
        ({"start": "2024-03-05", "end": "2024-03-20"}, ConfigError, "no 'ME' date between"),
    ],
    ids=["window", "freq", "empty"],
)
def test_dso_trend_rejects_bad_parameters(ledger, kwargs, error, message):
    with pytest.raises(error, match=message):
        dso_trend(ledger, **kwargs)


def test_dso_trend_needs_settlement_data(frames):
    with pytest.raises(SchemaError, match="dso_trend needs settlement data"):
        dso_trend(Ledger.from_frames(frames[0]))


def test_dso_trend_on_the_sample_matches_payment_features():
    sample = read_ledger(resolve("data/sample"))
    got = dso_trend(sample, "2023-01-01", "2025-12-31")
    assert len(got) == 36
    assert got["window_complete"].sum() == 24
    day = dt.date(2025, 12, 31)
    features = payment_features(sample.invoices, sample.payments, as_of=day)
    expected = features.open_balance.sum().execute()
    assert got.loc[pd.Timestamp(day), "open_balance"] == pytest.approx(expected, abs=0.01)


def test_headline_table_formats_each_measure(scored):
    summary = portfolio_summary(scored, dso_days=55.4)
    got = headline_table(summary)
    expected = pd.DataFrame(
        {
            "measure": [
                "customers with an open balance",
                "open receivables (CNY)",
                "overdue (CNY)",
                "overdue share of open receivables",
                "more than 90 days past due (CNY)",
                "share more than 90 days past due",
                "expected loss (CNY)",
                "expected loss / open receivables",
                "customers in default",
                "DSO (days)",
            ],
            "value": [
                "4",
                "32,000",
                "8,500",
                "26.6%",
                "2,000",
                "6.2%",
                "2,340",
                "7.31%",
                "1",
                "55",
            ],
        }
    )
    assert_frame_equal(got, expected)


def test_headline_table_in_chinese_shows_a_dash_without_dso(scored):
    got = headline_table(portfolio_summary(scored), lang="zh")
    assert got["measure"].iloc[0] == "有应收余额的客户"
    assert got["value"].iloc[-1] == "–"
    with pytest.raises(ConfigError, match=r"lang must be one of \['en', 'zh'\]; got 'fr'"):
        headline_table(portfolio_summary(scored), lang="fr")


def test_segment_behaviour_by_hand(scored):
    frame = scored.assign(
        size_cn=["small", "micro", None, "small"], avg_days_late=[1.0, 9.0, 30.0, 3.0]
    )
    before = frame.copy()
    got = segment_behaviour(frame, "size_cn")
    expected = pd.DataFrame(
        {
            "customers": [2, 1, 1],
            "open_balance": [20000.0, 10000.0, 2000.0],
            "overdue_share": [500.0 / 20000.0, 0.6, 1.0],
            "median_days_late": [2.0, 9.0, 30.0],
            "mean_pd": [0.01, 0.30, 1.0],
            "expected_loss": [90.0, 1350.0, 900.0],
            "expected_loss_rate": [90.0 / 20000.0, 0.135, 0.45],
        },
        index=pd.Index(["small", "micro", "unknown"], name="size_cn"),
    )
    assert_frame_equal(got, expected)
    assert_frame_equal(frame, before)
