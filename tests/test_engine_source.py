"""A ledger named by a mapping's ``source:``: tables in PostgreSQL, Spark or a DuckDB file.

The mapping is read by ``read_ledger`` and so by every command and study. Checked here: the
mapping's rules (bad engine, a password in the URL, a missing variable, an unknown table), the
engine fingerprint a report compares at its end, ``segkit validate``/``classify`` from Spark
and PostgreSQL tables, and ``segkit report`` from PostgreSQL against the same ledger read from
files: every page equal but for where the ledger was read from, and no password anywhere in
what the report writes.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

import ibis
import pandas as pd
import pytest
from typer.testing import CliRunner

from segkit import read_ledger
from segkit.cli import app
from segkit.exceptions import MappingError, ReportError
from segkit.ledger.engines import fingerprint
from segkit.reports import run_reports
from segkit.reports.snapshot import Snapshot
from segkit.sample import write_sample

sys.path.insert(0, str(Path(__file__).parent))
from pg_server import PostgresServer  # noqa: E402

AS_OF = "2025-12-31"
SECRET = "Pw-0f-the-ledger"  # noqa: S105 - the password that must appear nowhere
#: Customers of the generated ledger: the report's three studies with their sections run on it.
N_CUSTOMERS = 400
DECIMAL = "decimal(18, 2)"


def _mapping(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ledger_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ledger")
    write_sample(folder, n_customers=N_CUSTOMERS, seed=7)
    return folder


def _frames(folder: Path) -> dict[str, pd.DataFrame]:
    ledger = read_ledger(folder)
    return {n: getattr(ledger, n).execute() for n in ("customers", "invoices", "payments")}


def _store(con, frames, schema: str | None, money: str | None = DECIMAL) -> None:
    """The frames as tables of ``con`` (in ``schema``), money as a warehouse's DECIMAL."""
    for name, frame in frames.items():
        raw = con.create_table(f"{name}_raw", frame, database=schema, overwrite=True)
        cols = [c for c in ("amount", "credit_limit") if money and c in raw.columns]
        typed = raw.mutate(**{c: raw[c].cast(money) for c in cols})
        con.create_table(name, typed, database=schema, overwrite=True)


# -- the mapping's rules -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("engine: oracle\n  url: x\n  tables: {invoices: a}", r"engine must be one of"),
        ("engine: postgres\n  tables: {invoices: a}", r"postgres needs url"),
        (
            "engine: postgres\n  url: postgresql://h/db\n  tables: {invoices: a, orders: b}",
            r"unknown table\(s\) \[.orders.\]",
        ),
        (
            "engine: postgres\n  url: postgresql://h/db\n  tables: {customers: a}",
            r"at least invoices",
        ),
        (
            "engine: postgres\n  url: postgresql://h/db\n  tables: {invoices: 3}",
            r"expected a table",
        ),
        ("engine: spark\n  url: x\n  tables: {invoices: a}", r"spark takes settings"),
        ("engine: postgres\n  url: mysql://h/db\n  tables: {invoices: a}", r"postgresql://user@"),
        (
            "engine: postgres\n  url: postgresql://h/db\n  url_env: X\n  tables: {invoices: a}",
            r"not both",
        ),
        ("engine: duckdb\n  url: none.duckdb\n  tables: {invoices: a}\n  port: 1", r"unknown key"),
    ],
    ids=["engine", "no-url", "table", "no-invoices", "name", "spark-url", "scheme", "both", "key"],
)
def test_bad_source_is_refused_naming_the_key(tmp_path, source, message):
    path = _mapping(tmp_path / "m.yaml", f"source:\n  {source}\n")
    with pytest.raises(MappingError, match=message):
        read_ledger(path)


def test_a_password_in_the_mapping_is_refused_without_repeating_it(tmp_path):
    url = f"postgresql://segkit:{SECRET}@127.0.0.1:1/db"
    path = _mapping(tmp_path / "m.yaml", f"source:\n  engine: postgres\n  url: {url}\n"
                    "  tables: {invoices: ar.invoices}\n")  # fmt: skip
    with pytest.raises(MappingError, match=r"holds a password; .*PGPASSWORD") as info:
        read_ledger(path)
    assert SECRET not in str(info.value)


def test_source_with_file_keys_and_unset_variable(tmp_path, monkeypatch):
    both = _mapping(tmp_path / "a.yaml", "source:\n  engine: duckdb\n  url: x.duckdb\n"
                    "  tables: {invoices: i}\ntables:\n  invoices: {file: i.csv}\n")  # fmt: skip
    with pytest.raises(MappingError, match=r"takes no other top-level key than \[.*\]; got \['tables'\]"):
        read_ledger(both)
    monkeypatch.delenv("SEGKIT_TEST_NO_URL", raising=False)
    unset = _mapping(tmp_path / "b.yaml", "source:\n  engine: postgres\n"
                     "  url_env: SEGKIT_TEST_NO_URL\n  tables: {invoices: i}\n")  # fmt: skip
    with pytest.raises(MappingError, match=r"variable SEGKIT_TEST_NO_URL is not set"):
        read_ledger(unset)
    missing = _mapping(tmp_path / "c.yaml", "source:\n  engine: duckdb\n  url: x.duckdb\n"
                       "  tables: {invoices: i}\n")  # fmt: skip
    with pytest.raises(MappingError, match=r"DuckDB database not found: .*x\.duckdb"):
        read_ledger(missing)


# -- a DuckDB database file: the same ledger, its fingerprint -----------------------------


def test_duckdb_file_source_equals_the_files_and_fingerprint_sees_changes(ledger_dir, tmp_path):
    frames = _frames(ledger_dir)
    path = tmp_path / "ledger.duckdb"
    con = ibis.duckdb.connect(str(path))
    con.raw_sql("CREATE SCHEMA ar")
    _store(con, frames, "ar")
    con.disconnect()
    mapping = _mapping(tmp_path / "m.yaml", "source:\n  engine: duckdb\n  url: ledger.duckdb\n"
                       "  tables: {invoices: ar.invoices, customers: ar.customers,"
                       " payments: ar.payments}\n")  # fmt: skip
    ledger = read_ledger(mapping)
    assert ledger.origins["invoices"] == "duckdb ar.invoices"
    for name, frame in frames.items():
        got = getattr(ledger, name).execute()
        pd.testing.assert_frame_equal(got, frame, check_dtype=False)
    before = fingerprint(ledger)
    assert before["invoices"]["rows"] == str(len(frames["invoices"]))
    ledger.con.disconnect()
    snapshot = Snapshot(mapping)
    snapshot.check()  # nothing changed yet
    con = ibis.duckdb.connect(str(path))
    con.raw_sql("UPDATE ar.invoices SET amount = amount + 0.01 WHERE invoice_id = "
                f"'{frames['invoices']['invoice_id'].iloc[5]}'")  # fmt: skip
    con.disconnect()
    after = fingerprint(read_ledger(mapping))
    assert after["invoices"]["amount_sum"] != before["invoices"]["amount_sum"]
    assert after["payments"] == before["payments"]
    with pytest.raises(
        ReportError, match=r"the ledger changed while the report ran \(duckdb ar\.invoices\)"
    ):
        snapshot.check()
    bad = _mapping(tmp_path / "n.yaml", "source:\n  engine: duckdb\n  url: ledger.duckdb\n"
                   "  tables: {invoices: ar.nothing}\n")  # fmt: skip
    with pytest.raises(MappingError, match=r"tables\.invoices: duckdb has no table 'ar\.nothing'"):
        read_ledger(bad)


def test_engine_tables_in_several_currencies_convert_as_the_files(tmp_path):
    """functional_currency and rates beside source: convert the engine's rows as the files'."""
    export = Path(__file__).parent / "fixtures" / "exports" / "fx_rates"
    con = ibis.duckdb.connect(str(tmp_path / "fx.duckdb"))
    for name in ("invoices", "payments", "customers"):
        ids = {c: str for c in ("invoice_id", "customer_id", "payment_id")}
        frame = pd.read_csv(export / f"{name}.csv", dtype=ids)
        for col in ("invoice_date", "due_date", "payment_date"):
            if col in frame:
                frame[col] = pd.to_datetime(frame[col])
        con.create_table(name, frame[[c for c in frame if c != "amount_functional"]])
    con.disconnect()
    shutil.copy(export / "rates.csv", tmp_path / "rates.csv")
    mapping = _mapping(tmp_path / "m.yaml", "functional_currency: CNY\nrates: rates.csv\n"
                       "source:\n  engine: duckdb\n  url: fx.duckdb\n  tables: {invoices: "
                       "invoices, payments: payments, customers: customers}\n")  # fmt: skip
    ledger, typed = read_ledger(mapping), read_ledger(export / "mapping.yaml")
    assert ledger.functional_currency == typed.functional_currency == "CNY"
    assert {"USD", "EUR"} <= set(ledger.invoices.execute()["currency"])
    for name in ("invoices", "payments"):
        key = "invoice_id" if name == "invoices" else "payment_id"
        got = getattr(ledger, name).execute().sort_values(key).reset_index(drop=True)
        want = getattr(typed, name).execute().sort_values(key).reset_index(drop=True)
        pd.testing.assert_series_equal(got["amount"], want["amount"], check_dtype=False)
    ledger.con.disconnect()


# -- Spark ----------------------------------------------------------------------------------


@pytest.mark.spark
def test_validate_and_classify_from_spark_tables(ledger_dir, tmp_path, capfd):
    from segkit.ledger.engines import EngineSource, connect

    settings = {"spark.master": "local[1]", "spark.sql.shuffle.partitions": "2",
                "spark.ui.enabled": "false",
                "spark.sql.warehouse.dir": str(tmp_path / "warehouse")}  # fmt: skip
    capfd.readouterr()
    con = connect(EngineSource("spark", {"invoices": "x"}, settings=settings))
    out, err = capfd.readouterr()  # the JVM's start-up log reaches neither stream
    assert "log level" not in out + err and "WARN" not in out + err
    for name, frame in _frames(ledger_dir).items():
        con.create_view(f"spark_{name}", ibis.memtable(frame), overwrite=True)
    lines = "".join(f"\n    {k}: '{v}'" for k, v in settings.items())
    mapping = _mapping(tmp_path / "spark.yaml", "source:\n  engine: spark\n  tables:\n"
                       "    invoices: spark_invoices\n    customers: spark_customers\n"
                       f"    payments: spark_payments\n  settings:{lines}\n")  # fmt: skip
    runner = CliRunner()
    done = runner.invoke(app, ["validate", str(mapping)])
    assert done.exit_code == 0, done.output
    assert "spark spark_invoices" in done.output
    out = tmp_path / "classes.csv"
    done = runner.invoke(app, ["classify", str(mapping), "--as-of", AS_OF, "--out", str(out)])
    assert done.exit_code == 0, done.output
    spark = pd.read_csv(out, index_col=0)
    files = tmp_path / "files.csv"
    done = runner.invoke(app, ["classify", str(ledger_dir), "--as-of", AS_OF, "--out", str(files)])
    assert done.exit_code == 0, done.output
    pd.testing.assert_frame_equal(spark, pd.read_csv(files, index_col=0))
    assert len(spark) == N_CUSTOMERS


# -- PostgreSQL: the whole report --------------------------------------------------------


@pytest.fixture(scope="module")
def postgres(ledger_dir):
    try:
        server = PostgresServer().__enter__()
    except (RuntimeError, OSError) as error:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"PostgreSQL server could not start: {error}")
        pytest.skip(f"PostgreSQL server could not start: {error}")
    con = ibis.postgres.connect(**server.params)
    con.raw_sql("CREATE SCHEMA ar")
    _store(con, _frames(ledger_dir), "ar")
    con.disconnect()
    yield server
    server.__exit__(None, None, None)


_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")
#: What differs between two runs of the same report: run times, the random ids pandas gives a
#: styled table and nbformat a cell, and the ledger's name on the index.
_RUN = [
    (_STAMP, "<time>"),
    (re.compile(r"T_[0-9a-f]{5}"), "T_<id>"),
    (re.compile(r"cell-id=[0-9a-f-]+"), "cell-id=<id>"),
    (re.compile(r"<th>Ledger</th><td>[^<]*</td>"), "<th>Ledger</th><td><ledger></td>"),
]


def _page(path: Path) -> str:
    """A page with what differs between two runs of the same report blanked."""
    text = path.read_text(encoding="utf-8")
    for pattern, blank in _RUN:
        text = pattern.sub(blank, text)
    return text


@pytest.mark.postgres
def test_report_from_postgres_equals_report_from_files(postgres, ledger_dir, tmp_path, monkeypatch):
    url = (f"postgresql://{postgres.params['user']}:{SECRET}@127.0.0.1:{postgres.port}/"
           f"{postgres.params['database']}")  # fmt: skip
    monkeypatch.setenv("SEGKIT_PG_URL", url)
    mapping = _mapping(tmp_path / "pg.yaml", "source:\n  engine: postgres\n"
                       "  url_env: SEGKIT_PG_URL\n  tables: {invoices: ar.invoices,"
                       " customers: ar.customers, payments: ar.payments}\n")  # fmt: skip
    files = run_reports(ledger_dir, AS_OF, out=tmp_path / "files", log=None, progress=False)
    pg = run_reports(mapping, AS_OF, out=tmp_path / "pg", log=None, progress=False)
    assert files.failed == [] and pg.failed == []
    names = sorted(p.name for p in files.out_dir.iterdir() if p.suffix == ".html")
    assert names == ["credit_risk.html", "index.html", "market.html", "segmentation.html"]
    assert sorted(p.name for p in pg.out_dir.iterdir()) == sorted(
        p.name for p in files.out_dir.iterdir()
    )
    for name in names:
        page = _page(pg.out_dir / name)
        assert page == _page(files.out_dir / name), name
        assert len(page) > 5_000 and "Traceback" not in page, name
    book = f"segkit_{AS_OF}.xlsx"
    sheets = pd.read_excel(files.out_dir / book, sheet_name=None)
    assert len(sheets) > 3
    for title, sheet in pd.read_excel(pg.out_dir / book, sheet_name=None).items():
        pd.testing.assert_frame_equal(sheet, sheets[title], obj=title)
    written = [p for p in pg.out_dir.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".parameters.json") for p in written)
    for path in written:
        assert SECRET.encode() not in _contents(path), path


def _contents(path: Path) -> bytes:
    """A file's bytes; a workbook's (a zip) unpacked."""
    if path.suffix != ".xlsx":
        return path.read_bytes()
    with zipfile.ZipFile(path) as book:
        return b"".join(book.read(name) for name in book.namelist())


def test_an_unreachable_server_is_named_without_the_password(tmp_path, monkeypatch):
    monkeypatch.setenv("SEGKIT_TEST_PG_URL", f"postgresql://segkit:{SECRET}@127.0.0.1:1/erp")
    path = _mapping(
        tmp_path / "m.yaml",
        "source:\n  engine: postgres\n  url_env: SEGKIT_TEST_PG_URL\n  tables: {invoices: i}\n",
    )
    with pytest.raises(
        MappingError, match=r"m\.yaml source: cannot connect to PostgreSQL: "
    ) as info:
        read_ledger(path)
    assert SECRET not in str(info.value)
