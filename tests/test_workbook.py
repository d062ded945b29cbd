"""The report workbook: its sheets, headers in the report language, formats and safe cells."""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import openpyxl
import pandas as pd
import pytest

from segkit.reports.actions import top_actions
from segkit.reports.pack import Pack, write_workbook
from segkit.reports.summary import FIGURES, Summary

D = dt.date
DATES = {"as_of": D(2025, 12, 31), "month": D(2025, 11, 30), "quarter": D(2025, 9, 30)}


def _classes(segments: list[str], grades: list[str]) -> pd.DataFrame:
    n = len(segments)
    return pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://evil","x")', "乙公司", "-丙"][:n],
            "freq_class": ["frequent"] * n,
            "rfm_segment": segments,
            "abc_tier": ["A"] * n,
            "reason": ["3 invoices in 12 months"] * n,
            "grade": grades,
            "pd": [0.0123, 0.2, 1.0][:n],
            "open_balance": [1234.567, -50.0, 10.0][:n],
            "aging_90_plus": [0.0, 0.0, 10.0][:n],
            "expected_loss": [5.0, 1.0, 4.5][:n],
            "credit_limit": [1000.0, 100.0, 100.0][:n],  # C1 owes 1,234.57 against 1,000
            "standing": ["good_standing", "good_standing", "in_default"][:n],
            "limit_proposed": [1240.0, 0.0, 0.0][:n],
            "limit_change": [240.0, -100.0, -100.0][:n],
            "limit_action": ["limit_at_exposure", None, "hold_orders"][:n],
        },
        index=pd.Index(["C1", "C2", "C3"][:n], name="customer_id"),
    )


@pytest.fixture
def pack() -> Pack:
    now = _classes(["champions", "loyal", "lost"], ["BB", "B", "D"])
    month = _classes(["loyal", "loyal", "lost"], ["BB", "BB", "CCC"])
    quarter = _classes(["loyal", "at_risk"], ["BB", "BB"])
    frames = {DATES["as_of"]: now, DATES["month"]: month, DATES["quarter"]: quarter}
    figures = pd.DataFrame(
        np.arange(3 * len(FIGURES), dtype=float).reshape(len(FIGURES), 3),
        index=pd.Index(FIGURES, name="figure"),
        columns=list(DATES),
    )
    summary = Summary(DATES, frames, figures)
    return Pack(summary, top_actions(now, month, "zh"), currency="CNY")


def test_workbook_sheets_in_chinese_with_formats(pack, tmp_path):
    path = write_workbook(pack, "zh", tmp_path / "segkit_2025-12-31.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["摘要", "行动", "客户分类", "信用", "分群迁移"]
    summary = book["摘要"]
    assert [c.value for c in summary[1]][:4] == ["指标", "2025-12-31", "2025-11-30", "2025-09-30"]
    assert summary["A2"].value == "活跃客户数（近12个月有开票）"
    classes = book["客户分类"]
    assert [c.value for c in classes[1]][:5] == [
        "客户编号",
        "客户名称",
        "频次分类",
        "RFM分群",
        "ABC分级",
    ]
    assert classes["B2"].value == '\'=HYPERLINK("http://evil","x")'
    assert classes["B4"].value == "'-丙"
    assert classes["D2"].value == "冠军客户" and classes["E2"].value == "A类客户"
    assert (classes.freeze_panes, classes.auto_filter.ref) == ("B2", "A1:F4")
    credit = book["信用"]
    header = [c.value for c in credit[1]]
    assert header[:4] == ["客户编号", "客户名称", "ABC分级", "评级"]
    pd_cell = credit.cell(2, header.index("违约概率") + 1)
    assert (pd_cell.value, pd_cell.number_format) == (0.0123, "0.00%")
    balance = credit.cell(3, header.index("应收余额（CNY）") + 1)
    assert (balance.value, balance.data_type, balance.number_format) == (-50, "n", "#,##0.00")
    assert all(c.font.bold for c in credit[1])


def test_migration_sheet_counts_customers_by_segment(pack, tmp_path):
    book = openpyxl.load_workbook(write_workbook(pack, "en", tmp_path / "w.xlsx"))
    rows = list(book["Migration"].iter_rows(values_only=True))
    header, body = rows[0], {row[0]: row[1:] for row in rows[1:]}
    assert header[0] == "Class at the previous quarter-end"
    column = {name: i for i, name in enumerate(header[1:])}
    assert body["Loyal"][column["Champions"]] == 1
    assert body["At Risk"][column["Loyal"]] == 1
    assert body["not a customer"][column["Lost"]] == 1  # C3 arrived after the quarter-end
    assert book["Actions"]["A2"].value == "C1"


def test_workbook_bytes_depend_only_on_content(pack, tmp_path):
    first = write_workbook(pack, "en", tmp_path / "a.xlsx").read_bytes()
    second = write_workbook(pack, "en", tmp_path / "b.xlsx").read_bytes()
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


def test_other_parts_add_their_own_sheet(pack, tmp_path):
    worklist = pd.DataFrame({"customer_id": ["C9", "C2"], "expected_loss": [12.3456, 1.0]})
    path = write_workbook(pack, "en", tmp_path / "w.xlsx", extra={"Worklist": worklist})
    sheet = openpyxl.load_workbook(path)["Worklist"]
    assert [c.value for c in sheet[1]] == ["Customer", "Customer name", "Expected loss (CNY)"]
    assert (sheet["C2"].value, sheet.freeze_panes) == (12.35, "A2")
    assert (sheet["B2"].value, sheet["B3"].value) == (None, "乙公司")  # C9 is not a customer


def test_the_collections_worklist_a_study_exported_becomes_a_sheet(pack, tmp_path):
    from segkit.output.export import write_table
    from segkit.reports.pack import study_sheets

    worklist = pd.DataFrame(
        {"customer_id": ["C1", "C2"], "p_late": [0.8, 0.1], "next_action": ["call", "reminder"]},
        index=pd.Index(["INV1", "INV2"], name="invoice_id"),
    )
    assert study_sheets(tmp_path, "zh") == {}
    write_table(worklist, tmp_path / "collections_worklist.csv")
    sheets = study_sheets(tmp_path, "zh")
    assert list(sheets) == ["回款工作清单"]
    path = write_workbook(pack, "zh", tmp_path / "book.xlsx", extra=sheets)
    sheet = openpyxl.load_workbook(path)["回款工作清单"]
    assert sheet.max_row == 3 and sheet["A2"].value == "INV1"


def test_chinese_sheets_show_labels_not_codes(pack, tmp_path):
    now = pack.summary.current
    now["size_cn"] = ["micro", "large", "unknown"]
    now["region_cn"] = ["central", "east", "foreign"]
    now["cluster_name"] = ["large, frequent", "large, frequent", "not bought lately"]
    book = openpyxl.load_workbook(write_workbook(pack, "zh", tmp_path / "w.xlsx"))
    rows = list(book["客户分类"].iter_rows(values_only=True))
    column = {name: i for i, name in enumerate(rows[0])}
    assert [rows[1][column[h]] for h in ("企业规模", "地区", "聚类画像")] == [
        "微型",
        "中部",
        "收入高、购买频繁",
    ]
    assert rows[3][column["地区"]] == "境外" and rows[3][column["企业规模"]] == "未知"
    assert "分类依据" in column and "催收原因" not in column


def test_summary_counts_are_integers_and_amounts_money(pack, tmp_path):
    book = openpyxl.load_workbook(write_workbook(pack, "en", tmp_path / "w.xlsx"))
    sheet = book["Summary"]
    formats = {row[0].value: row[1].number_format for row in sheet.iter_rows(min_row=2)}
    assert formats["Active customers (invoiced in the last 12 months)"] == "#,##0"
    assert formats["Revenue, last 12 months (CNY)"] == "#,##0.00"
    assert pack.sheets == ["Summary", "Actions", "Classification", "Credit", "Migration"]


def test_collections_sheet_reads_in_words_with_dates_and_names(pack, tmp_path):
    from segkit.output.export import write_table
    from segkit.reports.pack import study_sheets

    worklist = pd.DataFrame(
        {
            "customer_id": ["C2"],
            "value": ["none"],
            "plan": ["strict"],
            "action": ["legal"],
            "due_date": [pd.Timestamp("2025-06-09")],
            "p_late": [1.0],
            "reasons": ["in_default;disputed"],
        },
        index=pd.Index(["INV1"], name="invoice_id"),
    )
    write_table(worklist, tmp_path / "collections_worklist.csv")
    path = write_workbook(pack, "zh", tmp_path / "w.xlsx", extra=study_sheets(tmp_path, "zh"))
    sheet = openpyxl.load_workbook(path)["回款工作清单"]
    header, row = [c.value for c in sheet[1]], [c for c in sheet[2]]
    assert header == ["发票号", "客户编号", "客户名称", "价值等级", "催收方案", "下一步行动",
                      "到期日", "逾期概率", "主要原因"]  # fmt: skip
    assert [c.value for c in row[2:6]] == ["乙公司", "无收入", "严格", "法律程序"]
    assert (row[6].value, row[6].number_format) == (dt.datetime(2025, 6, 9), "yyyy-mm-dd")
    assert row[7].number_format == "0.00%"
    assert row[8].value == "逾期超过90天；发票有争议"
    assert pack.sheets[-1] == "回款工作清单"


def test_widths_count_a_chinese_character_twice():
    from segkit.output.workbook import column_width

    latin = column_width("x", pd.Series(["abcdefghij"]))
    chinese = column_width("x", pd.Series(["一二三四五六七八九十"]))
    assert (latin, chinese) == (12.0, 22.0)
    assert column_width("x", pd.Series([pd.Timestamp("2025-01-01 00:00")])) == 12.0


def test_credit_sheet_has_utilisation_previous_grade_and_summary_changes(pack, tmp_path):
    now = pack.summary.current
    now["credit_limit"] = [1000.0, 0.0, 20.0]
    now["limit_action"] = ["limit_at_exposure", None, "hold_orders"]
    book = openpyxl.load_workbook(write_workbook(pack, "zh", tmp_path / "w.xlsx"))
    rows = list(book["信用"].iter_rows())
    column = {cell.value: i for i, cell in enumerate(rows[0])}
    used = [row[column["额度使用率"]] for row in rows[1:]]
    assert [c.value for c in used] == [pytest.approx(1.234567), None, 0.5]  # no limit: empty
    assert used[0].number_format == "0.0%"
    assert [row[column["上季末评级"]].value for row in rows[1:]] == ["BB", "BB", None]
    assert [row[column["额度处理措施"]].value for row in rows[1:]] == [
        "额度覆盖现有欠款",
        None,
        "暂停发货",
    ]
    summary = list(book["摘要"].iter_rows(values_only=True))
    assert summary[0][-2:] == ("较上月末变动", "较上季末变动")
    assert summary[1][-2:] == (0 - 1, 0 - 2)  # active customers: 0 now, 1 and 2 before


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_ledger_in_several_currencies_gets_a_currency_sheet(pack, tmp_path, lang):
    from pathlib import Path

    from segkit import read_ledger
    from segkit.studies.currencies import currency_frame

    export = Path(__file__).parent / "fixtures" / "exports" / "fx_rates"
    ledger = read_ledger(export / "mapping.yaml")
    frame = currency_frame(ledger, "2025-12-31")
    assert {"USD", "EUR", "CNY"} <= set(frame.index)
    pack.currencies = frame
    book = openpyxl.load_workbook(write_workbook(pack, lang, tmp_path / "w.xlsx"))
    title = "Currencies" if lang == "en" else "币种构成"
    assert title in pack.sheets and title in book.sheetnames
    sheet = book[title]
    header = [c.value for c in sheet[1]]
    assert header[0] == ("Currency" if lang == "en" else "币种")
    assert ("Rate at the date" if lang == "en" else "期末汇率") in header
    assert ("Unrealised difference (CNY)" if lang == "en" else "未实现汇兑差额（CNY）") in header
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    assert set(rows) == set(frame.index)
    col = header.index("Unrealised difference (CNY)" if lang == "en" else "未实现汇兑差额（CNY）")
    usd = rows["USD"][col]
    assert usd.value == pytest.approx(frame.loc["USD", "unrealised"], abs=0.005)
    assert usd.number_format == "#,##0.00"
    share = header.index("Share of revenue" if lang == "en" else "收入占比")
    assert rows["USD"][share].number_format == "0.0%"
    assert sum(r[share].value for r in rows.values()) == pytest.approx(1.0)


def test_a_ledger_in_one_currency_has_no_currency_sheet(pack, tmp_path):
    write_workbook(pack, "en", tmp_path / "w.xlsx")
    assert "Currencies" not in pack.sheets
