"""repeat_summary against hand computation: same-day purchases, credit notes, as-of cut, weeks."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from segkit import Ledger
from segkit.exceptions import ConfigError
from segkit.growth import repeat_summary


@pytest.fixture
def invoices() -> pd.DataFrame:
    rows = [
        # A: two invoices on 1 Jan are one purchase (150); credit note on 20 Jan is no purchase;
        # two invoices on 1 Feb are one purchase (100); the April invoice is after as_of.
        ("A", "2025-01-01", 100.0),
        ("A", "2025-01-01", 50.0),
        ("A", "2025-01-15", 200.0),
        ("A", "2025-01-20", -30.0),
        ("A", "2025-02-01", 60.0),
        ("A", "2025-02-01", 40.0),
        ("A", "2025-04-10", 999.0),
        # B: one purchase only.
        ("B", "2025-03-01", 80.0),
        # C: only a credit note: no purchase, no row.
        ("C", "2025-02-10", -20.0),
        # D: a credit note before the first purchase does not start the customer; a credit
        # note on a purchase day does not change that day's spend; as_of itself counts.
        ("D", "2025-01-05", -10.0),
        ("D", "2025-01-10", 70.0),
        ("D", "2025-03-31", 30.0),
        ("D", "2025-03-31", -5.0),
        # E: first invoice after as_of.
        ("E", "2025-04-01", 10.0),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "invoice_date", "amount"])
    frame.insert(0, "invoice_id", [f"I{i}" for i in range(len(frame))])
    frame["due_date"] = (pd.to_datetime(frame["invoice_date"]) + pd.Timedelta(days=30)).astype(str)
    return frame


@pytest.fixture
def ledger(invoices):
    return Ledger.from_frames(invoices)


def expected(days_per_unit: float) -> pd.DataFrame:
    # A: purchase days 1 Jan, 15 Jan, 1 Feb -> 2 repeats, 31 days first to last, 89 days to
    # 31 Mar, repeat spend (200 + 100) / 2.  B: 0 repeats, T = 30.  D: 10 Jan and 31 Mar
    # -> 1 repeat of 30, recency = T = 80.
    return pd.DataFrame(
        {
            "frequency": [2, 0, 1],
            "recency": [31 / days_per_unit, 0.0, 80 / days_per_unit],
            "T": [89 / days_per_unit, 30 / days_per_unit, 80 / days_per_unit],
            "monetary_value": [150.0, 0.0, 30.0],
        },
        index=pd.Index(["A", "B", "D"], name="customer_id"),
    )


@pytest.mark.parametrize(("unit", "days"), [("D", 1.0), ("W", 7.0)], ids=["days", "weeks"])
def test_summary_by_hand(ledger, unit, days):
    got = repeat_summary(ledger, "2025-03-31", time_unit=unit)
    pd.testing.assert_frame_equal(got, expected(days))
    assert got.attrs == {"as_of": "2025-03-31", "time_unit": unit}


def test_summary_of_an_invoices_table_equals_the_ledger(ledger, invoices):
    table = ibis.memtable(invoices.assign(invoice_date=pd.to_datetime(invoices["invoice_date"])))
    table = table.mutate(invoice_date=table.invoice_date.cast("date"))
    pd.testing.assert_frame_equal(repeat_summary(table, "2025-03-31"), expected(1.0))
    assert len(invoices) == 14  # the input frame is untouched


def test_later_invoices_do_not_change_the_summary(invoices):
    early = Ledger.from_frames(invoices[invoices["invoice_date"] <= "2025-03-31"])
    full = Ledger.from_frames(invoices)
    pd.testing.assert_frame_equal(
        repeat_summary(early, "2025-03-31"), repeat_summary(full, "2025-03-31")
    )
    later = repeat_summary(full, "2025-04-10")
    assert later.loc["A", "frequency"] == 3
    assert later.loc["E", "T"] == 9.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"as_of": "2025-03-31", "time_unit": "M"},
            r"time_unit must be one of \['D', 'W'\]; got 'M'",
        ),
        ({"as_of": "not a date"}, "as_of must be a date"),
    ],
    ids=["unit", "as_of"],
)
def test_bad_parameters(ledger, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        repeat_summary(ledger, **kwargs)
