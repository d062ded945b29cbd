"""A ledger that lives in an engine: PostgreSQL, Spark or a DuckDB database file.

A mapping file with a ``source:`` key names the engine and its tables instead of files::

    source:
      engine: postgres                 # postgres, spark or duckdb
      url_env: SEGKIT_PG_URL           # or url: postgresql://segkit@db.example:5432/erp
      tables:
        invoices: ar.invoices          # schema.table (Spark: database.table)
        customers: ar.customers
        payments: ar.payments

The tables must hold the canonical columns (:mod:`segkit.ledger.schema`); they are validated
in the engine and never copied out of it. Credentials come from the environment only: ``url``
must not hold a password (PostgreSQL reads ``PGPASSWORD`` or ``~/.pgpass``), ``url_env`` names
a variable holding the whole URL. Neither the URL nor the password is written anywhere: the
ledger's tables are described as ``postgres ar.invoices``.

Spark runs as a local session (``SparkSession.builder``) with the mapping's ``settings:``
(e.g. ``spark.master: local[4]``) on top of what ``SPARK_CONF_DIR``/``spark-defaults.conf`` and
``SPARK_*`` variables set; its start-up log goes nowhere, so it reaches neither pages nor
the console. A DuckDB database file (``url: ledger.duckdb``, relative to the mapping file) is
opened read-only.

:func:`fingerprint` identifies the tables' content (row counts, date ranges, exact sums) so
that a report can tell whether the ledger changed while it ran.
"""

from __future__ import annotations

import os
import reprlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import ibis

from segkit.exceptions import MappingError
from segkit.ledger.schema import TABLES

__all__ = ["ENGINES", "EngineSource", "connect", "fingerprint", "parse_source", "read_engine"]

#: Engines a mapping's ``source:`` may name.
ENGINES = ("postgres", "spark", "duckdb")
_KEYS = {"engine", "url", "url_env", "tables", "settings"}


@dataclass(frozen=True)
class EngineSource:
    """Where the ledger's tables live: the engine, how to reach it, the table of each."""

    engine: str
    tables: dict[str, str]
    url: str | None = None
    url_env: str | None = None
    settings: dict[str, str] = field(default_factory=dict)
    origin: str = "<mapping>"

    def describe(self, table: str) -> str:
        """How pages and messages name a table: engine and table name, never the URL."""
        return f"{self.engine} {self.tables[table]}"


CURRENCY_KEYS = ("functional_currency", "rates", "rates_fill")  # segkit.ledger.rates


def parse_source(mapping: dict, base: Path, origin: str) -> EngineSource:
    """Check the ``source:`` section of a mapping; ``base`` is the mapping file's folder.

    Raises
    ------
    MappingError
        Naming the key and the value (never a password) that break a rule.
    """
    others = sorted(set(mapping) - {"source", *CURRENCY_KEYS}, key=str)
    if others:
        raise MappingError(
            f"{origin}: a mapping with source: (tables in an engine) takes no other top-level "
            f"key than {sorted(CURRENCY_KEYS)}; got {others}"
        )
    spec, where = mapping["source"], f"{origin} source"
    if not isinstance(spec, dict):
        raise MappingError(
            f"{where}: expected a section (engine, tables, ...); got {reprlib.repr(spec)}"
        )
    unknown = sorted(set(spec) - _KEYS, key=str)
    if unknown:
        raise MappingError(f"{where}: unknown key(s) {unknown}; expected some of {sorted(_KEYS)}")
    engine = spec.get("engine")
    if engine not in ENGINES:
        raise MappingError(
            f"{where}: engine must be one of {list(ENGINES)}; got {reprlib.repr(engine)}"
        )
    tables = spec.get("tables")
    if not isinstance(tables, dict) or "invoices" not in tables:
        raise MappingError(f"{where}: tables must name at least invoices (invoices: schema.table)")
    bad = sorted(set(tables) - set(TABLES), key=str)
    if bad:
        raise MappingError(f"{where}: unknown table(s) {bad}; expected some of {list(TABLES)}")
    for name, value in tables.items():
        if not isinstance(value, str) or not value.strip():
            raise MappingError(
                f"{where}.tables.{name}: expected a table name; got {reprlib.repr(value)}"
            )
    url, url_env = spec.get("url"), spec.get("url_env")
    _check_url(engine, url, url_env, where)
    if engine == "duckdb" and url is not None:
        url = str((base / url).resolve())
    settings = spec.get("settings") or {}
    if not isinstance(settings, dict) or engine != "spark" and settings:
        raise MappingError(f"{where}.settings: Spark settings (name: value) apply to spark only")
    return EngineSource(
        engine,
        {k: v.strip() for k, v in tables.items()},
        url,
        url_env,
        {str(k): str(v) for k, v in settings.items()},
        origin,
    )


def _check_url(engine: str, url, url_env, where: str) -> None:
    if url is not None and url_env is not None:
        raise MappingError(f"{where}: give url or url_env, not both")
    if engine == "spark" and (url or url_env):
        raise MappingError(f"{where}: spark takes settings:, not url or url_env")
    if engine == "postgres" and url is None and url_env is None:
        raise MappingError(f"{where}: postgres needs url (without password) or url_env")
    for key, value in (("url", url), ("url_env", url_env)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise MappingError(f"{where}.{key}: expected text; got {type(value).__name__}")
    if engine == "postgres" and url is not None:
        if not url.startswith(("postgres://", "postgresql://")):
            raise MappingError(f"{where}.url: expected postgresql://user@host:port/database")
        if urlsplit(url).password is not None:  # the value itself is never repeated
            raise MappingError(
                f"{where}.url: holds a password; a mapping file must not. Set PGPASSWORD (or "
                "~/.pgpass), or put the whole URL in an environment variable named by url_env"
            )


def _url(source: EngineSource) -> str | None:
    if source.url_env is None:
        return source.url
    value = os.environ.get(source.url_env, "").strip()
    if not value:
        raise MappingError(
            f"{source.origin} source.url_env: the environment variable {source.url_env} is not set"
        )
    return value


def connect(source: EngineSource) -> ibis.BaseBackend:
    """A new connection to the source's engine (Spark: the process's one local session)."""
    if source.engine == "spark":
        _driver("pyspark", "pyspark (and Java 17 or newer)", source.origin)
        return _spark(source.settings)
    url = _url(source)
    if url is None:
        raise MappingError(f"{source.origin} source: {source.engine} needs url or url_env")
    if source.engine == "duckdb":
        if not Path(url).is_file():
            raise MappingError(f"{source.origin} source.url: DuckDB database not found: {url}")
        return ibis.duckdb.connect(url, read_only=True)
    return _postgres(url, source.origin)


def _driver(module: str, package: str, origin: str):
    """The engine's Python driver, or an error saying which package to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MappingError(f"{origin} source: install {package} to read this engine") from None


def _postgres(url: str, origin: str) -> ibis.BaseBackend:
    psycopg = _driver("psycopg", "'psycopg[binary]'", origin)

    try:
        return ibis.connect(url.replace("postgresql://", "postgres://", 1))
    except psycopg.OperationalError as exc:  # libpq's message names host and user, no password
        first = next((line for line in str(exc).splitlines() if line.strip()), "")
        raise MappingError(f"{origin} source: cannot connect to PostgreSQL: {first}") from None


def _spark(settings: dict[str, str]) -> ibis.BaseBackend:
    """The local Spark session, started with the JVM's output sent nowhere (no start-up log)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("segkit")
    defaults = {"spark.ui.showConsoleProgress": "false", "spark.sql.session.timeZone": "UTC"}
    for key, value in {**defaults, **settings}.items():
        builder = builder.config(key, value)
    saved = [os.dup(1), os.dup(2)]
    null = os.open(os.devnull, os.O_WRONLY)
    try:  # the JVM inherits these descriptors: its log4j console output goes to /dev/null
        os.dup2(null, 1)
        os.dup2(null, 2)
        session = builder.getOrCreate()
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


def engine_tables(source: EngineSource, con) -> dict:
    """The source's tables on ``con``, by canonical name.

    Raises
    ------
    MappingError
        Naming the table the engine does not hold.
    """
    from ibis.common.exceptions import TableNotFound

    tables = {}
    for name, value in source.tables.items():
        schema, dot, table = value.rpartition(".")
        try:
            tables[name] = con.table(table, database=schema) if dot else con.table(table)
        except TableNotFound:
            raise MappingError(
                f"{source.origin} source.tables.{name}: {source.engine} has no table {value!r}"
            ) from None
    return tables


def read_engine(source: EngineSource, con=None, *, validate: bool = True, mapping=None):
    """The :class:`~segkit.ledger.model.Ledger` of the source's tables, validated in the engine.

    ``mapping`` carries the currency keys (functional currency, rates) beside ``source:``.
    """
    from segkit.ledger.model import Ledger

    con = con if con is not None else connect(source)
    tables = engine_tables(source, con)
    origins = {name: source.describe(name) for name in tables}
    return Ledger.from_tables(**tables, validate=validate, origins=origins, mapping=mapping)


def fingerprint(ledger) -> dict[str, dict]:
    """What identifies the content of each table: rows, date range and exact sums.

    One aggregation per table in the engine: the row count, the first and last date of every
    date column, the number of distinct keys, and the exact sum of every money column (as
    ``decimal(38, 6)``). A row added, removed or re-dated, or an amount changed, changes it;
    a change that keeps all of these (two amounts swapped between invoices) does not.
    """
    out: dict[str, dict] = {}
    for name in TABLES:
        table = getattr(ledger, name, None)
        if table is None:
            continue
        agg = {"rows": table.count()}
        for column in table.columns:
            kind = table[column].type()
            if kind.is_date() or kind.is_timestamp():
                agg[f"{column}_min"] = table[column].min()
                agg[f"{column}_max"] = table[column].max()
            elif kind.is_numeric() and not kind.is_boolean():
                agg[f"{column}_sum"] = table[column].cast("decimal(38, 6)").sum()
        keys = [c.name for c in TABLES[name] if c.name.endswith("_id") and c.name in table.columns]
        if keys:
            agg[f"{keys[0]}_distinct"] = table[keys[0]].nunique()
        row = table.aggregate(**agg).execute().iloc[0]
        out[name] = {key: str(value) for key, value in row.items()}
    return out
