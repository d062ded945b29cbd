"""Shared fixtures: tiny hand-typed ledgers."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture
def invoices() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3", "I4", "I5", "I6"],
            "customer_id": ["C1", "C1", "C1", "C2", "C1", "C3"],
            "invoice_date": [
                "2024-01-10",
                "2024-11-05",
                "2024-12-01",
                "2023-06-01",
                "2025-02-01",
                "2024-06-15",
            ],
            "due_date": [
                "2024-02-10",
                "2024-12-05",
                "2024-12-31",
                "2023-07-01",
                "2025-03-01",
                "2024-07-15",
            ],
            "amount": [100.0, 300.0, -50.0, 80.0, 999.0, 40.0],
        }
    )


@pytest.fixture
def customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3", "C4"],
            "name": ["甲公司", "乙公司", "丙公司", "丁公司"],
            "created": ["2023-01-01", "2023-01-01", "2024-06-01", "2025-01-15"],
        }
    )


@pytest.fixture
def payments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "payment_id": ["P1", "P2"],
            "customer_id": ["C1", "C2"],
            "invoice_id": ["I1", None],
            "payment_date": ["2024-02-01", "2023-08-01"],
            "amount": [100.0, 80.0],
        }
    )
