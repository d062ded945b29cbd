"""The canonical ledger schema: tables, columns, types and the contract checked at the boundary.

A ledger has three tables. Only ``invoices`` is required; ``customers`` and ``payments`` are optional.

customers
    ``customer_id`` (key) and optional firmographics: ``name``, ``industry_code`` (GB/T 4754-2017),
    ``employees``, ``revenue`` and ``total_assets`` (CNY yuan), ``province``, ``region``, ``country``
    (ISO 3166-1 alpha-2), ``credit_limit``, ``parent_id``, ``created``, and for the collections
    worklist ``owner`` (the account manager) and ``contact``.
invoices
    ``invoice_id`` (key), ``customer_id``, ``invoice_date``, ``due_date``, ``amount`` (negative for a
    credit note), optional ``currency`` (ISO 4217, per row), ``settled_date``, ``disputed`` and
    ``amount_functional`` (the amount in the functional currency, the ERP's 本位币金额).
payments
    ``payment_id`` (key), ``customer_id``, ``invoice_id`` (empty for unallocated cash),
    ``payment_date``, ``amount``, optional ``currency`` and ``amount_functional``.

Rows in several currencies are converted into the ledger's functional currency on reading
(:mod:`segkit.ledger.currency`).

The column/type contract of each table is a pandera schema (:func:`contract`), checked in the engine
on the Ibis table. Value rules (keys, nulls, dates in order, references between tables) live in
:mod:`segkit.ledger.validation`.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

__all__ = ["Column", "TABLES", "KEYS", "TABLE_NAMES", "contract", "columns_of"]


def _pandera_ibis() -> ModuleType:
    """``pandera.ibis``, without loading PySpark's pandas API.

    Importing any part of pandera (0.36) runs ``pandera/__init__.py``, whose
    ``external_config._set_pyspark_environment_variables`` imports ``pyspark.pandas`` whenever
    PySpark is installed: over a second of every command, for types segkit never uses. While
    pandera loads (and only when neither is loaded yet) that import fails as if PySpark were
    absent, which pandera expects; afterwards ``import pyspark.pandas`` works as usual, and
    pandera's own PySpark types load it when first asked.
    """
    hide = "pandera" not in sys.modules and "pyspark.pandas" not in sys.modules
    if hide:
        sys.modules["pyspark.pandas"] = None  # type: ignore[assignment]  # import -> ImportError
    try:
        import pandera.ibis
    finally:
        if hide and "pyspark.pandas" in sys.modules and sys.modules["pyspark.pandas"] is None:
            del sys.modules["pyspark.pandas"]
    return pandera.ibis


if TYPE_CHECKING:
    import pandera.ibis as pa
else:
    pa = _pandera_ibis()

STRING, DATE, FLOAT, BOOL = "string", "date", "float64", "boolean"


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, logical type and whether a table must have it."""

    name: str
    dtype: str
    required: bool = False
    nullable: bool = True


TABLES: dict[str, tuple[Column, ...]] = {
    "customers": (
        Column("customer_id", STRING, required=True, nullable=False),
        Column("name", STRING),
        Column("industry_code", STRING),
        Column("employees", FLOAT),
        Column("revenue", FLOAT),
        Column("total_assets", FLOAT),
        Column("province", STRING),
        Column("region", STRING),
        Column("country", STRING),
        Column("credit_limit", FLOAT),
        Column("parent_id", STRING),
        Column("created", DATE),
        Column("owner", STRING),
        Column("contact", STRING),
    ),
    "invoices": (
        Column("invoice_id", STRING, required=True, nullable=False),
        Column("customer_id", STRING, required=True, nullable=False),
        Column("invoice_date", DATE, required=True, nullable=False),
        Column("due_date", DATE, required=True, nullable=False),
        Column("amount", FLOAT, required=True, nullable=False),
        Column("currency", STRING),
        Column("settled_date", DATE),
        Column("disputed", BOOL),
        Column("amount_functional", FLOAT),
    ),
    "payments": (
        Column("payment_id", STRING, required=True, nullable=False),
        Column("customer_id", STRING, required=True, nullable=False),
        Column("invoice_id", STRING, required=True),
        Column("payment_date", DATE, required=True, nullable=False),
        Column("amount", FLOAT, required=True, nullable=False),
        Column("currency", STRING),
        Column("amount_functional", FLOAT),
    ),
}

TABLE_NAMES = tuple(TABLES)
KEYS = {"customers": "customer_id", "invoices": "invoice_id", "payments": "payment_id"}

_PANDERA_TYPES = {STRING: str, DATE: dt.date, FLOAT: float, BOOL: bool}


def columns_of(table: str, present: list[str] | None = None) -> list[Column]:
    """Canonical columns of ``table``, restricted to those in ``present`` when given."""
    cols = TABLES[table]
    return [c for c in cols if present is None or c.name in present]


def contract(table: str, present: list[str]) -> pa.DataFrameSchema:
    """The pandera schema of ``table``: required columns, and the type of every canonical column present.

    Optional canonical columns are checked only when the source has them; extra source columns are
    allowed and kept (``strict=False``).
    """
    columns = {
        c.name: pa.Column(_PANDERA_TYPES[c.dtype], nullable=True)
        for c in TABLES[table]
        if c.required or c.name in present
    }
    return pa.DataFrameSchema(columns, name=table, strict=False)
