"""Readers: encodings, formats, parsing of numbers, dates and flags, mapping defaults."""

from __future__ import annotations

import pandas as pd
import pytest

from segkit.exceptions import MappingError
from segkit.ledger.io import detect_encoding, from_frame, read_source
from segkit.ledger.mapping import TableSource

TEXT = "customer_id,name\nC1,深圳市华兴电子有限公司\nC2,杭州青禾贸易有限公司\n"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030"],
)
def test_encodings_are_detected_and_text_is_exact(tmp_path, encoding, expected):
    path = tmp_path / "customers.csv"
    path.write_bytes(TEXT.encode(encoding))
    assert detect_encoding(path) == expected
    raw = read_source(TableSource(table="customers"), path)
    assert list(raw.frame["name"]) == ["深圳市华兴电子有限公司", "杭州青禾贸易有限公司"]
    assert any(expected in note for note in raw.notes)


def test_undecodable_file_asks_for_an_encoding(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(b"customer_id,name\nC1,\xff\xfe\xfa\n")
    with pytest.raises(MappingError, match=r"customers.csv: cannot decode .* name its encoding"):
        read_source(TableSource(table="customers"), path)


def test_wrong_named_encoding_is_an_error_not_mojibake(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(TEXT.encode("gbk"))
    with pytest.raises(MappingError, match="cannot decode the file as utf-8"):
        read_source(TableSource(table="customers", encoding="utf-8"), path)


def test_numbers_with_separators_symbols_and_parentheses():
    frame = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D"],
            "revenue": ["¥1.234.567,50", "(2.000,00)", "", "12,5"],
        }
    )
    raw = from_frame(frame, "customers", TableSource(table="customers", decimal=",", thousands="."))
    assert raw.frame["revenue"].tolist()[:2] == [1234567.5, -2000.0]
    assert pd.isna(raw.frame["revenue"][2])
    assert raw.frame["revenue"][3] == 12.5
    assert raw.failures == []


def test_unparsable_values_are_recorded_with_row_and_value(tmp_path):
    path = tmp_path / "invoices.csv"
    path.write_text(
        "invoice_id,customer_id,invoice_date,due_date,amount,disputed\n"
        "I1,C1,2024/01/05,2024/02/04,100,否\n"
        "I2,C1,2024/13/05,2024/02/04,1O0,maybe\n",
        encoding="utf-8",
    )
    raw = read_source(TableSource(table="invoices", date_format="%Y/%m/%d"), path)
    got = pd.DataFrame(raw.failures)[["column", "row", "value"]]
    expected = pd.DataFrame(
        {
            "column": ["invoice_date", "amount", "disputed"],
            "row": [3, 3, 3],
            "value": ["2024/13/05", "1O0", "maybe"],
        }
    )
    pd.testing.assert_frame_equal(got, expected)
    assert raw.frame["disputed"][0] == False  # noqa: E712 - a pandas boolean scalar
    assert raw.frame["invoice_date"][0] == pd.Timestamp("2024-01-05")


def test_payment_terms_default_fills_only_empty_due_dates():
    frame = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2"],
            "customer_id": ["C1", "C1"],
            "invoice_date": ["2024-01-01", "2024-01-10"],
            "due_date": ["2024-03-01", None],
            "amount": [1.0, 2.0],
        }
    )
    source = TableSource(table="invoices", defaults={"payment_terms_days": 30, "currency": "CNY"})
    raw = from_frame(frame, "invoices", source)
    assert raw.frame["due_date"].tolist() == [
        pd.Timestamp("2024-03-01"),
        pd.Timestamp("2024-02-09"),
    ]
    assert raw.frame["currency"].tolist() == ["CNY", "CNY"]
    assert any("1 empty due_date" in n for n in raw.notes)


def test_excel_and_parquet_read_like_csv(tmp_path, invoices):
    invoices.to_excel(tmp_path / "invoices.xlsx", index=False)
    typed = invoices.assign(
        invoice_date=pd.to_datetime(invoices["invoice_date"]),
        due_date=pd.to_datetime(invoices["due_date"]),
    )
    typed.to_parquet(tmp_path / "invoices.parquet")
    xlsx = read_source(TableSource(table="invoices"), tmp_path / "invoices.xlsx").frame
    parquet = read_source(TableSource(table="invoices"), tmp_path / "invoices.parquet").frame
    pd.testing.assert_frame_equal(xlsx.drop(columns="_row"), parquet.drop(columns="_row"))
    assert xlsx["_row"].tolist()[:2] == [2, 3]


def test_from_frame_does_not_modify_its_input(invoices):
    before = invoices.copy()
    from_frame(invoices, "invoices")
    pd.testing.assert_frame_equal(invoices, before)


def test_mapped_column_missing_from_file_is_named(tmp_path):
    frame = pd.DataFrame({"客户编码": ["C1"]})
    with pytest.raises(MappingError, match=r"mapped source column\(s\) \['客户'\] not found"):
        from_frame(
            frame, "customers", TableSource(table="customers", columns={"customer_id": "客户"})
        )


def test_digits_of_other_scripts_read_as_their_numbers(tmp_path):
    path = tmp_path / "invoices.csv"
    path.write_text(
        "invoice_id,customer_id,invoice_date,due_date,amount\n"
        "I1,C1,2025-01-01,2025-01-31,１２３\n"
        "I2,C1,2025-01-02,2025-02-01,٤٥.5\n"
        "I3,C1,2025-01-03,2025-02-02,1 200\n",
        encoding="utf-8",
    )
    raw = read_source(TableSource(table="invoices"), path)
    assert raw.frame["amount"].tolist()[:2] == [123.0, 45.5]
    assert [(f["row"], f["column"], f["value"]) for f in raw.failures] == [(4, "amount", "1 200")]


def test_iso_days_and_others_parse_alike(tmp_path):
    path = tmp_path / "invoices.csv"
    path.write_text(
        "invoice_id,customer_id,invoice_date,due_date,amount\n"
        "I1,C1,2025-01-01,2025-01-31T10:00:00,1\n"
        "I2,C1, 2025-01-02 ,1899-12-31,1\n"
        "I3,C1,2025-02-29,2025-03-01,1\n",
        encoding="utf-8",
    )
    raw = read_source(TableSource(table="invoices"), path)
    days = raw.frame["invoice_date"].dt.strftime("%Y-%m-%d").tolist()
    assert days[:2] == ["2025-01-01", "2025-01-02"] and pd.isna(days[2])
    assert str(raw.frame["due_date"].iloc[0].date()) == "2025-01-31"
    rules = {(f["row"], f["column"]): f["rule"] for f in raw.failures}
    assert set(rules) == {(3, "due_date"), (4, "invoice_date")}
    assert "1900-01-01" in rules[(3, "due_date")]
