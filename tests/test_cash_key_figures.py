"""The collections KPIs among the report's key figures: computed, explained when missing, shown."""

import datetime as dt

import numpy as np
import pandas as pd

from segkit import Ledger
from segkit.reports.summary import COLLECTION_FIGURES, FIGURES, _collection_figures

DATES = {"as_of": dt.date(2025, 6, 30), "month": dt.date(2025, 5, 31),
         "quarter": dt.date(2025, 3, 31)}  # fmt: skip
INVOICES = pd.DataFrame(
    {
        "invoice_id": ["A", "B", "C", "D"],
        "customer_id": ["C1", "C1", "C2", "C2"],
        "invoice_date": ["2025-04-10", "2025-05-10", "2025-06-05", "2025-06-20"],
        "due_date": ["2025-05-10", "2025-06-10", "2025-07-05", "2025-07-20"],
        "amount": [100.0, 200.0, 300.0, 400.0],
        "settled_date": ["2025-05-09", "2025-06-25", None, None],
    }
)


def test_kpis_at_each_summary_date_and_why_disputes_are_missing():
    ledger = Ledger.from_frames(INVOICES)
    frames = {d: pd.DataFrame() for d in DATES.values()} | {DATES["quarter"]: None}
    table, reason = _collection_figures(ledger, DATES, frames)
    assert list(table.index) == list(COLLECTION_FIGURES) and list(table.columns) == list(DATES)
    assert table.loc["cei", "as_of"] == 1.0 and table.loc["cei", "month"] == 1.0
    assert table.loc["current_share", "as_of"] == 1.0
    assert table["quarter"].isna().all()  # no snapshot at that date: a dash, as the others
    assert np.isnan(table.loc["disputes", "as_of"])  # the ledger has no disputed column
    assert reason["disputes"] == ("no_disputes", "no invoices.disputed") and reason["cei"] is None


def test_without_settlement_data_every_kpi_says_why():
    ledger = Ledger.from_frames(INVOICES.drop(columns="settled_date"))
    frames = dict.fromkeys(DATES.values(), pd.DataFrame())
    table, reason = _collection_figures(ledger, DATES, frames)
    assert table.isna().all().all()
    assert {r[0] for r in reason.values()} == {"no_settlement"}


def test_the_index_shows_cei_as_a_percentage_beside_last_month(tmp_path):
    from segkit.reports.index import render_index
    from segkit.reports.pack import Pack
    from segkit.reports.run import ReportResult
    from segkit.reports.summary import Summary

    index = pd.Index([*FIGURES, *COLLECTION_FIGURES], name="figure")
    figures = pd.DataFrame(1.0, index=index, columns=list(DATES))
    figures.loc["cei"] = [0.866, 0.8571, 0.85]
    figures.loc["average_days_delinquent"] = [5.72, 4.62, 4.34]
    pack = Pack(Summary(DATES, {}, figures, {}, []), None)
    for lang, name in (("en", "Collection effectiveness index (CEI)"), ("zh", "回款有效性指数")):
        base = {"data": "d", "as_of": "2025-06-30", "lang": lang, "mapping": ""}
        page = render_index(ReportResult(tmp_path, [], tmp_path / "index.html"), base, [], pack)
        assert name in page and "86.6%" in page and "85.7%" in page and "+0.9%" in page
        assert "5.7" in page and "+1.1" in page
