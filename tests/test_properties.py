"""Ledger invariants on generated ledgers (Hypothesis): balances reconcile, features are point in
time, and customer ids are only labels."""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import segkit

START = dt.date(2024, 1, 1)
PROFILE = dict(
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CON = ibis.duckdb.connect()


def _day(offset: int) -> str:
    return (START + dt.timedelta(days=offset)).isoformat()


@st.composite
def ledgers(draw):
    """A small valid ledger and a date: invoices, credit notes, partial payments, overpayments,
    and unallocated cash from any customer on any day (before its first invoice, or with none)."""
    ids = [f"C{i}" for i in range(draw(st.integers(1, 3)))]
    invoices, payments = [], []
    for k in range(draw(st.integers(1, 6))):
        customer, day = draw(st.sampled_from(ids)), draw(st.integers(0, 360))
        cents = draw(st.integers(-5_000, 50_000).filter(lambda c: c != 0))
        terms = draw(st.sampled_from([0, 30, 60]))
        invoices.append((f"I{k}", customer, _day(day), _day(day + terms), cents / 100))
        if cents > 0 and draw(st.booleans()):
            paid = draw(st.integers(1, cents * 3 // 2))  # up to half again: an overpayment
            late = draw(st.integers(0, 120))
            payments.append((f"P{k}", customer, f"I{k}", _day(day + late), paid / 100))
    for k in range(draw(st.integers(0, 3))):  # unallocated cash
        customer, day = draw(st.sampled_from(ids)), draw(st.integers(-30, 400))
        cents = draw(st.integers(1, 20_000))
        payments.append((f"U{k}", customer, None, _day(day), cents / 100))
    customers = pd.DataFrame(
        {"customer_id": ids, "created": [_day(draw(st.integers(-30, 200))) for _ in ids]}
    )
    inv = pd.DataFrame(
        invoices, columns=["invoice_id", "customer_id", "invoice_date", "due_date", "amount"]
    )
    pay = pd.DataFrame(
        payments, columns=["payment_id", "customer_id", "invoice_id", "payment_date", "amount"]
    )
    return inv, customers, pay, _day(draw(st.integers(-10, 420)))


def _features(inv, customers, pay, as_of) -> pd.DataFrame:
    ledger = segkit.Ledger.from_frames(inv, customers, pay, con=CON)
    return segkit.customer_features(ledger, as_of, firmographic=False)


@settings(max_examples=25, **PROFILE)
@given(ledgers())
def test_balances_reconcile(example):
    inv, customers, pay, as_of = example
    frame = _features(inv, customers, pay, as_of)
    columns = ["open_balance", "unallocated_cash", "net_amount"]
    balances = frame[columns].astype("float64")
    aging = frame.filter(like="aging_").astype("float64").sum(axis=1)
    np.testing.assert_allclose(balances["open_balance"], aging, atol=1e-6)
    known = pay[pay["payment_date"] <= as_of]
    assert set(known["customer_id"]) <= set(frame.index)  # whoever paid by as_of has a row
    paid = known.groupby("customer_id")["amount"].sum().reindex(frame.index, fill_value=0.0)
    np.testing.assert_allclose(
        balances["net_amount"].fillna(0.0) - paid.astype("float64"),
        balances["open_balance"] - balances["unallocated_cash"],
        atol=1e-6,
    )


@settings(max_examples=15, **PROFILE)
@given(ledgers())
def test_cash_received_is_allocated_or_unallocated(example):
    """Over all customers: cash received by as_of + credit notes = cash and credits applied to
    invoices + unallocated cash, and the features' unallocated cash is the ledger's."""
    inv, customers, pay, as_of = example
    frame = _features(inv, customers, pay, as_of)
    ledger = segkit.Ledger.from_frames(inv, customers, pay, con=CON)
    day = dt.date.fromisoformat(as_of)
    settled = segkit.features.invoice_settlement(ledger.invoices, ledger.payments, as_of=day)
    settled = settled.to_pandas()
    inv_known = inv[inv["invoice_date"] <= as_of]
    received = pay.loc[pay["payment_date"] <= as_of, "amount"].sum()
    notes = -inv_known.loc[inv_known["amount"] < 0, "amount"].sum()
    applied = settled["paid_allocated"].sum() + settled["paid_unallocated"].sum()
    unallocated = frame["unallocated_cash"].astype("float64").sum()
    assert unallocated >= -1e-6
    assert received + notes == pytest.approx(applied + unallocated, abs=1e-6)
    totals = segkit.features.ar_reconciliation(
        ledger.invoices, ledger.payments, as_of=day, by_customer=True
    ).to_pandas()
    by_ledger = totals.set_index("customer_id")["unallocated_cash"]
    by_features = frame["unallocated_cash"].astype("float64")
    by_features = by_features[by_features.abs() > 1e-9]
    pd.testing.assert_series_equal(
        by_features.sort_index(),
        by_ledger[by_ledger.abs() > 1e-9].sort_index().rename_axis("customer_id"),
        check_exact=False,
        atol=1e-6,
        check_names=False,
    )


@settings(max_examples=12, **PROFILE)
@given(ledgers())
def test_features_as_of_a_date_ignore_what_came_later(example):
    inv, customers, pay, as_of = example
    full = _features(inv, customers, pay, as_of)
    inv_cut, pay_cut = inv[inv["invoice_date"] <= as_of], pay[pay["payment_date"] <= as_of]
    if inv_cut.empty:  # a ledger needs an invoice: at as_of every known customer has none
        assert (full[["n_invoices", "open_balance"]] == 0).all().all()
        return
    referenced = set(inv_cut["customer_id"]) | set(pay_cut["customer_id"])
    known = (customers["created"] <= as_of) | customers["customer_id"].isin(referenced)
    cut = _features(inv_cut, customers[known], pay_cut, as_of)
    pd.testing.assert_frame_equal(full, cut, check_exact=False, rtol=1e-9, atol=1e-6)


@settings(max_examples=12, **PROFILE)
@given(ledgers())
def test_relabelling_customers_changes_only_the_ids(example):
    inv, customers, pay, as_of = example
    ids = sorted(customers["customer_id"])
    new = {old: f"Z{len(ids) - i:02d}-新" for i, old in enumerate(ids)}  # reverses the order
    relabel = {
        name: frame.assign(customer_id=frame["customer_id"].map(new))
        for name, frame in (("inv", inv), ("customers", customers), ("pay", pay))
    }
    before = _features(inv, customers, pay, as_of)
    after = _features(relabel["inv"], relabel["customers"], relabel["pay"], as_of)
    back = after.rename(index={v: k for k, v in new.items()}).sort_index()
    back.index.name = before.index.name
    pd.testing.assert_frame_equal(before, back, check_exact=False, rtol=1e-9, atol=1e-6)
