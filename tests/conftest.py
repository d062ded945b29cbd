"""Shared fixtures (tiny hand-typed ledgers) and how the suite splits over pytest-xdist workers.

``make test`` runs the suite on several workers (``-n auto --dist loadfile``). Every test file is
one unit of work, so a module-scoped fixture (a rendered report, a Spark session, a PostgreSQL
server) is built once, on the worker that runs that file; the browser tests share their session
fixtures (headless Chromium and the rendered sample reports) and so form one unit. The units that
take longest are handed out first, so no long one starts last.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest

#: Units in the order workers should start them: the longest first (their fixtures render whole
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


def _unit(nodeid: str) -> str:
    """The unit of work of a test: its file, or "browser" for every browser test."""
    path = nodeid.split("::", 1)[0]
    return "browser" if path.startswith("tests/browser/") else path


def _rank(nodeid: str) -> int:
    name = _unit(nodeid).removeprefix("tests/").removesuffix(".py")
    return LONGEST.index(name) if name in LONGEST else len(LONGEST)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):  # the controller hands out units in this order
        items.sort(key=lambda item: _rank(item.nodeid))  # stable: file order otherwise


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist loadfile``, with the browser tests as one unit (pytest-xdist's loadgroup marks
    tests by rewriting their ids, which pytest 9 no longer reads)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Units(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    return Units(config, log)


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
