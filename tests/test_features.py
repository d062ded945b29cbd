"""The full customer profile: payments and firmographics joined, point-in-time correctness."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit import ConfigError, Ledger, customer_features, read_ledger
from segkit.features import group_ids, group_rollup

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def test_payment_features_are_joined_by_hand(invoices, customers, payments):
    got = customer_features(Ledger.from_frames(invoices, customers, payments), "2024-12-31")
    # C1: I1 paid on 2024-02-01 (due 2024-02-10, early); I2 300 open, the -50 credit note applied
    #     oldest-first leaves 250, due 2024-12-05 -> 26 days past due.
    # C2: I4 80 settled by unallocated cash P2 on 2023-08-01 (due 2023-07-01 -> 31 days late).
    # C3: I6 40 open, due 2024-07-15 -> 169 days past due.
    expected = pd.DataFrame(
        {
            "open_balance": [250.0, 0.0, 40.0],
            "aging_1_30": [250.0, 0.0, 0.0],
            "aging_90_plus": [0.0, 0.0, 40.0],
            "avg_days_late": [0.0, 31.0, np.nan],
            "max_days_past_due": [26.0, 31.0, 169.0],
        },
        index=pd.Index(["C1", "C2", "C3"], name="customer_id"),
    )
    pd.testing.assert_frame_equal(got[expected.columns], expected)
    assert got.attrs["notes"] == []


def test_without_settlement_data_payment_features_are_missing_not_zero(invoices, customers):
    got = customer_features(Ledger.from_frames(invoices, customers), "2024-12-31")
    assert got[["open_balance", "aging_90_plus", "dso_days", "avg_days_late"]].isna().all().all()
    assert "payment behaviour and aging are missing" in got.attrs["notes"][0]


def test_customer_without_invoices_has_zero_balances(invoices, customers, payments):
    got = customer_features(Ledger.from_frames(invoices, customers, payments), "2025-01-31")
    assert got.loc["C4", ["open_balance", "aging_current", "n_settled"]].tolist() == [0.0, 0.0, 0]
    assert np.isnan(got.loc["C4", "avg_days_late"])


def test_firmographics_are_derived_from_master_data(invoices):
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "industry_code": ["5174", "3911", None],
            "employees": [250, 1200, 5],
            "revenue": [5e8, 5e8, 1e6],
            "total_assets": [1e8, 1e9, 1e6],
            "province": ["广东", "Jiangsu", "香港"],
            "country": ["CN", "CN", "HK"],
            "parent_id": [None, "C1", None],
        }
    )
    got = customer_features(Ledger.from_frames(invoices, customers), "2024-12-31")
    assert got["industry_section"].tolist()[:2] == ["F", "C"]
    # wholesale (批发业): large needs >= 200 staff and >= 40,000万元 revenue -> large
    # industry (工业): large needs >= 1000 staff and >= 40,000万元 -> large
    assert got["size_cn"].tolist() == ["large", "large", "unknown"]
    assert got["region_cn"].tolist()[:2] == ["east", "east"]
    assert got["group_id"].tolist() == ["C1", "C1", "C3"]
    assert got["scale_band"].tolist() == [">=100m", ">=100m", "1m-10m"]


def test_group_ids_follow_chains_and_reject_loops():
    frame = pd.DataFrame({"parent_id": ["B", "C", None, "Z"]}, index=["A", "B", "C", "D"])
    assert group_ids(frame).tolist() == ["C", "C", "C", "Z"]
    looping = pd.DataFrame({"parent_id": ["B", "A"]}, index=["A", "B"])
    with pytest.raises(ConfigError, match=r"parent_id forms a loop involving \['A', 'B'\]"):
        group_ids(looping)


def test_group_rollup_sums_members():
    frame = pd.DataFrame({"group_id": ["G", "G", "H"], "revenue_12m": [1.0, 2.0, 5.0]})
    got = group_rollup(frame)
    assert got.loc["G", "revenue_12m"] == 3.0 and got.loc["G", "members"] == 2


@pytest.fixture(scope="module")
def sample_frames():
    return {
        name: pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])
        for name in ("customers", "invoices", "payments")
    }


@pytest.mark.parametrize("as_of", ["2023-09-30", "2024-12-31", "2025-06-30"])
def test_point_in_time_full_ledger_equals_truncated_ledger(sample_frames, as_of):
    full = customer_features(Ledger.from_frames(**sample_frames), as_of)
    cut = dict(sample_frames)
    cut["invoices"] = cut["invoices"][cut["invoices"]["invoice_date"] <= as_of]
    cut["payments"] = cut["payments"][cut["payments"]["payment_date"] <= as_of]
    truncated = customer_features(Ledger.from_frames(**cut), as_of)
    pd.testing.assert_frame_equal(full, truncated)
    assert full["open_balance"].sum() > 0


def test_sample_ledger_features_reconcile_with_the_ledger():
    ledger = read_ledger(SAMPLE)
    got = customer_features(ledger, "2025-12-31")
    assert len(got) == 2000
    invoiced = ledger.invoices.amount.sum().execute()
    assert got["net_amount"].sum() == pytest.approx(invoiced)


def test_batches_give_the_same_features_as_one_query():
    ledger = read_ledger(SAMPLE)
    whole = customer_features(ledger, "2025-06-30")
    batched = customer_features(ledger, "2025-06-30", batches=3)
    pd.testing.assert_frame_equal(batched, whole)
    assert whole["open_balance"].sum() > 0


@pytest.mark.parametrize("batches", [0, -2, 1.5, True, "4"])
def test_bad_batches_are_rejected(batches):
    with pytest.raises(ConfigError, match="batches must be an int >= 1"):
        customer_features(read_ledger(SAMPLE), "2025-06-30", batches=batches)


def test_cash_from_a_customer_not_yet_invoiced_is_unallocated_cash():
    # K1 paid 50 and 20 before any invoice (a deposit) and 7 after as_of; K2, created after
    # as_of, paid 30 before it; K3 is invoiced and pays 120 against its 100 invoice.
    customers = pd.DataFrame(
        {"customer_id": ["K1", "K2", "K3"], "created": ["2024-01-01", "2025-03-01", "2024-01-01"]}
    )
    invoices = pd.DataFrame(
        {
            "invoice_id": ["N1", "N2"],
            "customer_id": ["K3", "K1"],
            "invoice_date": ["2024-02-01", "2024-09-01"],
            "due_date": ["2024-03-01", "2024-10-01"],
            "amount": [100.0, 500.0],
        }
    )
    payments = pd.DataFrame(
        {
            "payment_id": ["V1", "V2", "V3", "V4", "V5"],
            "customer_id": ["K1", "K1", "K1", "K2", "K3"],
            "invoice_id": [None, None, None, None, "N1"],
            "payment_date": ["2024-03-01", "2024-05-20", "2024-07-01", "2024-04-01", "2024-02-10"],
            "amount": [50.0, 20.0, 7.0, 30.0, 120.0],
        }
    )
    got = customer_features(
        Ledger.from_frames(invoices, customers, payments), "2024-06-30", firmographic=False
    )
    columns = ["n_invoices", "open_balance", "unallocated_cash", "days_since_last_payment"]
    expected = pd.DataFrame(
        {
            "n_invoices": [0, 0, 1],
            "open_balance": [0.0, 0.0, 0.0],
            "unallocated_cash": [70.0, 30.0, 20.0],
            "days_since_last_payment": [41.0, 90.0, 141.0],
        },
        index=pd.Index(["K1", "K2", "K3"], name="customer_id"),
    )
    pd.testing.assert_frame_equal(got[columns], expected)
    # the deposit settles K1's invoice once it is issued; the later payment is then counted
    later = customer_features(
        Ledger.from_frames(invoices, customers, payments), "2024-09-30", firmographic=False
    )
    assert later.loc["K1", ["open_balance", "unallocated_cash"]].tolist() == [423.0, 0.0]


def test_amounts_beyond_a_trillion_are_summed_exactly():
    # lines below 10**12 are summed as decimal(18, 6); one larger line makes the ledger use
    # decimal(38, 6) for every line, with the same exact totals
    from segkit.features import ledger_shape
    from segkit.features.activity import EXACT, LINE_EXACT

    def ledger(big: float) -> Ledger:
        frame = pd.DataFrame(
            {
                "invoice_id": ["I1", "I2", "I3"],
                "customer_id": ["A", "A", "B"],
                "invoice_date": pd.to_datetime(["2025-01-10", "2025-02-10", "2025-03-01"]),
                "due_date": pd.to_datetime(["2025-02-10", "2025-03-10", "2025-04-01"]),
                "amount": [big, 0.01, 0.1],
            }
        )
        return Ledger.from_frames(frame)

    small, large = ledger(999_999_999_999.98), ledger(4_000_000_000_000.25)
    assert ledger_shape(small)[0] == LINE_EXACT
    assert ledger_shape(large)[0] == EXACT
    got_small = customer_features(small, "2025-06-30")
    got_large = customer_features(large, "2025-06-30")
    assert got_small.loc["A", "net_amount"] == 999_999_999_999.99
    assert got_large.loc["A", "net_amount"] == 4_000_000_000_000.26
    assert got_large.loc["A", "revenue_12m"] == 4_000_000_000_000.26
    assert got_large.loc["B", "net_amount"] == 0.1
