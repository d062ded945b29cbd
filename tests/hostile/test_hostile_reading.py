"""What is read is what is named: no pattern expanded, no FIFO or device opened, the same value
rules for every reader, encodings and Excel cells reported rather than guessed."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from pathlib import Path

import ibis
import openpyxl
import pandas as pd
import pytest

from conftest import failure, set_cell, tables, write
from segkit import Ledger, read_ledger
from segkit.exceptions import MappingError, SchemaError
from segkit.ledger.values import parse_date, parse_number

RANGE = "a date from 1900-01-01 to 2199-12-31"
BOUND = "a finite number of absolute value at most 1e+15"
KEY = "no control or invisible characters in a key"


def _invoices(**changes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2"],
            "customer_id": ["C1", "C2"],
            "invoice_date": [dt.date(2024, 1, 5), dt.date(2024, 2, 10)],
            "due_date": [dt.date(2024, 2, 4), dt.date(2024, 3, 11)],
            "amount": [100.0, 250.5],
        }
    )
    for column, value in changes.items():
        frame.loc[1, column] = value
    return frame


def _within(seconds: float, call):
    """Run ``call`` in a thread; fail when it has not returned or raised by then (a hang)."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, f"still reading after {seconds} s"
    return outcome


@pytest.mark.parametrize("pattern", ["led[1]", "led?", "led*", "led{1,2}"])
def test_a_folder_name_with_pattern_characters_reads_that_folder(tmp_path, pattern):
    for name, amount in (("led1", 1.0), (pattern, 7.0)):
        (tmp_path / name).mkdir()
        _invoices(amount=amount).to_parquet(tmp_path / name / "invoices.parquet")
    ledger = read_ledger(tmp_path / pattern)
    assert sorted(ledger.invoices.amount.execute()) == [7.0, 100.0]


def test_a_file_pattern_in_a_mapping_is_not_expanded(tmp_path):
    for part in ("part-1", "part-2"):
        _invoices().to_parquet(tmp_path / f"{part}.parquet")
    (tmp_path / "m.yaml").write_text(
        'tables:\n  invoices:\n    file: "part-*.parquet"\n', encoding="utf-8"
    )
    with pytest.raises(MappingError, match=r"file not found: .*part-\*\.parquet"):
        read_ledger(tmp_path / "m.yaml")


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
@pytest.mark.parametrize("how", ["folder", "mapping"])
def test_a_fifo_is_refused_at_once(tmp_path, suffix, how):
    os.mkfifo(tmp_path / f"invoices{suffix}")
    path = tmp_path
    if how == "mapping":
        path = tmp_path / "m.yaml"
        path.write_text(f"tables:\n  invoices:\n    file: invoices{suffix}\n", encoding="utf-8")
    outcome = _within(60, lambda: read_ledger(path))
    assert isinstance(outcome.get("error"), SchemaError)
    assert "not a regular file" in str(outcome["error"])


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_link_to_a_device_is_refused(tmp_path, device):
    (tmp_path / "invoices.csv").symlink_to(device)
    outcome = _within(60, lambda: read_ledger(tmp_path))
    assert "not a regular file" in str(outcome.get("error"))


# (column, value written to the Parquet file, rule of its failure)
PARQUET = [
    ("invoice_date", dt.date(1025, 1, 1), RANGE),
    ("due_date", dt.date(3025, 1, 1), RANGE),
    ("customer_id", "\ufeffC2", KEY),
    ("customer_id", "C\u200b2", KEY),
    ("invoice_id", "I\t2", KEY),
    ("amount", 2e16, BOUND),
    ("amount", float("inf"), BOUND),
    ("currency", "[pay](javascript:alert(7))", "an ISO 4217 currency code"),
]
PARQUET_IDS = ["year-1025", "year-3025", "bom-id", "zero-width-id", "tab-id", "2e16", "inf",
               "currency-link"]  # fmt: skip


@pytest.mark.parametrize(("column", "value", "rule"), PARQUET, ids=PARQUET_IDS)
def test_the_value_rules_hold_for_parquet(tmp_path, column, value, rule):
    frame = _invoices(currency="CNY") if column == "currency" else _invoices()
    frame[column] = frame[column].astype(object)
    frame.loc[1, column] = value
    frame.to_parquet(tmp_path / "invoices.parquet")
    with pytest.raises(SchemaError, match=r"the ledger has \d+ problem") as caught:
        read_ledger(tmp_path)
    found = failure(caught.value, "invoices.parquet", column, 2)
    assert found["rule"].startswith(rule)


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("invoice_date", "1025-01-01", RANGE),
        ("customer_id", "\ufeffC2", "no invisible characters in a key"),
        ("amount", 1e16, BOUND),
        ("invoice_id", "I\x07", "no control characters"),
    ],
    ids=["year-1025", "bom-id", "1e16", "bell-id"],
)
def test_the_value_rules_hold_for_frames(column, value, rule):
    frame = _invoices()
    frame[column] = frame[column].astype(object)
    frame.loc[1, column] = value
    with pytest.raises(SchemaError, match=re.escape(rule)):
        Ledger.from_frames(frame)


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [("invoice_date", dt.date(1025, 1, 1), RANGE), ("customer_id", "C\u200b2", KEY),
     ("amount", 3e15, BOUND)],
    ids=["year-1025", "zero-width-id", "3e15"],
)  # fmt: skip
def test_the_value_rules_hold_for_engine_tables(column, value, rule):
    frame = _invoices()
    frame[column] = frame[column].astype(object)
    frame.loc[1, column] = value
    with pytest.raises(SchemaError, match=re.escape(rule)):
        Ledger.from_tables(ibis.memtable(frame))


REFUSED_TIMES = {
    "all-out": "2023-01-01T99:99:99+99:99",
    "hour-24": "2023-01-01T24:00",
    "minute-60": "2023-01-01T23:60",
    "second-61": "2023-01-01T10:00:61",
    "offset-15h": "2023-01-01T10:00+15:00",
    "offset-60m": "2023-01-01T10:00+08:60",
}
READ_TIMES = {
    "offset": "2023-01-01T23:59:59+08:00",
    "utc": "2023-01-01T12:00Z",
    "compact-offset": "2023-01-01 10:00+0800",
}


@pytest.mark.parametrize("value", list(REFUSED_TIMES.values()), ids=list(REFUSED_TIMES))
def test_an_impossible_time_or_offset_is_not_a_date(value):
    assert parse_date(value) == (None, "not a date")


@pytest.mark.parametrize("value", list(READ_TIMES.values()), ids=list(READ_TIMES))
def test_a_valid_time_keeps_the_date_as_written(value):
    assert parse_date(value) == (dt.date(2023, 1, 1), None)


@pytest.mark.parametrize(
    ("value", "rule"),
    [("abc", "parse as a number"), ("USD", "parse as a number"), ("-", "parse as a number"),
     ("+", "parse as a number"), ("CNY-", "parse as a number")],
    ids=["abc", "code-only", "minus-only", "plus-only", "code-and-sign"],
)  # fmt: skip
def test_an_amount_of_letters_or_signs_only_is_a_clear_failure(tmp_path, value, rule):
    assert parse_number(value)[0] is None and parse_number(value)[2] == rule
    folder = write(tmp_path / "l", set_cell(tables(), "invoices", 2, "amount", value))
    with pytest.raises(SchemaError, match=r"the ledger has \d+ problem") as caught:
        read_ledger(folder)
    assert failure(caught.value, "invoices.csv", "amount", 2)["value"] == value


def _gbk_ledger(folder: Path) -> Path:
    """Customers whose only non-ASCII name, 实业 in GBK, is also valid UTF-8 (ʵҵ)."""
    rows = set_cell(set_cell(tables(), "customers", 2, "name", "实业"), "customers", 3, "name", "B")
    return write(folder, rows, encoding="gbk")


def test_gbk_bytes_that_are_valid_utf8_are_read_as_gb18030_with_a_note(tmp_path):
    folder = _gbk_ledger(tmp_path / "l")
    (folder / "customers.csv").read_bytes().decode("utf-8")  # valid UTF-8 by chance
    ledger = read_ledger(folder)
    names = set(ledger.customers.name.execute())
    assert "实业" in names
    assert any("read as gb18030, not utf-8" in n and "100%" in n for n in ledger.notes)


def test_the_mapping_encoding_settles_the_reading(tmp_path):
    folder = _gbk_ledger(tmp_path / "l")
    (folder / "m.yaml").write_text(
        "encoding: utf-8\ntables:\n  invoices: {file: invoices.csv}\n"
        "  customers: {file: customers.csv}\n",
        encoding="utf-8",
    )
    ledger = read_ledger(folder / "m.yaml")
    assert "ʵҵ" in set(ledger.customers.name.execute())
    assert not any("gb18030" in n for n in ledger.notes)


def test_utf8_chinese_is_read_as_utf8_without_a_note(tmp_path):
    folder = write(tmp_path / "l", tables())
    ledger = read_ledger(folder)
    assert "甲公司" in set(ledger.customers.name.execute())
    assert not any("gb18030" in n for n in ledger.notes)


def _workbook(path: Path, hidden_first: bool = False, **cells) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    if hidden_first:
        sheet.title, sheet.sheet_state = "old", "hidden"
        sheet = book.create_sheet("data")
    sheet.append(["invoice_id", "customer_id", "invoice_date", "due_date", "amount"])
    sheet.append(["I1", "C1", dt.datetime(2024, 1, 5), dt.datetime(2024, 2, 4), 100.0])
    sheet.append(["I2", "C1", dt.datetime(2024, 2, 10), dt.datetime(2024, 3, 11), 250.5])
    for ref, value in cells.items():
        sheet[ref] = value
        if isinstance(value, int):
            sheet[ref].number_format = "yyyy-mm-dd"
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("cells", "column", "rule"),
    [({"E3": "=E2*2"}, "amount", "a formula with its value saved"),
     ({"C3": 60}, "invoice_date", "an Excel date from 1900-03-01"),
     ({"C3": 59}, "invoice_date", "an Excel date from 1900-03-01")],
    ids=["formula-without-value", "leap-day-1900", "day-before-leap-day"],
)  # fmt: skip
def test_an_excel_cell_the_reader_cannot_know_is_reported(tmp_path, cells, column, rule):
    _workbook(tmp_path / "invoices.xlsx", **cells)
    with pytest.raises(SchemaError, match=rule) as caught:
        read_ledger(tmp_path)
    assert failure(caught.value, "invoices.xlsx", column, 3)["rule"].startswith(rule)


def test_a_hidden_first_sheet_is_reported_not_read(tmp_path):
    _workbook(tmp_path / "invoices.xlsx", hidden_first=True)
    with pytest.raises(SchemaError, match=r"the first sheet 'old' is hidden.*\['data'\]"):
        read_ledger(tmp_path)


def test_a_hidden_first_sheet_is_skipped_when_the_mapping_names_the_sheet(tmp_path):
    _workbook(tmp_path / "invoices.xlsx", hidden_first=True)
    (tmp_path / "m.yaml").write_text(
        "tables:\n  invoices:\n    file: invoices.xlsx\n    sheet: data\n", encoding="utf-8"
    )
    assert read_ledger(tmp_path / "m.yaml").invoices.count().execute() == 2
