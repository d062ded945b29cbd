"""Hostile files: unreadable tables, empty files, fake workbooks, mixed encodings, repeated
columns, stray cells. Each is refused naming its file (and its column and row when it has them)."""

from __future__ import annotations

import os
import time

import openpyxl
import pandas as pd
import pytest

from conftest import csv_text, failure, tables, write
from segkit import Ledger, read_ledger
from segkit.exceptions import MappingError, SchemaError


def _payments_directory(folder):
    (folder / "payments.csv").unlink()
    (folder / "payments.csv").mkdir()


def _payments_loop(folder):
    (folder / "payments.csv").unlink()
    os.symlink("payments.csv", folder / "payments.csv")


def _payments_broken_link(folder):
    (folder / "payments.csv").unlink()
    os.symlink("nowhere.csv", folder / "payments.csv")


def _invoices_empty(folder):
    (folder / "invoices.csv").write_bytes(b"")


def _invoices_blank(folder):
    (folder / "invoices.csv").write_text("\n\n  \n")


def _invoices_header_only(folder):
    (folder / "invoices.csv").write_text(csv_text(tables()["invoices"][:1]))


def _xlsx_that_is_csv(folder):
    (folder / "invoices.csv").rename(folder / "invoices.xlsx")


def _corrupt_parquet(folder):
    (folder / "invoices.csv").unlink()
    (folder / "invoices.parquet").write_bytes(b"PAR1" + b"\x00garbage" * 50 + b"PAR1")


def _ragged_row(folder):
    rows = tables()["invoices"]
    rows[2].append("extra")
    (folder / "invoices.csv").write_text(csv_text(rows))


def _mixed_encodings(folder):
    body = csv_text(tables()["customers"]).encode("gbk")
    (folder / "customers.csv").write_bytes(body + "C3,丙公,CN\n".encode())  # GB18030 decodes it


def _duplicate_amount(folder):
    rows = tables()["invoices"]
    rows = [r + [r[4]] for r in rows]
    (folder / "invoices.csv").write_text(csv_text(rows))


def _amount_and_trimmed_amount(folder):
    rows = tables()["invoices"]
    rows = [r + ["1"] for r in rows]
    rows[0][-1] = "amount "
    (folder / "invoices.csv").write_text(csv_text(rows))


# (fault, file, column, row, rule, value): the failure expected
FILE_FAULTS = [
    (_payments_directory, "payments.csv", None, None, "a readable file", "a directory"),
    (_payments_loop, "payments.csv", None, None, "a readable file",
     "Too many levels of symbolic links"),
    (_payments_broken_link, "payments.csv", None, None, "a readable file",
     "a broken symbolic link"),
    (_invoices_empty, "invoices.csv", None, None, "a header row", "an empty file"),
    (_invoices_blank, "invoices.csv", None, None, "a header row", "an empty file"),
    (_invoices_header_only, "invoices.csv", None, None, "at least one invoice", "no rows"),
    (_xlsx_that_is_csv, "invoices.xlsx", None, None, "a readable .xlsx sheet",
     "not an Excel .xlsx workbook (not a zip archive; a CSV file named .xlsx?)"),
    (_ragged_row, "invoices.csv", None, 3, "a table of CSV records",
     "Error tokenizing data. C error: Expected 6 fields in line 3, saw 7\n"),
    (_mixed_encodings, "customers.csv", None, 4,
     "one encoding per file (the file reads as gb18030; these lines are UTF-8)", "C3,丙公,CN"),
    (_duplicate_amount, "invoices.csv", "amount", 1, "column names unique (after trimming spaces)",
     "'amount', 'amount'"),
    (_amount_and_trimmed_amount, "invoices.csv", "amount", 1,
     "column names unique (after trimming spaces)", "'amount', 'amount '"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("fault", "file", "column", "row", "rule", "value"),
    FILE_FAULTS,
    ids=[f[0].__name__.strip("_") for f in FILE_FAULTS],
)
def test_a_bad_file_is_refused_by_name(ledger_dir, fault, file, column, row, rule, value):
    fault(ledger_dir)
    with pytest.raises(SchemaError, match=r"the ledger has \d+ problem") as caught:
        read_ledger(ledger_dir)
    found = failure(caught.value, file, column, row)
    assert found["rule"] == rule
    assert found["value"] == value


def test_corrupt_parquet_is_refused_by_name(ledger_dir):
    _corrupt_parquet(ledger_dir)
    with pytest.raises(SchemaError, match="invoices.parquet: a readable Parquet file") as caught:
        read_ledger(ledger_dir)
    assert failure(caught.value, "invoices.parquet", None, None)["table"] == "invoices"


def _workbook(path, rows, far_cell=None):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Invoices"
    for row in rows:
        sheet.append(row)
    if far_cell:
        sheet[far_cell] = "stray"
    book.save(path)


def test_a_workbook_is_read_by_its_data_not_its_stated_range(ledger_dir):
    (ledger_dir / "invoices.csv").unlink()
    _workbook(ledger_dir / "invoices.xlsx", tables()["invoices"], far_cell="XFD1048576")
    started = time.perf_counter()
    with pytest.raises(SchemaError, match="a value under a header") as caught:
        read_ledger(ledger_dir)
    assert time.perf_counter() - started < 30
    found = failure(caught.value, "invoices.xlsx", "XFD", 1048576)
    assert found["value"] == "stray"


def test_a_clean_workbook_reads_like_the_csv(ledger_dir, tmp_path):
    expected = read_ledger(ledger_dir).invoices.order_by("invoice_id").execute()
    (ledger_dir / "invoices.csv").unlink()
    rows = tables()["invoices"]
    rows.insert(2, [None] * 6)  # an empty row is not a record
    _workbook(ledger_dir / "invoices.xlsx", rows)
    got = read_ledger(ledger_dir).invoices.order_by("invoice_id").execute()
    pd.testing.assert_frame_equal(got, expected)


def test_an_unknown_sheet_names_the_sheets(ledger_dir):
    (ledger_dir / "invoices.csv").unlink()
    _workbook(ledger_dir / "invoices.xlsx", tables()["invoices"])
    (ledger_dir / "m.yaml").write_text("tables:\n  invoices: {file: invoices.xlsx, sheet: Nope}\n")
    with pytest.raises(SchemaError, match=r"no sheet 'Nope'; the workbook has \['Invoices'\]"):
        read_ledger(ledger_dir / "m.yaml")


def test_a_workbook_over_the_size_limit_is_refused(ledger_dir, monkeypatch):
    from segkit.ledger import excel

    (ledger_dir / "invoices.csv").unlink()
    _workbook(ledger_dir / "invoices.xlsx", tables()["invoices"])
    monkeypatch.setattr(excel, "MAX_BYTES", 1000)
    with pytest.raises(SchemaError, match="the limit is 0 MB"):
        read_ledger(ledger_dir)


@pytest.mark.parametrize(
    "columns",
    [["invoice_id", "amount", "amount "], ["invoice_id", " amount", "amount"]],
    ids=["trailing-space", "leading-space"],
)
def test_frames_with_columns_colliding_after_trimming(columns):
    frame = pd.DataFrame([["I1", 1.0, 2.0]], columns=columns)
    with pytest.raises(SchemaError, match="column names unique") as caught:
        Ledger.from_frames(frame)
    found = failure(caught.value, "<invoices DataFrame>", "amount", None)
    assert found["value"] == ", ".join(repr(c) for c in columns[1:])


def test_frames_with_a_repeated_label():
    frame = pd.DataFrame(
        [["I1", "C1", "2024-01-01", "2024-02-01", 1.0, 2.0]],
        columns=["invoice_id", "customer_id", "invoice_date", "due_date", "amount", "amount"],
    )
    with pytest.raises(SchemaError, match="column names unique"):
        Ledger.from_frames(frame)


def test_gbk_file_reads_exactly(tmp_path):
    folder = write(tmp_path / "l", tables(), encoding="gbk")
    names = read_ledger(folder).customers.order_by("customer_id").execute()["name"]
    assert names.tolist() == ["甲公司", "乙公司"]


def test_an_undecodable_file_names_its_first_bad_line(ledger_dir):
    body = csv_text(tables()["customers"]).encode("gbk")
    (ledger_dir / "customers.csv").write_bytes(body + b"C3,\xff\xff,CN\n")
    with pytest.raises(MappingError, match=r"customers.csv: cannot decode .* gb18030 \(line 4\)"):
        read_ledger(ledger_dir)


def test_parquet_amounts_are_bounded_in_the_engine(ledger_dir):
    frame = pd.read_csv(ledger_dir / "invoices.csv", dtype=str)
    frame["amount"] = [float("nan"), float("inf"), 2e15]
    (ledger_dir / "invoices.csv").unlink()
    frame.to_parquet(ledger_dir / "invoices.parquet")
    with pytest.raises(SchemaError, match="the ledger has 3 problem") as caught:
        read_ledger(ledger_dir)
    assert failure(caught.value, "invoices.parquet", "amount", 1)["rule"] == "must not be empty"
    for row, value in ((2, "inf"), (3, "2e+15")):
        found = failure(caught.value, "invoices.parquet", "amount", row)
        assert found["rule"] == "a finite number of absolute value at most 1e+15"
        assert float(found["value"]) == float(value)


def test_one_gbk_line_in_a_utf8_file_is_the_one_named(ledger_dir):
    rows = [["customer_id", "name", "country"], ["C1", "丙公", "CN"], ["C2", "丁公", "CN"]]
    body = csv_text(rows).encode() + "C9,华兴,CN\n".encode("gbk")  # all of it decodes as GB18030
    (ledger_dir / "customers.csv").write_bytes(body)
    with pytest.raises(SchemaError, match="the file is UTF-8; these lines are not") as caught:
        read_ledger(ledger_dir)
    assert failure(caught.value, "customers.csv", None, 4)["value"] == "C9,华兴,CN"


def test_a_file_no_encoding_decodes_names_the_line_for_each(ledger_dir):
    body = csv_text(tables()["customers"]).encode() + "C9,华兴,CN\n".encode("gbk")
    (ledger_dir / "customers.csv").write_bytes(body)
    with pytest.raises(MappingError, match=r"as utf-8 \(line 4\), gb18030 \(line 2\)"):
        read_ledger(ledger_dir)
