"""Features at many as-of dates: one query, the same rows as one query per date."""

from __future__ import annotations

import pandas as pd
import pytest

from segkit import ConfigError, Ledger, customer_features
from segkit.features import features_at
from segkit.features.engine import compiled_queries

DATES = ["2024-06-30", "2024-12-31", "2025-01-31"]


@pytest.fixture
def ledger(invoices, customers, payments):
    return Ledger.from_frames(invoices, customers, payments)


def test_each_date_equals_its_own_query(ledger):
    many = features_at(ledger, DATES[::-1] + [DATES[0]])  # unsorted, repeated
    assert list(many.index.names) == ["as_of", "customer_id"]
    assert list(many.index.get_level_values("as_of").unique()) == list(pd.to_datetime(DATES))
    for day in DATES:
        alone = customer_features(ledger, day)
        pd.testing.assert_frame_equal(many.xs(pd.Timestamp(day), level="as_of"), alone)
    assert many.attrs["as_of_dates"] == DATES


def test_customers_enter_when_created_or_invoiced(ledger):
    many = features_at(ledger, DATES)
    per_date = many.groupby(level="as_of").size()
    # C4 is created 2025-01-15: known at the last date only
    assert per_date.tolist() == [3, 3, 4]
    assert many.loc[(pd.Timestamp("2025-01-31"), "C4"), "n_invoices"] == 0


def test_settled_dates_shape(invoices, customers):
    settled = invoices.assign(settled_date=invoices["due_date"])
    settled.loc[settled["customer_id"] == "C3", "settled_date"] = None
    ledger = Ledger.from_frames(settled, customers)
    many = features_at(ledger, ["2024-12-31", "2025-06-30"])
    # C3's invoices are never settled: open in full at both dates
    c3 = many.xs("C3", level="customer_id")
    assert c3["n_settled"].tolist() == [0, 0]
    assert (c3["open_balance"] == c3["net_amount"]).all() and (c3["open_balance"] > 0).all()
    for day in ("2024-12-31", "2025-06-30"):
        alone = customer_features(ledger, day)
        pd.testing.assert_frame_equal(many.xs(pd.Timestamp(day), level="as_of"), alone)


def test_compiled_query_is_reused_for_other_dates(ledger):
    customer_features(ledger, "2024-06-30")
    assert compiled_queries(ledger) == 1
    features_at(ledger, DATES)
    customer_features(ledger, "2023-12-31", firmographic=False)  # same query, other dates
    assert compiled_queries(ledger) == 1
    customer_features(ledger, "2024-06-30", aging_edges=(0, 45))  # another query
    assert compiled_queries(ledger) == 2


def test_new_tables_get_a_new_query(ledger, invoices, customers, payments):
    customer_features(ledger, "2024-12-31")
    ledger.payments = None
    got = customer_features(ledger, "2024-12-31")
    assert compiled_queries(ledger) == 2
    assert got["open_balance"].isna().all()  # no settlement data any more


@pytest.mark.parametrize("dates", [[], ["2024-13-01"], [None]], ids=["empty", "month", "none"])
def test_bad_dates_are_rejected(ledger, dates):
    with pytest.raises(ConfigError, match="as_of_dates must"):
        features_at(ledger, dates)


def test_engine_progress_bar_is_off(ledger):
    setting = ledger.con.raw_sql("SELECT current_setting('enable_progress_bar')").fetchone()
    assert setting[0] is False


def test_dates_already_built_are_kept_with_the_ledger(invoices, customers, payments, monkeypatch):
    import segkit.features as features

    queried = []
    run = features._profiles

    def spy(used, days, *args, **kwargs):
        if used is ledger:
            queried.append([d.isoformat() for d in days])
        return run(used, days, *args, **kwargs)

    monkeypatch.setattr(features, "_profiles", spy)
    ledger = Ledger.from_frames(invoices, customers, payments)
    features_at(ledger, DATES[:2])
    again = features_at(ledger, DATES[1:])  # one date kept, one new
    assert queried == [DATES[:2], DATES[2:]]
    fresh = features_at(Ledger.from_frames(invoices, customers, payments), DATES[1:])
    pd.testing.assert_frame_equal(again, fresh)
    assert again.attrs == fresh.attrs
    again["net_amount"] = -1.0  # the caller's frame is its own
    kept = features_at(ledger, DATES[1:2])
    assert queried[-1] == DATES[2:]  # nothing queried
    pd.testing.assert_frame_equal(kept, fresh.loc[[pd.Timestamp(DATES[1])]])
    features_at(ledger, DATES[1:2], aging_edges=(0, 45))  # other buckets: queried
    assert queried[-1] == DATES[1:2]


@pytest.mark.parametrize("shape", ["payments", "settled dates"])
def test_many_dates_equal_one_query_per_date_on_new_ledgers(invoices, customers, payments, shape):
    # the ledger keeps each date's features: a new ledger per date makes every date its own query
    def new_ledger():
        if shape == "payments":
            return Ledger.from_frames(invoices, customers, payments)
        return Ledger.from_frames(invoices.assign(settled_date=invoices["due_date"]), customers)

    many = features_at(new_ledger(), DATES)
    for day in DATES:
        alone = customer_features(new_ledger(), day)
        pd.testing.assert_frame_equal(many.xs(pd.Timestamp(day), level="as_of"), alone)


def test_kept_rows_are_bounded_in_all(invoices, customers, payments, monkeypatch):
    # beyond the bound nothing more is kept, and a call mixing kept and new dates is still
    # whole and sorted
    import segkit.features.engine as engine

    ledger = Ledger.from_frames(invoices, customers, payments)
    one_date = len(customer_features(ledger, DATES[0]))
    monkeypatch.setattr(engine, "KEEP_ROWS", one_date + 1)
    mixed = features_at(ledger, DATES[::-1])  # DATES[0] kept; the others do not fit
    kept = engine.ledger_cache(ledger, "profiles")
    assert [list(store) for store in kept.values()] == [[pd.Timestamp(DATES[0]).date()]]
    fresh = features_at(Ledger.from_frames(invoices, customers, payments), DATES)
    pd.testing.assert_frame_equal(mixed, fresh)
