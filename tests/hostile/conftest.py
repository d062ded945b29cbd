"""A tiny ledger written to files, and helpers to break it one fault at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from segkit.exceptions import SchemaError

BASE = {
    "customers": [
        ["customer_id", "name", "country"],
        ["C1", "甲公司", "CN"],
        ["C2", "乙公司", "CN"],
    ],
    "invoices": [
        ["invoice_id", "customer_id", "invoice_date", "due_date", "amount", "currency"],
        ["I1", "C1", "2024-01-05", "2024-02-04", "100.00", "CNY"],
        ["I2", "C1", "2024-02-10", "2024-03-11", "250.50", "CNY"],
        ["I3", "C2", "2024-03-01", "2024-03-31", "80.00", "CNY"],
    ],
    "payments": [
        ["payment_id", "customer_id", "invoice_id", "payment_date", "amount"],
        ["P1", "C1", "I1", "2024-02-01", "100.00"],
        ["P2", "C2", "", "2024-03-15", "30.00"],
    ],
}


def csv_text(rows: list[list[str]]) -> str:
    """Rows as CSV text; a field holding a comma or quote is quoted."""

    def field(value: str) -> str:
        if "," in value or '"' in value:
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(",".join(field(v) for v in row) + "\n" for row in rows)


def tables() -> dict[str, list[list[str]]]:
    """A fresh copy of the base ledger's rows."""
    return {name: [list(r) for r in rows] for name, rows in BASE.items()}


def write(folder: Path, rows: dict[str, list[list[str]]], encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in rows.items():
        (folder / f"{name}.csv").write_bytes(csv_text(table).encode(encoding))
    return folder


def set_cell(rows, table: str, row: int, column: str, value: str):
    """Set a cell by spreadsheet row number (header = 1) and column name."""
    header = rows[table][0]
    rows[table][row - 1][header.index(column)] = value
    return rows


@pytest.fixture
def ledger_dir(tmp_path) -> Path:
    return write(tmp_path / "ledger", tables())


def failure(exc: SchemaError, file: str, column, row) -> dict:
    """The one failure of ``exc`` at file, column and row (column or row None: not given)."""
    f = exc.failures
    match = f[(f["file"] == file)]
    match = match[match["column"].isna()] if column is None else match[match["column"] == column]
    match = match[match["row"].isna()] if row is None else match[match["row"] == row]
    assert len(match) == 1, f"no single failure at {file} {column} {row}:\n{f.to_string()}"
    return match.iloc[0].to_dict()
