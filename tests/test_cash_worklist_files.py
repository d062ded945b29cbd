"""The collections files: a CSV for people, one to keep for the next run, the workbook's sheet."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from segkit.cash import collection_worklist, customer_tasks, dispute_list
from segkit.output.export import write_table
from segkit.output.workbook import add_sheet, new_workbook, save_workbook
from segkit.reports.pack import _EXTRA_KINDS as EXTRA_KINDS
from segkit.reports.pack import study_sheets
from segkit.studies.credit_risk.collections import FILES, CollectionsView
from segkit.text.catalogue import catalogue, text

AS_OF = "2025-06-30"


@pytest.fixture
def view():
    pred = pd.DataFrame(
        {
            "customer_id": ["C1", "C1", "C2", "C3"],
            "due_date": pd.to_datetime(["2025-06-20", "2025-07-10", "2025-02-01", "2025-05-01"]),
            "open_amount": [100.0, 200.0, 300.0, 1000.0],
            "days_past_due": [10, -10, 149, 60],
            "disputed": [False, False, False, True],
            "p_late": [1.0, 0.5, 1.0, 1.0],
            "p_very_late": [0.3, 0.05, 1.0, 1.0],
            "expected_payment_date": pd.to_datetime(["2025-07-10", "2025-07-15", None, None]),
            "reasons": ["past_due", "payment_history;calendar", "in_default", "past_due"],
        },
        index=pd.Index(["I1", "I2", "I3", "I4"], name="invoice_id"),
    )
    customers = pd.DataFrame(
        {"name": ["=HYPERLINK(1)", "Bolt", "Cork"], "owner": ["Li", "Wang", None]},
        index=pd.Index(["C1", "C2", "C3"], name="customer_id"),
    )
    work = collection_worklist(pred, AS_OF)
    return CollectionsView(
        as_of=dt.date(2025, 6, 30), currency="USD", worklist=work,
        tasks=customer_tasks(work, customers), disputes=dispute_list(work, customers),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "header", "action"),
    [("en", "Open amount (USD)", "courtesy reminder before due (20 days overdue)"),
     ("zh", "未结金额（USD）", "到期前友情提醒（已逾期20天）")],
    ids=["en", "zh"],
)  # fmt: skip
def test_the_files_people_read_and_the_one_to_keep(view, tmp_path, lang, header, action):
    for name, table in view.exports(lang).items():
        write_table(table, tmp_path / name, currency="USD")
    people = pd.read_csv(tmp_path / FILES["tasks"], encoding="utf-8-sig")
    col = {c: text("cash_columns", c, lang, currency="USD") for c in catalogue()["cash_columns"]}
    assert header in people.columns and action in set(people[col["action"]])
    assert list(people[col["customer_id"]]) == ["C2", "C1"]  # one task each, riskiest first
    assert "'=HYPERLINK(1)" in set(people[col["name"]])  # a formula from the data stays text
    assert set(people[col["p_late"]]) == {"100%", "67%"}
    disputes = pd.read_csv(tmp_path / FILES["disputes"], encoding="utf-8-sig")
    assert list(disputes.iloc[:, 0]) == ["I4"]
    kept = pd.read_csv(tmp_path / FILES["invoices"], encoding="utf-8-sig")
    assert {"invoice_id", "action", "done"} <= set(kept.columns) and len(kept) == 4
    # the kept file, marked done, moves the next run one step on
    kept["done"] = "yes"
    again = collection_worklist(view.worklist.assign(reasons=""), AS_OF, previous=kept)
    assert (again["step"] == 2).all()


def test_the_workbook_sheet_has_dates_percentages_and_words(view, tmp_path):
    for name, table in view.exports("en").items():
        write_table(table, tmp_path / name, currency="USD")
    sheets = study_sheets(tmp_path, "en")
    book = new_workbook()
    for title, table in sheets.items():
        add_sheet(book, table, title, lang="en", currency="USD", kinds=EXTRA_KINDS)
    sheet = openpyxl.load_workbook(save_workbook(book, tmp_path / "w.xlsx"))["Collections"]
    heads = [c.value for c in sheet[1]]
    assert heads[:3] == ["Customer", "Rank", "Customer name"] and "Open amount (USD)" in heads
    row = {h: c for h, c in zip(heads, sheet[3], strict=True)}
    assert row["Customer"].value == "C1"
    assert row["Next action"].value == "courtesy reminder before due (20 days overdue)"
    assert (
        isinstance(row["Action date"].value, dt.datetime)
        and row["Action date"].number_format == "yyyy-mm-dd"
    )
    assert row["P(late)"].value == pytest.approx(200 / 300) and "%" in row["P(late)"].number_format


@pytest.mark.parametrize(("lang", "nobody"), [("en", "(no owner)"), ("zh", "（未指定负责人）")])
def test_the_owner_view_on_the_page_names_owners_and_the_tasks_without_one(view, lang, nobody):
    table = view.owner_table(lang).data
    assert list(table.index) == ["Wang", "Li"] and table.loc["Li", "customers"] == 1
    tasks = view.tasks.assign(owner=[None, "Li"])
    page = CollectionsView(as_of=view.as_of, currency="USD", tasks=tasks).owner_table(lang)
    assert nobody in list(page.data.index) and "unassigned" not in page.to_html()


def test_the_page_shows_how_long_a_step_is_overdue_and_what_the_ledger_cannot_tell(view):
    table = view.worklist_table("en").data
    assert "courtesy reminder before due (20 days overdue)" in list(table["action"])
    no_disputes = CollectionsView(as_of=view.as_of, disputes=view.disputes.iloc[:0],
                                  kpis=pd.DataFrame({view.as_of: [float("nan")]},
                                                    index=["disputes"]))  # fmt: skip
    assert "no disputed column" in no_disputes.dispute_table("en").data
    assert (
        "没有争议中的未结发票"
        in CollectionsView(as_of=view.as_of, disputes=view.disputes.iloc[:0])
        .dispute_table("zh")
        .data
    )
