"""The Ledger: validated customers, invoices and payments as Ibis tables on one engine connection."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import pandas as pd

from segkit.checks import as_date, check_int
from segkit.exceptions import ConfigError, MappingError
from segkit.ledger import currency as fx
from segkit.ledger.engines import read_engine
from segkit.ledger.io import RawTable, from_frame, read_parquet_engine, read_source
from segkit.ledger.locate import _locate, ledger_files
from segkit.ledger.mapping import MAX_TERMS_DAYS, Mapping, TableSource, load_mapping
from segkit.ledger.rates import Rates
from segkit.ledger.schema import DATE, FLOAT, TABLES
from segkit.ledger.scratch import scratch_table
from segkit.ledger.validation import validate_tables

__all__ = ["Ledger", "ledger_files", "read_ledger"]

_ = ibis._


@dataclass
class Ledger:
    """Validated ledger tables as Ibis tables, and the engine connection that holds them.

    Build one with :func:`read_ledger`, :meth:`from_frames` or :meth:`from_tables`; the tables have
    the canonical columns of :mod:`segkit.ledger.schema`. ``customers`` always exists: without a
    customers table it is the distinct customer ids of the invoices. Amounts are in
    ``functional_currency``; rows in another currency were converted on reading
    (:mod:`segkit.ledger.currency`), with ``rates`` the rates table used, if any.
    """

    con: ibis.BaseBackend
    invoices: ibis.Table
    customers: ibis.Table
    payments: ibis.Table | None = None
    origins: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    functional_currency: str = fx.DEFAULT_FUNCTIONAL
    rates: Rates | None = None
    rates_fill: str | None = None

    @classmethod
    def from_frames(
        cls,
        invoices: pd.DataFrame,
        customers: pd.DataFrame | None = None,
        payments: pd.DataFrame | None = None,
        *,
        con: ibis.BaseBackend | None = None,
        mapping: Mapping | None = None,
        payment_terms_days: int | None = None,
        functional_currency: str | None = None,
        rates: pd.DataFrame | str | Path | None = None,
        rates_fill: str | None = None,
    ) -> Ledger:
        """Validate pandas DataFrames with canonical (or mapped) columns and load them.

        Parameters
        ----------
        invoices, customers, payments : pandas.DataFrame
            The tables; only ``invoices`` is required.
        con : ibis backend, optional
            The engine connection; an in-process DuckDB by default.
        mapping : Mapping, optional
            Column names, formats and defaults, as in a mapping file.
        payment_terms_days : int, optional
            Where an invoice has no due date (or the frame no ``due_date`` column), the due date
            is the invoice date plus this many days, as the mapping default of the same name.
        functional_currency, rates, rates_fill : optional
            As :func:`read_ledger`; ``rates`` may also be a DataFrame.

        Raises
        ------
        SchemaError
            Listing every problem found (table, column, row, rule, value).
        """
        frames = {"invoices": invoices, "customers": customers, "payments": payments}
        sources = dict(mapping.sources) if mapping else {}
        if payment_terms_days is not None:
            days = check_int("payment_terms_days", payment_terms_days, 0)
            if days > MAX_TERMS_DAYS:
                raise ConfigError(
                    f"payment_terms_days must be at most {MAX_TERMS_DAYS}; got {days}."
                )
            base = sources.get("invoices") or TableSource(table="invoices")
            defaults = {**base.defaults, "payment_terms_days": days}
            sources["invoices"] = dataclasses.replace(base, defaults=defaults)
        raws = [
            from_frame(f, name, sources.get(name)) for name, f in frames.items() if f is not None
        ]
        conversion = fx.conversion_of(mapping, functional_currency, rates, rates_fill)
        return cls._from_raw(raws, con, conversion=conversion)

    @classmethod
    def from_tables(
        cls,
        invoices: ibis.Table,
        customers: ibis.Table | None = None,
        payments: ibis.Table | None = None,
        *,
        validate: bool = True,
        origins: dict[str, str] | None = None,
        functional_currency: str | None = None,
        rates: pd.DataFrame | str | Path | None = None,
        rates_fill: str | None = None,
        mapping: Mapping | None = None,
    ) -> Ledger:
        """Wrap Ibis tables that already have canonical columns (Spark, a warehouse, Parquet).

        The checks run in the tables' own engine: one aggregation per table tells which rules
        fail, and only then are rows numbered (``row_number()`` in the engine's scan order) and
        the first failing rows fetched for the message. ``origins`` names each table in
        messages (default ``<invoices table>``).
        """
        tables = {"invoices": invoices, "customers": customers, "payments": payments}
        tables = {k: _canonical_types(k, v) for k, v in tables.items() if v is not None}
        con = quiet_engine(invoices.get_backend())
        origins = {k: (origins or {}).get(k, f"<{k} table>") for k in tables}
        tables, notes = fx.read_aliases(tables)
        if validate:
            validate_tables(tables, origins)
        conversion = fx.conversion_of(mapping, functional_currency, rates, rates_fill)
        tables, more, functional, used = fx.convert(con, tables, origins, conversion)
        ledger = cls._assemble(con, tables, origins, notes + more)
        return ledger._with_currency(functional, used, conversion.fill)

    @classmethod
    def _from_raw(
        cls,
        raws: list[RawTable],
        con: ibis.BaseBackend | None,
        engine: dict | None = None,
        conversion: fx.Conversion | None = None,
    ) -> Ledger:
        """Load pandas-read tables into the engine, add engine-read ones, validate all together."""
        con = con or quiet_engine(ibis.duckdb.connect())
        engine = engine or {}
        origins = {r.table: r.origin for r in raws} | {k: v[0].name for k, v in engine.items()}
        tag = uuid.uuid4().hex[:8]
        tables = {r.table: scratch_table(con, f"segkit_{r.table}_{tag}", r.frame) for r in raws}
        tables = {k: _canonical_types(k, v) for k, v in tables.items()}
        tables |= {k: v[1] for k, v in engine.items()}
        tables, alias_notes = fx.read_aliases(tables)
        failures = [f for r in raws for f in r.failures] + _empty_invoices(tables, origins)
        failures += fx.currency_failures(raws)
        rules = [rule for v in engine.values() for rule in v[2]]
        validate_tables(tables, origins, prior=failures, extra_rules=rules)
        conversion = conversion or fx.Conversion()
        tables, fx_notes, functional, used = fx.convert(con, tables, origins, conversion)
        notes = [n for r in raws for n in r.notes] + alias_notes + fx_notes
        clean = {k: v.drop(c for c in v.columns if c.startswith("_")) for k, v in tables.items()}
        ledger = cls._assemble(con, clean, origins, notes)
        ledger.files = {r.table: r.path for r in raws if r.path} | {
            k: v[0] for k, v in engine.items()
        }
        return ledger._with_currency(functional, used, conversion.fill)

    def _with_currency(self, functional: str, rates: Rates | None, fill: str | None) -> Ledger:
        self.functional_currency, self.rates, self.rates_fill = functional, rates, fill
        if rates is not None and rates.path is not None:
            self.files["rates"] = rates.path
        return self

    @classmethod
    def _assemble(cls, con, tables, origins, notes) -> Ledger:
        customers = tables.get("customers")
        if customers is None:
            customers = tables["invoices"].select("customer_id").distinct()
            notes.append(
                "no customers table: customers are the distinct customer ids of the invoices"
            )
        return cls(
            con=con,
            invoices=tables["invoices"],
            customers=customers,
            payments=tables.get("payments"),
            origins=origins,
            notes=notes,
        )

    def dates(self) -> tuple[dt.date, dt.date]:
        """The first and last invoice dates."""
        row = self.invoices.aggregate(
            first=self.invoices.invoice_date.min(), last=self.invoices.invoice_date.max()
        ).execute()
        return pd.Timestamp(row["first"].iloc[0]).date(), pd.Timestamp(row["last"].iloc[0]).date()

    def check_as_of(self, as_of, name: str = "as_of", recent_months: int | None = None) -> dt.date:
        """``as_of`` as a date, when the ledger has invoices to describe at that date.

        Parameters
        ----------
        as_of : str or date
            The observation date, ISO 8601.
        name : str
            The parameter's name in messages.
        recent_months : int, optional
            Also require an invoice in the months up to ``as_of`` (the window of the activity
            and RFM features: classes need customers active in it).

        Raises
        ------
        ConfigError
            When ``as_of`` is not an ISO date, comes before the first invoice (no customer would
            have any history), or has no invoice in the ``recent_months`` before it.
        """
        day = as_date(as_of, name)
        first, last = self.dates()
        span = f"the invoices run from {first} to {last}"
        if day < first:
            raise ConfigError(
                f"{name} {day} is before the ledger's first invoice; {span}, so choose a date "
                f"from {first}."
            )
        if recent_months is not None:
            start = (pd.Timestamp(day) - pd.DateOffset(months=recent_months)).date()
            if last <= start:
                raise ConfigError(
                    f"{name} {day}: no invoice in the {recent_months} months before it, so no "
                    f"customer is active to classify; {span}."
                )
        return day

    def summary(self) -> pd.DataFrame:
        """Rows per table, distinct customers, date range and totals: the data-quality header."""
        rows = []
        for name, table, date_col in (
            ("customers", self.customers, None),
            ("invoices", self.invoices, "invoice_date"),
            ("payments", self.payments, "payment_date"),
        ):
            if table is None:
                continue
            agg = {"rows": table.count(), "customers": table.customer_id.nunique()}
            if date_col:
                agg |= {
                    "first": table[date_col].min(),
                    "last": table[date_col].max(),
                    "amount": table.amount.sum(),
                }
            row = table.aggregate(**agg).execute().iloc[0].to_dict()
            rows.append({"table": name, "source": self.origins.get(name, "derived"), **row})
        return pd.DataFrame(rows).set_index("table")


def read_ledger(
    path: str | Path,
    mapping: str | Path | Mapping | None = None,
    *,
    con: ibis.BaseBackend | None = None,
    functional_currency: str | None = None,
    rates: str | Path | pd.DataFrame | None = None,
    rates_fill: str | None = None,
) -> Ledger:
    """Read, map and validate a ledger, converting other currencies into the functional one.

    Parameters
    ----------
    path : str or Path
        A folder holding ``invoices`` and optionally ``customers`` and ``payments`` files
        (``.csv``, ``.parquet`` or ``.xlsx``, named after the table), or a YAML mapping file
        (whose ``source:`` may name tables in PostgreSQL, Spark or DuckDB:
        :mod:`segkit.ledger.engines`).
    mapping : str, Path or Mapping, optional
        A mapping file describing a foreign export; relative file names resolve against the
        mapping file's folder, or against ``path`` when the mapping names no file.
    con : ibis backend, optional
        The engine connection; an in-process DuckDB by default, or a new connection to the
        engine a mapping's ``source:`` names.
    functional_currency : str, optional
        The ISO 4217 code amounts are shown in (``functional_currency:`` of the mapping); by
        default the ledger's only currency, or CNY when it has several.
    rates : str, Path or DataFrame, optional
        A rates table (``date``, ``currency``, ``rate`` to the functional currency), as the
        mapping's ``rates:``; see :mod:`segkit.ledger.currency` for how rows are converted.
    rates_fill : {None, "previous"}
        ``"previous"``: a date without a rate takes the last earlier rate (noted); by default a
        missing rate is an error.

    Raises
    ------
    MappingError
        When files are missing or ambiguous, or the mapping does not match them.
    SchemaError
        When the data break the canonical schema (every problem at once).
    """
    path = Path(path)
    if mapping is None and path.suffix.lower() in (".yaml", ".yml"):
        mapping, path = path, path.parent
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    if mapping is not None and mapping.engine is not None:  # tables in PostgreSQL, Spark ...
        return read_engine(mapping.engine, con, mapping=mapping)
    if not path.exists():
        raise MappingError(f"ledger not found: {path}")
    sources = _locate(path, mapping)
    con = con or quiet_engine(ibis.duckdb.connect())
    raws = [read_source(src, file) for src, file in sources if file.suffix.lower() != ".parquet"]
    engine = {
        src.table: (file, *read_parquet_engine(src, file, con))
        for src, file in sources
        if file.suffix.lower() == ".parquet"
    }
    conversion = fx.conversion_of(mapping, functional_currency, rates, rates_fill)
    return Ledger._from_raw(raws, con, engine, conversion)


def quiet_engine(con):
    """Switch DuckDB's progress bar off: library calls print nothing into notebooks or stdout.

    Other backends (and connections that refuse the setting) are returned as they are.
    """
    if getattr(con, "name", None) == "duckdb":
        try:
            con.raw_sql("SET enable_progress_bar = false")
        except Exception:  # noqa: BLE001 - a connection that refuses the setting still works
            pass
    return con


def _canonical_types(table: str, t: ibis.Table) -> ibis.Table:
    """Dates (timestamps) cast to dates, and exact numbers to the schema's float64.

    A warehouse keeps money as ``DECIMAL(18, 2)`` or whole numbers as integers: both are cast
    to float64 here, exactly for any amount below 10**13 with two decimals, and the features
    sum every amount as an exact decimal again (:data:`segkit.features.activity.EXACT`), on
    every engine.
    """
    casts = {}
    for c in TABLES[table]:
        if c.name not in t.columns:
            continue
        kind = t[c.name].type()
        if c.dtype == DATE and not kind.is_date():
            casts[c.name] = t[c.name].cast("date")
        elif c.dtype == FLOAT and (kind.is_decimal() or kind.is_integer()):
            casts[c.name] = t[c.name].cast("float64")
    return t.mutate(**casts) if casts else t


def _empty_invoices(tables: dict, origins: dict) -> list[dict]:
    if tables["invoices"].count().execute() > 0:
        return []
    return [
        {"file": origins["invoices"], "table": "invoices", "column": None, "row": None,
         "rule": "at least one invoice", "value": "no rows"}
    ]  # fmt: skip
