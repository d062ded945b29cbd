"""The credit study on short or partial ledgers: what it needs, and the behavioural view."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from segkit import Ledger
from segkit.exceptions import ConfigError
from segkit.studies.credit_risk import (
    dpd_band,
    months_needed,
    past_due_trend,
    prepare,
    readiness,
)

AS_OF = "2025-12-31"


def make_frames(months=6, currency=None, settled=True, payments=False, credit_notes=True):
    """Four customers invoiced monthly for ``months`` months up to 2025-12.

    C1 pays 5 days early, C2 20 days late, C3 stops paying after its first two invoices,
    C4 paid its first invoice 100 days late and the rest on time; C4 belongs to C3's group.
    """
    ends = pd.date_range(end=AS_OF, periods=months, freq="ME")
    rows, pays = [], []
    for k, month_end in enumerate(ends):
        day = month_end - pd.Timedelta(days=20)
        for i, customer in enumerate(["C1", "C2", "C3", "C4"]):
            due = day + pd.Timedelta(days=30)
            late = {"C1": -5, "C2": 20, "C3": 0, "C4": 100 if k == 0 else 0}[customer]
            paid = due + pd.Timedelta(days=late)
            if customer == "C3" and k >= 2:
                paid = None
            invoice = f"I{k}{i}"
            rows.append((invoice, customer, day, due, 1000.0 * (i + 1), paid))
            if paid is not None:
                pays.append((f"P{k}{i}", customer, invoice, paid, 1000.0 * (i + 1)))
    invoices = pd.DataFrame(
        rows,
        columns=["invoice_id", "customer_id", "invoice_date", "due_date", "amount", "settled"],
    )
    if credit_notes:
        note = ("N1", "C1", ends[-1] - pd.Timedelta(days=3), ends[-1], -100.0, ends[-1])
        invoices.loc[len(invoices)] = note
    if currency:
        invoices["currency"] = currency
    last = pd.Timestamp(AS_OF)
    settled_on = invoices.pop("settled")
    if settled and not payments:
        invoices["settled_date"] = settled_on.where(settled_on <= last)
    for column in ("invoice_date", "due_date", "settled_date"):
        if column in invoices:
            invoices[column] = pd.to_datetime(invoices[column]).dt.strftime("%Y-%m-%d")
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3", "C4"],
            "name": ["甲公司", "乙公司", "丙有限责任公司（一个很长很长很长很长的名字）", "丁公司"],
            "parent_id": [None, None, None, "C3"],
        }
    )
    frame = None
    if payments:
        frame = pd.DataFrame(
            pays, columns=["payment_id", "customer_id", "invoice_id", "payment_date", "amount"]
        )
        frame = frame[frame["payment_date"] <= last]
        frame["payment_date"] = frame["payment_date"].dt.strftime("%Y-%m-%d")
    return invoices, customers, frame


def make_ledger(with_customers=True, **kwargs) -> Ledger:
    invoices, customers, payments = make_frames(**kwargs)
    return Ledger.from_frames(invoices, customers if with_customers else None, payments)


def test_months_needed_is_history_plus_snapshots_plus_window():
    assert months_needed() == 12 + 3 * 2 + 12
    assert months_needed(horizon_months=6, holdout_snapshots=1) == 12 + 3 + 6
    with pytest.raises(ConfigError, match="horizon_months must be"):
        months_needed(horizon_months=0)


@pytest.mark.parametrize(
    ("first", "needed"),
    [("2024-01-01", 30), ("2024-10-01", 30), ("2024-01-11", 33), ("2024-12-31", 31)],
)
def test_months_needed_from_the_first_invoice_in_calendar_months(first, needed):
    from segkit.studies.credit_risk import months_needed_from

    # 2024-01-11: first snapshot 2025-03-31 (12 months after), two more to 2025-09-30, whose
    # window ends 2026-09-30: January 2024 to September 2026 is 33 months
    assert months_needed_from(first) == needed
    assert months_needed_from(first, horizon_months=6, holdout_snapshots=1) < needed


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"settled": False}, "no_settlement"),
        ({"months": 24}, "short_history"),
        ({"months": 6, "payments": True}, "short_history"),
    ],
    ids=["invoices-only", "24-months-settled-dates", "6-months-payments"],
)
def test_readiness_says_why_no_scorecard(kwargs, reason):
    ready = readiness(make_ledger(**kwargs), AS_OF)
    assert ready.reason == reason and not ready.fit
    # the first invoice is on the 11th of a month: 12 months to the first quarter-end after
    # that, two more quarter-ends, their 12-month window, counted in calendar months covered
    assert ready.first.day == 11 and ready.months_needed == 33
    assert ready.first < ready.last <= pd.Timestamp(AS_OF).date()
    held = kwargs.get("months", 6)  # calendar months covered, the first and last counted
    assert ready.months_held == held
    english, chinese = ready.text("en"), ready.text("zh")
    assert "No scorecard was fitted" in english and "未建立评分卡" in chinese
    if reason == "short_history":
        assert f"holds {held} months" in english and "at least 33 months" in english
        assert f"仅有 {held} 个月" in chinese and "至少需要 33 个月" in chinese


def test_dpd_band_by_hand():
    days = pd.Series([0.0, 1.0, 30.0, 31.0, 90.0, 91.0, np.nan])
    got = dpd_band(days).tolist()
    assert got == ["current", "dpd_1_30", "dpd_1_30", "dpd_31_60", "dpd_61_90", "dpd_over_90",
                   None]  # fmt: skip


def test_past_due_trend_by_hand():
    ledger = make_ledger(months=6)
    trend = past_due_trend(ledger, AS_OF, months=12, dpd=60)
    assert len(trend) == 6  # no month-end before the first invoice
    last = trend.iloc[-1]
    # open on 2025-12-31: C3's invoices of months 3-6 (3,000 each; the first of them is due
    # 2025-10-10, 82 days past due) and the December invoices of C1, C2, C4 not yet due;
    # the credit note is settled by its settled date, so it is already applied
    assert last["open_balance"] == pytest.approx(4 * 3000.0 + 1000.0 + 2000.0 + 4000.0)
    assert last["overdue_balance"] == pytest.approx(3 * 3000.0)
    assert last["past_due_over_dpd"] == pytest.approx(3000.0)
    assert last["share_over_dpd"] == pytest.approx(3000.0 / last["open_balance"])


@pytest.mark.parametrize("dpd", [45, 60, 90, 120])
def test_past_due_trend_matches_the_open_invoices_at_every_month_end(dpd):
    """Thresholds between aging edges too: the trend is the open invoices summed at each date."""
    from segkit.features import invoice_settlement

    ledger = make_ledger(months=8, payments=True)
    trend = past_due_trend(ledger, AS_OF, months=12, dpd=dpd)
    for day, row in trend.iterrows():
        open_ = invoice_settlement(ledger.invoices, ledger.payments, as_of=day.date()).execute()
        past = open_["days_past_due"].fillna(0)
        assert row["open_balance"] == pytest.approx(open_["open_amount"].sum())
        assert row["overdue_balance"] == pytest.approx(open_["open_amount"][past > 0].sum())
        assert row["past_due_over_dpd"] == pytest.approx(open_["open_amount"][past > dpd].sum())


@pytest.mark.parametrize(
    "kwargs",
    [
        {"settled": False},
        {"months": 24},
        {"months": 6, "payments": True, "currency": "USD"},
        {"months": 3, "credit_notes": False},
        {"months": 24, "with_customers": False},
    ],
    ids=[
        "invoices-only",
        "settled-dates",
        "usd-6-months",
        "all-new-no-credit-notes",
        "no-customers-table",
    ],  # fmt: skip
)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_section_renders_on_a_partial_ledger(kwargs, lang):
    report = prepare(make_ledger(**kwargs), AS_OF, lang)
    assert report.study is None
    texts, tables = [], []
    for name in ("intro", "headline", "aging", "dso", "past_due_view", "lateness", "scorecard",
                 "validation", "stability", "grades", "expected_loss", "limits", "watch",
                 "actions"):  # fmt: skip
        for item in getattr(report, name)():
            if hasattr(item, "to_html"):
                tables.append(item.to_html())
            else:
                texts.append(str(getattr(item, "data", "")))
    page = "\n".join(texts + tables)
    assert not re.search(r"\b(nan|NaN|None|NaT)\b|aging_current|mean_pd|open_balance", page)
    assert "**" not in "\n".join(tables)
    assert report.ready.text(lang) in page
    currency = kwargs.get("currency", "CNY")
    if kwargs.get("settled", True):
        assert f"({currency})" in page or f"（{currency}）" in page
    if lang == "zh":
        assert "Open receivables" not in page and "days past due" not in page


def test_behavioural_worklist_orders_by_days_past_due():
    report = prepare(make_ledger(months=6, payments=True), AS_OF)
    from segkit.credit.worklist import worklist

    table = worklist(report.scored)
    assert table.index[0] == "C3"
    assert table.loc["C3", "reason"].startswith("82 days past due; 75% of the balance overdue")
    assert table.loc["C3", "group_exposure"] == pytest.approx(
        report.scored.loc[["C3", "C4"], "open_balance"].sum()
    )
    assert table.loc["C3", "name"] == "丙有限责任公司（一个很长很…"  # 13 wide characters + "…"
    assert "C1" not in table.index  # pays early: nothing overdue


@pytest.mark.parametrize(
    ("kwargs", "lang", "says"),
    [
        ({"settled": False}, "en", "the ledger does not say when invoices were paid"),
        (
            {"months": 6, "payments": True, "currency": "USD"},
            "zh",
            "按当前参数建立评分卡至少需要 33 个月",
        ),
    ],
    ids=["invoices-only-en", "usd-6-months-zh"],
)
def test_the_notebook_runs_on_a_partial_ledger(tmp_path, kwargs, lang, says):
    from typer.testing import CliRunner

    from segkit.cli import app

    folder = tmp_path / "ledger"
    folder.mkdir()
    invoices, customers, payments = make_frames(**kwargs)
    invoices.to_csv(folder / "invoices.csv", index=False)
    customers.to_csv(folder / "customers.csv", index=False)
    if payments is not None:
        payments.to_csv(folder / "payments.csv", index=False)
    args = ["report", str(folder), "--as-of", AS_OF, "--out", str(tmp_path / "out"),
            "--study", "credit_risk", "--lang", lang]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / AS_OF / "credit_risk.html").read_text(encoding="utf-8")
    assert says in page
    assert not re.search(r"\b(nan|NaN|NaT)\b|aging_current|mean_pd|Traceback", page)
    exported = tmp_path / "out" / AS_OF / "credit_behaviour.csv"
    assert exported.is_file() == bool(payments is not None)
    if lang == "zh":
        assert "USD" in page and "CNY" not in page
        assert "Open receivables" not in page and "Whom to call first" not in page


def test_the_notebook_is_thin_and_stored_without_outputs():
    import json
    from pathlib import Path

    import segkit.studies

    path = Path(segkit.studies.__file__).parent / "notebooks" / "credit_risk.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [("".join(c["source"]), c) for c in cells if c["cell_type"] == "code"]
    assert all(len(source.splitlines()) <= 12 for source, _ in code)
    assert not any(re.search(r"^\s*(def|class) ", s, re.M) for s, _ in code)
    assert not any(c.get("outputs") for _, c in code)
    # the report's prose comes from the catalogue; a markdown cell is an analyst's note, tagged
    # so that the rendered report leaves it out
    notes = [c for c in cells if c["cell_type"] == "markdown"]
    assert notes and all("notes" in c.get("metadata", {}).get("tags", []) for c in notes)
