"""Validation: every bad input of the canonical schema gets one clear error naming column, rows, rule, value."""

from __future__ import annotations

import pandas as pd
import pytest

from segkit import Ledger
from segkit.exceptions import SchemaError


def _fail(**frames) -> SchemaError:
    with pytest.raises(SchemaError) as info:
        Ledger.from_frames(**frames)
    return info.value


def test_valid_ledger_with_credit_notes_passes(invoices, customers, payments):
    ledger = Ledger.from_frames(invoices, customers, payments)
    assert ledger.invoices.count().execute() == 6
    assert ledger.invoices.amount.min().execute() == -50.0


def test_missing_required_column(invoices, customers):
    err = _fail(invoices=invoices.drop(columns="due_date"), customers=customers)
    assert err.failures[["column", "rule"]].values.tolist() == [
        ["due_date", "required column is missing"]
    ]
    assert "column 'due_date': required column is missing" in str(err)


@pytest.mark.parametrize(
    ("column", "bad", "rule"),
    [("invoice_date", "2024-02-30", "parse as a date"), ("amount", "12,3x", "parse as a number")],
    ids=["date", "number"],
)
def test_unparsable_values(invoices, customers, column, bad, rule):
    invoices[column] = invoices[column].astype(object)
    invoices.loc[2, column] = bad
    err = _fail(invoices=invoices, customers=customers)
    row = err.failures.iloc[0]
    assert (row["column"], row["row"], row["value"]) == (column, 2, bad)
    assert rule in row["rule"]
    assert f"column '{column}'" in str(err) and repr(bad) in str(err)
    assert len(err.failures) == 1  # reported once, not again as an empty value


def test_duplicate_key_lists_every_occurrence(invoices, customers):
    invoices.loc[4, "invoice_id"] = "I1"
    err = _fail(invoices=invoices, customers=customers)
    assert err.failures["rule"].unique().tolist() == ["must be unique"]
    assert err.failures["row"].tolist() == [0, 4]
    assert "'I1'" in str(err)


def test_unknown_customer_on_invoice_and_payment(invoices, customers, payments):
    invoices.loc[1, "customer_id"] = "C9"
    payments.loc[1, "customer_id"] = "C8"
    err = _fail(invoices=invoices, customers=customers, payments=payments)
    got = err.failures[["table", "column", "rule", "value"]].values.tolist()
    assert ["invoices", "customer_id", "customer_id exists in customers", "C9"] in got
    assert ["payments", "customer_id", "customer_id exists in customers", "C8"] in got


def test_due_date_before_invoice_date(invoices, customers):
    invoices.loc[3, "due_date"] = "2023-05-01"
    err = _fail(invoices=invoices, customers=customers)
    assert err.failures[["row", "rule", "value"]].values.tolist() == [
        [3, "due_date on or after invoice_date", "2023-05-01 < 2023-06-01"]
    ]


def test_payment_before_its_invoice(invoices, customers, payments):
    payments.loc[0, "payment_date"] = "2024-01-01"
    err = _fail(invoices=invoices, customers=customers, payments=payments)
    assert err.failures[["table", "row", "rule"]].values.tolist() == [
        ["payments", 0, "payment_date on or after its invoice's invoice_date"]
    ]


def test_payment_for_unknown_invoice_and_other_customers_invoice(invoices, customers, payments):
    payments.loc[1, "invoice_id"] = "NOPE"
    payments.loc[0, "customer_id"] = "C2"
    err = _fail(invoices=invoices, customers=customers, payments=payments)
    rules = set(err.failures["rule"])
    assert rules == {
        "invoice_id (when given) exists in invoices",
        "customer_id equals its invoice's customer_id",
    }


def test_empty_required_values_and_nonpositive_payment(invoices, customers, payments):
    invoices.loc[0, "customer_id"] = None
    payments.loc[1, "amount"] = 0
    err = _fail(invoices=invoices, customers=customers, payments=payments)
    got = err.failures[["table", "column", "rule"]].values.tolist()
    assert ["invoices", "customer_id", "must not be empty"] in got
    assert ["payments", "amount", "amount greater than 0"] in got


def test_every_problem_reported_at_once_with_counts(invoices, customers):
    big = pd.concat([invoices] * 4, ignore_index=True)
    big["invoice_id"] = [f"I{i}" for i in range(len(big))]
    big.loc[:, "due_date"] = "2020-01-01"
    big["amount"] = big["amount"].astype(object)
    big.loc[0, "amount"] = "oops"
    err = _fail(invoices=big, customers=customers)
    assert "(24 in all)" in str(err)
    assert "'oops'" in str(err)
    assert len(err.failures) == 1 + 5  # the first five failing rows per rule are kept
    assert isinstance(err, ValueError)


def test_mixed_currencies_without_rates_are_rejected_not_summed(invoices, customers):
    invoices["currency"] = ["CNY", "CNY", "USD", "CNY", "CNY", "CNY"]
    err = _fail(invoices=invoices, customers=customers)
    day = str(pd.Timestamp(invoices["invoice_date"][2]).date())
    assert err.failures[["column", "row", "value"]].values.tolist() == [
        ["currency", 2, f"USD {day}"]
    ]
    assert "a rate USD to CNY on the invoice_date in no rates table" in str(err)
