"""Tests for segkit.features.payments on a hand-typed ledger run in DuckDB."""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from segkit.exceptions import ConfigError, SchemaError
from segkit.features.payments import (
    aging_buckets,
    ar_reconciliation,
    invoice_settlement,
    payment_features,
    settlement_available,
)

AS_OF = dt.date(2025, 6, 30)
NaT = pd.NaT
T = pd.Timestamp


def _frame(columns, rows, dates=()):
    frame = pd.DataFrame(rows, columns=columns)
    for column in dates:
        frame[column] = pd.to_datetime(frame[column])
    return frame


# Customer A: allocated payments (early, late, partial, overpaid, one after as_of).
# Customer B: unallocated cash and a credit note applied oldest-first, a disputed invoice,
#             a payment naming an unknown invoice. Customer C: an invoice paid after as_of.
# Customer D: overpaid, leaving unallocated cash. Customer E: only invoiced after as_of.
INVOICES = _frame(
    ["invoice_id", "customer_id", "invoice_date", "due_date", "amount", "disputed"],
    [
        ("A1", "A", "2025-03-01", "2025-03-31", 1000.0, False),
        ("A2", "A", "2025-04-01", "2025-04-30", 2000.0, False),
        ("A3", "A", "2025-05-01", "2025-05-31", 800.0, False),
        ("A4", "A", "2025-06-15", "2025-07-15", 600.0, False),
        ("A5", "A", "2025-07-10", "2025-08-09", 900.0, False),
        ("B1", "B", "2025-01-10", "2025-02-09", 1000.0, False),
        ("B2", "B", "2025-02-10", "2025-03-12", 1500.0, False),
        ("B3", "B", "2025-03-15", "2025-04-14", 700.0, True),
        ("B4", "B", "2025-04-20", "2025-05-20", 400.0, False),
        ("B5", "B", "2025-04-01", "2025-04-01", -300.0, False),
        ("C1", "C", "2025-05-15", "2025-06-14", 500.0, False),
        ("C2", "C", "2025-01-05", "2025-02-04", 250.0, False),
        ("D1", "D", "2025-02-01", "2025-03-03", 300.0, False),
        ("E1", "E", "2025-08-01", "2025-08-31", 100.0, False),
    ],
    dates=["invoice_date", "due_date"],
)
PAYMENTS = _frame(
    ["payment_id", "customer_id", "invoice_id", "payment_date", "amount"],
    [
        ("P1", "A", "A1", "2025-03-25", 1000.0),
        ("P2", "A", "A2", "2025-05-10", 500.0),
        ("P3", "A", "A2", "2025-05-20", 1700.0),
        ("P4", "A", "A3", "2025-06-10", 300.0),
        ("P5", "A", "A4", "2025-07-05", 600.0),
        ("Q1", "B", None, "2025-03-01", 1200.0),
        ("Q2", "B", None, "2025-04-25", 1000.0),
        ("Q3", "B", "B4", "2025-05-05", 400.0),
        ("Q4", "B", None, "2025-07-02", 5000.0),
        ("Q5", "B", "X99", "2025-06-01", 300.0),
        ("R1", "C", "C1", "2025-07-20", 500.0),
        ("R2", "C", "C2", "2025-06-20", 250.0),
        ("S1", "D", "D1", "2025-02-20", 500.0),
        ("T1", "E", None, "2025-06-01", 100.0),
    ],
    dates=["payment_date"],
)
CUSTOMERS = pd.DataFrame(
    {"customer_id": ["A", "B", "C", "E"], "credit_limit": [10000.0, 0.0, 2000.0, 5000.0]}
)

SETTLEMENT = _frame(
    [
        "invoice_id", "customer_id", "invoice_date", "due_date", "amount", "paid_allocated",
        "paid_unallocated", "open_amount", "settled_date", "days_late", "days_past_due",
    ],
    [
        ("A1", "A", "2025-03-01", "2025-03-31", 1000.0, 1000.0, 0.0, 0.0, "2025-03-25", -6, None),
        ("A2", "A", "2025-04-01", "2025-04-30", 2000.0, 2000.0, 0.0, 0.0, "2025-05-20", 20, None),
        ("A3", "A", "2025-05-01", "2025-05-31", 800.0, 300.0, 200.0, 300.0, None, None, 30),
        ("A4", "A", "2025-06-15", "2025-07-15", 600.0, 0.0, 0.0, 600.0, None, None, -15),
        ("B1", "B", "2025-01-10", "2025-02-09", 1000.0, 0.0, 1000.0, 0.0, "2025-03-01", 20, None),
        ("B2", "B", "2025-02-10", "2025-03-12", 1500.0, 0.0, 1500.0, 0.0, "2025-04-25", 44, None),
        ("B3", "B", "2025-03-15", "2025-04-14", 700.0, 0.0, 300.0, 400.0, None, None, 77),
        ("B4", "B", "2025-04-20", "2025-05-20", 400.0, 400.0, 0.0, 0.0, "2025-05-05", -15, None),
        ("C1", "C", "2025-05-15", "2025-06-14", 500.0, 0.0, 0.0, 500.0, None, None, 16),
        ("C2", "C", "2025-01-05", "2025-02-04", 250.0, 250.0, 0.0, 0.0, "2025-06-20", 136, None),
        ("D1", "D", "2025-02-01", "2025-03-03", 300.0, 300.0, 0.0, 0.0, "2025-02-20", -11, None),
    ],
    dates=["invoice_date", "due_date", "settled_date"],
)  # fmt: skip

FEATURE_COLUMNS = [
    "customer_id", "open_balance", "overdue_balance", "aging_current", "aging_1_30",
    "aging_31_60", "aging_61_90", "aging_90_plus", "dso_days", "avg_days_late",
    "share_paid_late", "max_days_past_due", "days_since_last_payment", "unallocated_cash",
    "credit_limit", "credit_utilisation", "disputed_share", "overdue_undisputed", "n_settled",
]  # fmt: skip
FEATURES = pd.DataFrame(
    [
        ("A", 900.0, 300.0, 600.0, 300.0, 0.0, 0.0, 0.0, 900 / 4400 * 365, 40000 / 3000,
         0.5, 30.0, 20.0, 0.0, 10000.0, 0.09, 0.0, 300.0, 2),
        ("B", 400.0, 400.0, 0.0, 0.0, 0.0, 400.0, 0.0, 400 / 3600 * 365, 86000 / 2900,
         2 / 3, 77.0, 29.0, 0.0, 0.0, np.nan, 1.0, 0.0, 3),  # B3 overdue, disputed
        ("C", 500.0, 500.0, 0.0, 500.0, 0.0, 0.0, 0.0, 500 / 750 * 365, 136.0,
         1.0, 136.0, 10.0, 0.0, 2000.0, 0.25, 0.0, 500.0, 1),
        ("D", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
         0.0, 0.0, 130.0, 200.0, np.nan, np.nan, np.nan, 0.0, 1),
        # E paid 100 on 2025-06-01 but is first invoiced after as_of: the cash is unallocated
        ("E", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, np.nan, np.nan,
         np.nan, np.nan, 29.0, 100.0, 5000.0, 0.0, np.nan, np.nan, 0),  # no invoice by as_of
    ],
    columns=FEATURE_COLUMNS,
)  # fmt: skip


@pytest.fixture(scope="module")
def con():
    return ibis.duckdb.connect()


def _table(con, frame, name):
    return con.create_table(name, frame, overwrite=True)


def _run(expr, key):
    """Execute and normalise for comparison: sorted rows, nullable ints as float."""
    frame = expr.to_pandas().sort_values(key).reset_index(drop=True)
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].astype("datetime64[ns]")
    return frame


def _settlement_frame(frame):
    out = frame.copy()
    for column in ("days_late", "days_past_due"):
        out[column] = out[column].astype("float64")
    return out


@pytest.fixture(scope="module")
def ledger(con):
    return _table(con, INVOICES, "inv"), _table(con, PAYMENTS, "pay")


def test_aging_buckets_default():
    assert aging_buckets() == [
        ("aging_current", None, 0),
        ("aging_1_30", 0, 30),
        ("aging_31_60", 30, 60),
        ("aging_61_90", 60, 90),
        ("aging_90_plus", 90, None),
    ]


def test_aging_buckets_custom():
    assert aging_buckets([0, 45]) == [
        ("aging_current", None, 0),
        ("aging_1_45", 0, 45),
        ("aging_45_plus", 45, None),
    ]


@pytest.mark.parametrize(
    "edges",
    [(), (30, 60), (0, 30, 30), (0, 60, 30), (0, 30.5), (0, True), "0,30", None, (-5, 0)],
    ids=["empty", "no-zero", "repeat", "decreasing", "float", "bool", "string", "none", "neg"],
)
def test_aging_buckets_rejects_bad_edges(edges):
    with pytest.raises(ConfigError, match=r"aging_edges must be strictly increasing .*; got"):
        aging_buckets(edges)


def test_invoice_settlement(ledger):
    invoices, payments = ledger
    got = _run(invoice_settlement(invoices, payments, as_of=AS_OF), "invoice_id")
    assert_frame_equal(_settlement_frame(got), _settlement_frame(SETTLEMENT))


def test_payment_features(ledger, con):
    invoices, payments = ledger
    customers = _table(con, CUSTOMERS, "cust")
    got = _run(payment_features(invoices, payments, customers, as_of=AS_OF), "customer_id")
    assert_frame_equal(got, FEATURES)


def test_row_order_does_not_matter(con):
    invoices = _table(con, INVOICES.sample(frac=1.0, random_state=7), "inv_shuffled")
    payments = _table(con, PAYMENTS.sample(frac=1.0, random_state=11), "pay_shuffled")
    got = _run(invoice_settlement(invoices, payments, as_of=AS_OF), "invoice_id")
    assert_frame_equal(_settlement_frame(got), _settlement_frame(SETTLEMENT))


def test_payment_for_another_customers_invoice_is_unallocated_cash():
    invoices = ibis.memtable(
        _frame(
            ["invoice_id", "customer_id", "invoice_date", "due_date", "amount"],
            [("G1", "G", "2025-06-01", "2025-06-20", 100.0)],
            dates=["invoice_date", "due_date"],
        )
    )
    payments = ibis.memtable(
        _frame(
            ["payment_id", "customer_id", "invoice_id", "payment_date", "amount"],
            [("F1", "F", "G1", "2025-06-10", 100.0)],
            dates=["payment_date"],
        )
    )
    got = _run(ar_reconciliation(invoices, payments, as_of=AS_OF), "customer_id")
    columns = ["customer_id", "open_balance", "settled_allocated", "unallocated_cash"]
    expected = pd.DataFrame(
        {
            "customer_id": ["F", "G"],
            "open_balance": [0.0, 100.0],
            "settled_allocated": [0.0, 0.0],
            "unallocated_cash": [100.0, 0.0],
        }
    )
    assert_frame_equal(got[columns], expected)


def test_allocation_by_payment_order():
    """Invoices paid over several days: settled the day the running total reaches the amount.

    H1 (1000) is reached on day 2 with 100 over, then paid 50 more; H2 (500) gets 200 + 200 and
    stays open; H3 (300) gets two payments on one day that together settle it exactly; H4 (200)
    gets 250 in one day, 50 over. Every excess is unallocated cash on its own date.
    """
    invoices = ibis.memtable(
        _frame(
            ["invoice_id", "customer_id", "invoice_date", "due_date", "amount"],
            [
                ("H1", "H", "2025-05-01", "2025-05-31", 1000.0),
                ("H2", "H", "2025-05-02", "2025-06-01", 500.0),
                ("H3", "H", "2025-05-03", "2025-06-02", 300.0),
                ("H4", "K", "2025-05-04", "2025-06-03", 200.0),
            ],
            dates=["invoice_date", "due_date"],
        )
    )
    payments = ibis.memtable(
        _frame(
            ["payment_id", "customer_id", "invoice_id", "payment_date", "amount"],
            [
                ("p1", "H", "H1", "2025-05-10", 600.0),
                ("p2", "H", "H1", "2025-05-20", 500.0),
                ("p3", "H", "H1", "2025-06-05", 50.0),
                ("p4", "H", "H2", "2025-05-11", 200.0),
                ("p5", "H", "H2", "2025-05-21", 200.0),
                ("p6", "H", "H3", "2025-05-12", 100.0),
                ("p7", "H", "H3", "2025-05-12", 200.0),
                ("p8", "K", "H4", "2025-05-13", 250.0),
            ],
            dates=["payment_date"],
        )
    )
    got = _run(invoice_settlement(invoices, payments, as_of=AS_OF), "invoice_id")
    # H1's excess (100 on 05-20, 50 on 06-05) goes oldest-first to H2's remaining 100: the
    # 05-20 credit covers it, and H2 is settled on its own last payment, 05-21, the later date
    assert got["paid_allocated"].tolist() == [1000.0, 400.0, 300.0, 200.0]
    assert got["paid_unallocated"].tolist() == [0.0, 100.0, 0.0, 0.0]
    assert got["open_amount"].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert got["settled_date"].tolist() == [
        T("2025-05-20"), T("2025-05-21"), T("2025-05-12"), T("2025-05-13"),
    ]  # fmt: skip
    totals = _run(ar_reconciliation(invoices, payments, as_of=AS_OF), "customer_id")
    assert totals["unallocated_cash"].tolist() == [50.0, 50.0]
    assert totals["settled_by_credit"].tolist() == [100.0, 0.0]
    assert (totals[["invoice_gap", "credit_gap"]].abs() < 1e-9).all().all()


def test_inputs_not_modified(con):
    invoices, payments, customers = INVOICES.copy(), PAYMENTS.copy(), CUSTOMERS.copy()
    tables = [ibis.memtable(f) for f in (invoices, payments, customers)]
    payment_features(*tables, as_of=AS_OF).to_pandas()
    assert_frame_equal(invoices, INVOICES)
    assert_frame_equal(payments, PAYMENTS)
    assert_frame_equal(customers, CUSTOMERS)


def test_payments_win_over_settled_date(con):
    invoices = INVOICES.assign(settled_date=pd.Timestamp("2025-01-01"))
    tables = _table(con, invoices, "inv_sd"), _table(con, PAYMENTS, "pay_sd")
    got = _run(invoice_settlement(*tables, as_of=AS_OF), "invoice_id")
    assert_frame_equal(_settlement_frame(got), _settlement_frame(SETTLEMENT))


def test_custom_aging_edges(ledger):
    expr = payment_features(*ledger, as_of=AS_OF, aging_edges=(0, 45))
    got = _run(
        expr.select("customer_id", "aging_current", "aging_1_45", "aging_45_plus"), "customer_id"
    )
    expected = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D", "E"],
            "aging_current": [600.0, 0.0, 0.0, 0.0, 0.0],
            "aging_1_45": [300.0, 0.0, 500.0, 0.0, 0.0],
            "aging_45_plus": [0.0, 400.0, 0.0, 0.0, 0.0],
        }
    )
    assert_frame_equal(got, expected)


def test_dso_window(ledger):
    # The window (2025-05-01, 2025-06-30] keeps A4 (A3 is dated on the open start) and C1.
    expr = payment_features(*ledger, as_of=AS_OF, dso_window_days=60).select(
        "customer_id", "dso_days"
    )
    expected = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D", "E"],
            "dso_days": [900 / 600 * 60, np.nan, 60.0, np.nan, np.nan],
        }
    )
    assert_frame_equal(_run(expr, "customer_id"), expected)


RECONCILIATION = pd.DataFrame(
    {
        "customer_id": ["A", "B", "C", "D", "E"],
        "invoiced": [4400.0, 3600.0, 750.0, 300.0, 0.0],
        "credit_notes": [0.0, 300.0, 0.0, 0.0, 0.0],
        "cash_received": [3500.0, 2900.0, 250.0, 500.0, 100.0],
        "settled_allocated": [3300.0, 400.0, 250.0, 300.0, 0.0],
        "settled_by_credit": [200.0, 2800.0, 0.0, 0.0, 0.0],
        "open_balance": [900.0, 400.0, 500.0, 0.0, 0.0],
        "unallocated_cash": [0.0, 0.0, 0.0, 200.0, 100.0],
        "invoice_gap": [0.0] * 5,
        "credit_gap": [0.0] * 5,
    }
)


def test_ar_reconciliation_by_customer(ledger):
    got = _run(ar_reconciliation(*ledger, as_of=AS_OF), "customer_id")
    assert_frame_equal(got, RECONCILIATION)


def test_ar_reconciliation_total(ledger):
    got = ar_reconciliation(*ledger, as_of=AS_OF, by_customer=False).to_pandas()
    expected = RECONCILIATION.drop(columns="customer_id").sum().to_frame().T
    assert_frame_equal(got, expected)


SETTLED_INVOICES = _frame(
    ["invoice_id", "customer_id", "invoice_date", "due_date", "amount", "settled_date"],
    [
        ("X1", "A", "2025-03-01", "2025-03-31", 1000.0, "2025-03-25"),
        ("X2", "A", "2025-04-01", "2025-04-30", 2000.0, "2025-07-10"),
        ("X3", "A", "2025-05-01", "2025-05-31", 500.0, None),
        ("Y1", "B", "2025-01-10", "2025-02-09", 400.0, "2025-03-01"),
        ("Y2", "B", "2025-02-01", "2025-02-01", -100.0, None),
        ("Z1", "C", "2025-07-05", "2025-08-04", 300.0, None),
    ],
    dates=["invoice_date", "due_date", "settled_date"],
)


SETTLED_EXPECTED = _frame(
    SETTLEMENT.columns,
    [
        ("X1", "A", "2025-03-01", "2025-03-31", 1000.0, 1000.0, 0.0, 0.0, "2025-03-25", -6, None),
        ("X2", "A", "2025-04-01", "2025-04-30", 2000.0, 0.0, 0.0, 2000.0, None, None, 61),
        ("X3", "A", "2025-05-01", "2025-05-31", 500.0, 0.0, 0.0, 500.0, None, None, 30),
        ("Y1", "B", "2025-01-10", "2025-02-09", 400.0, 400.0, 0.0, 0.0, "2025-03-01", 20, None),
    ],
    dates=["invoice_date", "due_date", "settled_date"],
)  # fmt: skip


def test_settled_date_only_settlement(con):
    invoices = _table(con, SETTLED_INVOICES, "inv_settled")
    got = _run(invoice_settlement(invoices, as_of=AS_OF), "invoice_id")
    assert_frame_equal(_settlement_frame(got), _settlement_frame(SETTLED_EXPECTED))


def test_settled_date_only_features(con):
    invoices = _table(con, SETTLED_INVOICES, "inv_settled")
    got = _run(payment_features(invoices, as_of=AS_OF), "customer_id")
    expected = pd.DataFrame(
        [
            ("A", 2500.0, 2500.0, 0.0, 500.0, 0.0, 2000.0, 0.0, 2500 / 3500 * 365, 0.0,
             0.0, 61.0, 97.0, 0.0, np.nan, np.nan, np.nan, np.nan, 1),
            ("B", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 20.0,
             1.0, 20.0, 121.0, 100.0, np.nan, np.nan, np.nan, np.nan, 1),
        ],
        columns=FEATURE_COLUMNS,
    )  # fmt: skip
    assert_frame_equal(got, expected)


def test_no_settlement_data_gives_null_features(con):
    invoices = _table(con, INVOICES.drop(columns="disputed"), "inv_plain")
    customers = _table(con, CUSTOMERS, "cust_plain")
    assert not settlement_available(invoices)
    got = _run(payment_features(invoices, customers=customers, as_of=AS_OF), "customer_id")
    expected = pd.DataFrame({"customer_id": ["A", "B", "C", "D"]})
    for column in FEATURE_COLUMNS[1:]:
        expected[column] = np.nan
    expected["credit_limit"] = [10000.0, 0.0, 2000.0, np.nan]
    assert_frame_equal(got, expected)


def test_no_settlement_data_gives_null_settlement(con):
    invoices = _table(con, INVOICES.drop(columns="disputed"), "inv_plain")
    got = _run(invoice_settlement(invoices, as_of=AS_OF), "invoice_id")
    unknown = ["paid_allocated", "paid_unallocated", "open_amount", "days_late", "days_past_due"]
    assert got[unknown].isna().all().all()
    assert got["settled_date"].isna().all()
    assert got["invoice_id"].tolist() == SETTLEMENT["invoice_id"].tolist()


def test_settlement_available(con):
    plain = ibis.memtable(INVOICES.drop(columns="disputed"))
    assert settlement_available(plain, ibis.memtable(PAYMENTS))
    assert settlement_available(ibis.memtable(SETTLED_INVOICES))
    assert not settlement_available(plain)


@pytest.mark.parametrize("days", [0, -30, 30.0, True], ids=["zero", "negative", "float", "bool"])
def test_bad_dso_window(ledger, days):
    with pytest.raises(ConfigError, match=r"dso_window_days must be an int >= 1; got"):
        payment_features(*ledger, as_of=AS_OF, dso_window_days=days)


def test_missing_column(con):
    invoices = ibis.memtable(INVOICES.drop(columns="due_date"))
    with pytest.raises(SchemaError, match=r"invoices must have columns .* missing \['due_date'\]"):
        invoice_settlement(invoices, as_of=AS_OF)


def test_bad_as_of(ledger):
    with pytest.raises(ConfigError, match=r"as_of must be a datetime.date .*; got '30/06/2025'"):
        payment_features(*ledger, as_of="30/06/2025")
