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
