"""Tests of the seeded synthetic sample ledger."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from pandas.errors import OutOfBoundsDatetime
from pandas.testing import assert_frame_equal

from segkit.exceptions import ConfigError
from segkit.sample import SIZE_CLASSES, sample_ledger, write_sample
from segkit.sample.transactions import day_dates

START, END = pd.Timestamp("2023-01-01"), pd.Timestamp("2025-12-31")

# The 31 mainland provincial-level divisions, official names (GB/T 2260).
PROVINCES = set(
    "北京市 天津市 河北省 山西省 内蒙古自治区 辽宁省 吉林省 黑龙江省 上海市 江苏省 浙江省 安徽省 "
    "福建省 江西省 山东省 河南省 湖北省 湖南省 广东省 广西壮族自治区 海南省 重庆市 四川省 贵州省 "
    "云南省 西藏自治区 陕西省 甘肃省 青海省 宁夏回族自治区 新疆维吾尔自治区".split()
)


@pytest.fixture(scope="module")
def small():
    return sample_ledger(n_customers=300, seed=11)


@pytest.fixture(scope="module")
def medium():
    return sample_ledger(n_customers=1200, seed=3)


def settlement(ledger: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Invoices (credit notes excluded) with ``paid`` and ``settled`` (date fully paid or NaT).

    Allocated payments count against their invoice; unallocated cash is applied first in,
    first out: the customer's k-th unallocated payment settles its k-th invoice (by date)
    that received no allocated payment.
    """
    invoices, payments = ledger["invoices"], ledger["payments"]
    bills = invoices[invoices["amount"] > 0].set_index("invoice_id")
    allocated = payments.dropna(subset=["invoice_id"]).groupby("invoice_id")
    bills = bills.assign(
        paid=allocated["amount"].sum().reindex(bills.index, fill_value=0.0),
        last=allocated["payment_date"].max().reindex(bills.index),
    )
    unpaid = bills[bills["paid"] == 0].sort_values(["customer_id", "invoice_date"])
    unpaid = unpaid.assign(k=unpaid.groupby("customer_id").cumcount()).reset_index()
    cash = payments[payments["invoice_id"].isna()].sort_values(["customer_id", "payment_date"])
    cash = cash.assign(k=cash.groupby("customer_id").cumcount())
    matched = unpaid.merge(cash, on=["customer_id", "k"], suffixes=("", "_cash"))
    bills.loc[matched["invoice_id"], "paid"] = matched["amount_cash"].to_numpy()
    bills.loc[matched["invoice_id"], "last"] = matched["payment_date"].to_numpy()
    full = np.isclose(bills["paid"], bills["amount"], rtol=0, atol=0.005)
    return bills.assign(
        settled=bills["last"].where(full), matched=bills.index.isin(matched["invoice_id"])
    )


def ever_90_dpd(ledger: dict[str, pd.DataFrame]) -> pd.Series:
    """Per customer: had an invoice more than 90 days past due at some time up to END."""
    bills = settlement(ledger)
    days = (bills["settled"].fillna(END) - bills["due_date"]).dt.days
    late = (days > 90).groupby(bills["customer_id"]).any()
    return late.reindex(ledger["customers"]["customer_id"], fill_value=False)


def test_size_classes_in_order():
    assert SIZE_CLASSES == ("large", "medium", "small", "micro")


def test_same_seed_gives_identical_frames():
    first, second = sample_ledger(n_customers=80, seed=5), sample_ledger(n_customers=80, seed=5)
    assert list(first) == ["customers", "invoices", "payments", "truth"]
    for table in first:
        assert_frame_equal(first[table], second[table])


def test_same_seed_gives_identical_csv_bytes(tmp_path):
    first = write_sample(tmp_path / "a", n_customers=80, seed=5)
    second = write_sample(tmp_path / "b", n_customers=80, seed=5)
    for table in ("customers", "invoices", "payments"):
        assert first[table].read_bytes() == second[table].read_bytes()


def test_different_seed_gives_different_ledger():
    first, second = sample_ledger(n_customers=80, seed=5), sample_ledger(n_customers=80, seed=6)
    assert not first["customers"]["name"].equals(second["customers"]["name"])
    assert not first["invoices"]["amount"].equals(second["invoices"]["amount"])


def test_tables_follow_the_canonical_schema(small):
    expected = {
        "customers": {
            "customer_id": "object", "name": "object", "industry_code": "object",
            "employees": "float64", "revenue": "float64", "total_assets": "float64",
            "province": "object", "country": "object", "credit_limit": "float64",
            "parent_id": "object", "created": "datetime64[ns]",
        },
        "invoices": {
            "invoice_id": "object", "customer_id": "object", "invoice_date": "datetime64[ns]",
            "due_date": "datetime64[ns]", "amount": "float64", "currency": "object",
            "disputed": "bool",
        },
        "payments": {
            "payment_id": "object", "customer_id": "object", "invoice_id": "object",
            "payment_date": "datetime64[ns]", "amount": "float64",
        },
        "truth": {
            "customer_id": "object", "size_class": "object", "risk": "float64",
            "acquired": "datetime64[ns]", "churned": "datetime64[ns]",
            "defaulted": "datetime64[ns]",
        },
    }  # fmt: skip
    for table, dtypes in expected.items():
        assert small[table].dtypes.astype(str).to_dict() == dtypes
    for table in ("customers", "invoices", "payments"):
        dates = small[table].select_dtypes("datetime64[ns]")
        assert_frame_equal(dates, dates.apply(lambda s: s.dt.normalize()))


def test_ids_are_unique_and_well_formed(small):
    customers, invoices, payments = small["customers"], small["invoices"], small["payments"]
    assert customers["customer_id"].tolist() == [f"C{i:05d}" for i in range(1, 301)]
    assert invoices["invoice_id"].is_unique and payments["payment_id"].is_unique
    year = invoices["invoice_date"].dt.year
    expected = (
        "INV" + year.astype(str) + (invoices.groupby(year).cumcount() + 1).map("{:06d}".format)
    )
    assert invoices["invoice_id"].tolist() == expected.tolist()
    assert payments["payment_id"].tolist() == [f"P{i:07d}" for i in range(1, len(payments) + 1)]


def test_every_reference_exists(small):
    customers, invoices, payments = small["customers"], small["invoices"], small["payments"]
    known = set(customers["customer_id"])
    assert set(invoices["customer_id"]) <= known and set(payments["customer_id"]) <= known
    owner = invoices.set_index("invoice_id")["customer_id"]
    allocated = payments.dropna(subset=["invoice_id"])
    assert (allocated["invoice_id"].map(owner) == allocated["customer_id"]).all()
    groups = customers.dropna(subset=["parent_id"])
    assert len(groups) > 0 and set(groups["parent_id"]) <= known
    assert (groups["parent_id"] != groups["customer_id"]).all()
    assert customers.set_index("customer_id").loc[groups["parent_id"], "parent_id"].isna().all()


def test_dates_and_payment_terms(small):
    invoices = small["invoices"]
    assert invoices["invoice_date"].between(START, END).all()
    assert (invoices["due_date"] >= invoices["invoice_date"]).all()
    bills, notes = invoices[invoices["amount"] > 0], invoices[invoices["amount"] < 0]
    terms = (bills["due_date"] - bills["invoice_date"]).dt.days
    assert set(terms) == {30, 45, 60, 90}
    assert (terms.groupby(bills["customer_id"]).nunique() == 1).all()
    assert (notes["due_date"] == notes["invoice_date"]).all()


def test_payments_respect_their_invoices(small):
    invoices, payments = small["invoices"].set_index("invoice_id"), small["payments"]
    assert (payments["amount"] > 0).all()
    assert payments["payment_date"].between(START, END).all()
    allocated = payments.dropna(subset=["invoice_id"])
    assert (
        allocated["payment_date"]
        >= invoices.loc[allocated["invoice_id"], "invoice_date"].to_numpy()
    ).all()
    paid = allocated.groupby("invoice_id")["amount"].sum()
    assert (paid <= invoices.loc[paid.index, "amount"] + 1e-6).all()
    assert (invoices.loc[paid.index, "amount"] > 0).all()  # credit notes are never paid


def test_credit_notes_are_a_small_share_sized_on_a_recent_invoice(small):
    invoices = small["invoices"]
    notes = invoices[invoices["amount"] < 0]
    assert 0.01 <= len(notes) / len(invoices) <= 0.03
    pairs = notes.merge(invoices[invoices["amount"] > 0], on="customer_id", suffixes=("", "_bill"))
    gap = (pairs["invoice_date"] - pairs["invoice_date_bill"]).dt.days
    fits = gap.between(3, 45) & (-pairs["amount"] <= 0.4 * pairs["amount_bill"] + 0.01)
    assert set(pairs.loc[fits, "invoice_id"]) == set(notes["invoice_id"])


def test_partial_and_unallocated_payments_present(medium):
    payments, invoices = medium["payments"], medium["invoices"]
    per_invoice = payments.dropna(subset=["invoice_id"]).groupby("invoice_id").size()
    assert 0.03 <= (per_invoice > 1).sum() / (invoices["amount"] > 0).sum() <= 0.15
    assert per_invoice.max() == 3
    assert 0.01 <= payments["invoice_id"].isna().mean() <= 0.06


def test_unallocated_cash_settles_oldest_open_invoices_exactly(medium):
    bills = settlement(medium)
    matched = bills[bills["matched"]]
    assert matched["matched"].sum() == medium["payments"]["invoice_id"].isna().sum()
    assert np.allclose(matched["paid"], matched["amount"], rtol=0, atol=0.005)
    assert (matched["last"] >= matched["invoice_date"]).all()


def test_disputed_flag_is_rare(medium):
    assert 0.003 <= medium["invoices"]["disputed"].mean() <= 0.03


def test_firmographics(medium):
    customers = medium["customers"]
    domestic, foreign = (
        customers[customers["country"] == "CN"],
        customers[customers["country"] != "CN"],
    )
    assert set(domestic["province"]) <= PROVINCES and domestic["province"].nunique() >= 25
    assert set(foreign["country"]) <= {"HK", "SG", "DE", "US"} and foreign["province"].isna().all()
    assert 0.005 <= len(foreign) / len(customers) <= 0.05
    assert (medium["invoices"]["currency"] == "CNY").all()  # one ledger currency
    assert customers["industry_code"].str.fullmatch(r"\d{4}").all()
    division = customers["industry_code"].str[:2].astype(int)
    assert 0.4 <= division.between(13, 43).mean() <= 0.7  # manufacturing, section C
    assert division.isin([51, 52]).mean() >= 0.1 and division.between(47, 50).mean() >= 0.05
    assert domestic["name"].str.endswith("有限公司").all()
    for column in ("employees", "revenue"):
        assert 0.01 <= customers[column].isna().mean() <= 0.06


# Lower bounds (large, medium, small) from 统计上大中小微型企业划分办法（2017）附表;
# persons, or CNY for revenue and total assets.
BANDS = {
    "industry": (range(6, 47), {"employees": (1000, 300, 20), "revenue": (4e8, 2e7, 3e6)}),
    "wholesale": (range(51, 52), {"employees": (200, 20, 5), "revenue": (4e8, 5e7, 1e7)}),
    "retail": (range(52, 53), {"employees": (300, 50, 10), "revenue": (2e8, 5e6, 1e6)}),
    "construction": (range(47, 51), {"revenue": (8e8, 6e7, 3e6), "total_assets": (8e8, 5e7, 3e6)}),
    "software": (range(65, 66), {"employees": (300, 100, 10), "revenue": (1e8, 1e7, 5e5)}),
}


@pytest.mark.parametrize("row", list(BANDS), ids=list(BANDS))
def test_size_class_matches_the_2017_standard(medium, row):
    divisions, bounds = BANDS[row]
    customers = medium["customers"].assign(size_class=medium["truth"]["size_class"])
    customers = customers[customers["industry_code"].str[:2].astype(int).isin(divisions)]
    customers = customers.dropna(subset=list(bounds))
    tier = np.full(len(customers), 3)
    for level in (2, 1, 0):
        meets = np.all([customers[col] >= low[level] for col, low in bounds.items()], axis=0)
        tier = np.where(meets, level, tier)
    assert len(customers) >= 15
    assert (np.array(SIZE_CLASSES)[tier] == customers["size_class"]).all()


def test_size_mix(medium):
    share = medium["truth"]["size_class"].value_counts(normalize=True)
    expected = pd.Series({"large": 0.05, "medium": 0.20, "small": 0.45, "micro": 0.30})
    assert (share.reindex(expected.index) - expected).abs().max() <= 0.04


def test_hidden_risk_predicts_90_days_past_due(medium):
    late = ever_90_dpd(medium).to_numpy()
    quartile = pd.qcut(medium["truth"]["risk"], 4, labels=False).to_numpy()
    top, bottom = late[quartile == 3].mean(), late[quartile == 0].mean()
    assert top >= 3 * bottom and top - bottom >= 0.05


def test_seasonality_dip_at_spring_festival_and_peak_in_q4(medium):
    invoices = medium["invoices"]
    monthly = invoices.groupby(invoices["invoice_date"].dt.to_period("M"))["amount"].sum()
    month = monthly.index.month
    assert monthly[month >= 10].mean() > 1.2 * monthly[month <= 2].mean()


def test_lifecycle_matches_the_hidden_truth(medium):
    truth = medium["truth"].set_index("customer_id")
    assert_frame_equal(
        medium["customers"][["customer_id", "created"]],
        medium["truth"][["customer_id", "acquired"]].rename(columns={"acquired": "created"}),
    )
    assert 0.5 <= (truth["acquired"] < START).mean() <= 0.7
    assert 0.1 <= truth["churned"].notna().mean() <= 0.5
    assert truth["risk"].between(0, 1).all()
    invoices = medium["invoices"]
    assert (invoices["invoice_date"] >= invoices["customer_id"].map(truth["acquired"])).all()
    sales = invoices[invoices["amount"] > 0]  # credit notes may follow the last sale
    assert not (sales["invoice_date"] >= sales["customer_id"].map(truth["churned"])).any()
    payments = medium["payments"]
    assert not (payments["payment_date"] >= payments["customer_id"].map(truth["defaulted"])).any()


def test_write_sample_writes_three_plain_csv_files(tmp_path, small):
    paths = write_sample(tmp_path / "out", n_customers=300, seed=11)
    assert paths == {
        t: tmp_path / "out" / f"{t}.csv" for t in ("customers", "invoices", "payments")
    }
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "customers.csv", "invoices.csv", "payments.csv"
    ]  # fmt: skip
    text = paths["invoices"].read_bytes().decode("utf-8")
    assert "\r" not in text and text.endswith("\n")
    assert (
        text.splitlines()[0]
        == "invoice_id,customer_id,invoice_date,due_date,amount,currency,disputed"
    )
    row = re.compile(
        r"INV\d{10},C\d{5},\d{4}-\d\d-\d\d,\d{4}-\d\d-\d\d,-?\d+\.\d\d,CNY,(True|False)"
    )
    assert all(row.fullmatch(line) for line in text.splitlines()[1:])
    read = pd.read_csv(paths["invoices"], parse_dates=["invoice_date", "due_date"])
    assert_frame_equal(read, small["invoices"])
    read = pd.read_csv(paths["payments"], parse_dates=["payment_date"])
    assert_frame_equal(read, small["payments"].fillna({"invoice_id": np.nan}))
    header = paths["customers"].read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        "customer_id,name,industry_code,employees,revenue,total_assets,province,country,"
        "credit_limit,parent_id,created"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_customers": 5}, r"n_customers must be an int >= 20; got 5\."),
        ({"n_customers": 100.0}, r"n_customers must be an int >= 20; got 100\.0\."),
        ({"n_customers": True}, r"n_customers must be an int >= 20; got True\."),
        ({"seed": -1}, r"seed must be a non-negative int; got -1\."),
        (
            {"start": "2023-13-45"},
            r"start must be an ISO date such as '2023-01-01'; got '2023-13-45'\.",
        ),
        (
            {"end": "2023-06-30"},
            r"end must be at least 365 days after start; got start='2023-01-01'",
        ),
    ],
    ids=["too-few", "float", "bool", "negative-seed", "bad-date", "short-period"],
)
def test_invalid_arguments_raise(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        sample_ledger(**kwargs)


def test_default_sample_size_and_credit_profile(tmp_path):
    paths = write_sample(tmp_path)
    assert sum(p.stat().st_size for p in paths.values()) < 8_000_000
    ledger = sample_ledger()
    assert 25_000 <= len(ledger["invoices"]) <= 45_000
    assert len(ledger["customers"]) == 2000
    assert 0.06 <= ever_90_dpd(ledger).mean() <= 0.10


def test_committed_sample_is_exactly_what_the_generator_writes(tmp_path):
    from pathlib import Path

    committed = Path(__file__).resolve().parents[1] / "data" / "sample"
    written = write_sample(tmp_path)
    assert sorted(p.name for p in committed.iterdir()) == sorted(p.name for p in written.values())
    for path in written.values():
        assert (committed / path.name).read_bytes() == path.read_bytes(), path.name
    assert sum(p.stat().st_size for p in committed.iterdir()) < 10_000_000


def test_day_dates_never_reads_junk_memory_at_missing_days():
    # pandas' float-with-unit conversion rounds an uninitialised buffer at NaN positions under
    # np.errstate(over="raise"); freed arrays of huge floats make that buffer overflow.
    for n in (50, 1000, 20000):
        for _ in range(5):
            junk = [np.full(n, 1e300) for _ in range(6)]
            del junk
            days = np.full(n, np.inf)
            days[::7] = 20089.0  # 2025-01-01
            out = day_dates(days)
            assert out.isna().sum() == n - len(days[::7])
            assert (out.dropna() == pd.Timestamp("2025-01-01")).all()


def test_day_dates_rejects_days_outside_the_timestamp_range():
    with pytest.raises(OutOfBoundsDatetime, match="Out of bounds"):
        day_dates(np.array([10.0**6]))


@pytest.mark.parametrize("block", range(4), ids=lambda b: f"seeds-{b * 50}-{b * 50 + 49}")
def test_sample_ledger_builds_for_many_seeds(block):
    for seed in range(block * 50, block * 50 + 50):
        junk = [np.full(5000, 1e300) for _ in range(6)]
        del junk
        ledger = sample_ledger(n_customers=20, start="2024-01-01", end="2025-01-31", seed=seed)
        truth = ledger["truth"]
        assert truth["acquired"].notna().all()
        assert (truth["churned"].dropna() <= pd.Timestamp("2025-01-31")).all()
