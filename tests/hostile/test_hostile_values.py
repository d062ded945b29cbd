"""Hostile values in one cell of a tiny ledger: each is refused at its file, column and row, or
read exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from conftest import failure, set_cell, tables, write
from segkit import Ledger, read_ledger
from segkit.exceptions import SchemaError

BOUND = "a finite number of absolute value at most 1e+15"
DIGITS = "at most 15 significant digits"
CURRENCY = "currency of the amount is the ledger's (CNY)"
RANGE = "a date from 1900-01-01 to 2199-12-31"

# (table, row, column, value written, rule expected in the failure at that cell)
REFUSED = [
    ("invoices", 2, "amount", "996\x0087.85", "no control characters (found '\\x00')"),
    ("customers", 2, "name", "甲\x00公司", "no control characters (found '\\x00')"),
    ("customers", 3, "name", "乙\x07公司", "no control characters (found '\\x07')"),
    ("invoices", 2, "amount", "$100.00", CURRENCY),
    ("invoices", 3, "amount", "€250.50", CURRENCY),
    ("invoices", 4, "amount", "USD 80.00", CURRENCY),
    ("invoices", 4, "amount", "80.00 EUR", CURRENCY),
    ("payments", 3, "amount", "$30.00", CURRENCY),
    ("invoices", 2, "amount", "(33767.63", "unbalanced parentheses"),
    ("invoices", 2, "amount", "33767.63)", "unbalanced parentheses"),
    ("invoices", 2, "amount", "(-17300.97)", "a minus sign inside accounting parentheses"),
    ("invoices", 2, "amount", "1e308", BOUND),
    ("invoices", 2, "amount", "-1e16", BOUND),
    ("invoices", 2, "amount", "inf", BOUND),
    ("invoices", 2, "amount", "NaN", BOUND),
    ("invoices", 2, "amount", "123456789012345678901234567890", BOUND),
    ("invoices", 2, "amount", "1234567890.123456", DIGITS),
    ("invoices", 2, "amount", "1O0", "parse as a number"),
    ("invoices", 2, "invoice_date", "2300-01-05", RANGE),
    ("invoices", 2, "due_date", "1800-02-04", RANGE),
    ("invoices", 2, "invoice_date", "2024-02-30", "parse as a date (ISO 8601"),
    ("invoices", 2, "invoice_date", "01/05/2024", "parse as a date (ISO 8601"),
    ("invoices", 2, "invoice_id", "\ufeffI1", "no invisible characters in a key (found '\\ufeff')"),
    ("customers", 3, "customer_id", "C\u200b2", "no invisible characters in a key"),
    ("payments", 2, "payment_id", "P\x001", "no control characters (found '\\x00')"),
]


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "rule"),
    REFUSED,
    ids=[
        "nul-in-amount", "nul-in-name", "bell-in-name", "dollar", "euro", "usd-code",
        "eur-suffix", "dollar-payment", "open-paren", "close-paren", "minus-in-parens",
        "1e308", "minus-1e16", "inf", "nan", "30-digits", "16-digits", "letter-o",
        "year-2300", "year-1800", "feb-30", "slashed-date", "bom-in-invoice-id",
        "zero-width-space-in-customer-id", "nul-in-payment-id",
    ],
)  # fmt: skip
def test_a_bad_cell_is_refused_where_it_is(tmp_path, table, row, column, value, rule):
    folder = write(tmp_path / "l", set_cell(tables(), table, row, column, value))
    with pytest.raises(SchemaError, match=r"the ledger has \d+ problem") as caught:
        read_ledger(folder)
    found = failure(caught.value, f"{table}.csv", column, row)
    assert found["rule"].startswith(rule)
    assert found["value"] == value
    assert found["table"] == table


# (table, row, column, value written, the amount or date read)
READ = [
    ("invoices", 2, "amount", "¥100.00", 100.0),
    ("invoices", 2, "amount", "￥100.00", 100.0),
    ("invoices", 2, "amount", "CNY 100", 100.0),
    ("invoices", 2, "amount", "RMB100", 100.0),
    ("invoices", 4, "amount", "(80.00)", -80.0),
    ("invoices", 4, "amount", "-80", -80.0),
    ("invoices", 2, "amount", "1234567890123.45", 1234567890123.45),
    ("invoices", 2, "amount", "  100.00  ", 100.0),
    ("invoices", 2, "invoice_date", "2024-01-05T01:00:00+08:00", dt.date(2024, 1, 5)),
    ("invoices", 2, "invoice_date", "2024-01-05 23:59:59", dt.date(2024, 1, 5)),
    ("invoices", 2, "invoice_date", "2024-01-05T10:00:00Z", dt.date(2024, 1, 5)),
]


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "expected"),
    READ,
    ids=[
        "yen", "fullwidth-yen", "cny-code", "rmb", "parentheses", "minus", "15-digits",
        "spaces", "tz-offset", "time-of-day", "utc-z",
    ],
)  # fmt: skip
def test_a_cell_that_reads_exactly(tmp_path, table, row, column, value, expected):
    folder = write(tmp_path / "l", set_cell(tables(), table, row, column, value))
    frame = read_ledger(folder).invoices.order_by("invoice_id").execute()
    got = frame[column].iloc[row - 2]
    assert (got.date() if hasattr(got, "date") else got) == expected


def test_dollars_are_read_in_a_dollar_ledger(tmp_path):
    rows = tables()
    for r in range(2, 5):
        set_cell(rows, "invoices", r, "currency", "USD")
    set_cell(rows, "invoices", 2, "amount", "$100.00")
    set_cell(rows, "payments", 2, "amount", "$100.00")
    ledger = read_ledger(write(tmp_path / "l", rows))
    assert ledger.invoices.amount.sum().execute() == 430.5
    assert ledger.payments.amount.sum().execute() == 130.0


def test_without_a_currency_column_marks_must_agree(tmp_path):
    rows = tables()
    rows["invoices"] = [r[:5] for r in rows["invoices"]]
    set_cell(rows, "invoices", 2, "amount", "$100.00")
    set_cell(rows, "invoices", 3, "amount", "$250.50")
    set_cell(rows, "invoices", 4, "amount", "€80.00")
    with pytest.raises(SchemaError, match=r"currency of the amount is the ledger's \(USD\)") as e:
        read_ledger(write(tmp_path / "l", rows))
    assert failure(e.value, "invoices.csv", "amount", 4)["value"] == "€80.00"


def test_a_tab_inside_a_name_is_kept(tmp_path):
    folder = write(tmp_path / "l", set_cell(tables(), "customers", 2, "name", "甲\t公司"))
    names = read_ledger(folder).customers.order_by("customer_id").execute()["name"]
    assert names.tolist() == ["甲\t公司", "乙公司"]


def test_a_bom_in_an_invoice_id_is_blamed_on_the_invoice(tmp_path):
    folder = write(tmp_path / "l", set_cell(tables(), "invoices", 2, "invoice_id", "\ufeffI1"))
    with pytest.raises(SchemaError) as caught:
        read_ledger(folder)
    first = caught.value.failures.iloc[0]
    assert (first["file"], first["column"], first["row"]) == ("invoices.csv", "invoice_id", 2)


def _frame(amounts) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "invoice_id": [f"I{i}" for i in range(len(amounts))],
            "customer_id": "C1",
            "invoice_date": "2024-01-05",
            "due_date": "2024-02-04",
            "amount": pd.Series(amounts, dtype=object),
        }
    )


def test_decimal_amounts_are_read_exactly():
    amounts = [Decimal("100.10"), Decimal("-0.01"), Decimal("1234567890123.45")]
    ledger = Ledger.from_frames(_frame(amounts))
    got = ledger.invoices.order_by("invoice_id").execute()["amount"].tolist()
    assert got == [100.1, -0.01, 1234567890123.45]


@pytest.mark.parametrize(
    ("amount", "rule"),
    [
        (Decimal("123456789012345678901234567890"), BOUND),
        (Decimal("1234567890.123456"), DIGITS),
        (float("inf"), BOUND),
        (1e300, BOUND),
        (True, "a number, not true/false"),
        (10**20, BOUND),
    ],
    ids=[
        "decimal-30-digits",
        "decimal-16-digits",
        "float-inf",
        "float-1e300",
        "bool",
        "python-int-1e20",
    ],
)
def test_bad_amounts_in_frames_are_refused_at_their_position(amount, rule):
    with pytest.raises(SchemaError, match="the ledger has 1 problem") as caught:
        Ledger.from_frames(_frame([Decimal("1"), amount]))
    found = failure(caught.value, "<invoices DataFrame>", "amount", 1)
    assert found["rule"].startswith(rule)
    assert found["value"] == str(amount)
