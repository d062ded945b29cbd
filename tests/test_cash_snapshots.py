"""Tests of segkit.cash.snapshots: open invoices at month-ends with point-in-time features."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from segkit import Ledger
from segkit.cash import invoice_outcomes, invoice_snapshots, month_ends
from segkit.exceptions import SchemaError
from segkit.features import invoice_settlement


@pytest.fixture
def ledger():
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3", "I4", "N1"],
            "customer_id": ["C1", "C1", "C1", "C2", "C2"],
            "invoice_date": ["2024-01-05", "2024-01-20", "2024-02-10", "2024-01-15", "2024-02-20"],
            "due_date": ["2024-02-05", "2024-03-20", "2024-02-25", "2024-02-15", "2024-02-20"],
            "amount": [100.0, 200.0, 50.0, 80.0, -80.0],
            "disputed": [False, True, False, False, False],
        }
    )
    payments = pd.DataFrame(
        {
            "payment_id": ["P1", "P2"],
            "customer_id": ["C1", "C1"],
            "invoice_id": ["I1", "I3"],
            "payment_date": ["2024-02-20", "2024-02-20"],
            "amount": [100.0, 50.0],
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "credit_limit": [1000.0, 0.0],
            "created": ["2023-01-01", None],
        }
    )
    return Ledger.from_frames(invoices, customers, payments)


def test_month_ends_are_inclusive():
    assert month_ends(dt.date(2024, 1, 31), dt.date(2024, 3, 30)) == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
    ]


def test_snapshot_rows_and_history_by_hand(ledger):
    rows = invoice_snapshots(ledger, [dt.date(2024, 1, 31), dt.date(2024, 2, 29)])
    keys = list(zip(rows["snapshot"].dt.strftime("%Y-%m-%d"), rows["invoice_id"], strict=True))
    # Jan 31: I1, I2, I4 open. Feb 29: I1 and I3 paid on Feb 20, I4 settled by the credit note.
    assert keys == [("2024-01-31", "I1"), ("2024-01-31", "I2"), ("2024-01-31", "I4"),
                    ("2024-02-29", "I2")]  # fmt: skip
    jan = rows.iloc[0]
    assert jan["n_settled"] == 0 and np.isnan(jan["share_late"])
    assert jan["n_open"] == 2 and jan["open_balance"] == 300.0 and jan["days_to_due"] == 5
    feb = rows.iloc[3]
    # settled by Feb 29: I1 15 days late, I3 5 days early
    assert feb["n_settled"] == 2 and feb["share_late"] == 0.5
    assert feb["mean_days_late"] == 7.5 and feb["mean_days_signed"] == 5.0
    assert feb["max_days_late"] == 15 and feb["recent_days_late"] == 7.5
    assert feb["n_open"] == 1 and feb["open_balance"] == 200.0 and feb["n_overdue"] == 0
    assert feb["days_to_due"] == 20 and feb["terms_days"] == 60 and feb["age_days"] == 40
    assert feb["disputed"] == 1.0 and feb["utilisation"] == 0.2 and feb["due_month"] == 3
    assert feb["amount_ratio"] == pytest.approx(200.0 / 100.0)  # median of 100, 200, 50
    assert np.isnan(rows.iloc[2]["utilisation"]) and np.isnan(rows.iloc[2]["tenure_days"])


def test_each_snapshot_settles_as_the_ledger_stood_then(ledger):
    dates = [dt.date(2024, 1, 31), dt.date(2024, 2, 15), dt.date(2024, 2, 29)]
    rows = invoice_snapshots(ledger, dates)
    for day in dates:
        alone = invoice_settlement(ledger.invoices, ledger.payments, as_of=day).execute()
        alone = alone[alone["settled_date"].isna()].set_index("invoice_id")["open_amount"]
        mine = rows[rows["snapshot"] == pd.Timestamp(day)].set_index("invoice_id")["open_amount"]
        pd.testing.assert_series_equal(mine.sort_index(), alone.sort_index(), check_names=False)


def test_max_past_due_leaves_out_old_invoices(ledger):
    rows = invoice_snapshots(ledger, [dt.date(2024, 5, 31)], max_past_due=30)
    assert list(rows["invoice_id"]) == []
    rows = invoice_snapshots(ledger, [dt.date(2024, 5, 31)])
    assert list(rows["invoice_id"]) == ["I2"]


def test_settled_date_column_is_cut_at_each_snapshot():
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2"],
            "customer_id": ["C1", "C1"],
            "invoice_date": ["2024-01-05", "2024-02-05"],
            "due_date": ["2024-02-05", "2024-03-05"],
            "amount": [100.0, 100.0],
            "settled_date": ["2024-02-15", None],
        }
    )
    rows = invoice_snapshots(
        Ledger.from_frames(invoices), [dt.date(2024, 1, 31), dt.date(2024, 2, 29)]
    )
    assert list(rows["invoice_id"]) == ["I1", "I2"]
    assert rows.iloc[1]["share_late"] == 1.0 and rows.iloc[1]["mean_days_late"] == 10


def test_outcomes_are_censored_while_open(ledger):
    out = invoice_outcomes(ledger, dt.date(2024, 3, 31))
    assert out.loc["I1", "days_late"] == 15 and not out.loc["I1", "open"]
    assert out.loc["I2", "days_late"] == 11 and out.loc["I2", "open"]  # 11 days past due so far


def test_no_settlement_data_is_a_schema_error():
    invoices = pd.DataFrame(
        {"invoice_id": ["I1"], "customer_id": ["C1"], "invoice_date": ["2024-01-05"],
         "due_date": ["2024-02-05"], "amount": [100.0]}
    )  # fmt: skip
    with pytest.raises(SchemaError, match="payments table or an invoices.settled_date"):
        invoice_snapshots(Ledger.from_frames(invoices), [dt.date(2024, 1, 31)])


def test_outcomes_at_a_date_are_computed_once_per_ledger(ledger, monkeypatch):
    import segkit.cash.snapshots as snapshots

    calls = []
    settle = snapshots.invoice_settlement

    def spy(*args, **kwargs):
        calls.append(kwargs.get("as_of"))
        return settle(*args, **kwargs)

    monkeypatch.setattr(snapshots, "invoice_settlement", spy)
    first = invoice_outcomes(ledger, dt.date(2024, 3, 31))
    first["days_late"] = -999.0  # the caller's copy
    again = invoice_outcomes(ledger, "2024-03-31")
    assert len(calls) == 1
    assert (again["days_late"] != -999.0).all()
    invoice_outcomes(ledger, dt.date(2024, 4, 30))
    assert len(calls) == 2


def test_training_ledger_keeps_whole_customers_of_a_seeded_sample(ledger):
    from segkit.cash.snapshots import training_ledger

    assert training_ledger(ledger, None) is ledger
    assert training_ledger(ledger, 2) is ledger  # two invoiced customers: nothing to sample
    one = training_ledger(ledger, 1, seed=3)
    kept = set(one.invoices.customer_id.execute())
    assert len(kept) == 1 and kept == set(
        training_ledger(ledger, 1, seed=3).invoices.customer_id.execute()
    )
    (customer,) = kept
    full = ledger.invoices.execute()
    assert len(one.invoices.execute()) == int((full["customer_id"] == customer).sum())
    assert set(one.payments.customer_id.execute()) <= kept
    assert set(one.customers.customer_id.execute()) == kept
    rows = invoice_snapshots(one, month_ends(dt.date(2024, 1, 1), dt.date(2024, 3, 31)))
    alone = invoice_snapshots(ledger, month_ends(dt.date(2024, 1, 1), dt.date(2024, 3, 31)))
    expected = alone[alone["customer_id"] == customer].reset_index(drop=True)
    # a customer's rows do not depend on others (an all-empty column of the one is untyped)
    pd.testing.assert_frame_equal(rows, expected, check_dtype=False)


@pytest.mark.parametrize("value", [0, -3, 2.5, True, "many"], ids=str)
def test_max_customers_must_be_a_positive_int(ledger, value):
    from segkit.cash import LatePaymentModel
    from segkit.exceptions import ConfigError

    with pytest.raises(ConfigError, match=r"max_customers must be an int >= 1 or None; got"):
        LatePaymentModel(max_customers=value).fit(ledger, "2024-03-31")
