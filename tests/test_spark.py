"""One expression, two engines: customer features and validation on PySpark equal DuckDB's.

The same Ibis expressions run on an in-process DuckDB and on a local PySpark session (Java 17,
``local[1]``). The ledger is a hand-typed one covering the settlement rules (partial and
over-payment, unallocated cash, a credit note, disputes, a customer created after the as-of
date) plus the first 150 customers of data/sample with their invoices and payments.

No dtype normalisation is needed: both engines return the same pandas dtypes, so the frames are
compared as they come, floats to a relative 1e-9. Spark starts in about 20-30 s; the module
runs in about two minutes.
"""

from __future__ import annotations

from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from pyspark.sql import SparkSession

from segkit import Ledger, customer_features
from segkit.exceptions import SchemaError
from segkit.features import features_at
from segkit.ledger.schema import TABLES

pytestmark = pytest.mark.spark

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
AS_OF = "2024-12-31"
N_SAMPLE_CUSTOMERS = 150
DATES = {
    "customers": ["created"],
    "invoices": ["invoice_date", "due_date"],
    "payments": ["payment_date"],
}
FLOATS = {
    "customers": ["employees", "revenue", "total_assets", "credit_limit"],
    "invoices": ["amount"],
    "payments": ["amount"],
}


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical pandas types: dates at midnight, floats, nullable booleans and strings."""
    frame = frame.copy()
    for col in DATES[name]:
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


def _ledger_frames() -> dict[str, pd.DataFrame]:
    """The hand ledger plus the first sample customers with their invoices and payments."""
    sample = {
        name: pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""])
        for name in DATES
    }
    keep = sample["customers"]["customer_id"].iloc[:N_SAMPLE_CUSTOMERS]
    frames = {}
    for name, frame in sample.items():
        part = frame[frame["customer_id"].isin(keep)]
        frames[name] = _typed(name, pd.concat([HAND[name], part], ignore_index=True))
    return frames


FRAMES = _ledger_frames()


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
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
    yield session
    session.stop()


@pytest.fixture(scope="module")
def spark_con(spark):
    return ibis.pyspark.connect(spark)


def _spark_tables(con, frames: dict[str, pd.DataFrame], tag: str) -> dict[str, ibis.Table]:
    return {
        name: con.create_table(f"{tag}_{name}", frame, overwrite=True)
        for name, frame in frames.items()
    }


def test_customer_features_on_spark_equal_duckdb(spark_con):
    before = {name: frame.copy() for name, frame in FRAMES.items()}
    duck = customer_features(Ledger.from_frames(**FRAMES), AS_OF)
    on_spark = customer_features(
        Ledger.from_tables(**_spark_tables(spark_con, FRAMES, "ok")), AS_OF
    )
    assert "H4" not in duck.index  # created after AS_OF, never invoiced by then
    assert len(duck) > 100 and duck["open_balance"].sum() > 0
    pd.testing.assert_frame_equal(on_spark.sort_index(), duck.sort_index(), check_exact=False,
                                  rtol=1e-9)  # fmt: skip
    pd.testing.assert_frame_equal(on_spark.loc[HAND_EXPECTED.index, HAND_EXPECTED.columns],
                                  HAND_EXPECTED)  # fmt: skip
    for name, frame in FRAMES.items():
        pd.testing.assert_frame_equal(frame, before[name])


def test_validation_runs_in_spark(spark_con):
    frames = {name: _typed(name, frame) for name, frame in HAND.items()}
    frames["invoices"].loc[5, "invoice_id"] = "J4"  # row 6 repeats the key of row 4
    frames["invoices"].loc[3, "due_date"] = pd.Timestamp("2023-05-01")  # before 2023-06-01
    tables = _spark_tables(spark_con, frames, "bad")
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


SNAPSHOTS = ["2024-06-30", "2024-09-30", AS_OF]


def _settled_frames() -> dict[str, pd.DataFrame]:
    """The same ledger with settlement dates on the invoices and no payments table."""
    invoices = FRAMES["invoices"].copy()
    days = pd.to_timedelta((invoices.index % 7) * 9 - 12, unit="D")
    settled = (invoices["due_date"] + days).clip(lower=invoices["invoice_date"])
    settled = settled.where(invoices.index % 5 != 0)
    invoices["settled_date"] = settled.astype("datetime64[ns]")
    return {"customers": FRAMES["customers"], "invoices": invoices}


@pytest.mark.parametrize("shape", ["payments", "settled_date"])
def test_features_at_many_dates_on_spark_equal_duckdb(spark_con, shape):
    frames = FRAMES if shape == "payments" else _settled_frames()
    duck_ledger = Ledger.from_frames(**frames)
    duck = features_at(duck_ledger, SNAPSHOTS)
    on_spark = features_at(
        Ledger.from_tables(**_spark_tables(spark_con, frames, f"multi_{shape}")), SNAPSHOTS
    )
    assert duck.index.get_level_values("as_of").nunique() == len(SNAPSHOTS)
    assert duck["open_balance"].groupby(level="as_of").sum().gt(0).all()
    pd.testing.assert_frame_equal(on_spark, duck, check_exact=False, rtol=1e-9)
    for day in SNAPSHOTS:  # each date as its own one-date query
        alone = customer_features(duck_ledger, day)
        pd.testing.assert_frame_equal(duck.xs(pd.Timestamp(day), level="as_of"), alone)
