"""Hostile mapping files, and what a mapping may and may not read."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from conftest import csv_text, failure, set_cell, tables, write
from segkit import Ledger, read_ledger
from segkit.exceptions import ConfigError, MappingError, SchemaError
from segkit.ledger.mapping import load_mapping

INVOICES = "tables:\n  invoices:\n    file: invoices.csv\n"


def _mapping(folder, text):
    path = folder / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ALIAS_BOMB = (
    INVOICES
    + "    true_values: [&a [x, x, x, x, x, x, x, x, x, x, x, x], "
    + ", ".join(
        f"&{n} [{', '.join(['*' + p] * 12)}]" for p, n in zip("abcdefghi", "bcdefghij", strict=True)
    )
    + "]\n"
)

BAD = [
    ("thousands: '0'\n" + INVOICES, "thousands: expected one character that is not a digit"),
    ("decimal: '5'\n" + INVOICES, "decimal: expected one character that is not a digit"),
    ("thousands: ', '\n" + INVOICES, "thousands: expected one character"),
    ("decimal: '-'\n" + INVOICES, "decimal: expected one character that is not a digit"),
    ("tables:\n  invoices:\n    columns: [invoice_id, amount]\n",
     "tables.invoices: columns: expected canonical name: source column pairs"),
    ("tables:\n  invoices: invoices.csv\n", "tables.invoices: expected a section of keys"),
    ("date_format: 123\n" + INVOICES, "date_format: expected text; got 123"),
    (INVOICES + "    defaults: {payment_terms_days: thirty}\n",
     "payment_terms_days must be a whole number of days"),
    (INVOICES + "    defaults: {payment_terms_days: -5}\n",
     "payment_terms_days must be from 0 to 3650"),
    (INVOICES + "    defaults: {payment_terms_days: true}\n",
     "payment_terms_days must be a whole number of days"),
    (INVOICES + "    sheet: [1]\n", "sheet: expected a sheet name"),
    (INVOICES + "    encoding: klingon\n", "encoding: unknown encoding"),
    (INVOICES + "    true_values: [[yes]]\n", "true_values: expected text or a number"),
    (INVOICES + "    columns: {invoice_id: Nr, customer_id: Nr}\n",
     r"source column\(s\) \['Nr'\] mapped to more than one canonical column"),
    (INVOICES + "    columns: {invoice_id: No}\n",
     "columns: YAML reads yes/no/on/off/true/false as false; put it in quotes"),
    (INVOICES + "    columns: {amount: Amt}\n    lines: {quantity: Q, unit_price: P}\n",
     "do not also map 'amount'"),
    (INVOICES + "    lines: {quantity: Q}\n", "lines: expected true, or quantity: and unit_price:"),
    ("tables:\n  payments:\n    lines: true\n  invoices: {}\n", "'lines' applies to invoices only"),
    (INVOICES + "    defaults: {currency: [CNY]}\n", "defaults: expected text or a number"),
    (ALIAS_BOMB, "more than 100 aliases"),
    (INVOICES + "    debit_credit: {column: SHKZG, debit: S}\n",
     "debit_credit: expected column:, debit: and credit:"),
    (INVOICES + "    debit_credit: {column: SHKZG, debit: S, credit: s}\n",
     r"debit_credit: \['s'\] cannot mean both debit and credit"),
    (INVOICES + "    debit_credit: {column: SHKZG, debit: S, credit: ''}\n",
     "debit_credit: credit: expected one or more indicator values"),
    (INVOICES + "    debit_credit: {column: SHKZG, debit: yes, credit: H}\n",
     "debit_credit: YAML reads yes/no/on/off/true/false as true"),
    (INVOICES + "    columns: {invoice_id: SHKZG}\n"
     "    debit_credit: {column: SHKZG, debit: S, credit: H}\n",
     "debit_credit: column 'SHKZG' is also mapped to 'invoice_id'"),
    ("tables:\n  customers:\n    debit_credit: {column: X, debit: S, credit: H}\n"
     "  invoices: {}\n", "'debit_credit' applies to invoices and payments only"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    BAD,
    ids=[
        "thousands-0", "decimal-5", "thousands-two-chars", "decimal-minus", "columns-list",
        "table-string", "date-format-number", "terms-thirty", "terms-negative", "terms-bool",
        "sheet-list", "unknown-encoding", "nested-true-values", "source-twice", "yaml-no",
        "lines-and-amount", "lines-half", "lines-on-payments", "default-list", "alias-bomb",
        "dc-no-credit", "dc-same-value", "dc-empty", "dc-yaml-bool", "dc-column-twice",
        "dc-on-customers",
    ],
)  # fmt: skip
def test_a_bad_mapping_is_refused_naming_the_key(tmp_path, text, message):
    started = time.perf_counter()
    with pytest.raises(MappingError, match=message):
        load_mapping(_mapping(tmp_path, text))
    assert time.perf_counter() - started < 60  # a bomb takes minutes; a loaded machine seconds


def test_a_mapping_file_over_the_size_limit(tmp_path):
    with pytest.raises(MappingError, match="a mapping file is at most 1000000 bytes"):
        load_mapping(_mapping(tmp_path, INVOICES + "#" * 1_000_001))


def test_a_scalar_true_values_is_one_value(ledger_dir):
    rows = tables()
    rows["invoices"] = [
        r + [v] for r, v in zip(rows["invoices"], ["disputed", "是的", "否", ""], strict=True)
    ]
    write(ledger_dir, rows)
    mapping = _mapping(ledger_dir, INVOICES + "    true_values: 是的\n")
    assert load_mapping(mapping).sources["invoices"].true_values == ("是的",)
    frame = read_ledger(mapping).invoices.order_by("invoice_id").execute()
    assert frame["disputed"].tolist()[:2] == [True, False]


def test_a_mapping_reads_only_the_files_it_names(ledger_dir):
    ledger = read_ledger(_mapping(ledger_dir, INVOICES))
    assert ledger.payments is None
    assert set(ledger.files) == {"invoices"}
    assert ledger.invoices.amount.sum().execute() == 430.5


def test_a_folder_read_reads_only_the_three_tables(ledger_dir):
    (ledger_dir / "notes.csv").write_text("a,b\n1,2\n")
    (ledger_dir / "invoices_old.csv").write_text("x\n1\n")
    ledger = read_ledger(ledger_dir)
    assert {k: v.name for k, v in ledger.files.items()} == {
        "customers": "customers.csv",
        "invoices": "invoices.csv",
        "payments": "payments.csv",
    }


def test_customer_ids_written_as_decimals_are_whole_numbers(ledger_dir):
    rows = tables()
    for table, row, value in [
        ("customers", 2, "17850"), ("customers", 3, "13047"),
        ("invoices", 2, "17850.0"), ("invoices", 3, "17850.0"), ("invoices", 4, "13047.0"),
        ("payments", 2, "17850.0"), ("payments", 3, "13047.0"),
    ]:  # fmt: skip
        set_cell(rows, table, row, "customer_id", value)
    ledger = read_ledger(write(ledger_dir, rows))
    ids = ledger.invoices.order_by("invoice_id").execute()["customer_id"].tolist()
    assert ids == ["17850", "17850", "13047"]
    assert any("customer_id written as decimals (17850.0)" in n for n in ledger.notes)


def test_from_frames_payment_terms_fill_due_dates():
    frame = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2"],
            "customer_id": ["C1", "C2"],
            "invoice_date": ["2024-01-01", "2024-01-31"],
            "amount": [10.0, 20.0],
        }
    )
    ledger = Ledger.from_frames(frame, payment_terms_days=30)
    due = ledger.invoices.order_by("invoice_id").execute()["due_date"]
    assert [d.isoformat()[:10] for d in pd.to_datetime(due)] == ["2024-01-31", "2024-03-01"]
    assert any("due_date = invoice_date + 30 days" in n for n in ledger.notes)
    with pytest.raises(ConfigError, match="payment_terms_days must be an int >= 0; got 'x'"):
        Ledger.from_frames(frame, payment_terms_days="x")


LINES = [
    ["单号", "客户", "日期", "数量", "单价"],
    ["S1", "C1", "2024-01-06", "3", "19.99"],
    ["S1", "C1", "2024-01-05", "2", "5.00"],
    ["S2", "C2", "2024-02-01", "-1", "19.99"],
]
LINES_MAPPING = (
    "tables:\n  invoices:\n    file: lines.csv\n"
    "    columns: {invoice_id: 单号, customer_id: 客户, invoice_date: 日期}\n"
    "    lines: {quantity: 数量, unit_price: 单价}\n"
    "    defaults: {payment_terms_days: 30}\n"
)


def test_invoice_lines_are_summed_into_invoices(tmp_path):
    (tmp_path / "lines.csv").write_text(csv_text(LINES))
    ledger = read_ledger(_mapping(tmp_path, LINES_MAPPING))
    frame = ledger.invoices.order_by("invoice_id").execute()
    assert frame["invoice_id"].tolist() == ["S1", "S2"]
    assert frame["amount"].round(2).tolist() == [69.97, -19.99]
    assert [str(d)[:10] for d in frame["invoice_date"]] == ["2024-01-05", "2024-02-01"]
    assert [str(d)[:10] for d in frame["due_date"]] == ["2024-02-04", "2024-03-02"]
    assert any("3 invoice lines summed into 2 invoices" in n for n in ledger.notes)


def test_invoice_lines_naming_two_customers_are_refused(tmp_path):
    lines = [list(r) for r in LINES]
    lines[2][1] = "C2"
    (tmp_path / "lines.csv").write_text(csv_text(lines))
    with pytest.raises(SchemaError, match="one customer_id per invoice") as caught:
        read_ledger(_mapping(tmp_path, LINES_MAPPING))
    assert failure(caught.value, "lines.csv", "customer_id", 3)["value"] == "C2 != C1"


def test_invoice_lines_with_line_amounts(tmp_path):
    lines = [["单号", "客户", "日期", "金额"], ["S1", "C1", "2024-01-05", "1,200.50"],
             ["S1", "C1", "2024-01-05", "99.50"]]  # fmt: skip
    (tmp_path / "lines.csv").write_text(csv_text(lines))
    text = LINES_MAPPING.replace(
        "    lines: {quantity: 数量, unit_price: 单价}\n", "    lines: true\n"
    )
    text = text.replace("日期}", "日期, amount: 金额}")
    ledger = read_ledger(_mapping(tmp_path, "thousands: ','\n" + text))
    assert ledger.invoices.amount.execute().tolist() == [1300.0]


def test_headline_count_is_the_sum_of_the_listed_problems(ledger_dir):
    rows = tables()
    for r in range(2, 5):
        set_cell(rows, "invoices", r, "invoice_date", f"05.0{r}.2024")
    set_cell(rows, "invoices", 2, "amount", "x")
    with pytest.raises(SchemaError) as caught:
        read_ledger(write(ledger_dir, rows))
    lines = str(caught.value).splitlines()
    listed = sum(int(line.rsplit("(", 1)[1].split()[0]) for line in lines[1:])
    assert lines[0] == f"the ledger has {listed} problem(s) in {len(lines) - 1} check(s):"
    assert listed == 4


def test_parquet_ids_stored_as_floats_are_whole_numbers(tmp_path):
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2"],
            "customer_id": [17850.0, 13047.0],
            "invoice_date": pd.to_datetime(["2024-01-05", "2024-02-01"]),
            "due_date": pd.to_datetime(["2024-02-04", "2024-03-01"]),
            "amount": [10.0, 20.0],
        }
    )
    invoices.to_parquet(tmp_path / "invoices.parquet")
    ledger = read_ledger(tmp_path)
    ids = ledger.invoices.order_by("invoice_id").execute()["customer_id"].tolist()
    assert ids == ["17850", "13047"]


SAP = [
    ["Beleg", "Konto", "Datum", "Faellig", "DMBTR", "SHKZG"],
    ["1", "C1", "2024-01-05", "2024-02-04", "100.00", "S"],
    ["2", "C1", "2024-01-20", "2024-02-19", "30.00", " h "],
    ["3", "C2", "2024-03-01", "2024-03-31", "80.00", "S"],
]
RECEIPTS = [
    ["Nr", "Konto", "Beleg", "Datum", "DMBTR", "SHKZG"],
    ["P1", "C1", "1", "2024-02-01", "70.00", "H"],
]
SAP_MAPPING = (
    "tables:\n  invoices:\n    file: items.csv\n"
    "    columns: {invoice_id: Beleg, customer_id: Konto, invoice_date: Datum,\n"
    "              due_date: Faellig, amount: DMBTR}\n"
    "    debit_credit: {column: SHKZG, debit: S, credit: H}\n"
    "  payments:\n    file: receipts.csv\n"
    "    columns: {payment_id: Nr, customer_id: Konto, invoice_id: Beleg, payment_date: Datum,\n"
    "              amount: DMBTR}\n"
    "    debit_credit: {column: SHKZG, debit: S, credit: H}\n"
)


def _sap(folder, items=SAP, receipts=RECEIPTS, suffix="csv"):
    (folder / "receipts.csv").write_text(csv_text(receipts), encoding="utf-8")
    text = SAP_MAPPING
    if suffix == "parquet":
        frame = pd.DataFrame(items[1:], columns=items[0])
        frame.to_parquet(folder / "items.parquet")
        text = text.replace("items.csv", "items.parquet")
    else:
        (folder / "items.csv").write_text(csv_text(items), encoding="utf-8")
    return _mapping(folder, text)


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_debit_credit_signs_the_amounts(tmp_path, suffix):
    ledger = read_ledger(_sap(tmp_path, suffix=suffix))
    amounts = ledger.invoices.order_by("invoice_id").amount.execute().tolist()
    assert amounts == [100.0, -30.0, 80.0]  # H: a credit note; case and spaces ignored
    assert ledger.payments.amount.execute().tolist() == [70.0]  # H on a payment: cash received
    assert not any("SHKZG" in n for n in ledger.notes)  # the indicator is used, not left over


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
@pytest.mark.parametrize(
    ("value", "shown"), [("X", "X"), ("", ""), ("Soll", "Soll")], ids=["letter", "empty", "word"]
)
def test_a_bad_debit_credit_indicator_names_file_column_row_and_value(
    tmp_path, suffix, value, shown
):
    items = [list(r) for r in SAP]
    items[2][5] = value  # the second record: row 3 of the CSV (header row 1), row 2 of Parquet
    if suffix == "parquet" and value == "":
        items[2][5] = None
    row = 3 if suffix == "csv" else 2
    with pytest.raises(SchemaError, match=r"column 'SHKZG': debit/credit indicator: S \(debit\) "
                       rf"or H \(credit\): rows {row}") as caught:  # fmt: skip
        read_ledger(_sap(tmp_path, items=items, suffix=suffix))
    got = failure(caught.value, f"items.{suffix}", "SHKZG", row)
    assert (got["table"], got["value"]) == ("invoices", shown)
    assert len(caught.value.failures) == 1  # the amount is not reported again


def test_a_signed_amount_beside_an_indicator_is_refused(tmp_path):
    items = [list(r) for r in SAP]
    items[3][4] = "-80.00"
    with pytest.raises(SchemaError, match="an unsigned amount") as caught:
        read_ledger(_sap(tmp_path, items=items))
    assert failure(caught.value, "items.csv", "amount", 4)["value"] == "-80.0"


def test_a_debit_on_a_payment_is_a_reversal_and_refused(tmp_path):
    receipts = [list(r) for r in RECEIPTS]
    receipts[1][5] = "S"
    with pytest.raises(SchemaError, match="amount greater than 0") as caught:
        read_ledger(_sap(tmp_path, receipts=receipts))
    assert failure(caught.value, "receipts.csv", "amount", 2)["value"] == "-70.0"


def test_a_missing_indicator_column_is_named(tmp_path):
    items = [r[:5] for r in SAP]
    with pytest.raises(MappingError, match=r"mapped source column\(s\) \['SHKZG'\] not found"):
        read_ledger(_sap(tmp_path, items=items))


def test_invoice_lines_in_parquet_are_refused_clearly(tmp_path):
    frame = pd.DataFrame(LINES[1:], columns=LINES[0])
    frame.to_parquet(tmp_path / "lines.parquet")
    text = LINES_MAPPING.replace("file: lines.csv", "file: lines.parquet")
    with pytest.raises(MappingError, match=r"lines.parquet: 'lines:' sums invoice lines from CSV"):
        read_ledger(_mapping(tmp_path, text))
