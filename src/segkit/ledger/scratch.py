"""Tables segkit writes into a user's engine: temporary, so nothing is left behind.

A ledger read from files, and the dates table of the feature queries, are written into the
engine's session: as temporary tables on DuckDB, PostgreSQL and other SQL engines (dropped when
the connection closes), as temporary views on Spark, whose Ibis backend has no temporary
tables (a Spark ``create_table`` would write a managed table into the warehouse, kept after
the session). Nothing is written to a catalogue or a warehouse folder.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

__all__ = ["scratch_table"]


def scratch_table(
    con: ibis.BaseBackend, name: str, frame: pd.DataFrame, schema: ibis.Schema | None = None
) -> ir.Table:
    """``frame`` as a table of the session named ``name``, replaced if it exists.

    Parameters
    ----------
    con : ibis backend
        The engine connection.
    name : str
        The table's name in the session.
    frame : pandas.DataFrame
        The rows.
    schema : ibis.Schema, optional
        Column types; inferred from ``frame`` when not given.

    Returns
    -------
    ibis.Table
        The table on ``con``; a query compiled on it reads the rows it holds when run, so a
        new ``frame`` under the same name serves the same compiled SQL.
    """
    if con.name == "pyspark":
        return con.create_view(name, ibis.memtable(frame, schema=schema), overwrite=True)
    return con.create_table(name, frame, schema=schema, temp=True, overwrite=True)
