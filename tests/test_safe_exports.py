"""Exports a user's data cannot break: no live formulas, amounts at the currency's precision,
the same bytes for the same table, files that appear whole."""

from __future__ import annotations

import hashlib
import zipfile

import openpyxl
import pandas as pd
import pytest

from segkit.exceptions import ConfigError
from segkit.output.export import write_table
from segkit.output.safe import currency_decimals, neutralise, round_numbers, safe_frame
from segkit.output.workbook import add_sheet, column_header, new_workbook, save_workbook

HOSTILE = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": [*HOSTILE, "plain", None],
            "open_balance": [1.234, -5.0, 3.0049, 0.0, -0.001, 7.5, 1e6 / 3, None],
            "pd": [0.1234567890123, 1e-9, 0.5, None, 0.1, 0.2, 0.3, 0.0],
            "invoices_12m": [1, -2, 3, 4, 5, 6, 7, 8],
        },
        index=pd.Index([f"C{i}" for i in range(7)] + ["=C7"], name="customer_id"),
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("", ""),
        (-1.5, -1.5),
        (None, None),
    ],
    ids=["equals", "plus", "minus", "at", "tab", "cr", "inner", "empty", "number", "none"],
)
def test_neutralise_prefixes_a_quote_only_to_formula_text(value, expected):
    assert neutralise(value) == expected


def test_csv_has_no_live_formula_and_keeps_negative_numbers(tmp_path):
    path = write_table(_table(), tmp_path / "t.csv")
    back = pd.read_csv(path, encoding="utf-8-sig", index_col=0)
    assert back["name"].tolist()[:6] == [f"'{v}" for v in HOSTILE]
    assert back.index.tolist()[-1] == "'=C7"
    assert back["open_balance"].tolist()[:3] == [1.23, -5.0, 3.0]
    assert back["invoices_12m"].tolist()[1] == -2
    assert back["pd"].tolist()[0] == pytest.approx(0.123456789, abs=0)


def test_xlsx_cells_are_text_numbers_stay_numbers(tmp_path):
    path = write_table(_table(), tmp_path / "t.xlsx", labels=True)
    sheet = openpyxl.load_workbook(path)["customers"]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names[:5] == [f"'{v}" for v in HOSTILE[:5]]
    # the carriage return is kept as Excel's escape _x000D_ (Excel shows it; openpyxl reads it raw)
    assert names[5] == "'_x000D_cmd"
    types = {cell.data_type for row in sheet.iter_rows() for cell in row}
    assert "f" not in types
    assert sheet["C3"].value == -5 and sheet["C3"].data_type == "n"
    assert sheet["C3"].number_format == "#,##0.00"
    assert sheet["E3"].value == -2
    assert sheet["A1"].value == "Customer" and sheet["C1"].value == "Open receivables (CNY)"
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("B2", "A1:E9")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_same_table_gives_the_same_bytes(tmp_path, suffix, monkeypatch):
    first = write_table(_table(), tmp_path / f"a{suffix}").read_bytes()
    monkeypatch.setattr("time.time", lambda: 2_000_000_000.0)  # another clock
    second = write_table(_table(), tmp_path / f"b{suffix}").read_bytes()
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


def test_xlsx_keeps_column_codes_unless_labels_are_asked_for(tmp_path):
    sheet = openpyxl.load_workbook(write_table(_table(), tmp_path / "t.xlsx"))["customers"]
    assert [c.value for c in sheet[1]] == [
        "customer_id",
        "name",
        "open_balance",
        "pd",
        "invoices_12m",
    ]
    back = pd.read_excel(tmp_path / "t.xlsx", index_col="customer_id")
    assert back["invoices_12m"].tolist()[1] == -2


def test_xlsx_has_fixed_document_dates_and_entry_times(tmp_path):
    path = write_table(_table(), tmp_path / "t.xlsx")
    with zipfile.ZipFile(path) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert '<dcterms:modified xsi:type="dcterms:W3CDTF">1980-01-01T00:00:00Z' in core


def test_amounts_round_to_the_currency_precision():
    frame = pd.DataFrame({"open_balance": [1234.5678, -0.004], "pd": [0.12345678901234, 2.0]})
    assert round_numbers(frame, "CNY")["open_balance"].tolist() == [1234.57, 0.0]
    assert round_numbers(frame, "JPY")["open_balance"].tolist() == [1235.0, 0.0]
    assert round_numbers(frame)["pd"].tolist() == [0.123456789, 2.0]
    assert (currency_decimals("usd"), currency_decimals("KWD")) == (2, 3)
    assert frame["open_balance"].tolist() == [1234.5678, -0.004]


def test_safe_frame_neutralises_headers_and_categories():
    frame = pd.DataFrame({"=bad": pd.Categorical(["-x", "y"]), "ok": [1, 2]})
    safe = safe_frame(frame)
    assert list(safe.columns) == ["'=bad", "ok"]
    assert safe["'=bad"].tolist() == ["'-x", "y"]
    assert frame["=bad"].tolist() == ["-x", "y"]


def test_write_table_refuses_a_folder_and_an_unknown_extension(tmp_path):
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(ConfigError, match=r"out\.csv is a folder"):
        write_table(_table(), tmp_path / "out.csv")
    with pytest.raises(ConfigError, match=r"extension must be one of .*got '\.txt'"):
        write_table(_table(), tmp_path / "out.txt")


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "t.parquet"
    path.write_bytes(b"old")
    with pytest.raises(Exception, match=r"(?i)object|convert|type"):
        write_table(pd.DataFrame({"bad": [object()]}), path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_add_sheet_headers_in_chinese_and_unique_titles(tmp_path):
    book = new_workbook()
    index = pd.Index(["C1"], name="customer_id")
    frame = pd.DataFrame({"grade": ["BB"], "limit_proposed": [1.0]}, index=index)
    first = add_sheet(book, frame, "信用/评级", lang="zh", currency="USD")
    second = add_sheet(book, frame, "信用/评级", lang="zh", currency="USD")
    assert (first.name, second.name) == ("信用_评级", "信用_评级 (2)")
    assert column_header("abc_tier", "zh") == "ABC分级"
    path = save_workbook(book, tmp_path / "b.xlsx")
    saved = openpyxl.load_workbook(path)
    assert saved.sheetnames == ["信用_评级", "信用_评级 (2)"]
    assert [c.value for c in saved["信用_评级"][1]] == ["客户编号", "评级", "建议信用额度（USD）"]
