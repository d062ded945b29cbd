"""Study sections: what the ledger holds, what each section needs, and the notes in its place."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import segkit
from segkit.features.firmographics import firmographics
from segkit.studies import market as mstudy
from segkit.studies import needs, sections
from segkit.studies import segmentation as study
from segkit.studies.sections import Holdings, Section

DOCS = Path(__file__).resolve().parents[1] / "docs" / "reports.md"


def invoices(start: str = "2025-07-01", months: int = 6, currency: str | None = None):
    days = pd.date_range(start, periods=months, freq="MS") + pd.Timedelta(days=2)
    frame = pd.DataFrame(
        {
            "invoice_id": [f"I{i}" for i in range(len(days) * 2)],
            "customer_id": ["A", "B"] * len(days),
            "invoice_date": np.repeat(days, 2),
            "due_date": np.repeat(days + pd.Timedelta(days=30), 2),
            "amount": [100.0, 50.0] * len(days),
        }
    )
    return frame if currency is None else frame.assign(currency=currency)


def held(inputs=("invoices",), first=dt.date(2024, 1, 5), months=24, currency="CNY"):
    return Holdings(frozenset(inputs), first, months, currency, dt.date(2025, 12, 31))


def test_holdings_reads_tables_columns_history_and_currency():
    ledger = segkit.Ledger.from_frames(
        invoices(currency="USD"),
        customers=pd.DataFrame({"customer_id": ["A", "B"], "country": ["US", "CA"]}),
    )
    got = sections.holdings(ledger, "2025-12-31")
    assert {
        "invoices",
        "invoices.amount",
        "invoices.currency",
        "customers",
        "customers.country",
    } <= got.inputs
    assert "payments" not in got.inputs and "customers.province" not in got.inputs
    assert (got.first, got.months, got.currency) == (dt.date(2025, 7, 3), 6, "USD")


def test_holdings_without_currency_or_customers_table():
    got = sections.holdings(segkit.Ledger.from_frames(invoices()), "2025-12-31")
    assert got.currency == "CNY"
    assert "customers" not in got.inputs  # the derived ids are not a customers table


def test_missing_and_note_name_the_columns_and_the_history():
    section = Section("s", "size", needs=("customers.industry_code", "customers.employees | customers.revenue"),
                      min_months=24)  # fmt: skip
    have = held(("invoices", "customers", "customers.revenue"), months=6, first=dt.date(2025, 7, 3))
    assert sections.missing(section, have) == ["customers.industry_code"]
    note = sections.note(section, have, "en")
    assert note == (
        "**Customers by company size** is not shown: the ledger has no `customers.industry_code` and it "
        "compares 24 calendar months of invoices and the ledger holds 6 (from the month of 2025-07-03 "
        "to the report month, both counted). It would show "
        "customers and revenue by the 2017 statistical size classes (industry code plus employees, "
        "revenue or total assets of each customer)."
    )
    zh = sections.note(section, have, "zh")
    assert "账中没有`customers.industry_code`" in zh and "账中只有6个月" in zh
    full = held(("invoices", "customers.industry_code", "customers.employees"))
    assert sections.note(section, full) is None


def test_alternatives_are_read_as_or():
    section = Section("s", "region", needs=("customers.province | customers.country",))
    assert sections.missing(section, held(("customers.country",))) == []
    note = sections.note(section, held(), "zh")
    assert "`customers.province`或`customers.country`" in note


@pytest.mark.parametrize(
    ("first", "months", "covered"),
    [(dt.date(2024, 1, 20), 24, True), (dt.date(2024, 2, 1), 23, False), (None, 0, False)],
    ids=["from-the-window-month", "a-month-short", "no-invoices"],
)
def test_previous_window_is_covered_only_from_its_first_month(first, months, covered):
    start, ok = sections.previous_window(held(first=first, months=months))
    assert start == dt.date(2024, 1, 1)
    assert ok is covered


def test_every_declared_section_has_a_title_and_what_it_adds_in_both_languages():
    for section in needs.declared():
        for lang in ("en", "zh"):
            assert sections.note(section, held(inputs=(), months=0), lang)


def test_docs_table_matches_the_declarations():
    text = DOCS.read_text(encoding="utf-8")
    table = re.search(r"<!-- needs-table.*?-->\n(.*?)\n<!-- /needs-table -->", text, re.S).group(1)
    assert table == needs.needs_table()


def test_firmographics_with_country_but_no_province():
    customers = pd.DataFrame({"country": ["FR", "HK", None]}, index=["a", "b", "c"])
    out = firmographics(customers)
    assert out["region_cn"].tolist() == ["foreign", "hmt", "unknown"]


def test_customer_features_with_country_but_no_province():
    customers = pd.DataFrame({"customer_id": ["A", "B"], "country": ["US", "CN"]})
    features = segkit.customer_features(
        segkit.Ledger.from_frames(invoices(), customers=customers), "2025-12-31"
    )
    assert features.loc[["A", "B"], "region_cn"].tolist() == ["foreign", "unknown"]


def test_headline_does_not_compare_an_uncovered_year_and_uses_the_currency():
    frame = pd.DataFrame(
        {"revenue_12m": [900.0, 100.0], "revenue_prev_12m": [10.0, 0.0], "recency_days": [5, 9],
         "invoices_12m": [6, 6], "avg_days_late": [np.nan] * 2, "open_balance": [np.nan] * 2,
         "overdue_balance": [np.nan] * 2, "abc_tier": ["A", "B"], "risk_tier": ["unknown"] * 2},
        index=["A", "B"],
    )  # fmt: skip
    short = held(first=dt.date(2025, 7, 3), months=6, currency="USD")
    numbers = study.headline_numbers(frame, short)
    assert np.isnan(numbers["revenue_growth"]) and np.isnan(numbers["open_ar"])
    text = study.headline_text(numbers, "2025-12-31", "en", short)
    assert "USD 1.0k" in text
    assert "not compared with the previous 12 months (they start on 2024-01-01" in text
    assert " up " not in text and " down " not in text  # no growth rate
    assert "no settled dates or payments" in text
    table = study.headline_table(numbers, "en", "USD")
    assert "Revenue growth" not in set(table["measure"]) and "Revenue, last 12 months (USD)" in set(
        table["measure"]
    )
    assert study.format_amount(2_500_000.0, "zh", "EUR") == "250.0万 EUR"


def test_risky_customers_without_names():
    frame = pd.DataFrame(
        {"abc_tier": ["A"], "rfm_segment": ["champions"], "risk_tier": ["high"], "revenue_12m": [10.0],
         "open_balance": [5.0], "overdue_balance": [5.0], "aging_90_plus": [5.0], "avg_days_late": [40.0]},
        index=pd.Index(["C1"], name="customer_id"),
    )  # fmt: skip
    out = study.risky_customers(frame, 5)
    assert "name" not in out.columns and out.index.tolist() == ["C1"]


def test_market_view_blanks_an_uncovered_year_and_tables_drop_growth():
    features = pd.DataFrame(
        {
            "revenue_12m": [100.0, 50.0],
            "revenue_prev_12m": [1.0, 1.0],
            "region_cn": ["east", "hmt"],
        },
        index=["A", "B"],
    )
    short = held(first=dt.date(2025, 7, 3), months=6, currency="GBP")
    view = mstudy.customer_view(features, short, "en")
    assert view["revenue_prev_12m"].isna().all()
    assert view["region"].tolist() == ["East", "Hong Kong, Macao, Taiwan"]
    tables = mstudy.segment_tables(view, "zh")
    assert list(tables) == ["地区"]
    html = mstudy.show_segments(tables["地区"], "en", "GBP").to_html()
    assert "Revenue, last 12 months (GBP)" in html and "Growth" not in html
    line = mstudy.headline(view, tables, short, "2025-12-31", "en")
    assert "GBP 150" in line and "not compared with the previous 12 months" in line
    assert "%" not in line.split("customers")[1].split(".")[0]


NOTEBOOKS = Path(segkit.__file__).parent / "studies" / "notebooks"


@pytest.mark.parametrize("name", ["segmentation", "market_positioning"])
def test_notebooks_are_thin_and_stored_without_outputs(name):
    import json

    cells = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    code = [("".join(c["source"]), c) for c in cells if c["cell_type"] == "code"]
    for source, cell in code:
        assert not cell["outputs"] and cell["execution_count"] is None
        assert len(source.splitlines()) <= 12, source
        assert not re.search(r"^\s*(def|class) ", source, re.M), source
    calls = [s for s, c in code[2:]]  # after the parameters and the imports
    assert all(re.search(r"\b(study|segkit|market|plots|sections|write_table)\.", s) or
               "study.show" in s for s in calls)  # fmt: skip
