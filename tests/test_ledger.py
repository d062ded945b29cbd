"""Ledger construction: folders, mapping files, optional tables, connections."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from segkit import Ledger, read_ledger
from segkit.exceptions import MappingError


def _write(folder, **frames):
    folder.mkdir(exist_ok=True)
    for name, frame in frames.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def test_read_folder_with_all_tables(tmp_path, invoices, customers, payments):
    ledger = read_ledger(
        _write(tmp_path / "l", invoices=invoices, customers=customers, payments=payments)
    )
    summary = ledger.summary()
    assert summary.loc["invoices", "rows"] == 6
    assert summary.loc["customers", "rows"] == 4
    assert summary.loc["payments", "amount"] == 180.0
    assert summary.loc["invoices", "source"] == "invoices.csv"


def test_without_customers_table_customers_come_from_invoices(tmp_path, invoices):
    ledger = read_ledger(_write(tmp_path / "l", invoices=invoices))
    assert sorted(ledger.customers.customer_id.execute()) == ["C1", "C2", "C3"]
    assert ledger.payments is None
    assert any("no customers table" in n for n in ledger.notes)


def test_missing_invoices_is_a_clear_error(tmp_path, customers):
    folder = _write(tmp_path / "l", customers=customers)
    with pytest.raises(MappingError, match="no invoices file found"):
        read_ledger(folder)


def test_two_files_for_one_table_are_rejected(tmp_path, invoices):
    folder = _write(tmp_path / "l", invoices=invoices)
    invoices.to_excel(folder / "invoices.xlsx", index=False)
    with pytest.raises(MappingError, match="several files for table 'invoices'"):
        read_ledger(folder)


def test_foreign_gbk_export_through_a_mapping_file(tmp_path):
    folder = tmp_path / "erp"
    folder.mkdir()
    (folder / "发票.csv").write_bytes(
        "单据编号,客户编码,开票日期,价税合计,是否争议\n"
        'FP001,K01,05.01.2024,"1,200.50",否\n'
        "FP002,K02,20.02.2024,-100,是\n".encode("gbk")
    )
    (folder / "客户.csv").write_bytes(
        "客户编码,客户名称\nK01,华兴电子\nK02,青禾贸易\n".encode("gbk")
    )
    (folder / "mapping.yaml").write_text(
        "encoding: gbk\ndate_format: '%d.%m.%Y'\nthousands: ','\n"
        "tables:\n"
        "  invoices:\n    file: 发票.csv\n"
        "    columns: {invoice_id: 单据编号, customer_id: 客户编码, invoice_date: 开票日期,\n"
        "              amount: 价税合计, disputed: 是否争议}\n"
        "    defaults: {payment_terms_days: 30}\n"
        "  customers:\n    file: 客户.csv\n    columns: {customer_id: 客户编码, name: 客户名称}\n",
        encoding="utf-8",
    )
    ledger = read_ledger(folder / "mapping.yaml")
    inv = ledger.invoices.order_by("invoice_id").execute()
    assert inv["amount"].tolist() == [1200.5, -100.0]
    assert inv["due_date"].astype(str).tolist() == ["2024-02-04", "2024-03-21"]
    assert inv["disputed"].tolist() == [False, True]
    assert sorted(ledger.customers.execute()["name"]) == ["华兴电子", "青禾贸易"]


def test_ledger_on_a_caller_connection_keeps_two_ledgers_apart(invoices):
    con = ibis.duckdb.connect()
    first = Ledger.from_frames(invoices, con=con)
    second = Ledger.from_frames(invoices.iloc[:2], con=con)
    assert first.invoices.count().execute() == 6
    assert second.invoices.count().execute() == 2


def test_from_tables_validates_in_the_engine(invoices):
    con = ibis.duckdb.connect()
    bad = invoices.assign(
        invoice_date=pd.to_datetime(invoices["invoice_date"]),
        due_date=pd.to_datetime(invoices["due_date"]),
    )
    bad.loc[1, "due_date"] = pd.Timestamp("2020-01-01")
    table = con.create_table("inv", bad)
    with pytest.raises(ValueError, match=r"<invoices table>: column 'due_date'.* rows 2"):
        Ledger.from_tables(table)


def test_parquet_is_read_and_checked_in_the_engine(tmp_path, invoices, customers):
    folder = tmp_path / "pq"
    folder.mkdir()
    invoices.loc[2, "invoice_date"] = "2024-31-12"  # strings in Parquet: parsed in the engine
    invoices.rename(columns={"amount": "betrag"}).to_parquet(folder / "invoices.parquet")
    customers.to_csv(folder / "customers.csv", index=False)
    (folder / "m.yaml").write_text(
        "tables:\n  invoices:\n    columns: {amount: betrag}\n", encoding="utf-8"
    )
    with pytest.raises(
        ValueError,
        match=r"invoices.parquet: column 'invoice_date': parse as date: rows 3; values '2024-31-12'",
    ):
        read_ledger(folder, mapping=folder / "m.yaml")
    invoices.loc[2, "invoice_date"] = "2024-12-01"
    invoices.rename(columns={"amount": "betrag"}).to_parquet(folder / "invoices.parquet")
    ledger = read_ledger(folder, mapping=folder / "m.yaml")
    assert ledger.invoices.amount.sum().execute() == invoices["amount"].sum()
    assert ledger.invoices.invoice_date.type().is_date()
    assert not any(c.startswith("_") for c in ledger.invoices.columns)


def test_owner_and_contact_are_kept_for_the_collections_worklist(invoices, customers):
    people = customers.assign(owner="王经理", contact="+86 20 1234 5678")
    ledger = Ledger.from_frames(invoices, customers=people)
    kept = ledger.customers.select("customer_id", "owner", "contact").to_pandas()
    assert set(kept["owner"]) == {"王经理"} and set(kept["contact"]) == {"+86 20 1234 5678"}
