"""One expression, three engines: the same answers on DuckDB, Spark and PostgreSQL.

The same Ibis expressions run on an in-process DuckDB, a local PySpark session (Java 17,
``local[1]``) and a real PostgreSQL server started for the module (:mod:`pg_server`: Debian's
``postgresql`` package, which ``make postgres-deps`` installs, in a temporary folder on a loopback
port; stopped after). The ledger is a hand-typed one covering the settlement rules (partial
and over-payment, unallocated cash, a credit note, disputes, a customer created after the as-of
date) plus twelve years (2014-2025) of the first sample customers, so that active months run past
the 31st and the 63rd month of the ledger, where 32-bit and one-word month masks would break.
On Spark and PostgreSQL the money columns are stored as ``DECIMAL(18, 2)``, as a warehouse
keeps them.

Features at several dates, ``classify`` (credit and growth included), the credit study, the
history, and what the late-payment model reads from the engine (open invoices at every
month-end with their history, outcomes, the invoices it scores; on the ledger's last three
years) are compared cell for cell with DuckDB's, floats to a relative 1e-9. Without a
PostgreSQL server the tests fail in CI (the ``CI`` environment variable set) and are skipped
elsewhere, saying why.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from pyspark.sql import SparkSession

import segkit
from pg_server import PostgresServer
from segkit import Ledger, customer_features, read_ledger
from segkit.cash import LatePaymentModel
from segkit.cash.snapshots import invoice_outcomes, invoice_snapshots, month_ends
from segkit.credit import credit_study
from segkit.exceptions import SchemaError
from segkit.features import features_at
from segkit.history.timeline import snapshots
from segkit.ledger.schema import TABLES

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
AS_OF = "2025-12-31"
#: As-of dates past the 31st (2016-08) and the 63rd (2019-04) month of the twelve-year ledger.
DATES = ["2016-08-31", "2019-04-30", "2024-12-31", AS_OF]
HISTORY_DATES = ["2023-12-31", "2024-12-31", AS_OF]
LATE_FIT = "2025-06-30"
DATE_COLUMNS = {
    "customers": ["created"],
    "invoices": ["invoice_date", "due_date"],
    "payments": ["payment_date"],
}
FLOATS = {
    "customers": ["employees", "revenue", "total_assets", "credit_limit"],
    "invoices": ["amount"],
    "payments": ["amount"],
}
#: The money columns a warehouse keeps as exact decimals.
DECIMAL = "decimal(18, 2)"
ENGINES = [
    pytest.param("spark", marks=pytest.mark.spark),
    pytest.param("postgres", marks=pytest.mark.postgres),
]


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical pandas types: dates at midnight, floats, nullable booleans and strings."""
    frame = frame.copy()
    for col in DATE_COLUMNS[name]:
        if col in frame.columns:
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    for col in FLOATS[name]:
        if col in frame.columns:
            frame[col] = frame[col].astype("float64")
    if "disputed" in frame.columns:
        frame["disputed"] = (
            frame["disputed"]
            .map({"True": True, "False": False, True: True, False: False})
            .astype("boolean")
        )
    return frame[[c.name for c in TABLES[name] if c.name in frame.columns]]


HAND = {
    "customers": pd.DataFrame(
        {
            "customer_id": ["H1", "H2", "H3", "H4", "H5"],
            "name": ["甲公司", "乙公司", "丙公司", "丁公司", "戊公司"],
            "province": ["广东", "江苏省", None, "北京", "上海"],
            "credit_limit": [1000.0, None, 50.0, 0.0, None],
            "created": ["2023-01-01", "2023-01-01", "2024-06-01", "2025-01-15", "2024-03-01"],
        }
    ),
    "invoices": pd.DataFrame(
        {
            "invoice_id": ["J1", "J2", "J3", "J4", "J5", "J6", "J7"],
            "customer_id": ["H1", "H1", "H1", "H2", "H1", "H3", "H3"],
            "invoice_date": [
                "2024-01-10",
                "2024-11-05",
                "2024-12-01",
                "2023-06-01",
                "2025-02-01",
                "2024-06-15",
                "2024-07-01",
            ],
            "due_date": [
                "2024-02-10",
                "2024-12-05",
                "2024-12-31",
                "2023-07-01",
                "2025-03-01",
                "2024-07-15",
                "2024-07-31",
            ],
            "amount": [100.0, 300.0, -50.0, 80.0, 999.0, 40.0, 60.0],
            "disputed": ["False", "True", "False", "False", "False", "False", "True"],
        }
    ),
    "payments": pd.DataFrame(
        {
            "payment_id": ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7"],
            "customer_id": ["H1", "H2", "H3", "H3", "H1", "H5", "H5"],
            "invoice_id": ["J1", None, "J7", "J7", "J2", None, None],
            "payment_date": [
                "2024-02-01",
                "2023-08-01",
                "2024-08-10",
                "2024-09-01",
                "2024-12-20",
                "2024-10-01",
                "2025-01-10",
            ],
            "amount": [100.0, 90.0, 30.0, 45.0, 120.0, 70.0, 5.0],
        }
    ),
}


# As of 2024-12-31, by hand:
# H1: J1 paid early; J2 300 - Q5 120 - credit note J3 50 (oldest-first) = 130 open, due
#     2024-12-05 -> 26 days past due, disputed; last payment 2024-12-20; limit 1000.
# H2: J4 80 settled by unallocated Q2 90 on 2023-08-01 (31 days late), 10 left over.
# H3: J7 60 paid 30 + 45 -> settled 2024-09-01 (32 days late), the 15 excess goes to J6 40 -> 25
#     open, due 2024-07-15 -> 169 days past due; limit 50.
# H5: never invoiced; paid 70 on 2024-10-01 (unallocated cash) and 5 after the as-of date.
HAND_EXPECTED = pd.DataFrame(
    {
        "open_balance": [130.0, 0.0, 25.0, 0.0],
        "aging_1_30": [130.0, 0.0, 0.0, 0.0],
        "aging_90_plus": [0.0, 0.0, 25.0, 0.0],
        "unallocated_cash": [0.0, 10.0, 0.0, 70.0],
        "avg_days_late": [0.0, 31.0, 32.0, np.nan],
        "max_days_past_due": [26.0, 31.0, 169.0, np.nan],
        "days_since_last_payment": [11.0, 518.0, 121.0, 91.0],
        "disputed_share": [1.0, np.nan, 0.0, np.nan],
        "credit_utilisation": [0.13, np.nan, 0.5, np.nan],
    },
    index=pd.Index(["H1", "H2", "H3", "H5"], name="customer_id"),
)


#: Customers of data/sample in the test ledger, and the shift of each earlier copy of their
#: history: 1092 days (156 weeks) keeps weekdays, and no date falls on a 29 February.
N_SAMPLE_CUSTOMERS = 150
SHIFT_DAYS = 1092


def _ledger_frames() -> dict[str, pd.DataFrame]:
    """The hand ledger plus twelve years of the first sample customers (2014-2025).

    data/sample holds three years (2023-2025); the history of its first customers is repeated
    three times before it, each copy 1092 days earlier with its own invoice and payment ids,
    so the ledger's active months run past its 31st and 63rd month.
    """
    sample = {
        name: pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])
        for name in DATE_COLUMNS
    }
    keep = sample["customers"]["customer_id"].iloc[:N_SAMPLE_CUSTOMERS]
    part = {n: _typed(n, f[f["customer_id"].isin(keep)]) for n, f in sample.items()}
    copies = {"invoices": [part["invoices"]], "payments": [part["payments"]]}
    for k in (1, 2, 3):
        back = pd.Timedelta(days=SHIFT_DAYS * k)
        inv, pay = part["invoices"].copy(), part["payments"].copy()
        inv[["invoice_date", "due_date"]] -= back
        inv["invoice_id"] = f"Y{k}-" + inv["invoice_id"]
        pay["payment_date"] -= back
        pay["payment_id"] = f"Y{k}-" + pay["payment_id"]
        pay["invoice_id"] = (f"Y{k}-" + pay["invoice_id"]).where(pay["invoice_id"].notna())
        copies["invoices"].append(inv)
        copies["payments"].append(pay)
    customers = part["customers"].assign(
        created=part["customers"]["created"] - pd.Timedelta(days=SHIFT_DAYS * 3)
    )
    long = {"customers": customers} | {n: pd.concat(c) for n, c in copies.items()}
    return {
        name: _typed(name, pd.concat([HAND[name], long[name]], ignore_index=True))
        for name in DATE_COLUMNS
    }


FRAMES = _ledger_frames()


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


@pytest.fixture(scope="module")
def spark_con(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("segkit-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.codegen.wholeStage", "false")  # tiny data: compiling costs more
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    con = ibis.pyspark.connect(session)
    con.warehouse = warehouse  # the tests look for tables left in it
    yield con
    session.stop()


@pytest.fixture(scope="module")
def postgres_con():
    try:
        server = PostgresServer().__enter__()
    except (RuntimeError, OSError) as error:
        reason = f"PostgreSQL server could not start: {error}"
        if _in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    con = ibis.postgres.connect(**server.params)
    con.server_params = server.params  # for a second session
    yield con
    con.disconnect()
    server.__exit__(None, None, None)


@pytest.fixture(scope="module", params=ENGINES)
def engine(request):
    """(name, connection) of each engine compared with DuckDB."""
    return request.param, request.getfixturevalue(f"{request.param}_con")


def _engine_tables(con, frames: dict[str, pd.DataFrame], tag: str, money: str | None = DECIMAL):
    """The frames as tables of the engine, money as ``money`` (a warehouse's DECIMAL)."""
    tables = {}
    for name, frame in frames.items():
        raw = con.create_table(f"{tag}_{name}_raw", frame, overwrite=True)
        money_columns = [c for c in ("amount", "credit_limit") if money and c in raw.columns]
        typed = raw.mutate(**{c: raw[c].cast(money) for c in money_columns})
        tables[name] = con.create_table(f"{tag}_{name}", typed, overwrite=True)
    return tables


@pytest.fixture(scope="module")
def ledgers(engine):
    """The DuckDB ledger and the same ledger on the engine."""
    name, con = engine
    tables = _engine_tables(con, FRAMES, "ledger")
    assert tables["invoices"].amount.type().is_decimal()
    return Ledger.from_frames(**FRAMES), Ledger.from_tables(**tables)


def _equal(left: pd.DataFrame, right: pd.DataFrame, rtol: float = 1e-9) -> None:
    pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=rtol)


def test_features_at_many_dates_equal_duckdb(ledgers):
    duck_ledger, ledger = ledgers
    before = {name: frame.copy() for name, frame in FRAMES.items()}
    duck = features_at(duck_ledger, DATES)
    months = duck["active_months"].groupby(level="as_of").max()
    assert months[pd.Timestamp("2016-08-31")] > 24  # customers active for years by then
    assert months[pd.Timestamp(AS_OF)] > 63  # masks past the first 63-bit word
    last = duck.xs(pd.Timestamp(AS_OF), level="as_of")
    blank = [c for c in last.columns if last[c].isna().all()]
    assert blank == [], f"columns the test ledger leaves empty: {blank}"
    _equal(features_at(ledger, DATES), duck)
    for name, frame in FRAMES.items():
        pd.testing.assert_frame_equal(frame, before[name])


def test_hand_ledger_features_as_computed_by_hand(ledgers):
    _duck_ledger, ledger = ledgers
    features = customer_features(ledger, "2024-12-31")
    assert "H4" not in features.index  # created after the as-of date, never invoiced by then
    pd.testing.assert_frame_equal(
        features.loc[HAND_EXPECTED.index, HAND_EXPECTED.columns], HAND_EXPECTED
    )


def test_classify_with_credit_and_growth_equal_duckdb(ledgers):
    duck_ledger, ledger = ledgers
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # tied quantile edges, said on both
        duck = segkit.classify(duck_ledger, AS_OF)
        other = segkit.classify(ledger, AS_OF)
    assert {"grade", "pd", "growth_class"} <= set(duck.columns)
    assert duck["grade"].notna().sum() > 50
    _equal(other, duck)


def test_credit_study_equal_duckdb(ledgers):
    duck_ledger, ledger = ledgers
    duck, other = credit_study(duck_ledger, AS_OF), credit_study(ledger, AS_OF)
    assert duck.metrics["n_default_train"] > 0
    _equal(other.snapshots, duck.snapshots)
    _equal(other.scored, duck.scored)
    _equal(other.oot, duck.oot)
    assert other.metrics == pytest.approx(duck.metrics, rel=1e-9, nan_ok=True)


def test_history_equal_duckdb(ledgers):
    duck_ledger, ledger = ledgers
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        duck = snapshots(duck_ledger, HISTORY_DATES)
        other = snapshots(ledger, HISTORY_DATES)
    assert duck["as_of"].nunique() == len(HISTORY_DATES) if "as_of" in duck else len(duck) > 0
    _equal(other, duck)


def _recent_frames(since: str) -> dict[str, pd.DataFrame]:
    """The ledger's invoices from ``since`` on, with their payments (and later unallocated ones).

    The late-payment model learns from every month-end of its ledger: from the last three years
    these are 36 rather than 126 stacked copies, which Spark settles in minutes, not tens.
    """
    invoices = FRAMES["invoices"][FRAMES["invoices"]["invoice_date"] >= since]
    pay = FRAMES["payments"]
    kept = pay["invoice_id"].isin(invoices["invoice_id"])
    kept |= pay["invoice_id"].isna() & (pay["payment_date"] >= since)
    frames = {"customers": FRAMES["customers"], "invoices": invoices, "payments": pay[kept]}
    return {name: frame.reset_index(drop=True) for name, frame in frames.items()}


def test_late_payment_rows_equal_duckdb(engine):
    """What the late-payment model reads from the engine: open invoices at every month-end with
    their history, the outcomes, and the invoices ``predict`` scores."""
    _name, con = engine
    frames = _recent_frames("2023-01-01")
    duck_ledger = Ledger.from_frames(**frames)
    ledger = Ledger.from_tables(**_engine_tables(con, frames, "recent"))
    dates = month_ends(dt.date(2023, 1, 1), dt.date.fromisoformat(LATE_FIT))
    duck = invoice_snapshots(duck_ledger, dates, max_past_due=90)
    assert duck["snapshot"].nunique() == len(dates) and duck["disputed"].gt(0).any()
    rows = invoice_snapshots(ledger, dates, max_past_due=90)
    _equal(rows, duck)
    outcomes = invoice_outcomes(duck_ledger, LATE_FIT).sort_index()
    other_outcomes = invoice_outcomes(ledger, LATE_FIT)
    _equal(other_outcomes.sort_index(), outcomes)
    model = LatePaymentModel().fit(duck_ledger, LATE_FIT)
    scored = model.predict(duck_ledger, AS_OF)
    assert len(scored) > 20 and scored["p_late"].between(0, 1).all()
    _equal(model.predict(ledger, AS_OF), scored)
    # fitted on the engine's rows (as fit() reads them), the model is the same to the last bit
    # (the history means are rounded: each engine divides in its own order)
    other = LatePaymentModel().fit_rows(rows, other_outcomes, dt.date.fromisoformat(LATE_FIT))
    assert other.chosen_ == model.chosen_ and other.n_rows_ == model.n_rows_
    pd.testing.assert_frame_equal(other.predict(duck_ledger, AS_OF), scored, check_exact=True)


def test_validation_runs_in_the_engine(engine):
    _name, con = engine
    frames = {name: _typed(name, frame) for name, frame in HAND.items()}
    frames["invoices"].loc[5, "invoice_id"] = "J4"  # row 6 repeats the key of row 4
    frames["invoices"].loc[3, "due_date"] = pd.Timestamp("2023-05-01")  # before 2023-06-01
    tables = _engine_tables(con, frames, "bad", money=None)
    with pytest.raises(
        SchemaError, match=r"column 'invoice_id': must be unique: rows 4, 6"
    ) as info:
        Ledger.from_tables(**tables)
    expected = pd.DataFrame(
        {
            "file": ["<invoices table>"] * 3,
            "table": ["invoices"] * 3,
            "column": ["invoice_id", "invoice_id", "due_date"],
            "row": pd.array([4, 6, 4], dtype="Int64"),
            "rule": ["must be unique", "must be unique", "due_date on or after invoice_date"],
            "value": ["J4", "J4", "2023-05-01 < 2023-06-01"],
        }
    )
    pd.testing.assert_frame_equal(info.value.failures, expected)


def _settled_frames() -> dict[str, pd.DataFrame]:
    """The same ledger with settlement dates on the invoices and no payments table."""
    invoices = FRAMES["invoices"].copy()
    days = pd.to_timedelta((invoices.index % 7) * 9 - 12, unit="D")
    settled = (invoices["due_date"] + days).clip(lower=invoices["invoice_date"])
    settled = settled.where(invoices.index % 5 != 0)
    invoices["settled_date"] = settled.astype("datetime64[ns]")
    return {"customers": FRAMES["customers"], "invoices": invoices}


def test_features_from_settled_dates_equal_duckdb(engine):
    _name, con = engine
    frames = _settled_frames()
    duck_ledger = Ledger.from_frames(**frames)
    duck = features_at(duck_ledger, DATES)
    other = features_at(Ledger.from_tables(**_engine_tables(con, frames, "settled")), DATES)
    assert duck["open_balance"].groupby(level="as_of").sum().gt(0).all()
    _equal(other, duck)
    for day in DATES:  # each date as its own one-date query
        alone = customer_features(duck_ledger, day)
        pd.testing.assert_frame_equal(duck.xs(pd.Timestamp(day), level="as_of"), alone)


def test_read_ledger_into_the_engine_leaves_no_tables(engine, tmp_path):
    name, con = engine
    for table, frame in HAND.items():
        frame.to_csv(tmp_path / f"{table}.csv", index=False)
    before = set(con.list_tables())
    ledger = read_ledger(tmp_path, con=con)
    features = customer_features(ledger, "2024-12-31")
    pd.testing.assert_frame_equal(
        features.loc[HAND_EXPECTED.index, HAND_EXPECTED.columns], HAND_EXPECTED
    )
    kept = [t for t in set(con.list_tables()) - before if t.startswith("segkit_")]
    if name == "spark":  # temporary views are listed; none of them is stored in the warehouse
        stored = {t.name for t in con._session.catalog.listTables() if not t.isTemporary}
        assert not [t for t in kept if t in stored]
        assert not [p.name for p in con.warehouse.iterdir() if p.name.startswith("segkit_")]
    else:  # temporary tables: another session of the server does not see them
        other = ibis.postgres.connect(**con.server_params)
        try:
            assert [t for t in other.list_tables() if t.startswith("segkit_")] == []
        finally:
            other.disconnect()
        assert len(kept) == 4  # ... which this one does: customers, invoices, payments, dates


def _fx_frames() -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Invoices in CNY, USD, EUR and JPY, payments of two of them, and their rates to CNY."""
    invoices = pd.DataFrame({
        "invoice_id": ["X1", "X2", "X3", "X4", "X5"], "customer_id": ["H1", "H1", "H2", "H2", "H3"],
        "invoice_date": pd.to_datetime(["2025-01-10", "2025-01-15", "2025-02-01", "2025-01-20",
                                        "2025-01-20"]),
        "due_date": pd.to_datetime(["2025-02-09", "2025-02-14", "2025-03-03", "2025-02-19",
                                    "2025-02-19"]),
        "amount": [1000.00, 500.00, 200.00, 10.50, 123456.78],
        "currency": ["USD", "EUR", "CNY", "JPY", "USD"],
    })  # fmt: skip
    payments = pd.DataFrame({
        "payment_id": ["Y1", "Y2"], "customer_id": ["H1", "H3"], "invoice_id": ["X1", None],
        "payment_date": pd.to_datetime(["2025-02-10", "2025-02-10"]), "amount": [400.00, 99.99],
        "currency": ["USD", "USD"],
    })  # fmt: skip
    rates = pd.DataFrame({
        "date": ["2025-01-10", "2025-02-10", "2025-03-31", "2025-01-15", "2025-03-31",
                 "2025-01-20", "2025-01-20", "2025-03-31"],
        "currency": ["USD", "USD", "USD", "EUR", "EUR", "JPY", "USD", "JPY"],
        "rate": ["7.10005", "7.2000", "7.3000", "7.8000", "7.7000", "0.05", "7.12345678", "0.05"],
    })  # fmt: skip
    return {"invoices": invoices, "payments": payments}, rates


def test_currencies_convert_to_the_same_cents_in_the_engine(engine):
    """Each row converted in the engine (exact decimals, half to even) as on DuckDB."""
    from segkit.features.fx import revaluation

    _name, con = engine
    frames, rates = _fx_frames()
    duck = Ledger.from_frames(**frames, rates=rates)
    other = Ledger.from_tables(**_engine_tables(con, frames, "fx"), rates=rates)
    for table in ("invoices", "payments"):
        key = "invoice_id" if table == "invoices" else "payment_id"
        cols = [key, "amount", "amount_txn", "currency"]
        got = getattr(other, table).select(*cols).execute().sort_values(key, ignore_index=True)
        want = getattr(duck, table).select(*cols).execute().sort_values(key, ignore_index=True)
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
    amounts = duck.invoices.execute().set_index("invoice_id")["amount"]
    # 1000 x 7.10005 = 7100.05; 10.50 x 0.05 = 0.525 -> 0.52; 123456.78 x 7.12345678 = 879439.0398
    assert amounts[["X1", "X4", "X5"]].tolist() == [7100.05, 0.52, 879439.04]
    _equal(customer_features(other, "2025-03-31"), customer_features(duck, "2025-03-31"))
    _equal(revaluation(other, "2025-03-31"), revaluation(duck, "2025-03-31"))
