"""Running multi-date queries: the dates table, SQL compiled once per ledger, a quiet engine.

Ibis spends about as long compiling a large expression to SQL as DuckDB spends running it on a
sample-sized ledger. The queries of :mod:`segkit.features` read their as-of dates from a table
rather than from literals, so their SQL does not depend on the dates: :func:`run_query` writes
the dates into a small table on the ledger's connection, compiles the expression once per
ledger and query kind, and reruns the stored SQL for any later set of dates. The dates table
is rewritten by each call, so one ledger serves one query at a time (use one ledger per thread).
It is a temporary table (a temporary view on Spark, :func:`segkit.ledger.scratch.scratch_table`):
the compiled SQL is reused on DuckDB, Spark and PostgreSQL alike, and nothing is left behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable

import ibis
import ibis.expr.types as ir
import pandas as pd

from segkit.ledger.model import quiet_engine
from segkit.ledger.scratch import scratch_table

__all__ = ["KEEP_ROWS", "run_query", "compiled_queries", "has_room", "ledger_cache"]

_STATE = "_segkit_engine"


def _state(ledger) -> dict:
    state = ledger.__dict__.get(_STATE)
    if state is None:
        state = {"tag": uuid.uuid4().hex[:8], "sql": {}}
        ledger.__dict__[_STATE] = state
        quiet_engine(ledger.con)
    return state


def ledger_cache(ledger, name: str) -> dict:
    """A dictionary kept with the ledger (and its tables) for results that only depend on it.

    It is emptied when the ledger's tables are replaced.
    """
    state = _state(ledger)
    ops = _ops(ledger)
    if state.get("ops") != ops:
        state["ops"], state["caches"] = ops, {}
    return state["caches"].setdefault(name, {})


#: Rows of results (customers or invoices, times dates) a ledger keeps of each kind: the
#: features, default labels and invoice outcomes of each date built, so that the studies,
#: the history and the summary, which ask for many of the same dates, query each date once.
#: Beyond it results are computed on every call, so memory stays that of the results in use.
KEEP_ROWS = 250_000


def has_room(kept: dict, rows: int) -> bool:
    """Whether ``rows`` more rows fit in ``kept`` ({key: frame}) within :data:`KEEP_ROWS`."""
    return sum(len(frame) for frame in kept.values()) + rows <= KEEP_ROWS


def compiled_queries(ledger) -> int:
    """Number of compiled queries the ledger keeps for reuse."""
    return len(_state(ledger)["sql"])


def _ops(ledger) -> tuple:
    tables = (ledger.invoices, ledger.customers, ledger.payments)
    return tuple(t.op() if t is not None else None for t in tables)


def run_query(
    ledger,
    kind: str,
    key: Hashable,
    dates: pd.DataFrame,
    schema: ibis.Schema,
    build: Callable[[ir.Table], ir.Table],
) -> pd.DataFrame:
    """Execute ``build(dates_table)`` on the ledger's engine, compiling it once per ledger.

    Parameters
    ----------
    ledger : segkit.Ledger
    kind : str
        Names the query and its dates table (``features``, ``labels``).
    key : hashable
        Everything besides the dates that changes the expression (its options).
    dates : pandas.DataFrame
        The rows of the dates table, with the columns of ``schema``.
    schema : ibis.Schema
        Types of the dates table.
    build : callable
        Builds the expression from the dates table.

    Returns
    -------
    pandas.DataFrame
        The executed result, typed by Ibis as ``build(...).execute()`` would be.
    """
    state = _state(ledger)
    con = ledger.con
    name = f"segkit_{kind}_dates_{state['tag']}"
    try:
        table = scratch_table(con, name, dates, schema)
    except NotImplementedError:  # a backend without temporary tables or views: no reuse
        return build(ibis.memtable(dates, schema=schema)).execute()
    full_key = (kind, key, _ops(ledger))
    entry = state["sql"].get(full_key)
    if entry is None:
        expr = build(table)
        entry = state["sql"][full_key] = (con.compile(expr), expr.schema())
    sql, out_schema = entry
    if con.name == "duckdb":
        return _duckdb_frame(con, sql, out_schema)
    return con.sql(sql, schema=out_schema).execute()


def _duckdb_frame(con, sql: str, schema: ibis.Schema) -> pd.DataFrame:
    """Run SQL on DuckDB and type the result as Ibis would, without parsing the SQL again.

    Arrow's own conversion handles columns with nulls in bulk (Ibis goes through Python lists
    for those), then Ibis's converter gives the pandas types of ``execute()``.
    """
    from ibis.backends.duckdb.converter import DuckDBPandasData

    table = con.raw_sql(sql).to_arrow_table()
    # one block per column: no copy into 2-D blocks here, and no copy when a column is
    # replaced or dropped later (pandas consolidates when an operation needs it)
    frame = table.to_pandas(
        date_as_object=False, timestamp_as_object=False, split_blocks=True, self_destruct=True
    )
    del table
    if tuple(frame.columns) != schema.names:
        return DuckDBPandasData.convert_table(frame, schema)
    # column by column: a new frame of the converted columns would copy every block once more
    # (a second on half a million rows); replacing a column of its own block copies nothing else
    for name, dtype in schema.items():
        frame[name] = DuckDBPandasData.convert_column(frame[name], dtype)
    return frame
