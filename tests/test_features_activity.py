"""Activity and value features against values computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segkit import Ledger, customer_features


@pytest.fixture
def ledger(invoices, customers):
    return Ledger.from_frames(invoices, customers)


def test_features_by_hand(ledger):
    got = customer_features(ledger, "2024-12-31")
    # C1: sales 2024-01-10 (100) and 2024-11-05 (300), credit note 2024-12-01 (-50); 2025 invoice ignored.
    # C2: one sale 2023-06-01 (80), outside the last 12 months.  C3: one sale 2024-06-15 (40).
    # C4 is created 2025-01-15: not yet a customer at the as-of date.
    expected = pd.DataFrame(
        {
            "first_invoice": pd.to_datetime(["2024-01-10", "2023-06-01", "2024-06-15"]),
            "last_invoice": pd.to_datetime(["2024-11-05", "2023-06-01", "2024-06-15"]),
            "n_invoices": [2, 1, 1],
            "invoices_12m": [2, 0, 1],
            "active_months": [2, 1, 1],
            "active_months_12m": [2, 0, 1],
            "net_amount": [350.0, 80.0, 40.0],
            "revenue_12m": [350.0, 0.0, 40.0],
            "revenue_prev_12m": [0.0, 80.0, 0.0],
            "recency_days": [56.0, 579.0, 199.0],
            "tenure_days": [356.0, 579.0, 199.0],
            "growth_12m": [np.nan, -1.0, np.nan],
            "mean_invoice": [200.0, 80.0, 40.0],
            "credit_note_share": [50 / 400, 0.0, 0.0],
        },
        index=pd.Index(["C1", "C2", "C3"], name="customer_id"),
    )
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)
    assert got["name"].tolist() == ["甲公司", "乙公司", "丙公司"]


def test_customer_without_invoices_before_as_of_has_zeros(ledger):
    got = customer_features(ledger, "2025-01-31")
    row = got.loc["C4"]
    assert (row["n_invoices"], row["net_amount"], row["revenue_12m"]) == (0, 0.0, 0.0)
    assert np.isnan(row["recency_days"])


def test_as_of_boundary_is_inclusive(ledger):
    on_day = customer_features(ledger, "2024-12-01").loc["C1"]
    day_before = customer_features(ledger, "2024-11-30").loc["C1"]
    assert on_day["net_amount"] - day_before["net_amount"] == -50.0


def test_month_window_edges(invoices, customers):
    # 2023-12-31 is exactly 12 months before 2024-12-31: outside the window (a, b].
    invoices.loc[0, "invoice_date"] = "2023-12-31"
    invoices.loc[0, "due_date"] = "2024-01-31"
    got = customer_features(Ledger.from_frames(invoices, customers), "2024-12-31").loc["C1"]
    assert got["revenue_prev_12m"] == 100.0
    assert got["invoices_12m"] == 1


def _long_history(seed: int = 7) -> pd.DataFrame:
    """Three customers over 14 years (168 months, three mask words), some months skipped."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2012-01-01", "2025-12-31", freq="D")
    n = 900
    dates = days[rng.integers(0, len(days), n)]
    amounts = np.round(rng.normal(500, 400, n), 2)  # about a tenth are credit notes
    frame = pd.DataFrame(
        {
            "invoice_id": [f"I{i:04d}" for i in range(n)],
            "customer_id": rng.choice(["A", "B", "C"], n, p=[0.6, 0.3, 0.1]),
            "invoice_date": dates,
            "due_date": dates + pd.Timedelta(days=30),
            "amount": np.where(amounts == 0, 1.0, amounts),
        }
    )
    return frame


@pytest.mark.parametrize("as_of", ["2012-01-31", "2017-03-15", "2021-12-31", "2025-12-31"])
def test_active_months_over_many_years_equal_distinct_months(as_of):
    # months since the ledger's first are counted as bits, 63 to a word: 168 months need three
    # words, and a month on either side of a word's edge must count once
    invoices = _long_history()
    got = customer_features(Ledger.from_frames(invoices), as_of)
    day = pd.Timestamp(as_of)
    sales = invoices[(invoices["invoice_date"] <= day) & (invoices["amount"] > 0)]
    month = sales["invoice_date"].dt.to_period("M")
    recent = sales["invoice_date"] > day - pd.DateOffset(months=12)
    by_customer = sales.assign(month=month).groupby("customer_id")["month"]
    expected = by_customer.nunique()
    expected_12m = sales[recent].assign(month=month[recent]).groupby("customer_id")["month"]
    assert got["active_months"].loc[expected.index].tolist() == expected.tolist()
    assert (got["active_months"] <= 168).all()
    twelve = expected_12m.nunique().reindex(got.index, fill_value=0)
    assert got["active_months_12m"].tolist() == twelve.tolist()


def test_month_masks_cover_words_at_their_edges():
    # one sale in the first month, in months 63 and 64 (the edge of the first word) and in
    # month 126 (the first of the third word)
    first = pd.Timestamp("2010-01-05")
    dates = [first + pd.DateOffset(months=k) for k in (0, 62, 63, 126)]
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3", "I4"],
            "customer_id": "A",
            "invoice_date": dates,
            "due_date": [d + pd.Timedelta(days=30) for d in dates],
            "amount": 10.0,
        }
    )
    got = customer_features(Ledger.from_frames(invoices), dates[-1].date())
    assert got.loc["A", "active_months"] == 4
    assert got.loc["A", "active_months_12m"] == 1
