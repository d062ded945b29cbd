"""Shared fixtures (tiny hand-typed ledgers) and how the suite splits over pytest-xdist workers.

``make test`` runs the suite on several workers (``-n auto --dist loadgroup``). Every test file is
one group, so a module-scoped fixture (a rendered report, a Spark session, a PostgreSQL server)
is built once, on the worker that runs that file; the browser tests share their session fixtures
(headless Chromium and the rendered sample reports) and so form one group. The groups that take
longest are handed out first, so no long group starts last.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

TESTS = Path(__file__).parent
#: Groups in the order workers should start them: the longest first (their fixtures render whole
#: reports, start Spark or PostgreSQL, or run many examples). The rest follow in file order.
LONGEST = (
    "test_exports",
    "browser",
    "test_engines",
    "test_properties",
    "test_report_safety",
    "test_report_injection",
    "test_cash_collections_claims",
    "test_credit_scorecard",
    "test_end_to_end",
    "test_cli",
    "test_credit_short_history",
    "test_cash_model",
)


def _group(item: pytest.Item) -> str:
    path = Path(item.path)
    folder = path.parent.relative_to(TESTS) if path.is_relative_to(TESTS) else Path("..")
    if folder.parts[:1] == ("browser",):
        return "browser"  # one Chromium and one pair of rendered reports for every browser test
    return "/".join((*folder.parts, path.stem))


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups from the markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if not any(item.iter_markers("xdist_group")):
            item.add_marker(pytest.mark.xdist_group(_group(item)))
    if os.environ.get("PYTEST_XDIST_WORKER"):
        rank = {name: i for i, name in enumerate(LONGEST)}
        items.sort(key=lambda item: rank.get(_group(item), len(LONGEST)))  # stable: file order


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
